/**
 * The prod stack on this machine's private swarm engine (testing/engine/stack.ts), each figure
 * beside a baseline measured on the same engine in the same run:
 * - converge: first create to every service running and healthy, against the median time a
 *   trivial busybox service takes from create to running (what the engine alone costs);
 * - verify: median of full verify runs (every check, as `npm run verify` runs them) against
 *   the median of one cheap check (docker.running) through the same connection;
 * - rollback: an update of the app to an image that never becomes healthy, from apply to the
 *   swarm's rollback_completed, against the same baseline as converge;
 * - memory: peak resident memory of the engine and everything it runs (dockerd, containerd,
 *   shims, every task), sampled each second.
 */
import { readFileSync } from "node:fs";
import { deployEngineStack, type EngineStack } from "../testing/engine/stack";
import { importUnhealthyImage, updateThatRollsBack } from "../testing/engine/faults";
import { NOT_APPLICABLE_HERE } from "../testing/engine/differences";
import { processesOf } from "../testing/docker/reaper";
import { awaitRunning } from "../testing/docker/services";
import { TEST_IMAGE } from "../testing/docker/engine";
import { runChecks } from "../validate/core/runner";
import { checkById, VERIFY_CHECKS } from "../validate/registry";
import type { Check } from "../validate/core/types";
import { median } from "./stats";

const BASELINE_RUNS = 3;
const VERIFY_RUNS = 3;
const S = 1e9;

const log = (l: string) => process.stderr.write(`  ${l}\n`);

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process ended between listing and reading
  }
}

/** Samples the summed RSS of the engine's process tree every second until stopped; returns the peak. */
function memorySampler(dir: () => string | undefined): { stop(): number } {
  let peakKb = 0;
  const sample = () => {
    const d = dir();
    if (d)
      peakKb = Math.max(
        peakKb,
        processesOf(d).reduce((sum, p) => sum + rssKb(p), 0),
      );
  };
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peakKb;
    },
  };
}

/** Create -> running of a one-replica busybox service with no network, removed after each run. */
async function baselineServiceMs(stack: EngineStack): Promise<number> {
  const docker = stack.engine.docker;
  await stack.engine.importBusybox();
  const times: number[] = [];
  for (let i = 0; i < BASELINE_RUNS; i++) {
    const name = `mcp-bench-baseline-${i}`;
    const t0 = performance.now();
    const svc = await docker.createService({
      Name: name,
      TaskTemplate: { ContainerSpec: { Image: TEST_IMAGE, Command: ["sleep", "3600"], StopGracePeriod: 1 * S }, RestartPolicy: { Condition: "none" } },
      Mode: { Replicated: { Replicas: 1 } },
    } as never);
    try {
      const pending = await awaitRunning(docker, [name], 60_000);
      if (pending.length) throw new Error(`baseline service ${name} not running after 60 s`);
      times.push(performance.now() - t0);
    } finally {
      await docker.getService(svc.id).remove();
    }
  }
  return median(times);
}

async function timeChecks(stack: EngineStack, checks: readonly Check[], runs: number): Promise<{ medianMs: number; failures: string[] }> {
  const times: number[] = [];
  const failures = new Set<string>();
  const conn = await stack.connect({ log: () => undefined });
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const records = await runChecks(checks, conn.target, { secrets: stack.secrets(), progress: false, notApplicable: NOT_APPLICABLE_HERE });
      times.push(performance.now() - t0);
      for (const r of records.filter((x) => x.status === "fail")) failures.add(r.id);
    }
  } finally {
    await conn.close();
  }
  return { medianMs: median(times), failures: [...failures] };
}

/** Bounded wait until the given checks pass (the first backup, say); throws naming what still fails. */
async function settle(stack: EngineStack, ids: readonly string[], withinMs: number): Promise<void> {
  const started = Date.now();
  let last: string[] = [];
  while (Date.now() - started < withinMs) {
    last = (await timeChecks(stack, ids.map(checkById), 1)).failures;
    if (last.length === 0) return;
    await new Promise((r) => setTimeout(r, 3000));
  }
  throw new Error(`still failing after ${withinMs / 1000} s: ${last.join(", ")}`);
}

export async function run(): Promise<Record<string, number | string>> {
  let stack: EngineStack | undefined;
  let engineDir: string | undefined;
  const memory = memorySampler(() => engineDir);
  try {
    // deployEngineStack measures its own converge time (first create to every service converged).
    // Per-service convergence polling lines are left out: the bench prints progress, not a transcript.
    stack = await deployEngineStack({ log: (l) => void (/waiting to converge|\d+\/\d+ running$/.test(l) || log(l)) });
    engineDir = stack.engine.dir;
    const baselineMs = await baselineServiceMs(stack);

    await settle(stack, ["docker.running", "docker.health", "backup.monitoring", "backup.offsite"], 180_000);
    const full = await timeChecks(stack, VERIFY_CHECKS, VERIFY_RUNS);
    if (full.failures.length) throw new Error(`checks fail on the healthy engine stack, the timings would mean nothing: ${full.failures.join(", ")}`);
    const single = await timeChecks(stack, [checkById("docker.running")], VERIFY_RUNS);

    const broken = "mcp-engine/app-broken:1";
    await importUnhealthyImage(stack.engine.docker, broken);
    const images = JSON.parse(stack.engineConfig["mcp:images"] ?? "{}") as Record<string, string>;
    const fake = "ghcr.io/mcp-platform/mcp-gateway:0.0.0-broken";
    const rollback = await updateThatRollsBack(stack, "app", {
      configChanges: { "mcp:images": JSON.stringify({ ...images, app: fake }) },
      images: { [fake]: broken },
    });
    if (!rollback.error) throw new Error("the update to an unhealthy image succeeded: no rollback to time");
    if (rollback.state !== "rollback_completed") throw new Error(`the app's update ended in ${rollback.state ?? "no state"}, not rollback_completed`);
    const rollbackMs = rollback.ms;

    return {
      services: stack.outputs.services.length,
      baselineServiceRunningMedianMs: Math.round(baselineMs),
      convergeMs: stack.convergeMs,
      convergeVsBaseline: (stack.convergeMs / baselineMs).toFixed(1),
      checks: VERIFY_CHECKS.length,
      verifyRuns: VERIFY_RUNS,
      fullVerifyMedianMs: Math.round(full.medianMs),
      singleCheckMedianMs: Math.round(single.medianMs),
      fullVerifyVsSingleCheck: (full.medianMs / single.medianMs).toFixed(1),
      imageRollbackMs: Math.round(rollbackMs),
      imageRollbackVsBaseline: (rollbackMs / baselineMs).toFixed(1),
      peakEngineRssMb: Math.round(memory.stop() / 1024),
    };
  } finally {
    memory.stop();
    await stack?.stop();
  }
}
