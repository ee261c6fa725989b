/**
 * SEC-CONTAINER-04, SEC-DATA-08: never the Docker socket, no sensitive host path and, as the
 * Pod Security Standards forbid hostPath volumes (baseline) and allow only volumes, tmpfs,
 * configs and secrets (restricted), no host path at all unless allowed by name.
 */
import { posix } from "path";
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** Normalised host path (`//`, `.`, `..` resolved); "/var/run/" and "/run/" are the same tree on modern hosts. */
const normPath = (p: string) => (posix.normalize(p.trim()).replace(/\/+$/, "") || "/").replace(/^\/var\/run(?=\/|$)/, "/run");

export const containerHostMounts = resourcePolicy<{ sensitivePaths: string[]; allowedHostPaths: string[]; hostPaths: "sensitive" | "all" }>({
  name: "container-host-mounts",
  description:
    "Containers and services do not bind-mount the Docker socket (/var/run/docker.sock, /run/docker.sock, the containerd socket) or sensitive host paths (/, /etc, /proc, /sys, /dev, /boot, /root, /var/lib/docker, ...), directly or through a volume's driver options. As the Kubernetes Pod Security Standards define it (no hostPath volumes), they mount no other host path or named pipe either, unless listed in allowedHostPaths: named volumes, tmpfs, configs and secrets only.",
  checklistIds: ["SEC-CONTAINER-04", "SEC-DATA-08"],
  severity: "critical",
  group: "container-security",
  remediation:
    "Use named Docker volumes for data and Docker configs/secrets (or uploads) for files; never mount /var/run/docker.sock or host system directories, and give volume mounts no `o=bind,device=<host path>` driver options.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    sensitivePaths: {
      type: "array",
      items: { type: "string" },
      default: ["/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/home", "/var/lib/docker", "/run", "/var/log", "/usr", "/lib", "/bin", "/sbin"],
      description:
        "Host paths (and everything under them) no workload may mount; `/` matches only the root itself. /run (and /var/run, the same tree) holds the sockets of the container runtime and every host daemon.",
    },
    allowedHostPaths: { type: "array", items: { type: "string" }, default: [], description: "Host paths that may be bind-mounted despite the list above." },
    hostPaths: {
      type: "string",
      enum: ["sensitive", "all"],
      default: "all",
      description: "Which host paths are refused: all (the Pod Security Standards: no hostPath volume) or only the sensitive ones and the runtime sockets.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.mounts.known) return ctx.undecidable("mounts");
    const allowed = new Set(ctx.config.allowedHostPaths.map(normPath));
    const allowedRaw = (p: string | undefined) => p !== undefined && allowed.has(normPath(p));
    const hostPaths: string[] = [];
    for (const m of w.mounts.value) {
      if (m.type === "bind" && m.source) hostPaths.push(m.source);
      if (m.type === "npipe" && !allowedRaw(m.source)) ctx.violation(`${w.label} mounts host named pipe ${m.source ?? m.target}`);
      // The local volume driver with o=bind mounts `device` from the host.
      const o = m.driverOptions;
      if (m.type === "volume" && o.device && /(^|,)r?bind(,|$)/.test(o.o ?? "")) hostPaths.push(o.device);
    }
    const sensitive = ctx.config.sensitivePaths.map(normPath);
    for (const raw of hostPaths) {
      const p = normPath(raw);
      if (allowed.has(p)) continue;
      if (/docker\.sock$|containerd\.sock$|podman\.sock$/.test(p)) {
        ctx.violation(`${w.label} mounts the container runtime socket ${raw}`);
        continue;
      }
      // /var holds /var/run, so mounting it hands over the runtime socket too.
      if (p === "/var" && !allowed.has("/run")) {
        ctx.violation(`${w.label} bind-mounts host ${raw}, which holds the container runtime socket (/var/run/docker.sock)`);
        continue;
      }
      const hit = sensitive.find((s) => (s === "/" ? p === "/" : p === s || p.startsWith(`${s}/`)));
      if (hit) ctx.violation(`${w.label} bind-mounts sensitive host path ${raw}`);
      else if (ctx.config.hostPaths === "all") ctx.violation(`${w.label} bind-mounts host path ${raw} (not in allowedHostPaths)`);
    }
  },
});
