/**
 * The Docker daemon configuration (/etc/docker/daemon.json) every node of the swarm runs
 * with. A swarm service cannot declare no-new-privileges, ulimits, a pids limit or a
 * seccomp/AppArmor profile through @pulumi/docker 5.2.0 (Docker API 1.41 knows ulimits and
 * a pids limit on services, the provider does not), so what can be enforced daemon-wide is
 * enforced here, for every container the node runs. `npm run host:check` and the deploy gate
 * verify it (validate/host/daemon-checks.ts); docs/docker-host.md shows this exact output.
 *
 * CIS Docker Benchmark v1.6.0, section 2, per key (see DAEMON_JSON_KEYS). Written for
 * Docker 20.10 (Debian's docker.io 20.10.24), and deliberately NOT in the file:
 *
 * - `seccomp-profile`: unset is Docker's default profile (the engine reports
 *   `name=seccomp,profile=default`, CIS 2.17/5.22). 20.10 reads this key only as a file path:
 *   the keywords "builtin" and "unconfined" came later, and 20.10.24 refuses to start with them
 *   ("opening seccomp profile (builtin) failed").
 * - a pids limit: no Docker Engine has a daemon-wide one. `default-pids-limit` exists only in
 *   Red Hat's projectatomic fork; 20.10.24 refuses to start with it ("the following directives
 *   don't match any configuration option"), and upstream moby (29.x) still has no such option.
 *   `default-ulimits.nproc` bounds processes per user instead (see below).
 * - `iptables`: left at its default, true (CIS 2.4); `icc: false` needs it.
 * - `userns-remap` (CIS 2.9), `authorization-plugins` (2.12): not used by this stack; every
 *   service already runs as a non-root user with all capabilities dropped.
 *
 * Pure: plain data in, the file's text out.
 */
import { LOG_OPTS } from "../components/common";

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface AddressPool {
  base: string;
  size: number;
}

export interface DaemonJsonInput {
  /** Open files per container process (soft and hard). */
  nofile: number;
  /** Processes (threads included) per user ID, counted across the host. */
  nproc: number;
  /** json-file rotation, the same options the stack's services log with. */
  logOpts: Readonly<Record<string, string>>;
  /** Where local-scope networks (bridges, docker_gwbridge) get their subnets. */
  addressPools: readonly AddressPool[];
}

export const DAEMON_JSON_DEFAULTS: DaemonJsonInput = {
  // Nginx, Redis (maxclients 10000 + 32 reserved) and PostgreSQL all want far more than the
  // 1024 a bare process gets; 65536 is ample and still finite.
  nofile: 65536,
  // RLIMIT_NPROC counts every process and thread of a user ID on the host. 8192 leaves room for
  // PostgreSQL at its schema maximum of 5000 connections (one process each) plus its workers,
  // while a fork bomb in one service stops long before the kernel's pid_max.
  nproc: 8192,
  logOpts: LOG_OPTS,
  // Docker's built-in pools carve 172.17-31.0.0/16 and 192.168.0.0/16, which collide with many
  // LANs and VPNs. One dedicated /16 in /24s gives 256 local networks: pick a range that no route
  // of the host uses.
  addressPools: [{ base: "10.200.0.0/16", size: 24 }],
};

/** The keys of the rendered file: the CIS v1.6.0 control each one satisfies, and why. */
export const DAEMON_JSON_KEYS: Readonly<Record<string, { cis: readonly string[]; why: string }>> = {
  icc: { cis: ["2.2"], why: "containers on the default bridge cannot talk to each other; the stack's services talk only over their own overlay networks" },
  "userland-proxy": { cis: ["2.16"], why: "published ports are forwarded by iptables (hairpin NAT), not by a docker-proxy process per port" },
  "no-new-privileges": {
    cis: ["2.14", "5.26"],
    why: "no process in any container gains privileges through setuid/setgid binaries or file capabilities; a swarm service cannot ask for it with @pulumi/docker 5.2.0",
  },
  "default-ulimits": {
    cis: ["2.8", "5.19"],
    why: "a finite open-file and process limit for every container, which a service spec cannot set with @pulumi/docker 5.2.0",
  },
  "log-driver": {
    cis: ["2.13"],
    why: "json-file keeps `docker logs` working and is what the host's log shipper reads (PRE-SEC-06 attests the shipping); CIS 2.13's remote logging is that shipper's job",
  },
  "log-opts": { cis: ["2.13"], why: "rotation bounds the disk every container's log can take (MON-LOG-04): the same options the services declare" },
  "log-level": { cis: ["2.3"], why: "info logs what an audit needs without debug noise" },
  "live-restore": {
    cis: ["2.15"],
    why: "deliberately false: live restore is incompatible with swarm mode (dockerd refuses `swarm init` with it, and a swarm node restarted with it does not start); the swarm keeps services available by restarting and rescheduling tasks, with replicas on other nodes",
  },
  "default-address-pools": { cis: [], why: "no CIS control: local networks come from a range chosen not to collide with the host's own routes" },
};

export function daemonJsonInputProblems(input: DaemonJsonInput): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries({ nofile: input.nofile, nproc: input.nproc }))
    if (!(Number.isInteger(v) && v > 0)) problems.push(`${k} ${v} must be a positive integer`);
  if (!input.logOpts["max-size"] || !input.logOpts["max-file"]) problems.push("logOpts must set max-size and max-file (rotation)");
  if (input.addressPools.length === 0) problems.push("addressPools is empty");
  for (const p of input.addressPools) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(p.base);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) problems.push(`address pool base "${p.base}" is not an IPv4 CIDR`);
    else if (!(Number.isInteger(p.size) && p.size >= Number(m[5]) && p.size <= 30))
      problems.push(`address pool ${p.base} size ${p.size} must be between the base prefix /${m[5]} and /30`);
  }
  return problems;
}

/** The daemon configuration as an object, keys in the order the file shows them. */
export function renderDaemonConfig(input: DaemonJsonInput = DAEMON_JSON_DEFAULTS): Record<string, unknown> {
  const problems = daemonJsonInputProblems(input);
  if (problems.length) throw new Error(`invalid daemon.json input:\n  - ${problems.join("\n  - ")}`);
  const ulimit = (Name: string, n: number): Ulimit => ({ Name, Soft: n, Hard: n });
  return {
    // CIS 2.2
    icc: false,
    // CIS 2.16
    "userland-proxy": false,
    // CIS 2.14 (5.26 for every container)
    "no-new-privileges": true,
    // CIS 2.8 (5.19)
    "default-ulimits": { nofile: ulimit("nofile", input.nofile), nproc: ulimit("nproc", input.nproc) },
    // CIS 2.13 (local part; shipping is the host's log agent)
    "log-driver": "json-file",
    "log-opts": { ...input.logOpts },
    // CIS 2.3
    "log-level": "info",
    // CIS 2.15 decided against: incompatible with swarm mode
    "live-restore": false,
    // No CIS control: collision-free local subnets
    "default-address-pools": input.addressPools.map((p) => ({ base: p.base, size: p.size })),
  };
}

/** The file: JSON (daemon.json has no comments), two-space indent, trailing newline. */
export function renderDaemonJson(input: DaemonJsonInput = DAEMON_JSON_DEFAULTS): string {
  return JSON.stringify(renderDaemonConfig(input), null, 2) + "\n";
}
