/**
 * The CIS Docker Benchmark v1.6.0 controls the host checks map to (section 2: daemon
 * configuration, 3: daemon files, 5: container runtime, 7: swarm), titles in short form.
 * Each host check names its controls in `cis`; docs/docker-host.md's table is built from them
 * (tests/docker/host-hardening.test.ts keeps the document and the checks in step).
 */
import type { Check } from "../core/types";

export const CIS_BENCHMARK = "CIS Docker Benchmark v1.6.0";

export const CIS_CONTROLS: Readonly<Record<string, string>> = {
  "2.2": "Network traffic between containers on the default bridge is restricted",
  "2.3": "Logging level is info",
  "2.4": "Docker may change iptables",
  "2.8": "Default ulimit configured",
  "2.10": "Default cgroup usage confirmed",
  "2.13": "Centralised and remote logging configured",
  "2.14": "Containers cannot acquire new privileges",
  "2.15": "Live restore enabled",
  "2.16": "Userland proxy disabled",
  "2.17": "Daemon-wide seccomp profile applied",
  "3.17": "daemon.json owned by root:root",
  "3.18": "daemon.json mode 644 or stricter",
  "5.1": "Swarm mode not enabled unless needed",
  "5.2": "AppArmor profile enabled, if applicable",
  "5.19": "Default ulimit overridden only when needed",
  "5.22": "Default seccomp profile not disabled",
  "5.26": "Containers restricted from acquiring additional privileges",
  "5.29": "PIDs cgroup limit used",
  "7.1": "Minimum number of manager nodes",
  "7.2": "Swarm bound to a specific host interface",
  "7.5": "Swarm managers in auto-lock mode",
  "7.7": "Node certificates rotated as appropriate",
};

/** A host check with the CIS controls it maps to (empty: no CIS control, the stack needs it). */
export interface CisCheck<T> extends Check<T> {
  cis: readonly string[];
}
