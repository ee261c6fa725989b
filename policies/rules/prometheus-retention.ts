/** DEP-MON-05 (metrics retention configured): Prometheus states its retention time (and size) explicitly, within bounds. */
import { durationSeconds } from "../../infra/config/durations";
import { resourcePolicy } from "../lib/define";
import { flagValue } from "../lib/docker";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

const BYTES: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15, EB: 1e18 };

export const prometheusRetention = resourcePolicy<{ prometheusService: string; minRetentionDays: number; maxRetentionDays: number; requireSize: boolean }>({
  name: "prometheus-retention",
  description:
    "Prometheus runs with an explicit --storage.tsdb.retention.time (within the configured bounds) and, when required, --storage.tsdb.retention.size.",
  checklistIds: ["DEP-MON-05"],
  severity: "medium",
  group: "monitoring",
  remediation:
    "Set mcp:prometheus.retentionTime and retentionSize; the program passes them as --storage.tsdb.retention.time/size (infra/render/prometheus.ts prometheusFlags).",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    prometheusService: { type: "string", default: "prometheus", description: "Service (com.mcp.service) of Prometheus." },
    minRetentionDays: { type: "number", default: 7, description: "Shortest retention accepted (days)." },
    maxRetentionDays: { type: "number", default: 400, description: "Longest retention accepted (days)." },
    requireSize: { type: "boolean", default: true, description: "Require a size limit too, so the disk cannot fill." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (w.service !== ctx.config.prometheusService) return;
    const cmd = w.command;
    if (!cmd.known) return ctx.undecidable("command");
    const time = flagValue(cmd.value, "--storage.tsdb.retention.time") ?? flagValue(cmd.value, "--storage.tsdb.retention");
    if (!time) ctx.violation(`${w.label}: Prometheus has no --storage.tsdb.retention.time (retention left to the default)`);
    else {
      let days: number | undefined;
      try {
        days = durationSeconds(time) / 86400;
      } catch {
        days = undefined;
      }
      if (days === undefined) ctx.violation(`${w.label}: retention time "${time}" is not a duration`);
      else if (days < ctx.config.minRetentionDays || days > ctx.config.maxRetentionDays)
        ctx.violation(`${w.label}: retention ${time} is outside ${ctx.config.minRetentionDays}..${ctx.config.maxRetentionDays} days`);
    }
    const size = flagValue(cmd.value, "--storage.tsdb.retention.size");
    if (!size) {
      if (ctx.config.requireSize) ctx.violation(`${w.label}: Prometheus has no --storage.tsdb.retention.size: the disk can fill`);
    } else {
      const m = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB)$/.exec(size);
      if (!m || Number(m[1]) * BYTES[m[2]] <= 0) ctx.violation(`${w.label}: retention size "${size}" is not a size like 20GB`);
    }
  },
});
