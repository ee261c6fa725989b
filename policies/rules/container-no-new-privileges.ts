/** SEC-CONTAINER-04: processes cannot gain privileges (setuid binaries) — no-new-privileges. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asArray, get, isUnknown } from "../lib/values";

export const containerNoNewPrivileges = resourcePolicy({
  name: "container-no-new-privileges",
  description: "Containers set the no-new-privileges security option.",
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation: "Add `securityOpts: [\"no-new-privileges:true\"]`.",
  resourceTypes: [T.container],
  check(r, ctx) {
    const opts = asArray(get(r.props, "securityOpts"));
    if (!opts.known || opts.value.some(isUnknown)) return ctx.undecidable("securityOpts");
    const on = opts.value.some((o) => /^no-new-privileges(?:[:=](?:true|1))?$/i.test(String(o).trim()));
    if (!on) ctx.violation(`container ${displayName(r)} does not set no-new-privileges (securityOpts)`);
  },
});
