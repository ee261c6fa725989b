/** SEC-CONTAINER-04 (security contexts), SEC-CONTAINER-02: drop ALL capabilities, add nothing dangerous. */
import { resourcePolicy } from "../lib/define";
import { displayName, serviceOf, T } from "../lib/docker";
import { asArray, get, isUnknown } from "../lib/values";

const norm = (c: string) => c.trim().toUpperCase().replace(/^CAP_/, "");

export const containerCapabilities = resourcePolicy<{ forbiddenAdds: string[]; allowedAdds: Record<string, string[]> }>({
  name: "container-capabilities",
  description: "Containers drop ALL Linux capabilities and add none of the dangerous ones (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, ALL).",
  checklistIds: ["SEC-CONTAINER-04", "SEC-CONTAINER-02"],
  severity: "high",
  group: "container-security",
  remediation: "Set `capabilities: { drops: [\"ALL\"] }` and add back only what the service needs (e.g. NET_BIND_SERVICE); never SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH or ALL.",
  resourceTypes: [T.container],
  config: {
    forbiddenAdds: { type: "array", items: { type: "string" }, default: ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO", "SYS_BOOT", "MAC_ADMIN", "BPF", "PERFMON"], description: "Capabilities no container may add." },
    allowedAdds: { type: "object", default: {}, description: "Per service (com.mcp.service label): the only capabilities it may add. Services not listed may add any non-forbidden one." },
  },
  check(r, ctx) {
    const drops = asArray(get(r.props, "capabilities", "drops"));
    const adds = asArray(get(r.props, "capabilities", "adds"));
    const name = displayName(r);
    if (!drops.known || drops.value.some(isUnknown)) ctx.undecidable("capabilities.drops");
    else if (!drops.value.map((c) => norm(String(c))).includes("ALL")) ctx.violation(`container ${name} does not drop ALL capabilities (capabilities.drops)`);
    if (!adds.known || adds.value.some(isUnknown)) return ctx.undecidable("capabilities.adds");
    const forbidden = new Set(ctx.config.forbiddenAdds.map(norm));
    const added = adds.value.map((c) => norm(String(c)));
    const bad = added.filter((c) => forbidden.has(c));
    if (bad.length) ctx.violation(`container ${name} adds dangerous capabilities: ${bad.join(", ")}`);
    const allowed = ctx.config.allowedAdds[serviceOf(r) ?? ""];
    if (allowed) {
      const extra = added.filter((c) => !forbidden.has(c) && !allowed.map(norm).includes(c));
      if (extra.length) ctx.violation(`container ${name} adds capabilities not allowed for its service: ${extra.join(", ")}`);
    }
  },
});
