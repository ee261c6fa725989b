/** SEC-CONTAINER-04, SEC-NET-02: no host network, PID, IPC, user, UTS or cgroup namespace. */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerHostNamespaces = resourcePolicy({
  name: "container-host-namespaces",
  description:
    "Containers and services do not share the host's network, PID, IPC, user, UTS or cgroup namespace (a service shares the host network by joining the `host` network).",
  checklistIds: ["SEC-CONTAINER-04", "SEC-NET-02"],
  severity: "critical",
  group: "container-security",
  remediation:
    "Containers: remove networkMode/pidMode/ipcMode/usernsMode/cgroupnsMode \"host\" and attach the stack's networks with networksAdvanced. Services: attach the stack's overlay networks, never the `host` network.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.namespaces.known) return ctx.undecidable("namespace modes");
    for (const [ns, value] of Object.entries(w.namespaces.value)) {
      const mode = (value ?? "").trim().toLowerCase();
      if (mode === "host") ctx.violation(`${w.label} uses the host ${ns} namespace`);
      if (ns === "network" && mode.startsWith("container:")) ctx.violation(`${w.label} joins another container's network namespace`);
    }
  },
});
