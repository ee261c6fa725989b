/**
 * Post-deploy verification benchmark against the local stack (testing/stack.ts), every check
 * as `npm run verify` runs them (the container, host and backup checks skip here: no Docker
 * engine), with the reachability probes:
 * - median wall time of a full verify on the healthy stack, target <= 5 s;
 * - the same with Redis frozen (SIGSTOP: connects, never answers), PostgreSQL frozen, and
 *   Redis stopped; target: at most ~15 % over the healthy median, the service reported once
 *   and the other checks still passing.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { startLocalStack, type LocalStack } from "../testing/stack";
import { runChecks } from "../validate/core/runner";
import { VERIFY_CHECKS } from "../validate/registry";
import { VERIFY_PROBES } from "../validate/dependencies";
import type { CheckRecord } from "../validate/core/types";
import { median } from "./stats";

const RUNS = 5;

async function fullRun(stack: LocalStack): Promise<{ ms: number; records: CheckRecord[] }> {
  const t0 = performance.now();
  const records = await runChecks(VERIFY_CHECKS, stack.target, { secrets: stack.target.secrets, probes: VERIFY_PROBES, progress: false });
  return { ms: performance.now() - t0, records };
}

/** Runs verify with `pid` stopped by SIGSTOP; SIGCONT always follows. */
async function frozen(stack: LocalStack, pid: number): Promise<{ ms: number; records: CheckRecord[] }> {
  process.kill(pid, "SIGSTOP");
  try {
    return await fullRun(stack);
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

/** The checks that need the service failed or were skipped because of it, and every other check still passed. */
function judge(records: CheckRecord[], dependency: string): string {
  const needing = new Set(VERIFY_CHECKS.filter((c) => c.needs?.includes(dependency)).map((c) => c.id));
  const own = records.filter((r) => needing.has(r.id));
  if (own.some((r) => r.status === "pass")) throw new Error(`a check needing ${dependency} passed with it down`);
  const others = records.filter((r) => !needing.has(r.id) && !/^(docker|host|backup)\./.test(r.id));
  return `${own.filter((r) => r.status === "fail").length} fail + ${own.filter((r) => r.status === "skip").length} skip; others ${others.filter((r) => r.status === "pass").length}/${others.length} pass`;
}

export async function run(): Promise<Record<string, number | string>> {
  const stack = await startLocalStack((l) => process.stderr.write(`  ${l}\n`));
  try {
    const times: number[] = [];
    const failures: CheckRecord[] = [];
    let slowest = "";
    for (let i = 0; i < RUNS; i++) {
      const { ms, records } = await fullRun(stack);
      times.push(ms);
      failures.push(...records.filter((r) => r.status === "fail"));
      const top = [...records].sort((a, b) => b.durationMs - a.durationMs)[0];
      slowest = `${top.id} ${top.durationMs} ms`;
    }
    if (failures.length > 0)
      throw new Error(
        `${failures.length} check failures on the healthy stack, the timings would mean nothing: ${failures
          .slice(0, 3)
          .map((r) => `${r.id}: ${r.message}`)
          .join("; ")}`,
      );
    const healthy = median(times);
    const pct = (ms: number) => `${Math.round(((ms - healthy) / healthy) * 100)} %`;

    const fr = await frozen(stack, stack.servers.redis.pid);
    const pgPid = Number(readFileSync(join(stack.servers.postgres.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const fp = await frozen(stack, pgPid);
    await stack.servers.redis.stop();
    const sr = await fullRun(stack);
    return {
      checks: VERIFY_CHECKS.length,
      runs: RUNS,
      fullVerifyMedianMs: Math.round(healthy),
      fullVerifyMinMs: Math.round(Math.min(...times)),
      fullVerifyMaxMs: Math.round(Math.max(...times)),
      slowestCheckLastRun: slowest,
      frozenRedisFullRunMs: Math.round(fr.ms),
      frozenRedisOverHealthy: pct(fr.ms),
      frozenRedisRecords: judge(fr.records, "redis"),
      frozenPostgresFullRunMs: Math.round(fp.ms),
      frozenPostgresOverHealthy: pct(fp.ms),
      frozenPostgresRecords: judge(fp.records, "postgres"),
      stoppedRedisFullRunMs: Math.round(sr.ms),
      stoppedRedisOverHealthy: pct(sr.ms),
      stoppedRedisRecords: judge(sr.records, "redis"),
    };
  } finally {
    await stack.stop();
  }
}
