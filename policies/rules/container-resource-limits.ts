/** SEC-CONTAINER-03: memory and CPU limits on every container. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asNumber, asString, get } from "../lib/values";

export const containerResourceLimits = resourcePolicy<{ minMemoryMb: number; maxMemoryMb: number }>({
  name: "container-resource-limits",
  description: "Containers have a memory limit and a CPU limit (cpus, or cpuQuota with cpuPeriod).",
  checklistIds: ["SEC-CONTAINER-03"],
  severity: "high",
  group: "container-security",
  remediation: "Set `memory` (MB) and `cpus` from mcp:limits.<service> (infra/config/schema.ts defaults).",
  resourceTypes: [T.container],
  config: {
    minMemoryMb: { type: "integer", default: 16, description: "Smallest sensible memory limit (MB)." },
    maxMemoryMb: { type: "integer", default: 262144, description: "Largest memory limit accepted (MB)." },
  },
  check(r, ctx) {
    const name = displayName(r);
    const mem = asNumber(get(r.props, "memory"));
    if (!mem.known) ctx.undecidable("memory");
    else if (!mem.value || mem.value <= 0) ctx.violation(`container ${name} has no memory limit (memory)`);
    else if (mem.value < ctx.config.minMemoryMb || mem.value > ctx.config.maxMemoryMb) ctx.violation(`container ${name} memory limit ${mem.value}MB is outside ${ctx.config.minMemoryMb}..${ctx.config.maxMemoryMb}MB`);
    const cpus = asString(get(r.props, "cpus"));
    const quota = asNumber(get(r.props, "cpuQuota"));
    if (!cpus.known || !quota.known) return ctx.undecidable("cpus");
    const cpuOk = (cpus.value !== undefined && Number(cpus.value) > 0) || (quota.value !== undefined && quota.value > 0);
    if (!cpuOk) ctx.violation(`container ${name} has no CPU limit (cpus)`);
  },
});
