/**
 * A real Alertmanager (Debian's prometheus-alertmanager) for the runtime-check tests,
 * with the configuration rendered by infra/render/alertmanager.ts, clustering off, on a
 * free loopback port under a temp dir.
 */
import { writeFileSync } from "node:fs";
import { freePort } from "../../local/ports";
import { startProcess, type RunningProcess } from "../tools/process";
import { requireExecutable } from "../../local/run";
import { makeTempDir } from "../../local/tempdir";

export interface AlertmanagerServer {
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startAlertmanager(config: string, listenPort?: number): Promise<AlertmanagerServer> {
  const bin = requireExecutable("prometheus-alertmanager", "prometheus-alertmanager");
  const dir = makeTempDir("mcp-alertmanager-");
  const port = listenPort ?? (await freePort());
  writeFileSync(dir.join("alertmanager.yml"), config);
  const url = `http://127.0.0.1:${port}`;
  let proc: RunningProcess;
  try {
    proc = await startProcess(
      bin,
      [
        `--config.file=${dir.join("alertmanager.yml")}`,
        `--storage.path=${dir.join("data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
        "--log.level=warn",
      ],
      {
        ready: async () => {
          try {
            return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
          } catch {
            return false;
          }
        },
        readyTimeoutMs: 20_000,
        stopTimeoutMs: 5000,
      },
    );
  } catch (e) {
    dir.remove();
    throw e;
  }
  return {
    url,
    port,
    output: () => proc.output(),
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
