/**
 * SEC-CONTAINER-04: seccomp and AppArmor stay confined (no `unconfined`), SELinux labels stay on
 * with a container type, /proc and /sys stay masked: the Pod Security Standards' baseline
 * AppArmor, SELinux, /proc mount type and seccomp controls in Docker's terms.
 */
import { HOST_CHECK } from "../lib/daemon-enforced";
import { resourcePolicy } from "../lib/define";
import { isUnknown } from "../lib/values";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** The SELinux types the Pod Security Standards (baseline) allow. */
export const PSS_SELINUX_TYPES: readonly string[] = ["container_t", "container_init_t", "container_kvm_t"];

export const containerSecurityProfiles = resourcePolicy<{ allowedSelinuxTypes: string[] }>({
  name: "container-security-profiles",
  description: `Workloads keep the default seccomp and AppArmor profiles, SELinux labelling and the masked /proc: no \`seccomp=unconfined\`, \`apparmor=unconfined\`, \`label=disable\` or \`systempaths=unconfined\` (services: no seLinuxContext.disable). As the Kubernetes Pod Security Standards (baseline) define it, an SELinux type is one of container_t, container_init_t, container_kvm_t and no SELinux user or role is set. Services cannot choose a seccomp or AppArmor profile in Docker API 1.41: the daemon's defaults apply (${HOST_CHECK}).`,
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation:
    "Remove the `seccomp=unconfined` / `apparmor=unconfined` / `label=disable` / `systempaths=unconfined` entry from securityOpts (or point seccomp at a custom profile file), and any `label=user:` or `label=role:` entry or `label=type:` other than a container type; on services remove privileges.seLinuxContext.disable, user and role.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    allowedSelinuxTypes: {
      type: "array",
      items: { type: "string" },
      default: [...PSS_SELINUX_TYPES],
      description: "SELinux types a workload may run as. Default: the Pod Security Standards' baseline set.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.securityOpts.known || w.securityOpts.value.some(isUnknown)) return ctx.undecidable("securityOpts");
    for (const o of w.securityOpts.value.map((x) => String(x).trim().toLowerCase())) {
      const m = /^(seccomp|apparmor)[:=](.*)$/.exec(o);
      if (m && m[2].trim() === "unconfined") ctx.violation(`${w.label} runs with ${m[1]} unconfined`);
      if (/^label[:=]disable$/.test(o)) ctx.violation(`${w.label} disables SELinux labelling (label=disable)`);
      if (/^systempaths[:=]unconfined$/.test(o)) ctx.violation(`${w.label} unmasks /proc and /sys (systempaths=unconfined)`);
      const label = /^label[:=](user|role|type)[:=](.*)$/.exec(o);
      if (label && label[1] !== "type") ctx.violation(`${w.label} sets an SELinux ${label[1]} (label=${label[1]}:...)`);
      if (label && label[1] === "type" && !ctx.config.allowedSelinuxTypes.map((t) => t.toLowerCase()).includes(label[2].trim()))
        ctx.violation(`${w.label} runs as SELinux type ${label[2].trim()}, not one of ${ctx.config.allowedSelinuxTypes.join(", ")}`);
    }
  },
});
