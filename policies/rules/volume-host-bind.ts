/** SEC-DATA-08, SEC-CONTAINER-04: named volumes stay inside Docker's storage (no driver-level bind of host paths). */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asRecord, asString, get } from "../lib/values";

export const volumeHostBind = resourcePolicy<{ allowedDrivers: string[] }>({
  name: "volume-host-bind",
  description: "Docker volumes use an allowed driver and do not bind arbitrary host directories through driverOpts (type=none, o=bind, device=<host path>).",
  checklistIds: ["SEC-DATA-08", "SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation: "Create plain local volumes (no driverOpts); if data must live on a given disk, mount that disk at Docker's data root instead.",
  resourceTypes: [T.volume],
  config: { allowedDrivers: { type: "array", items: { type: "string" }, default: ["local"], description: "Volume drivers accepted." } },
  check(r, ctx) {
    const driver = asString(get(r.props, "driver"));
    const opts = asRecord(get(r.props, "driverOpts"));
    if (!driver.known || !opts.known) return ctx.undecidable("driver/driverOpts");
    const d = driver.value ?? "local";
    if (!ctx.config.allowedDrivers.includes(d)) ctx.violation(`volume ${displayName(r)} uses driver ${d}; allowed: ${ctx.config.allowedDrivers.join(", ")}`);
    const o = String(opts.value.o ?? "");
    if (/(^|,)bind(,|$)/.test(o) || opts.value.device !== undefined) ctx.violation(`volume ${displayName(r)} binds a host path through driverOpts (device)`);
  },
});
