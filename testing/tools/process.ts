/**
 * Long-running test servers (nginx, redis-server, postgres, prometheus, ...): start one,
 * wait until it is ready (bounded in time), stop it. Every started process is also
 * killed when the test process exits, so a failing test never leaves a server behind.
 */
import { ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Resolves true once the server answers; polled until readyTimeoutMs. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  pollIntervalMs?: number;
  /** Signal for a graceful stop (default SIGTERM); SIGKILL follows after stopTimeoutMs. */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
}

export interface RunningProcess {
  pid: number;
  /** Output so far (stdout and stderr interleaved), for failure messages. */
  output(): string;
  /** True while the process has not exited. */
  alive(): boolean;
  exitCode(): number | null;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) killGroup(child, "SIGKILL");
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `promise` or `ms`, whichever comes first, leaving no timer behind. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/**
 * Starts `command` in its own process group and waits for `ready`. Throws (after
 * stopping it) when it exits early or is not ready in time; the message carries its output.
 */
export async function startProcess(command: string, args: readonly string[], options: StartOptions): Promise<RunningProcess> {
  installExitHook();
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  running.add(child);
  let output = "";
  let exited = false;
  let code: number | null = null;
  child.stdout!.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-20_000)));
  const exitPromise = new Promise<void>((resolve) => {
    child.on("exit", (c) => {
      exited = true;
      code = c;
      running.delete(child);
      resolve();
    });
    child.on("error", (err) => {
      output += `\nspawn error: ${err.message}`;
      exited = true;
      running.delete(child);
      resolve();
    });
  });

  const handle: RunningProcess = {
    pid: child.pid ?? -1,
    output: () => output,
    alive: () => !exited,
    exitCode: () => code,
    async stop() {
      if (exited) return;
      killGroup(child, options.stopSignal ?? "SIGTERM");
      const timeout = options.stopTimeoutMs ?? 10_000;
      await within(exitPromise, timeout);
      if (!exited) {
        killGroup(child, "SIGKILL");
        await within(exitPromise, 5_000);
      }
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  const interval = options.pollIntervalMs ?? 100;
  for (;;) {
    if (exited) throw new Error(`${command} exited early (code ${code}):\n${output}`);
    let ok: boolean;
    try {
      ok = await options.ready();
    } catch {
      ok = false;
    }
    if (ok) return handle;
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${command} was not ready within ${options.readyTimeoutMs ?? 20_000} ms:\n${output}`);
    }
    await sleep(interval);
  }
}

/** Resolves when `host:port` accepts a TCP connection. Use as a `ready` probe. */
export function tcpReady(port: number, host = "127.0.0.1"): () => Promise<boolean> {
  return () =>
    new Promise((resolve) => {
      const socket = connect({ port, host });
      socket.setTimeout(1_000);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(false));
    });
}
