/**
 * DEP-CORE-02 (health checks for all services), HA-REDUNDANCY-05 (health checks reliable).
 * A workload without one is accepted only when its image cannot run any (infra/image-facts.ts:
 * no shell and no executable to probe with) and a label names what watches it instead.
 */
import { imageFactsFor } from "../../infra/image-facts";
import { resourcePolicy } from "../lib/define";
import { dockerDurationSeconds } from "../lib/durations";
import type { Workload } from "../lib/workload";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** Why a missing health check is accepted, or undefined when it is not. */
function acceptedWithout(w: Workload, watchLabel: string, watchers: readonly string[]): string | undefined {
  if (!w.image.known || !w.image.value) return undefined;
  const facts = imageFactsFor(w.image.value.trim());
  if (!facts || facts.shell || facts.tools.length > 0) return undefined;
  const watcher = w.labels.known ? w.labels.value[watchLabel] : undefined;
  return watcher && watchers.includes(watcher) ? watcher : undefined;
}

export const containerHealthcheck = resourcePolicy<{ maxIntervalSeconds: number; maxRetries: number; watchLabel: string; watchers: string[] }>({
  name: "container-healthcheck",
  description:
    "Workloads have a health check that runs a real command, with timeout below interval and a bounded retry count. None (or NONE) only for an image that cannot run one (infra/image-facts.ts) with a label naming what watches it instead.",
  checklistIds: ["DEP-CORE-02", "HA-REDUNDANCY-05"],
  severity: "high",
  group: "availability",
  remediation:
    'Set `healthcheck: { tests: ["CMD", "wget", "-q", "-O", "/dev/null", "<url>"], interval: "10s", timeout: "5s", retries: 3, startPeriod: "20s" }` (services: taskSpec.containerSpec.healthcheck). For an image with no shell and no probe tool, keep tests ["NONE"] and label the workload com.mcp.healthcheck=prometheus-up (infra/components/service.ts does for `{ none }` specs).',
  resourceTypes: WORKLOAD_TYPES,
  config: {
    maxIntervalSeconds: { type: "number", default: 300, description: "Longest health-check interval accepted." },
    maxRetries: { type: "integer", default: 10, description: "Most retries before unhealthy." },
    watchLabel: { type: "string", default: "com.mcp.healthcheck", description: "Label naming what watches a workload whose image cannot run a health check." },
    watchers: {
      type: "array",
      items: { type: "string" },
      default: ["prometheus-up"],
      description: "Accepted values of that label (prometheus-up: Prometheus' up{} series and the ServiceDown alert).",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.healthcheck.known) return ctx.undecidable("healthcheck");
    const hc = w.healthcheck.value;
    const none = !hc || hc.test.length === 0 || hc.test[0].toUpperCase() === "NONE";
    if (none) {
      if (!w.image.known) return ctx.undecidable("image (for its facts)");
      if (!w.labels.known) return ctx.undecidable("labels");
      if (acceptedWithout(w, ctx.config.watchLabel, ctx.config.watchers)) return;
      return ctx.violation(
        `${w.label} has ${hc ? "its health check disabled (NONE)" : "no health check"}${imageFactsFor((w.image.value ?? "").trim()) ? "" : " (and its image has no facts in infra/image-facts.ts saying it cannot run one)"}`,
      );
    }
    const t = hc!.test;
    const cmd = t[0] === "CMD" || t[0] === "CMD-SHELL" ? t.slice(1) : t;
    if (cmd.join(" ").trim() === "" || /^(true|exit 0|:)$/.test(cmd.join(" ").trim())) ctx.violation(`${w.label} has a health check that cannot fail`);
    // Docker's defaults (30s/30s/3) apply when unset.
    const iv = hc!.interval ? dockerDurationSeconds(hc!.interval) : 30;
    const to = hc!.timeout ? dockerDurationSeconds(hc!.timeout) : 30;
    if (iv === undefined || to === undefined) return ctx.violation(`${w.label} health check has an unreadable interval or timeout`);
    if (iv > ctx.config.maxIntervalSeconds) ctx.violation(`${w.label} health check interval ${hc!.interval} exceeds ${ctx.config.maxIntervalSeconds}s`);
    if (to >= iv) ctx.violation(`${w.label} health check timeout (${hc!.timeout ?? "30s"}) is not below its interval (${hc!.interval ?? "30s"})`);
    const n = hc!.retries ?? 3;
    if (n < 1 || n > ctx.config.maxRetries) ctx.violation(`${w.label} health check retries ${n} is outside 1..${ctx.config.maxRetries}`);
  },
});
