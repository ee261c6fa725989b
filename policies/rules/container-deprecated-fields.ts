/** DEP-CORE-01: fields the Docker provider deprecated or removed break a provider upgrade (advisory). */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerDeprecatedFields = resourcePolicy<{ accept: string[] }>({
  name: "container-deprecated-fields",
  description:
    "Containers and services avoid deprecated Docker provider fields (container links, networks, networkAliases; a service network's name instead of its id).",
  checklistIds: ["DEP-CORE-01"],
  severity: "low",
  enforcementLevel: "advisory",
  group: "container-security",
  remediation:
    "Containers: use networksAdvanced (with aliases) instead of links/networks/networkAliases. Services: give taskSpec.networksAdvanceds[].id (the docker.Network's id) instead of name.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    accept: { type: "array", items: { type: "string" }, default: [], description: "Deprecated fields accepted anyway (names as the finding spells them)." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.deprecatedFields.known) return ctx.undecidable("deprecated fields");
    const used = w.deprecatedFields.value.filter((f) => !ctx.config.accept.includes(f));
    if (used.length) ctx.violation(`${w.label} uses deprecated fields: ${used.join(", ")}`);
  },
});
