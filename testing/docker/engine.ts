/**
 * A private Docker engine for tests: Debian's dockerd started as root with its own data
 * root, exec root (its own containerd), socket, pidfile and daemon.json, and no networking
 * of its own (no default bridge, no iptables, no forwarding). Plain containers in tests use
 * network mode "none". With `swarm: true` the engine becomes a one-node swarm manager
 * (testing/docker/swarm.ts): overlay networks get subnets from 198.18.0.0/16 and its
 * gateway bridge one inside 198.19.0.0/16, so nothing lands in a private range.
 *
 * The engine is always torn down (containers, daemon, containerd, shims, mounts, data):
 * by `stop()`, by a process 'exit' guard when a test forgets or throws, and by a detached
 * watchdog when the test process is killed outright (SIGKILL, OOM, Ctrl-C).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import Docker from "dockerode";
import { busyboxRootfsTar } from "./rootfs";
import { HOST_LINK_PATTERN, reapSync, STATE_FILE, WATCHDOG_NAME, type EngineState } from "./reaper";
import { acquireSwarmLock, initSwarm, LOCAL_ADDRESS_POOL, type SwarmInfo } from "./swarm";

export const TEST_IMAGE = "mcp-test/busybox:1";

export interface DockerEngine {
  dir: string;
  socketPath: string;
  /** DOCKER_HOST form: unix://<dir>/docker.sock */
  host: string;
  docker: Docker;
  pid: number;
  /** Set when the engine was started with `swarm: true`. */
  swarm?: SwarmInfo;
  /** The daemon.json the engine runs with. */
  daemonConfig: Record<string, unknown>;
  /** Imports the busybox rootfs as `ref` (default TEST_IMAGE); returns the image id. */
  importBusybox(ref?: string): Promise<string>;
  /** Last lines of dockerd's log, for failure messages. */
  logTail(lines?: number): string;
  /**
   * Records a host interface (a user-defined bridge's `com.docker.network.bridge.name`) before
   * it is created, so every teardown path deletes it; the name must match HOST_LINK_PATTERN.
   */
  recordHostLink(name: string): void;
  stop(): Promise<void>;
}

export interface EngineOptions {
  startTimeoutMs?: number;
  log?: (line: string) => void;
  /** Initialise a one-node swarm (manager on 127.0.0.1, autolock on). */
  swarm?: boolean;
  /** Keys merged into daemon.json (e.g. the hardening of docs/docker-host.md). */
  daemonConfig?: Record<string, unknown>;
}

const live = new Map<string, EngineState>();
/** Releases of the swarm lock, run once the engine holding it is gone. */
const swarmLocks = new Map<string, () => void>();
let guardInstalled = false;

function installExitGuard(): void {
  if (guardInstalled) return;
  guardInstalled = true;
  process.on("exit", () => {
    for (const state of live.values()) reapSync(state, 3000);
    live.clear();
    for (const release of swarmLocks.values()) release();
  });
}

/**
 * A detached shell that outlives this process: once this process is gone (or the state file
 * is removed by a normal stop) it exits, running the reaper first if the engine is still there.
 */
function startWatchdog(dir: string): void {
  const reaper = join(__dirname, "reaper.ts");
  const tsNode = require.resolve("ts-node/dist/bin.js");
  const script = `while kill -0 "$1" 2>/dev/null && [ -e "$2/${STATE_FILE}" ]; do sleep 1; done; [ -e "$2/${STATE_FILE}" ] && exec "$3" "$4" --swc "$5" "$2"; exit 0`;
  const child = spawn("sh", ["-c", script, WATCHDOG_NAME, String(process.pid), dir, process.execPath, tsNode, reaper], { detached: true, stdio: "ignore" });
  child.unref();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Keep the engine off the machine's network: a daemon.json may repeat these values, never change them. */
const ISOLATION_FLAGS = { bridge: "none", iptables: false, "ip-masq": false, "ip-forward": false } as const;
/** Quiet, quick defaults a test's daemon.json may override (e.g. the hardened file of docs/docker-host.md). */
const TUNABLE_FLAGS = { "userland-proxy": false, "shutdown-timeout": 2, "log-level": "warn" } as const;

/**
 * The dockerd flags for `daemonConfig`. dockerd refuses to start when a setting is given both
 * as a flag and in the file ("the following directives are specified both as a flag and in the
 * configuration file"), so a key the file sets is left off the command line.
 */
export function daemonFlags(daemonConfig: Record<string, unknown>): string[] {
  const flags: string[] = [];
  for (const [key, value] of Object.entries(ISOLATION_FLAGS)) {
    if (!(key in daemonConfig)) flags.push(`--${key}=${value}`);
    else if (daemonConfig[key] !== value)
      throw new Error(`the test engine keeps ${key}=${value} (no networking off the machine); daemonConfig asks for ${JSON.stringify(daemonConfig[key])}`);
  }
  for (const [key, value] of Object.entries(TUNABLE_FLAGS)) if (!(key in daemonConfig)) flags.push(`--${key}=${value}`);
  return flags;
}

export async function startDockerEngine(options: EngineOptions = {}): Promise<DockerEngine> {
  const log = options.log ?? (() => undefined);
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error("the Docker test engine needs root (dockerd runs as root with a private data root); run the tests as root, as .ci/run does");
  }
  // Any local-scope network the engine allocates by itself (the swarm's gateway bridge among
  // them) comes from the test range, never from Docker's private-range defaults.
  const daemonConfig = { "default-address-pools": [LOCAL_ADDRESS_POOL], ...options.daemonConfig };
  const flags = daemonFlags(daemonConfig);
  const releaseSwarm = options.swarm ? await acquireSwarmLock(log) : undefined;
  const dir = mkdtempSync(join(tmpdir(), "mcp-dockerd-"));
  if (releaseSwarm) swarmLocks.set(dir, releaseSwarm);
  const socketPath = join(dir, "docker.sock");
  // containerd's socket lives under the exec root; unix socket paths are limited to 107 bytes.
  if (join(dir, "x", "containerd", "containerd-debug.sock").length > 100)
    throw new Error(`temporary directory ${dir} is too long for unix sockets: set TMPDIR=/tmp`);
  const args = [
    "--config-file",
    join(dir, "daemon.json"),
    "--data-root",
    join(dir, "data"),
    "--exec-root",
    join(dir, "x"),
    "--host",
    `unix://${socketPath}`,
    "--pidfile",
    join(dir, "dockerd.pid"),
    ...flags,
  ];
  writeFileSync(join(dir, "daemon.json"), JSON.stringify(daemonConfig, null, 2) + "\n");
  const logFile = join(dir, "dockerd.log");
  const out = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn("dockerd", args, { stdio: ["ignore", out, out], detached: true, env: { ...process.env, DOCKER_HOST: undefined } });
  } finally {
    closeSync(out);
  }
  const pid = child.pid ?? -1;
  const state: EngineState = { dir, dockerdPid: pid, links: [] };
  const saveState = () => writeFileSync(join(dir, STATE_FILE), JSON.stringify(state));
  saveState();
  live.set(dir, state);
  installExitGuard();
  startWatchdog(dir);
  child.unref();

  let exited: string | null = null;
  child.on("error", (err) => (exited = `could not start dockerd: ${err.message} (is Debian's docker.io installed?)`));
  child.on("exit", (code, signal) => (exited = `dockerd exited (code ${code}, signal ${signal})`));

  const docker = new Docker({ socketPath, host: undefined, port: undefined, protocol: undefined, timeout: 60_000 });
  const engine: DockerEngine = {
    dir,
    socketPath,
    host: `unix://${socketPath}`,
    docker,
    pid,
    daemonConfig,
    logTail: (lines = 30) => tail(logFile, lines),
    recordHostLink(name: string) {
      if (!HOST_LINK_PATTERN.test(name)) throw new Error(`host interface ${name} does not match ${HOST_LINK_PATTERN}: the reaper would not remove it`);
      state.links = [...(state.links ?? []), name];
      saveState();
    },
    async importBusybox(ref = TEST_IMAGE) {
      const [repo, tag = "latest"] = ref.split(":");
      const stream = (await docker.importImage(Readable.from([busyboxRootfsTar()]) as unknown as string, { repo, tag })) as NodeJS.ReadableStream;
      const body = await new Promise<string>((resolve, reject) => {
        let s = "";
        stream.on("data", (d: Buffer) => (s += d.toString()));
        stream.on("end", () => resolve(s));
        stream.on("error", reject);
      });
      if (/"error"/.test(body)) throw new Error(`docker import of the busybox rootfs failed: ${body.trim()}`);
      const image = await docker.getImage(ref).inspect();
      return image.Id;
    },
    async stop() {
      if (!live.has(dir)) return;
      // Removing services and containers first makes dockerd's own shutdown quick (no stop timeouts).
      try {
        if (engine.swarm) {
          const services = await docker.listServices();
          await Promise.all(
            services.map((s) =>
              docker
                .getService(s.ID)
                .remove()
                .catch(() => undefined),
            ),
          );
        }
        const all = await docker.listContainers({ all: true });
        await Promise.all(
          all.map((c) =>
            docker
              .getContainer(c.Id)
              .remove({ force: true })
              .catch(() => undefined),
          ),
        );
      } catch {
        /* engine already unreachable: the reaper handles it */
      }
      const r = reapSync(state);
      live.delete(dir);
      swarmLocks.get(dir)?.();
      swarmLocks.delete(dir);
      log(`docker test engine stopped${r.forced ? ` (${r.forced} processes killed)` : ""}${r.mounts ? ` (${r.mounts} mounts detached)` : ""}`);
    },
  };

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  // Bounded: polls every 100 ms until the deadline.
  for (;;) {
    if (exited) {
      const why = `${exited}\n${engine.logTail()}`;
      await engine.stop();
      throw new Error(why);
    }
    if (existsSync(socketPath)) {
      try {
        await docker.ping();
        break;
      } catch {
        /* not ready yet */
      }
    }
    if (Date.now() > deadline) {
      const why = `dockerd did not answer on ${socketPath} within ${timeoutMs} ms\n${engine.logTail()}`;
      await engine.stop();
      throw new Error(why);
    }
    await sleep(100);
  }
  if (options.swarm) {
    try {
      // The gateway bridge is a host interface: recorded before it exists, so every reaper removes it.
      engine.swarm = await initSwarm(docker, (link) => {
        state.links = [...(state.links ?? []), link];
        saveState();
      });
    } catch (err) {
      const why = `swarm init failed: ${(err as Error).message}\n${engine.logTail()}`;
      await engine.stop();
      throw new Error(why, { cause: err });
    }
  }
  log(`docker test engine up at ${engine.host} (pid ${pid}${engine.swarm ? `, swarm manager on ${engine.swarm.listenAddr}` : ""})`);
  return engine;
}
