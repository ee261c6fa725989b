/** SEC-CONTAINER-02: no privileged containers. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asBool, get } from "../lib/values";

export const containerNoPrivileged = resourcePolicy({
  name: "container-no-privileged",
  description: "Containers must not run privileged (full host device and kernel access).",
  checklistIds: ["SEC-CONTAINER-02"],
  severity: "critical",
  group: "container-security",
  remediation: "Remove `privileged: true`; grant the one capability the service needs with `capabilities.adds` instead.",
  resourceTypes: [T.container],
  check(r, ctx) {
    const p = asBool(get(r.props, "privileged"));
    if (!p.known) return ctx.undecidable("privileged");
    if (p.value) ctx.violation(`container ${displayName(r)} runs privileged`);
  },
});
