/**
 * A real Redis (Debian's redis-server) for the runtime-check tests: the redis.conf rendered
 * by infra/render/redis.ts, with the harness's loopback bind, port and data dir, and the
 * password in the rendered include file, all under a temp dir.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { renderRedisAuthConf, renderRedisConf, type RedisInput } from "../../infra/render/redis";
import { freePort } from "../../local/ports";
import { startProcess, tcpReady, type RunningProcess } from "../tools/process";
import { requireExecutable } from "../../local/run";
import { makeTempDir } from "../../local/tempdir";

export interface RedisServer {
  host: string;
  port: number;
  /** The server process, for faults that signal it (SIGSTOP: a frozen Redis that still accepts connections). */
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startRedis(input: RedisInput, password: string, listenPort?: number): Promise<RedisServer> {
  const bin = requireExecutable("redis-server", "redis-server");
  const dir = makeTempDir("mcp-redis-");
  const port = listenPort ?? (await freePort());
  mkdirSync(dir.join("data"));
  const authFile = dir.join("redis-auth.conf");
  writeFileSync(authFile, renderRedisAuthConf(password));
  chmodSync(authFile, 0o600);
  const confFile = dir.join("redis.conf");
  writeFileSync(confFile, renderRedisConf({ ...input, bind: ["127.0.0.1"], port, dir: dir.join("data"), authIncludePath: authFile }));
  let proc: RunningProcess;
  try {
    proc = await startProcess(bin, [confFile], { ready: tcpReady(port), readyTimeoutMs: 10_000, pollIntervalMs: 50, stopTimeoutMs: 3000 });
  } catch (e) {
    dir.remove();
    throw e;
  }
  return {
    host: "127.0.0.1",
    port,
    pid: proc.pid,
    // The log is the server's stdout; the password is only in the include file.
    output: () => proc.output(),
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
