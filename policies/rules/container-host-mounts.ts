/** SEC-CONTAINER-04, SEC-DATA-08: no sensitive host path and never the Docker socket mounted into a container. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asArray, get, isUnknown } from "../lib/values";

/** Normalised host path; "/var/run/" and "/run/" are the same tree on modern hosts. */
const normPath = (p: string) => (p.replace(/\/+$/, "") || "/").replace(/^\/var\/run\//, "/run/");

export const containerHostMounts = resourcePolicy<{ sensitivePaths: string[]; allowedHostPaths: string[] }>({
  name: "container-host-mounts",
  description: "Containers do not bind-mount the Docker socket or sensitive host paths (/, /etc, /proc, /sys, /dev, /boot, /root, /var/lib/docker, ...).",
  checklistIds: ["SEC-CONTAINER-04", "SEC-DATA-08"],
  severity: "critical",
  group: "container-security",
  remediation: "Use named Docker volumes (volumes[].volumeName) for data and uploads for configuration; never mount /var/run/docker.sock or host system directories.",
  resourceTypes: [T.container],
  config: {
    sensitivePaths: {
      type: "array",
      items: { type: "string" },
      default: ["/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/home", "/var/lib/docker", "/run/docker.sock", "/run/containerd", "/var/log", "/usr", "/lib", "/bin", "/sbin"],
      description: "Host paths (and everything under them) no container may mount; `/` matches only the root itself.",
    },
    allowedHostPaths: { type: "array", items: { type: "string" }, default: [], description: "Host paths that may be bind-mounted despite the list above." },
  },
  check(r, ctx) {
    const name = displayName(r);
    const hostPaths: string[] = [];
    const volumes = asArray(get(r.props, "volumes"));
    if (!volumes.known) ctx.undecidable("volumes");
    else
      for (const [i, v] of volumes.value.entries()) {
        const hp = get(v, "hostPath");
        if (isUnknown(v) || isUnknown(hp)) ctx.undecidable(`volumes[${i}].hostPath`);
        else if (typeof hp === "string" && hp) hostPaths.push(hp);
      }
    const mounts = asArray(get(r.props, "mounts"));
    if (!mounts.known) ctx.undecidable("mounts");
    else
      for (const [i, m] of mounts.value.entries()) {
        const type = get(m, "type");
        const src = get(m, "source");
        if (isUnknown(m) || isUnknown(type) || isUnknown(src)) ctx.undecidable(`mounts[${i}]`);
        else if (String(type) === "bind" && typeof src === "string") hostPaths.push(src);
      }
    const allowed = new Set(ctx.config.allowedHostPaths.map(normPath));
    const sensitive = ctx.config.sensitivePaths.map(normPath);
    for (const raw of hostPaths) {
      const p = normPath(raw);
      if (allowed.has(p)) continue;
      if (/docker\.sock$|containerd\.sock$|podman\.sock$/.test(p)) {
        ctx.violation(`container ${name} mounts the container runtime socket ${raw}`);
        continue;
      }
      const hit = sensitive.find((s) => (s === "/" ? p === "/" : p === s || p.startsWith(`${s}/`)));
      if (hit) ctx.violation(`container ${name} bind-mounts sensitive host path ${raw}`);
    }
  },
});
