/**
 * Post-deploy verification benchmark against the healthy local stack (testing/stack.ts):
 * - median wall time of a full verify (every check, as `npm run verify` runs them; the
 *   container, host and backup checks skip here: no Docker engine), target <= 5 s;
 * - time until a stopped service (Redis) is reported, target within the check timeout
 *   (default 3 s), while the other checks still complete and pass.
 */
import { startLocalStack } from "../testing/stack";
import { runChecks, DEFAULT_TIMEOUT_MS } from "../validate/core/runner";
import { VERIFY_CHECKS } from "../validate/registry";
import { median } from "./stats";

const RUNS = 5;

export async function run(): Promise<Record<string, number | string>> {
  const stack = await startLocalStack((l) => process.stderr.write(`  ${l}\n`));
  try {
    const times: number[] = [];
    let failures = 0;
    let slowest = "";
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const records = await runChecks(VERIFY_CHECKS, stack.target, { secrets: stack.target.secrets, progress: false });
      times.push(performance.now() - t0);
      failures += records.filter((r) => r.status === "fail").length;
      const top = [...records].sort((a, b) => b.durationMs - a.durationMs)[0];
      slowest = `${top.id} ${top.durationMs} ms`;
    }
    if (failures > 0) throw new Error(`${failures} check failures on the healthy stack: the timings would mean nothing`);

    await stack.servers.redis.stop();
    const t0 = performance.now();
    const records = await runChecks(VERIFY_CHECKS, stack.target, { secrets: stack.target.secrets, progress: false });
    const total = performance.now() - t0;
    const redis = records.filter((r) => r.id.startsWith("redis."));
    const others = records.filter((r) => !r.id.startsWith("redis.") && r.status !== "skip");
    if (redis.some((r) => r.status !== "fail")) throw new Error("a Redis check passed with Redis stopped");
    return {
      checks: VERIFY_CHECKS.length,
      runs: RUNS,
      fullVerifyMedianMs: Math.round(median(times)),
      fullVerifyMinMs: Math.round(Math.min(...times)),
      fullVerifyMaxMs: Math.round(Math.max(...times)),
      slowestCheckLastRun: slowest,
      stoppedRedisReportedMs: Math.max(...redis.map((r) => r.durationMs)),
      checkTimeoutMs: DEFAULT_TIMEOUT_MS,
      stoppedRedisFullRunMs: Math.round(total),
      othersPassedWhileRedisDown: `${others.filter((r) => r.status === "pass").length}/${others.length}`,
    };
  } finally {
    await stack.stop();
  }
}
