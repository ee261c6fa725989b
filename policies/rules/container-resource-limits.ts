/** SEC-CONTAINER-03: memory and CPU limits on every workload. */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerResourceLimits = resourcePolicy<{ minMemoryMb: number; maxMemoryMb: number }>({
  name: "container-resource-limits",
  description:
    "Containers and services have a memory limit and a CPU limit (containers: memory and cpus or cpuQuota; services: resources.limits memoryBytes and nanoCpus).",
  checklistIds: ["SEC-CONTAINER-03"],
  severity: "high",
  group: "container-security",
  remediation:
    "Set the limits from mcp:limits.<service> (infra/config/schema.ts defaults): containers `memory` (MB) and `cpus`; services `taskSpec.resources.limits.memoryBytes` and `nanoCpus`.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    minMemoryMb: { type: "integer", default: 16, description: "Smallest sensible memory limit (MB)." },
    maxMemoryMb: { type: "integer", default: 262144, description: "Largest memory limit accepted (MB)." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    const mem = w.memoryMb;
    if (!mem.known) ctx.undecidable("memory limit");
    else if (!mem.value || mem.value <= 0) ctx.violation(`${w.label} has no memory limit`);
    else if (mem.value < ctx.config.minMemoryMb || mem.value > ctx.config.maxMemoryMb)
      ctx.violation(`${w.label} memory limit ${mem.value}MB is outside ${ctx.config.minMemoryMb}..${ctx.config.maxMemoryMb}MB`);
    if (!w.cpus.known) return ctx.undecidable("CPU limit");
    if (!w.cpus.value || w.cpus.value <= 0) ctx.violation(`${w.label} has no CPU limit`);
  },
});
