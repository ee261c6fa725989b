/**
 * Starts the policy pack as its own process the way the engine does:
 *   node <@pulumi/pulumi/cmd/run-policy-pack> <engineAddress> .      (cwd = pack directory)
 * with PULUMI_CONFIG / PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN in its environment,
 * reads the port from the first stdout line, and always kills it again (also when the
 * caller throws or exits): a live pack keeps the caller's pipes open.
 * A minimal Engine gRPC service stands in for the engine's log endpoint.
 */
import { ChildProcess, spawn } from "child_process";
import * as grpc from "@grpc/grpc-js";
import * as path from "path";

export interface EngineLogEntry {
  severity: number;
  message: string;
  urn: string;
}

export interface EngineStub {
  address: string;
  logs: EngineLogEntry[];
  close(): Promise<void>;
}

/** An Engine service that records Log calls and answers the rest trivially. */
export async function startEngineStub(): Promise<EngineStub> {
  const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const engineproto = require("@pulumi/pulumi/proto/engine_pb");
  const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
  const logs: EngineLogEntry[] = [];
  const server = new grpc.Server();
  server.addService(enginerpc.EngineService, {
    log: (call: { request: { getSeverity(): number; getMessage(): string; getUrn(): string } }, cb: grpc.sendUnaryData<unknown>) => {
      logs.push({ severity: call.request.getSeverity(), message: call.request.getMessage(), urn: call.request.getUrn() });
      cb(null, new Empty());
    },
    getRootResource: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, new engineproto.GetRootResourceResponse()),
    setRootResource: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, new engineproto.SetRootResourceResponse()),
    startDebugging: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, new Empty()),
    requirePulumiVersion: (_c: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, new engineproto.RequirePulumiVersionResponse()),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    logs,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

export interface PackProcess {
  port: number;
  pid: number;
  /** Everything the pack wrote to stderr (for error messages). */
  stderr(): string;
  /** Wall-clock time (ms since the epoch) the pack printed its port, as the pack saw it; undefined until its note arrives. */
  readyAt(): number | undefined;
  stop(): Promise<void>;
}

export interface StartPackOptions {
  packDir: string;
  engineAddress: string;
  env: Record<string, string>;
  timeoutMs?: number;
  /**
   * Node's compile cache for the pack (NODE_COMPILE_CACHE, where Node has module.flushCompileCache):
   * the pack writes it as soon as it listens, since it is stopped by a signal and never exits
   * on its own. Without it the pack starts as the engine starts it.
   */
  compileCacheDir?: string;
  /**
   * Load the modules @pulumi/pulumi imports and a precompiled pack never calls (the TypeScript
   * compiler, ts-node, npm's arborist) at their first use (preflight/defer-unused-modules.js).
   * Without it the pack loads them at start, as the engine starts it.
   */
  deferUnusedModules?: boolean;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Pack processes started by this process and not yet exited (tests check nothing leaks). */
export function livePackCount(): number {
  return live.size;
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence: a pack never outlives the process that started it.
  process.on("exit", () => {
    for (const c of live) c.kill("SIGKILL");
  });
}

export function startPack(opts: StartPackOptions): Promise<PackProcess> {
  installExitHook();
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const preloads = [...(opts.deferUnusedModules ? ["defer-unused-modules.js"] : []), "pack-ready-stamp.js"];
  const child = spawn(process.execPath, [...preloads.flatMap((p) => ["-r", path.join(__dirname, p)]), runner, opts.engineAddress, "."], {
    cwd: opts.packDir,
    env: { ...process.env, ...opts.env, ...(opts.compileCacheDir ? { NODE_COMPILE_CACHE: opts.compileCacheDir } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  // A spawn/kill error after startup is handled through `exited`; never let it throw here.
  child.on("error", () => undefined);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    // Bounded: a runaway pack must not grow this without limit.
    if (stderr.length < 64 * 1024) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => live.delete(child));
  const stop = async () => {
    if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const t = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(t);
  };
  return new Promise<PackProcess>((resolve, reject) => {
    let out = "";
    const timeoutMs = opts.timeoutMs ?? 30000;
    const timer = setTimeout(() => fail(new Error(`policy pack did not print its port within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.stdout!.removeAllListeners("data");
      stop().finally(() =>
        reject(new Error(`${e.message}${stderr.trim() ? `\npolicy pack stderr:\n${stderr.trim().split("\n").slice(-20).join("\n")}` : ""}`)),
      );
    };
    const onError = (e: Error) => fail(e);
    const onEarlyExit = (code: number | null, signal: string | null) =>
      fail(new Error(`policy pack exited (${signal ?? `code ${code}`}) before printing its port`));
    child.once("error", onError);
    child.once("exit", onEarlyExit);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      const line = out.slice(0, nl).trim();
      clearTimeout(timer);
      child.removeListener("exit", onEarlyExit);
      child.removeListener("error", onError);
      // Keep draining stdout so the pack never blocks on a full pipe.
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      const port = Number(line);
      if (!/^\d+$/.test(line) || port <= 0 || port > 65535)
        return fail(new Error(`policy pack printed "${line.slice(0, 200)}" where its port was expected (nothing may print before the port)`));
      const readyAt = () => {
        const m = /^mcp-pack-ready-at (\d+)$/m.exec(stderr);
        return m ? Number(m[1]) : undefined;
      };
      resolve({ port, pid: child.pid!, stderr: () => stderr.replace(/^mcp-pack-ready-at \d+\n/m, ""), readyAt, stop });
    });
  });
}
