/** SEC-CONTAINER-04: seccomp and AppArmor stay confined (no `unconfined`), SELinux labels stay on. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asArray, get, isUnknown } from "../lib/values";

export const containerSecurityProfiles = resourcePolicy({
  name: "container-security-profiles",
  description: "Containers keep the default seccomp and AppArmor profiles: no `seccomp=unconfined`, `apparmor=unconfined` or `label=disable`.",
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation: "Remove the `seccomp=unconfined` / `apparmor=unconfined` / `label=disable` entry from securityOpts (or point seccomp at a custom profile file).",
  resourceTypes: [T.container],
  check(r, ctx) {
    const opts = asArray(get(r.props, "securityOpts"));
    if (!opts.known || opts.value.some(isUnknown)) return ctx.undecidable("securityOpts");
    for (const o of opts.value.map((x) => String(x).trim().toLowerCase())) {
      const m = /^(seccomp|apparmor)[:=](.*)$/.exec(o);
      if (m && m[2].trim() === "unconfined") ctx.violation(`container ${displayName(r)} runs with ${m[1]} unconfined`);
      if (/^label[:=]disable$/.test(o)) ctx.violation(`container ${displayName(r)} disables SELinux labelling (label=disable)`);
    }
  },
});
