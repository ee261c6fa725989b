/** DEP-CORE-02 (health checks for all services), HA-REDUNDANCY-05 (health checks reliable). */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asArray, asNumber, asString, get, isUnknown } from "../lib/values";

/** Docker durations ("15s", "1m30s", "500ms") in seconds. */
export function dockerDurationSeconds(d: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(d))) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  return consumed === d.length && consumed > 0 ? total : undefined;
}

export const containerHealthcheck = resourcePolicy<{ maxIntervalSeconds: number; maxRetries: number }>({
  name: "container-healthcheck",
  description: "Containers have a health check that runs a real command, with timeout below interval and a bounded retry count.",
  checklistIds: ["DEP-CORE-02", "HA-REDUNDANCY-05"],
  severity: "high",
  group: "availability",
  remediation: "Set `healthcheck: { tests: [\"CMD-SHELL\", \"<probe>\"], interval: \"15s\", timeout: \"5s\", retries: 5, startPeriod: \"30s\" }`.",
  resourceTypes: [T.container],
  config: {
    maxIntervalSeconds: { type: "number", default: 300, description: "Longest health-check interval accepted." },
    maxRetries: { type: "integer", default: 10, description: "Most retries before unhealthy." },
  },
  check(r, ctx) {
    const name = displayName(r);
    const hc = get(r.props, "healthcheck");
    if (isUnknown(hc)) return ctx.undecidable("healthcheck");
    if (!hc || typeof hc !== "object") return ctx.violation(`container ${name} has no health check`);
    const tests = asArray(get(hc, "tests"));
    if (!tests.known || tests.value.some(isUnknown)) return ctx.undecidable("healthcheck.tests");
    const t = tests.value.map(String);
    if (t.length === 0 || t[0].toUpperCase() === "NONE") return ctx.violation(`container ${name} has its health check disabled`);
    const cmd = t[0] === "CMD" || t[0] === "CMD-SHELL" ? t.slice(1) : t;
    if (cmd.join(" ").trim() === "" || /^(true|exit 0|:)$/.test(cmd.join(" ").trim())) ctx.violation(`container ${name} has a health check that cannot fail`);
    const interval = asString(get(hc, "interval"));
    const timeout = asString(get(hc, "timeout"));
    const retries = asNumber(get(hc, "retries"));
    if (!interval.known || !timeout.known || !retries.known) return ctx.undecidable("healthcheck timing");
    // Docker's defaults (30s/30s/3) apply when unset.
    const iv = interval.value ? dockerDurationSeconds(interval.value) : 30;
    const to = timeout.value ? dockerDurationSeconds(timeout.value) : 30;
    if (iv === undefined || to === undefined) return ctx.violation(`container ${name} health check has an unreadable interval or timeout`);
    if (iv > ctx.config.maxIntervalSeconds) ctx.violation(`container ${name} health check interval ${interval.value} exceeds ${ctx.config.maxIntervalSeconds}s`);
    if (to >= iv) ctx.violation(`container ${name} health check timeout (${timeout.value ?? "30s"}) is not below its interval (${interval.value ?? "30s"})`);
    const n = retries.value ?? 3;
    if (n < 1 || n > ctx.config.maxRetries) ctx.violation(`container ${name} health check retries ${n} is outside 1..${ctx.config.maxRetries}`);
  },
});
