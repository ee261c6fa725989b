/** SEC-CONTAINER-04 (security contexts), SEC-CONTAINER-02: drop ALL capabilities, add nothing dangerous. */
import { resourcePolicy } from "../lib/define";
import { setPath } from "../lib/remediate";
import { isUnknown } from "../lib/values";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

const norm = (c: string) => c.trim().toUpperCase().replace(/^CAP_/, "");

/** What the Pod Security Standards let a container add back: restricted, and baseline (Docker's default set without NET_RAW). */
export const PSS_ADDS = {
  restricted: ["NET_BIND_SERVICE"],
  baseline: [
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
  ],
} as const;
type AddsProfile = keyof typeof PSS_ADDS | "any";

export const containerCapabilities = resourcePolicy<{ forbiddenAdds: string[]; allowedAdds: Record<string, string[]>; allowedAddsProfile: AddsProfile }>({
  name: "container-capabilities",
  description:
    "Containers and services drop ALL Linux capabilities and add back only what the Kubernetes Pod Security Standards allow: baseline (the default) AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID and SYS_CHROOT, restricted NET_BIND_SERVICE alone; never the dangerous ones (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, ALL), however spelt (CAP_ prefix, lower case).",
  checklistIds: ["SEC-CONTAINER-04", "SEC-CONTAINER-02"],
  severity: "high",
  group: "container-security",
  remediation:
    'Drop ALL (container: `capabilities: { drops: ["ALL"] }`; service: `taskSpec.containerSpec.capDrops: ["ALL"]`) and add back only NET_BIND_SERVICE where the service binds a port below 1024 (under allowedAddsProfile restricted; baseline also lets a service add CHOWN, SETUID, SETGID ...); never SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH or ALL.',
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
      description: "Per service (com.mcp.service label): the only capabilities it may add, within allowedAddsProfile.",
    },
    allowedAddsProfile: {
      type: "string",
      enum: ["restricted", "baseline", "any"],
      default: "baseline",
      description:
        "The Pod Security Standards set adds must stay within: baseline (Docker's default set without NET_RAW), restricted (NET_BIND_SERVICE alone; the stacks' policy configs ask for it), or any (only forbiddenAdds and allowedAdds apply).",
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
    const profile = ctx.config.allowedAddsProfile;
    if (profile !== "any") {
      const safe: readonly string[] = PSS_ADDS[profile];
      const outside = added.filter((c) => !forbidden.has(c) && !safe.includes(c));
      if (outside.length) ctx.violation(`${w.label} adds capabilities outside the Kubernetes ${profile} set (${safe.join(", ")}): ${outside.join(", ")}`);
    }
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
