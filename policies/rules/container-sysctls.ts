/**
 * SEC-CONTAINER-04: only the kernel parameters Kubernetes calls safe (namespaced and isolated
 * from every other container on the node, Pod Security Standards baseline "Sysctls").
 */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** The Pod Security Standards' safe set (Kubernetes 1.32). */
export const PSS_SAFE_SYSCTLS: readonly string[] = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];

/** The kernel takes `net/ipv4/ip_forward` and `net.ipv4.ip_forward` alike, and so does Docker. */
const norm = (name: string) => name.trim().toLowerCase().replace(/\//g, ".");

export const containerSysctls = resourcePolicy<{ allowedSysctls: string[] }>({
  name: "container-sysctls",
  description:
    "Containers and services set only the sysctls the Kubernetes Pod Security Standards (baseline) call safe: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, the tcp keepalive, fin_timeout, rmem and wmem settings. Any other (net.ipv4.ip_forward, kernel.msg*, net.core.*) reaches beyond the container or is not isolated from its neighbours.",
  checklistIds: ["SEC-CONTAINER-04"],
  severity: "high",
  group: "container-security",
  remediation:
    "Remove the sysctl (containers: `sysctls`; services: `taskSpec.containerSpec.sysctl`), or set it on the host where the whole node needs it; list a reviewed exception in the policy's allowedSysctls.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    allowedSysctls: {
      type: "array",
      items: { type: "string" },
      default: [...PSS_SAFE_SYSCTLS],
      description: "Sysctls a workload may set (dotted names; the slash form is read the same). Default: the Pod Security Standards' safe set.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.sysctls.known) return ctx.undecidable("sysctls");
    const allowed = new Set(ctx.config.allowedSysctls.map(norm));
    const bad = Object.keys(w.sysctls.value).filter((k) => !allowed.has(norm(k)));
    if (bad.length) ctx.violation(`${w.label} sets sysctls outside the safe set: ${bad.join(", ")}`);
  },
});
