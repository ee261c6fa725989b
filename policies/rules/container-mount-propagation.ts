/** SEC-CONTAINER-04, SEC-DATA-08: no mount with shared propagation (CIS Docker 5.20). */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerMountPropagation = resourcePolicy({
  name: "container-mount-propagation",
  description:
    "No mount of a container or service uses shared propagation (`shared`, `rshared`): a mount the container makes under it would appear on the host and in every other container sharing it. Docker's default, rprivate, keeps them apart.",
  checklistIds: ["SEC-CONTAINER-04", "SEC-DATA-08"],
  severity: "high",
  group: "container-security",
  remediation: "Remove `bindOptions.propagation` from the mount (Docker then uses rprivate), or set it to private, rprivate, slave or rslave.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.mounts.known) return ctx.undecidable("mounts");
    for (const m of w.mounts.value) {
      const p = (m.propagation ?? "").trim().toLowerCase();
      if (p === "shared" || p === "rshared") ctx.violation(`${w.label} mounts ${m.target} with ${p} propagation`);
    }
  },
});
