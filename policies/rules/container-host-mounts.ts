/** SEC-CONTAINER-04, SEC-DATA-08: no sensitive host path and never the Docker socket mounted into a workload. */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** Normalised host path; "/var/run/" and "/run/" are the same tree on modern hosts. */
const normPath = (p: string) => (p.replace(/\/+$/, "") || "/").replace(/^\/var\/run\//, "/run/");

export const containerHostMounts = resourcePolicy<{ sensitivePaths: string[]; allowedHostPaths: string[] }>({
  name: "container-host-mounts",
  description:
    "Containers and services do not bind-mount the Docker socket or sensitive host paths (/, /etc, /proc, /sys, /dev, /boot, /root, /var/lib/docker, ...), directly or through a volume's driver options.",
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
      default: [
        "/",
        "/etc",
        "/proc",
        "/sys",
        "/dev",
        "/boot",
        "/root",
        "/home",
        "/var/lib/docker",
        "/run/docker.sock",
        "/run/containerd",
        "/var/log",
        "/usr",
        "/lib",
        "/bin",
        "/sbin",
      ],
      description: "Host paths (and everything under them) no workload may mount; `/` matches only the root itself.",
    },
    allowedHostPaths: { type: "array", items: { type: "string" }, default: [], description: "Host paths that may be bind-mounted despite the list above." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.mounts.known) return ctx.undecidable("mounts");
    const hostPaths: string[] = [];
    for (const m of w.mounts.value) {
      if (m.type === "bind" && m.source) hostPaths.push(m.source);
      // The local volume driver with o=bind mounts `device` from the host.
      const o = m.driverOptions;
      if (m.type === "volume" && o.device && /(^|,)r?bind(,|$)/.test(o.o ?? "")) hostPaths.push(o.device);
    }
    const allowed = new Set(ctx.config.allowedHostPaths.map(normPath));
    const sensitive = ctx.config.sensitivePaths.map(normPath);
    for (const raw of hostPaths) {
      const p = normPath(raw);
      if (allowed.has(p)) continue;
      if (/docker\.sock$|containerd\.sock$|podman\.sock$/.test(p)) {
        ctx.violation(`${w.label} mounts the container runtime socket ${raw}`);
        continue;
      }
      const hit = sensitive.find((s) => (s === "/" ? p === "/" : p === s || p.startsWith(`${s}/`)));
      if (hit) ctx.violation(`${w.label} bind-mounts sensitive host path ${raw}`);
    }
  },
});
