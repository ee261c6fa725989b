/** SEC-NET-02, PRE-SEC-05: a network meant to be internal (by name or label) has `internal: true`. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asBool, asString, get } from "../lib/values";

export const networkInternalFlag = resourcePolicy<{ internalNamePattern: string }>({
  name: "network-internal-flag",
  description:
    "Docker networks named as internal (e.g. mcp-prod-internal) are created with internal: true, so nothing on them can reach outside the host or swarm.",
  checklistIds: ["SEC-NET-02", "PRE-SEC-05"],
  severity: "high",
  group: "network",
  remediation: "Create the network with `internal: true`; give services that must reach out (alertmanager, backup off-site) a separate egress network.",
  resourceTypes: [T.network],
  config: {
    internalNamePattern: {
      type: "string",
      default: "(^|[-_])internal($|[-_])",
      description: "Regex on the network's Docker name (or Pulumi name) marking it internal.",
    },
  },
  check(r, ctx) {
    const n = asString(get(r.props, "name"));
    const name = n.known && n.value ? n.value : r.name;
    if (!new RegExp(ctx.config.internalNamePattern).test(name) && !new RegExp(ctx.config.internalNamePattern).test(r.name)) return;
    const internal = asBool(get(r.props, "internal"));
    if (!internal.known) return ctx.undecidable("internal");
    if (!internal.value) ctx.violation(`network ${displayName(r)} is named internal but is not created with internal: true`);
    const driver = asString(get(r.props, "driver"));
    if (driver.known && driver.value && !["bridge", "overlay"].includes(driver.value))
      ctx.violation(`network ${displayName(r)} uses driver ${driver.value}; internal networks use bridge or overlay`);
  },
});
