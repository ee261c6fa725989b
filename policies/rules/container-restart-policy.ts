/** DEP-CORE-01 (containers start and come back), DEP-CORE-03 (bounded restarts): an explicit restart policy. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asNumber, asString, get } from "../lib/values";

export const containerRestartPolicy = resourcePolicy<{ allowed: string[] }>({
  name: "container-restart-policy",
  description: "Containers restart after a crash or host reboot: restart is unless-stopped, always or on-failure (with a retry bound).",
  checklistIds: ["DEP-CORE-01", "DEP-CORE-03"],
  severity: "medium",
  group: "availability",
  remediation: "Set `restart: \"unless-stopped\"` (or \"on-failure\" with maxRetryCount).",
  resourceTypes: [T.container],
  config: { allowed: { type: "array", items: { type: "string" }, default: ["unless-stopped", "always", "on-failure"], description: "Accepted restart policies." } },
  check(r, ctx) {
    const v = asString(get(r.props, "restart"));
    if (!v.known) return ctx.undecidable("restart");
    const policy = (v.value ?? "no").trim();
    if (!ctx.config.allowed.includes(policy)) return ctx.violation(`container ${displayName(r)} has restart policy "${policy}"; expected one of ${ctx.config.allowed.join(", ")}`);
    if (policy === "on-failure") {
      const n = asNumber(get(r.props, "maxRetryCount"));
      if (!n.known) ctx.undecidable("maxRetryCount");
      else if (!n.value) ctx.violation(`container ${displayName(r)} restarts on-failure without maxRetryCount: a crash loop never stops`);
    }
  },
});
