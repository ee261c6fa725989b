/** SEC-CONTAINER-04, SEC-DATA-08: the root filesystem is read-only (writable paths are tmpfs or volumes). */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerReadOnlyRootfs = resourcePolicy<{ exemptServices: string[] }>({
  name: "container-read-only-rootfs",
  description: "Containers and services run with a read-only root filesystem.",
  checklistIds: ["SEC-CONTAINER-04", "SEC-DATA-08"],
  severity: "medium",
  group: "container-security",
  remediation: "Set `readOnly: true` (services: taskSpec.containerSpec.readOnly) and give the paths the service writes a tmpfs or a named volume.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    exemptServices: { type: "array", items: { type: "string" }, default: [], description: "Services (com.mcp.service) allowed a writable root filesystem." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (ctx.config.exemptServices.includes(w.service ?? "")) return;
    if (!w.readOnlyRootfs.known) return ctx.undecidable("readOnly");
    if (!w.readOnlyRootfs.value) ctx.violation(`${w.label} has a writable root filesystem (readOnly is not true)`);
  },
});
