/**
 * DEP-CORE-01 (containers start and come back), DEP-CORE-03 (no restart loops): an explicit
 * restart policy that brings a workload back and gives up on a crash loop.
 */
import { resourcePolicy } from "../lib/define";
import { dockerDurationSeconds } from "../lib/durations";
import { RESTART } from "../../infra/components/common";
import { fillPath, setPath } from "../lib/remediate";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerRestartPolicy = resourcePolicy<{ allowed: string[]; allowedServiceConditions: string[]; maxAttempts: number }>({
  name: "container-restart-policy",
  description:
    "Workloads restart after a crash or host reboot and stop a crash loop: containers unless-stopped, always or on-failure (with maxRetryCount); swarm services condition any or on-failure with a bounded maxAttempts and window. A retry bound is at most 5 attempts (CIS Docker 5.15).",
  checklistIds: ["DEP-CORE-01", "DEP-CORE-03"],
  severity: "medium",
  group: "availability",
  remediation:
    'Containers: `restart: "unless-stopped"` (or "on-failure" with maxRetryCount). Services: `taskSpec.restartPolicy: { condition: "any", delay: "5s", maxAttempts: 5, window: "2m" }` (infra/components/common.ts RESTART).',
  resourceTypes: WORKLOAD_TYPES,
  config: {
    allowed: {
      type: "array",
      items: { type: "string" },
      default: ["unless-stopped", "always", "on-failure"],
      description: "Accepted container restart policies.",
    },
    allowedServiceConditions: { type: "array", items: { type: "string" }, default: ["any", "on-failure"], description: "Accepted swarm restart conditions." },
    maxAttempts: {
      type: "integer",
      default: 5,
      description: "Most restart attempts a bound may allow (container maxRetryCount, service restartPolicy.maxAttempts); CIS Docker 5.15 says 5.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.restart.known) return ctx.undecidable("restart policy");
    const { policy, maxAttempts, window, defaulted } = w.restart.value;
    if (w.kind === "container") {
      if (!ctx.config.allowed.includes(policy))
        return ctx.violation(`${w.label} has restart policy "${policy}"; expected one of ${ctx.config.allowed.join(", ")}`);
      if (policy === "on-failure" && !maxAttempts) ctx.violation(`${w.label} restarts on-failure without maxRetryCount: a crash loop never stops`);
      if (maxAttempts && maxAttempts > ctx.config.maxAttempts)
        ctx.violation(`${w.label} retries ${maxAttempts} times (maxRetryCount); at most ${ctx.config.maxAttempts}`);
      return;
    }
    if (!ctx.config.allowedServiceConditions.includes(policy))
      return ctx.violation(`${w.label} has restart condition "${policy}"; expected one of ${ctx.config.allowedServiceConditions.join(", ")}`);
    // Swarm counts attempts only within the window; without both, a crash loop restarts forever.
    const what = defaulted ? "has no restart policy (swarm's default restarts forever)" : "restarts without a bound";
    if (!maxAttempts || maxAttempts < 1) ctx.violation(`${w.label} ${what}: set restartPolicy.maxAttempts`);
    else if (maxAttempts > ctx.config.maxAttempts)
      ctx.violation(`${w.label} restarts up to ${maxAttempts} times (restartPolicy.maxAttempts); at most ${ctx.config.maxAttempts}`);
    const secs = window ? dockerDurationSeconds(window) : undefined;
    if (!secs || secs <= 0) ctx.violation(`${w.label} ${defaulted ? what : "counts restart attempts over no window"}: set restartPolicy.window`);
  },
  // Fills what is missing (no policy at all, no retry bound, no window) with the program's own
  // values; a condition someone chose stays theirs to change.
  remediate(r, config) {
    const w = workloadOf(r);
    if (!w.restart.known) return undefined;
    const { policy, maxAttempts, window, defaulted } = w.restart.value;
    if (w.kind === "container") {
      if (defaulted) return setPath(r.props, ["restart"], config.allowed.includes("unless-stopped") ? "unless-stopped" : config.allowed[0]);
      if (policy === "on-failure" && !maxAttempts) return setPath(r.props, ["maxRetryCount"], RESTART.maxAttempts);
      return undefined;
    }
    if (!defaulted && !config.allowedServiceConditions.includes(policy)) return undefined;
    const secs = window ? dockerDurationSeconds(window) : undefined;
    const rp = ["taskSpec", "restartPolicy"];
    const fixed =
      setPath(r.props, [...rp, "condition"], defaulted ? RESTART.condition : policy) &&
      fillPath(r.props, [...rp, "delay"], RESTART.delay) &&
      setPath(r.props, [...rp, "maxAttempts"], maxAttempts && maxAttempts >= 1 ? maxAttempts : RESTART.maxAttempts) &&
      setPath(r.props, [...rp, "window"], secs && secs > 0 ? window : RESTART.window);
    return fixed || undefined;
  },
});
