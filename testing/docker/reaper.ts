/**
 * Tears down a test Docker engine completely, synchronously, from any state: dockerd gets
 * SIGTERM and a bounded wait; then every process still tied to the engine's directory
 * (containerd, shims — their command lines name it) and their descendants (the containers'
 * processes) is killed; mounts under the directory are detached; the directory is removed.
 *
 * Synchronous so it can run inside a process 'exit' handler. Run as a script it is the
 * watchdog's last step: `reaper.ts <engine-dir>` after the test process died (even SIGKILL).
 * Only processes whose command line names the engine's own temporary directory (and their
 * descendants) are touched.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { processAlive } from "../../local/pids";

export const STATE_FILE = "engine.json";
/** $0 of the watchdog shell, so the reaper can tell it from the engine's processes. */
export const WATCHDOG_NAME = "mcp-dockerd-watchdog";

/** Host interfaces an engine may create and the reaper may delete: swarm gateway (mcpgw) and test bridges (mcpbr). */
export const HOST_LINK_PATTERN = /^mcp(gw|br)[0-9a-f]{6,}$/;

export interface EngineState {
  dir: string;
  dockerdPid: number;
  /** Host network interfaces the engine created outside its directory (swarm gateway bridge, test network bridges). */
  links?: string[];
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function ppid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 4, after the parenthesised command (which may itself contain spaces).
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return -1;
  }
}

/** Processes whose command line names `dir` (and passes `filter`), plus all their descendants. */
export function processesOf(dir: string, filter: (cmd: string) => boolean = () => true): number[] {
  const pids = readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((p) => p !== process.pid);
  const parent = new Map(pids.map((p) => [p, ppid(p)]));
  // The watchdog names the directory too but is not part of the engine: it exits on its own.
  const roots = new Set(pids.filter((p) => cmdline(p).includes(dir) && !cmdline(p).includes(WATCHDOG_NAME) && filter(cmdline(p))));
  const out = new Set(roots);
  // Descendants: bounded by the number of processes (each pass adds at least one or stops).
  for (let pass = 0; pass < pids.length; pass++) {
    const before = out.size;
    for (const p of pids) if (!out.has(p) && out.has(parent.get(p) ?? -1)) out.add(p);
    if (out.size === before) break;
  }
  return [...out];
}

/** Mount points at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  let text: string;
  try {
    text = readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const points = text
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m): m is string => !!m)
    .map((m) => m.replace(/\\040/g, " "))
    .filter((m) => m === dir || m.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function waitGone(pids: number[], ms: number): number[] {
  const deadline = Date.now() + ms;
  let left = pids.filter(processAlive);
  while (left.length && Date.now() < deadline) {
    sleepSync(50);
    left = left.filter(processAlive);
  }
  return left;
}

/**
 * Everything, bounded in time (about `graceMs` + 3 s). Safe to call twice and on a
 * directory that is already gone. Returns what it had to force, for the harness's log.
 */
export function reapSync(state: EngineState, graceMs = 8000): { forced: number; mounts: number } {
  const { dir, dockerdPid } = state;
  if (!dir.startsWith("/") || dir.split("/").filter(Boolean).length < 2) throw new Error(`refusing to reap suspicious directory "${dir}"`);
  // Containers' processes first (the shims' children): a graceful dockerd shutdown would
  // otherwise wait each container's 10 s stop timeout. The shims stay for dockerd to reap.
  const shims = new Set(processesOf(dir, (cmd) => cmd.includes("containerd-shim")).filter((p) => cmdline(p).includes("containerd-shim")));
  const containerProcs = processesOf(dir, (cmd) => cmd.includes("containerd-shim")).filter((p) => !shims.has(p));
  for (const p of containerProcs) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  let forced = containerProcs.length;
  // Our dockerd only: the pid must still be a process that names our directory.
  if (dockerdPid > 0 && processAlive(dockerdPid) && cmdline(dockerdPid).includes(dir)) {
    try {
      process.kill(dockerdPid, "SIGTERM");
    } catch {
      /* gone */
    }
    waitGone([dockerdPid], graceMs);
  }
  for (let round = 0; round < 3; round++) {
    const left = processesOf(dir).filter(processAlive);
    if (left.length === 0) break;
    for (const p of left) {
      try {
        process.kill(p, "SIGKILL");
        forced++;
      } catch {
        /* gone */
      }
    }
    waitGone(left, 1000);
  }
  const mounts = mountsUnder(dir);
  for (const m of mounts) spawnSync("umount", ["-l", m], { stdio: "ignore", timeout: 5000 });
  // Only names this engine recorded, and only its own prefix: never another engine's bridge.
  for (const link of state.links ?? []) if (HOST_LINK_PATTERN.test(link)) spawnSync("ip", ["link", "delete", link], { stdio: "ignore", timeout: 5000 });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  return { forced, mounts: mounts.length };
}

function readState(dir: string): EngineState | null {
  try {
    return JSON.parse(readFileSync(`${dir}/${STATE_FILE}`, "utf8")) as EngineState;
  } catch {
    return null;
  }
}

// Watchdog entry point: the test process is gone and left its engine behind.
if (require.main === module) {
  const dir = process.argv[2];
  const state = dir ? readState(dir) : null;
  if (state && state.dir === dir) reapSync(state);
}
