/** SEC-CONTAINER-04, SEC-DATA-08: the root filesystem is read-only (writable paths are tmpfs or volumes). */
import { resourcePolicy } from "../lib/define";
import { displayName, serviceOf, T } from "../lib/docker";
import { asBool, get } from "../lib/values";

export const containerReadOnlyRootfs = resourcePolicy<{ exemptServices: string[] }>({
  name: "container-read-only-rootfs",
  description: "Containers run with a read-only root filesystem.",
  checklistIds: ["SEC-CONTAINER-04", "SEC-DATA-08"],
  severity: "medium",
  group: "container-security",
  remediation: "Set `readOnly: true` and give the paths the service writes a tmpfs (`tmpfs`) or a named volume.",
  resourceTypes: [T.container],
  config: { exemptServices: { type: "array", items: { type: "string" }, default: [], description: "Services (com.mcp.service) allowed a writable root filesystem." } },
  check(r, ctx) {
    if (ctx.config.exemptServices.includes(serviceOf(r) ?? "")) return;
    const ro = asBool(get(r.props, "readOnly"));
    if (!ro.known) return ctx.undecidable("readOnly");
    if (!ro.value) ctx.violation(`container ${displayName(r)} has a writable root filesystem (readOnly is not true)`);
  },
});
