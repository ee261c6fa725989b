/** DEP-CORE-01: fields the Docker provider deprecated or removed break a provider upgrade (advisory). */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { get, isUnknown } from "../lib/values";

export const containerDeprecatedFields = resourcePolicy<{ fields: string[] }>({
  name: "container-deprecated-fields",
  description: "Containers avoid deprecated Docker provider fields (links, networks, networkAliases, ...).",
  checklistIds: ["DEP-CORE-01"],
  severity: "low",
  enforcementLevel: "advisory",
  group: "container-security",
  remediation: "Use networksAdvanced (with aliases) instead of links/networks/networkAliases; drop fields the provider no longer reads.",
  resourceTypes: [T.container],
  config: { fields: { type: "array", items: { type: "string" }, default: ["links", "networks", "networkAliases", "ipv4Address", "ipv6Address", "networkAlias"], description: "Deprecated input names." } },
  check(r, ctx) {
    const used = ctx.config.fields.filter((f) => {
      const v = get(r.props, f);
      return v !== undefined && v !== null && (isUnknown(v) || !(Array.isArray(v) && v.length === 0));
    });
    if (used.length) ctx.violation(`container ${displayName(r)} uses deprecated fields: ${used.join(", ")}`);
  },
});
