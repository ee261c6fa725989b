/**
 * What every task container of the stack uses against the limit it was given, read from the
 * engine's own counters (`GET /containers/{id}/stats`): memory (FUN-PERF-04) and CPU
 * (FUN-PERF-05). Memory that is not stable under a hard limit ends in the kernel's OOM killer,
 * and the swarm keeps the killed tasks' containers: so "stable" is no task OOM-killed and the
 * working set now clear of the limit. CPU is sampled over a few seconds, as a share of the
 * service's `cpus`.
 */
import type Docker from "dockerode";
import { fail, pass, skip, type Check, type CheckContext, type CheckResult } from "../core/types";
import { abortableSleep } from "../core/sleep";
import type { DeclaredContainer, DockerTarget } from "./declared";
import { describeError } from "./engine-api";
import { inspectAll } from "./facts";
import { inspectServices, localTaskContainers, runningTasks } from "./tasks";

/** Above this share of its limit a container's next allocation burst is an OOM kill. */
export const MEMORY_MAX_PERCENT = 90;
/** The checklist's "reasonable": a service at more than 70 % of its CPU limit has no headroom for a peak. */
export const CPU_MAX_PERCENT = 70;
/** CPU is sampled over this long: a scrape or a health probe (a burst of tens of milliseconds) is averaged out, sustained use is not. */
export const CPU_SAMPLE_MS = 5000;
const SHOWN = 5;

/** The parts of the Engine API stats object read here (cgroup v1 and v2 name the cache differently). */
export interface RawStats {
  read: string;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  cpu_stats?: { cpu_usage?: { total_usage?: number }; throttling_data?: { periods?: number; throttled_periods?: number } };
}

/** Working set the way `docker stats` shows it: usage minus the page cache the kernel can drop. */
export function workingSetBytes(s: RawStats): number | undefined {
  const m = s.memory_stats;
  if (m?.usage === undefined) return undefined;
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  return Math.max(0, m.usage - cache);
}

/** Cores used between two samples of the same container. */
export function coresBetween(a: RawStats, b: RawStats): number | undefined {
  const used = (b.cpu_stats?.cpu_usage?.total_usage ?? NaN) - (a.cpu_stats?.cpu_usage?.total_usage ?? NaN);
  const wallNs = (Date.parse(b.read) - Date.parse(a.read)) * 1e6;
  return Number.isFinite(used) && wallNs > 0 ? used / wallNs : undefined;
}

const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

async function stats(docker: Docker, name: string, signal: AbortSignal): Promise<RawStats | undefined> {
  try {
    // one-shot: the engine answers at once instead of waiting a second to fill its own previous sample.
    return (await docker.getContainer(name).stats({ stream: false, "one-shot": true, abortSignal: signal } as never)) as unknown as RawStats;
  } catch (err) {
    // Replaced between listing and reading: docker.running reports a service without tasks.
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function containersOf(t: DockerTarget, ctx: CheckContext): Promise<DeclaredContainer[]> {
  const local = await localTaskContainers(t.docker, t.services, ctx.signal);
  return [...local.values()].flat();
}

/** Nothing to measure is not a pass: docker.running says why no task runs here. */
const noContainers = (t: DockerTarget) =>
  skip(`no running task container of the stack's ${t.services.length} service(s) on the engine at ${t.endpoint} (docker.running reports why)`);

async function guarded(t: DockerTarget, body: () => Promise<CheckResult>): Promise<CheckResult> {
  if (t.services.length === 0) return skip("no services declared in the stack outputs");
  if (!t.local) return skip(`engine at ${t.endpoint} is remote: run verify on the swarm manager to read its containers' counters`);
  try {
    return await body();
  } catch (err) {
    return fail(`cannot read container counters from the Docker engine at ${t.endpoint}: ${describeError(err)}`, {
      expected: "the engine answering GET /containers/{id}/stats",
      actual: "no answer",
      remediation: "Run verify where a manager of the swarm is reachable (DOCKER_HOST or the default socket).",
    });
  }
}

/** Task containers the swarm kept whose main process the kernel killed for memory. */
async function oomKilledTasks(t: DockerTarget, ctx: CheckContext): Promise<string[]> {
  const swarm = await inspectServices(
    t.docker,
    t.services.map((s) => s.name),
    ctx.signal,
  );
  const ended = [...swarm.entries()].flatMap(([service, s]) => {
    const running = new Set(runningTasks(s?.tasks ?? []).map((x) => x.id));
    return (s?.tasks ?? []).filter((x) => !running.has(x.id) && x.containerId).map((x) => ({ service, task: x }));
  });
  const facts = await inspectAll(
    t.docker,
    ended.map((e) => e.task.containerId!),
    ctx.signal,
  );
  return ended
    .filter((e) => facts.get(e.task.containerId!)?.oomKilled)
    .map((e) => `${e.service}: task ${e.task.id.slice(0, 12)} (slot ${e.task.slot ?? "?"}) OOM-killed at ${new Date(e.task.statusAtMs).toISOString()}`);
}

export const memoryUsageCheck: Check<DockerTarget> = {
  id: "docker.memory-usage",
  title: `No task OOM-killed, every container's working set under ${MEMORY_MAX_PERCENT} % of its memory limit`,
  checklistIds: ["FUN-PERF-04", "SIGN-TECH-02"],
  timeoutMs: 20_000,
  run: (t, ctx) =>
    guarded(t, async () => {
      const [containers, killed] = await Promise.all([containersOf(t, ctx), oomKilledTasks(t, ctx)]);
      if (containers.length === 0 && killed.length === 0) return noContainers(t);
      const read = await Promise.all(containers.map((c) => stats(t.docker, c.name, ctx.signal)));
      const seen = containers.flatMap((c, i) => {
        const ws = read[i] && workingSetBytes(read[i]);
        const limit = read[i]?.memory_stats?.limit;
        return ws !== undefined && limit ? [{ name: c.name, ws, limit }] : [];
      });
      const high = seen.filter((x) => (100 * x.ws) / x.limit > MEMORY_MAX_PERCENT);
      const top = [...seen].sort((a, b) => b.ws / b.limit - a.ws / a.limit)[0];
      const measurements = {
        containers: seen.length,
        oomKilled: killed.length,
        highestPercent: top ? Number(((100 * top.ws) / top.limit).toFixed(1)) : 0,
      };
      const line = (x: (typeof seen)[number]) => `${x.name}: working set ${mib(x.ws)} of ${mib(x.limit)} (${((100 * x.ws) / x.limit).toFixed(0)} %)`;
      const problems = [...killed, ...high.map(line)];
      if (problems.length)
        return fail(`${problems.length} memory problem(s): ${problems.slice(0, SHOWN).join("; ")}${problems.length > SHOWN ? "; …" : ""}`, {
          expected: `no task OOM-killed and every working set at most ${MEMORY_MAX_PERCENT} % of the container's memory limit`,
          actual: problems.join("; "),
          remediation:
            "Raise the service's memory (mcp:limits.<service>.memoryMb) if the working set is its normal size, or find the leak (docker service logs, the app's heap) if it grows; an OOM kill shows as exit 137 in docker service ps --no-trunc.",
          measurements,
        });
      return pass(`${seen.length} container(s), none OOM-killed; highest working set ${top ? line(top) : "n/a"}`, { measurements });
    }),
};

export const cpuUsageCheck: Check<DockerTarget> = {
  id: "docker.cpu-usage",
  title: `Every container uses at most ${CPU_MAX_PERCENT} % of its CPU limit, sampled over ${CPU_SAMPLE_MS / 1000} s`,
  checklistIds: ["FUN-PERF-05", "SIGN-TECH-02"],
  timeoutMs: CPU_SAMPLE_MS + 15_000,
  // Alone and last: the load other checks put on the stack (bursts, latency samples) is not the load judged here.
  exclusive: true,
  run: (t, ctx) =>
    guarded(t, async () => {
      const containers = await containersOf(t, ctx);
      if (containers.length === 0) return noContainers(t);
      const first = await Promise.all(containers.map((c) => stats(t.docker, c.name, ctx.signal)));
      await abortableSleep(CPU_SAMPLE_MS, ctx.signal);
      const second = await Promise.all(containers.map((c) => stats(t.docker, c.name, ctx.signal)));
      const seen: { name: string; cores: number; limit: number; throttledPercent?: number }[] = [];
      containers.forEach((c, i) => {
        const [a, b] = [first[i], second[i]];
        const cores = a && b ? coresBetween(a, b) : undefined;
        const limit = Number(c.cpus);
        const p = b?.cpu_stats?.throttling_data;
        if (cores !== undefined && limit > 0)
          seen.push({ name: c.name, cores, limit, throttledPercent: p?.periods ? (100 * (p.throttled_periods ?? 0)) / p.periods : undefined });
      });
      const share = (x: (typeof seen)[number]) => (100 * x.cores) / x.limit;
      const line = (x: (typeof seen)[number]) =>
        `${x.name}: ${x.cores.toFixed(2)} of ${x.limit} CPU (${share(x).toFixed(0)} %${x.throttledPercent !== undefined ? `, throttled in ${x.throttledPercent.toFixed(0)} % of periods since start` : ""})`;
      const high = seen.filter((x) => share(x) > CPU_MAX_PERCENT);
      const top = [...seen].sort((a, b) => share(b) - share(a))[0];
      const measurements = { containers: seen.length, sampleMs: CPU_SAMPLE_MS, highestPercent: top ? Number(share(top).toFixed(1)) : 0 };
      if (high.length)
        return fail(`${high.length} container(s) above ${CPU_MAX_PERCENT} % of their CPU limit: ${high.slice(0, SHOWN).map(line).join("; ")}`, {
          expected: `every container at most ${CPU_MAX_PERCENT} % of its service's cpus over ${CPU_SAMPLE_MS / 1000} s`,
          actual: high.map(line).join("; "),
          remediation:
            "Find what keeps the container busy (docker service logs, the app's own metrics); raise mcp:limits.<service>.cpus or add replicas if it is real load.",
          measurements,
        });
      return pass(`${seen.length} container(s) sampled over ${CPU_SAMPLE_MS / 1000} s; highest ${top ? line(top) : "n/a"}`, { measurements });
    }),
};

export const USAGE_CHECKS: readonly Check<DockerTarget>[] = [memoryUsageCheck, cpuUsageCheck];
