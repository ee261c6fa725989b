/** SEC-CONTAINER-04 (security contexts), SEC-CONTAINER-02: drop ALL capabilities, add nothing dangerous. */
import { resourcePolicy } from "../lib/define";
import { setPath } from "../lib/remediate";
import { isUnknown } from "../lib/values";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

const norm = (c: string) => c.trim().toUpperCase().replace(/^CAP_/, "");

export const containerCapabilities = resourcePolicy<{ forbiddenAdds: string[]; allowedAdds: Record<string, string[]> }>({
  name: "container-capabilities",
  description:
    "Containers and services drop ALL Linux capabilities and add none of the dangerous ones (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, ALL).",
  checklistIds: ["SEC-CONTAINER-04", "SEC-CONTAINER-02"],
  severity: "high",
  group: "container-security",
  remediation:
    'Drop ALL (container: `capabilities: { drops: ["ALL"] }`; service: `taskSpec.containerSpec.capDrops: ["ALL"]`) and add back only what the service needs (e.g. NET_BIND_SERVICE); never SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH or ALL.',
  resourceTypes: WORKLOAD_TYPES,
  config: {
    forbiddenAdds: {
      type: "array",
      items: { type: "string" },
      default: ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO", "SYS_BOOT", "MAC_ADMIN", "BPF", "PERFMON"],
      description: "Capabilities no workload may add.",
    },
    allowedAdds: {
      type: "object",
      default: {},
      description: "Per service (com.mcp.service label): the only capabilities it may add. Services not listed may add any non-forbidden one.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.capDrops.known || w.capDrops.value.some(isUnknown)) ctx.undecidable("capability drops");
    else if (!w.capDrops.value.map((c) => norm(String(c))).includes("ALL")) ctx.violation(`${w.label} does not drop ALL capabilities`);
    if (!w.capAdds.known || w.capAdds.value.some(isUnknown)) return ctx.undecidable("capability adds");
    const forbidden = new Set(ctx.config.forbiddenAdds.map(norm));
    const added = w.capAdds.value.map((c) => norm(String(c)));
    const bad = added.filter((c) => forbidden.has(c));
    if (bad.length) ctx.violation(`${w.label} adds dangerous capabilities: ${bad.join(", ")}`);
    const allowed = ctx.config.allowedAdds[w.service ?? ""];
    if (allowed) {
      const extra = added.filter((c) => !forbidden.has(c) && !allowed.map(norm).includes(c));
      if (extra.length) ctx.violation(`${w.label} adds capabilities not allowed for its service: ${extra.join(", ")}`);
    }
  },
  // Dropping ALL is mechanical; which capabilities a service adds back is its owner's call.
  remediate(r) {
    const w = workloadOf(r);
    if (!w.capDrops.known || w.capDrops.value.some(isUnknown)) return undefined;
    const drops = w.capDrops.value.map(String);
    if (drops.map(norm).includes("ALL")) return undefined;
    const path = w.kind === "container" ? ["capabilities", "drops"] : ["taskSpec", "containerSpec", "capDrops"];
    return setPath(r.props, path, [...drops, "ALL"]);
  },
});
