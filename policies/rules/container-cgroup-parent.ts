/**
 * SEC-CONTAINER-03: containers stay in the daemon's cgroup (CIS Docker 5.25): a chosen cgroup
 * parent escapes the limits and accounting the host sets for containers.
 */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerCgroupParent = resourcePolicy({
  name: "container-cgroup-parent",
  description:
    "Containers do not choose their cgroup parent (`cgroupParent`): they run under the daemon's, where the host's limits and accounting apply. A swarm service cannot choose one (Docker API 1.41), and host:check verifies daemon.json sets no cgroup-parent.",
  checklistIds: ["SEC-CONTAINER-03"],
  severity: "medium",
  group: "container-security",
  remediation: "Remove `cgroupParent` from the container; bound its resources with `memory` and `cpus` instead.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (w.kind === "service") return ctx.notApplicable(`${w.label} cannot choose a cgroup parent (Docker API 1.41 services have no field for it)`);
    if (!w.cgroupParent.known) return ctx.undecidable("cgroupParent");
    if ((w.cgroupParent.value ?? "").trim() !== "") ctx.violation(`${w.label} chooses its cgroup parent (cgroupParent)`);
  },
});
