/** SEC-CONTAINER-04: seccomp and AppArmor stay confined (no `unconfined`), SELinux labels stay on. */
import { HOST_CHECK } from "../lib/daemon-enforced";
import { resourcePolicy } from "../lib/define";
import { isUnknown } from "../lib/values";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerSecurityProfiles = resourcePolicy({
  name: "container-security-profiles",
  description: `Workloads keep the default seccomp and AppArmor profiles and SELinux labelling: no \`seccomp=unconfined\`, \`apparmor=unconfined\` or \`label=disable\` (services: no seLinuxContext.disable). Services cannot choose a seccomp or AppArmor profile in Docker API 1.41: the daemon's defaults apply (${HOST_CHECK}).`,
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation:
    "Remove the `seccomp=unconfined` / `apparmor=unconfined` / `label=disable` entry from securityOpts (or point seccomp at a custom profile file); on services remove privileges.seLinuxContext.disable.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.securityOpts.known || w.securityOpts.value.some(isUnknown)) return ctx.undecidable("securityOpts");
    for (const o of w.securityOpts.value.map((x) => String(x).trim().toLowerCase())) {
      const m = /^(seccomp|apparmor)[:=](.*)$/.exec(o);
      if (m && m[2].trim() === "unconfined") ctx.violation(`${w.label} runs with ${m[1]} unconfined`);
      if (/^label[:=]disable$/.test(o)) ctx.violation(`${w.label} disables SELinux labelling (label=disable)`);
    }
  },
});
