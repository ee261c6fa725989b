/** SEC-CONTAINER-02: no host devices or GPUs passed in (device access is privilege by another name). */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asArray, asString, get } from "../lib/values";

export const containerNoHostDevices = resourcePolicy({
  name: "container-no-host-devices",
  description: "Containers get no host devices (devices, deviceRequests, gpus, deviceCgroupRules).",
  checklistIds: ["SEC-CONTAINER-02"],
  severity: "high",
  group: "container-security",
  remediation: "Remove devices/deviceRequests/gpus/deviceCgroupRules; the MCP stack needs no host hardware.",
  resourceTypes: [T.container],
  check(r, ctx) {
    for (const key of ["devices", "deviceRequests", "deviceCgroupRules"]) {
      const v = asArray(get(r.props, key));
      if (!v.known) ctx.undecidable(key);
      else if (v.value.length) ctx.violation(`container ${displayName(r)} is given host devices (${key})`);
    }
    const gpus = asString(get(r.props, "gpus"));
    if (!gpus.known) ctx.undecidable("gpus");
    else if (gpus.value) ctx.violation(`container ${displayName(r)} is given host GPUs (gpus)`);
  },
});
