/** SEC-CONTAINER-02: no privileged containers. */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerNoPrivileged = resourcePolicy({
  name: "container-no-privileged",
  description: "Containers must not run privileged (full host device and kernel access). Swarm services cannot run privileged in Docker API 1.41.",
  checklistIds: ["SEC-CONTAINER-02"],
  severity: "critical",
  group: "container-security",
  remediation: "Remove `privileged: true`; grant the one capability the service needs with `capabilities.adds` (services: capAdds) instead.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.privileged.known) return ctx.undecidable("privileged");
    if (w.privileged.value) ctx.violation(`${w.label} runs privileged`);
  },
});
