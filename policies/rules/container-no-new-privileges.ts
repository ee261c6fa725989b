/** SEC-CONTAINER-04: processes cannot gain privileges (setuid binaries) — no-new-privileges. */
import { daemonEnforcedReason, HOST_CHECK } from "../lib/daemon-enforced";
import { resourcePolicy } from "../lib/define";
import { isUnknown } from "../lib/values";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerNoNewPrivileges = resourcePolicy({
  name: "container-no-new-privileges",
  description: `Containers set the no-new-privileges security option. Swarm services cannot declare it (Docker API 1.41): the daemon enforces it for them (daemon.json no-new-privileges, ${HOST_CHECK}).`,
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation: `Containers: add \`securityOpts: ["no-new-privileges:true"]\`. Services: set \`"no-new-privileges": true\` in the daemon's daemon.json on every node (${HOST_CHECK}).`,
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (w.daemonEnforced.has("no-new-privileges")) return ctx.notApplicable(daemonEnforcedReason(w.label, "no-new-privileges"));
    if (!w.securityOpts.known || w.securityOpts.value.some(isUnknown)) return ctx.undecidable("securityOpts");
    const on = w.securityOpts.value.some((o) => /^no-new-privileges(?:[:=](?:true|1))?$/i.test(String(o).trim()));
    if (!on) ctx.violation(`${w.label} does not set no-new-privileges (securityOpts)`);
  },
});
