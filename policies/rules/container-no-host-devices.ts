/** SEC-CONTAINER-02: no host devices or GPUs passed in (device access is privilege by another name). */
import { HOST_CHECK } from "../lib/daemon-enforced";
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerNoHostDevices = resourcePolicy({
  name: "container-no-host-devices",
  description: `Workloads get no host devices: containers no devices, deviceRequests, gpus or deviceCgroupRules; services no generic resources (GPUs). A service cannot be given devices otherwise in Docker API 1.41: the daemon's device cgroup applies (${HOST_CHECK}).`,
  checklistIds: ["SEC-CONTAINER-02"],
  severity: "high",
  group: "container-security",
  remediation:
    "Remove devices/deviceRequests/gpus/deviceCgroupRules (containers) or taskSpec.resources.reservation.genericResources (services); the MCP stack needs no host hardware.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.devices.known) return ctx.undecidable("devices");
    if (w.devices.value.length) ctx.violation(`${w.label} is given host devices (${w.devices.value.join(", ")})`);
  },
});
