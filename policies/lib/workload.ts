/**
 * One normalized view of a workload, whatever resource declares it: a `docker.Container`
 * or a swarm `docker.Service` (policies/lib/workload-container.ts, workload-service.ts; a
 * Kubernetes workload would be one more adapter). Rules read only this view, so every rule
 * applies to every kind; a field that one kind cannot express says so instead of reading
 * as absent.
 *
 * Each field is `Known<...>`: unknown at preview is reported by the rule as undecidable.
 */
import type { ResourceView } from "./define";
import type { Known } from "./values";

export type WorkloadKind = "container" | "service";

/** A file the workload's processes read, and how it gets there. */
export interface WorkloadFile {
  path: string;
  /** upload: written into a container by the provider; config / secret: a swarm object mounted by the engine. */
  source: "upload" | "config" | "secret";
  /** undefined when unknown at preview or not visible from here (a service's config content lives in another resource). */
  content: string | undefined;
  contentUnknown: boolean;
  /** Octal string ("0400"); undefined when unset (the engine's default applies). */
  mode: string | undefined;
  uid: string | undefined;
  gid: string | undefined;
  /** The swarm object referenced (configs and secrets). */
  ref?: { id?: string; name?: string };
}

export interface WorkloadMount {
  type: "bind" | "volume" | "tmpfs" | "npipe" | "other";
  /** Host path (bind) or volume name; undefined for tmpfs or when unknown. */
  source: string | undefined;
  target: string;
  readOnly: boolean;
}

export interface WorkloadPort {
  internal: number | undefined;
  external: number | undefined;
  /** Host address a container binds (swarm services bind every address). */
  ip: string | undefined;
  protocol: string;
  /** Swarm publish mode: host (the node running the task) or ingress (the routing mesh, every node). */
  mode: "host" | "ingress" | undefined;
}

export interface WorkloadNetwork {
  /** Network name or ID as given; undefined when unknown. */
  ref: string | undefined;
  aliases: string[];
}

export interface WorkloadHealthcheck {
  test: string[];
  interval: string | undefined;
  timeout: string | undefined;
  retries: number | undefined;
  startPeriod: string | undefined;
}

export interface WorkloadRestart {
  /** Container: no | always | unless-stopped | on-failure; service: none | on-failure | any. */
  policy: string | undefined;
  maxAttempts: number | undefined;
  /** Service only: the window attempts are counted in. */
  window: string | undefined;
}

export interface WorkloadEnvEntry {
  index: number;
  /** undefined when the element is unknown at preview. */
  key: string | undefined;
  value: string | undefined;
}

/** Swarm rollout behaviour (services only). */
export interface WorkloadRollout {
  failureAction: string | undefined;
  monitor: string | undefined;
  parallelism: number | undefined;
  order: string | undefined;
  maxFailureRatio: string | undefined;
}

/**
 * Settings a kind cannot declare and the Docker daemon applies to every container instead
 * (docs/docker-host.md): for a swarm service in Docker API 1.41 / @pulumi/docker 5.2.0.
 */
export type DaemonSetting = "no-new-privileges" | "seccomp" | "apparmor" | "ulimits" | "pids-limit" | "devices";

export interface Workload {
  kind: WorkloadKind;
  resource: ResourceView;
  urn: string;
  /** Docker name when known, else the Pulumi name. */
  name: string;
  /** "container mcp-prod-redis" / "service mcp-prod-redis": how messages name it. */
  label: string;
  /** `com.mcp.service` label, when set and known. */
  service: string | undefined;
  image: Known<string | undefined>;
  user: Known<string | undefined>;
  groups: Known<string[]>;
  readOnlyRootfs: Known<boolean | undefined>;
  capDrops: Known<unknown[]>;
  capAdds: Known<unknown[]>;
  privileged: Known<boolean | undefined>;
  /** Container securityOpts (`no-new-privileges:true`, `seccomp=...`, `apparmor=...`). */
  securityOpts: Known<unknown[]>;
  /** Host namespaces: network/pid/ipc/userns/uts/cgroup mode as given ("host" shares the host's). */
  namespaces: Known<Record<"network" | "pid" | "ipc" | "userns" | "uts" | "cgroup", string | undefined>>;
  devices: Known<unknown[]>;
  gpus: Known<string | undefined>;
  memoryMb: Known<number | undefined>;
  /** Fractional cores. */
  cpus: Known<number | undefined>;
  healthcheck: Known<WorkloadHealthcheck | undefined>;
  restart: Known<WorkloadRestart>;
  log: Known<{ driver: string | undefined; options: Record<string, string> }>;
  mounts: Known<WorkloadMount[]>;
  networks: Known<WorkloadNetwork[]>;
  ports: Known<WorkloadPort[]>;
  publishAllPorts: Known<boolean | undefined>;
  env: Known<WorkloadEnvEntry[]>;
  /** Entrypoint then command, as the process starts. */
  command: Known<string[]>;
  labels: Known<Record<string, string>>;
  files: Known<WorkloadFile[]>;
  /** Running copies: 1 for a container, the replica count of a replicated service. */
  replicas: Known<number | undefined>;
  update: Known<WorkloadRollout | undefined>;
  rollback: Known<WorkloadRollout | undefined>;
  placementConstraints: Known<string[]>;
  daemonEnforced: ReadonlySet<DaemonSetting>;
  /** Fields this kind has that belong to no other rule (e.g. a container's deprecated `links`). */
  raw: Record<string, unknown>;
}

/** Known entries of `w.env` as a map (unknown elements left out: callers that care read w.env). */
export function envMapOf(w: Workload): Known<Record<string, string>> {
  if (!w.env.known) return w.env;
  const out: Record<string, string> = {};
  for (const e of w.env.value) if (e.key !== undefined && e.value !== undefined) out[e.key] = e.value;
  return { known: true, value: out };
}
