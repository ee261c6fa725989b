/**
 * A real Prometheus (Debian's prometheus) for the runtime-check tests: the configuration
 * rendered by infra/render/prometheus.ts pointed at loopback targets, the rendered alert
 * rules, and the retention flags of prometheusFlags(), under a temp dir. `reload` rewrites
 * config or rules and sends SIGHUP (what the fault tests use for a broken rule).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { renderPrometheusConfig, type PrometheusInput } from "../../infra/render/prometheus";
import { freePort } from "../../local/ports";
import { startProcess, type RunningProcess } from "../tools/process";
import { requireExecutable } from "../../local/run";
import { makeTempDir, type TempDir } from "../../local/tempdir";

export interface PrometheusServerOptions {
  /** Input with loopback targets; `ruleFiles` is set by the harness. */
  input: Omit<PrometheusInput, "ruleFiles">;
  /** Rendered alert rules (renderAlertRules output). */
  rules: string;
  /** Flags from prometheusFlags(config, ...) minus config/storage/listen, e.g. retention. */
  retention: { time: string; size: string };
  /** Listen port (default: a free port); the self-scrape target needs it up front. */
  port?: number;
  /** How often firing alerts are sent again (Prometheus' --rules.alert.resend-delay, default 1m): tests of delivery shorten it. */
  alertResendDelay?: string;
  /**
   * History to start with: OpenMetrics text with timestamps, written into the TSDB before start by
   * `promtool tsdb create-blocks-from openmetrics` (what an operator uses to backfill).
   */
  backfill?: string;
}

export interface PrometheusServer {
  url: string;
  port: number;
  rulesFile: string;
  /** What is loaded now (to restore after a fault). */
  current(): { input: Omit<PrometheusInput, "ruleFiles">; rules: string };
  reload(changes: Partial<Pick<PrometheusServerOptions, "input" | "rules">>): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

function backfillTsdb(openMetrics: string, dir: TempDir): void {
  const input = dir.join("backfill.om");
  writeFileSync(input, openMetrics);
  const r = spawnSync(
    requireExecutable("promtool", "prometheus"),
    ["tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=24h", input, dir.join("data")],
    {
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  if (r.status !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${r.status ?? r.signal}):\n${r.stderr || r.stdout}`);
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export async function startPrometheus(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const bin = requireExecutable("prometheus", "prometheus");
  const dir: TempDir = makeTempDir("mcp-prometheus-");
  const port = options.port ?? (await freePort());
  const configFile = dir.join("prometheus.yml");
  const rulesFile = dir.join("rules", "mcp-alerts.yml");
  mkdirSync(dir.join("rules"));
  let current = { input: options.input, rules: options.rules };
  const write = () => {
    writeFileSync(configFile, renderPrometheusConfig({ ...current.input, ruleFiles: [rulesFile] }));
    writeFileSync(rulesFile, current.rules);
  };
  write();
  const url = `http://127.0.0.1:${port}`;
  let proc: RunningProcess;
  try {
    if (options.backfill !== undefined) backfillTsdb(options.backfill, dir);
    proc = await startProcess(
      bin,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dir.join("data")}`,
        `--storage.tsdb.retention.time=${options.retention.time}`,
        `--storage.tsdb.retention.size=${options.retention.size}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--log.level=warn",
        ...(options.alertResendDelay ? [`--rules.alert.resend-delay=${options.alertResendDelay}`] : []),
      ],
      { ready: () => ok(`${url}/-/ready`), readyTimeoutMs: 20_000, stopTimeoutMs: 5000 },
    );
  } catch (e) {
    dir.remove();
    throw e;
  }
  return {
    url,
    port,
    rulesFile,
    current: () => ({ ...current }),
    async reload(changes) {
      current = { ...current, ...changes };
      write();
      process.kill(proc.pid, "SIGHUP");
      // SIGHUP reloads asynchronously; the config-reload metric says when it has happened.
      const deadline = Date.now() + 5000;
      const since = Date.now() / 1000 - 1;
      while (Date.now() < deadline) {
        try {
          const r = (await (await fetch(`${url}/api/v1/query?query=prometheus_config_last_reload_success_timestamp_seconds`)).json()) as {
            data: { result: { value: [number, string] }[] };
          };
          if (Number(r.data.result[0]?.value[1]) >= since) return;
        } catch {
          /* retry */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`Prometheus did not reload within 5 s:\n${proc.output()}`);
    },
    output: () => proc.output(),
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
