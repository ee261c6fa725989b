/**
 * Why a rule does not fire on a workload that cannot declare the setting it checks: Docker
 * API 1.41 services have no field for it, so the daemon's configuration applies it to every
 * container on the node, and the host check proves that configuration.
 */
import type { DaemonSetting } from "./workload";

export const HOST_CHECK = "docs/docker-host.md, `npm run host:check`";

const HOW: Record<DaemonSetting, string> = {
  "no-new-privileges": "daemon.json `no-new-privileges: true`",
  seccomp: "the daemon's default seccomp profile (no `seccomp-profile: unconfined` in daemon.json)",
  apparmor: "the daemon's default AppArmor profile (docker-default)",
  ulimits: "daemon.json `default-ulimits`",
  "pids-limit": "daemon.json `default-pids-limit`",
  devices: "no device is passed to service tasks (the daemon's default device cgroup)",
};

export function daemonEnforcedReason(label: string, setting: DaemonSetting): string {
  return `${label} cannot declare ${setting} (Docker API 1.41 services have no field for it): the daemon enforces it through ${HOW[setting]} (${HOST_CHECK})`;
}
