/**
 * One normalized view of a workload, whatever resource declares it: a `docker.Container`
 * or a swarm `docker.Service` (policies/lib/workload-container.ts, workload-service.ts; a
 * Kubernetes workload would be one more adapter). Rules read only this view, so every rule
 * applies to every kind; a setting one kind cannot declare is listed in `daemonEnforced`
 * instead of reading as absent.
 *
 * Each field is `Known<...>`: unknown at preview is reported by the rule as undecidable.
 */
import type { ResourceView } from "./define";
import type { Known } from "./values";

export type WorkloadKind = "container" | "service";

/**
 * Whether a file's content can be read here:
 *   known      - `content` holds it;
 *   unknown    - not known at preview (a value still to be computed, a `secure:` config value offline);
 *   unresolved - not visible from this resource: a swarm object that only a stack policy can look up,
 *                one the stack does not declare, or an upload from a host file.
 */
export type FileContentStatus = "known" | "unknown" | "unresolved";

/** A file the workload's processes read, and how it gets there. */
export interface WorkloadFile {
  path: string;
  /** upload: written into a container by the provider; config / secret: a swarm object mounted by the engine. */
  source: "upload" | "config" | "secret";
  contentStatus: FileContentStatus;
  /** Set when contentStatus is "known". */
  content: string | undefined;
  /** Why the content is unresolved, for messages. */
  unresolvedWhy?: string;
  /** Octal string ("0400") as the file will be; undefined when unknown at preview. */
  mode: string | undefined;
  /** Numeric uid/gid or a name as given; undefined when unknown at preview. */
  uid: string | undefined;
  gid: string | undefined;
  /**
   * The swarm object referenced (configs and secrets). `declared`: found among the stack's
   * resources (true), looked for and not there (false), or not looked up / unknown (undefined).
   */
  ref?: { id?: string; name?: string; nameUnknown: boolean; idUnknown: boolean; declared: boolean | undefined };
}

export interface WorkloadMount {
  type: "bind" | "volume" | "tmpfs" | "npipe" | "other";
  /** Host path (bind) or volume name; undefined for tmpfs, an anonymous volume or when unknown. */
  source: string | undefined;
  target: string;
  readOnly: boolean;
  /** Volume driver options a mount asks for (a `local` volume with o=bind binds a host path). */
  driverOptions: Record<string, string>;
  /** Bind propagation as given (`bindOptions.propagation`); undefined: Docker's rprivate. */
  propagation: string | undefined;
}

export interface WorkloadPort {
  internal: number | undefined;
  /** Host port; undefined: the engine picks a random one. */
  external: number | undefined;
  /** Host address a container binds; undefined for services, which cannot choose one. */
  ip: string | undefined;
  protocol: string;
  /** Swarm publish mode: host (the node running the task) or ingress (the routing mesh, every node); undefined for containers. */
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
  policy: string;
  /** undefined or 0: unlimited. */
  maxAttempts: number | undefined;
  /** Service only: the window attempts are counted in; undefined or 0: unbounded. */
  window: string | undefined;
  /** The engine's default applies (nothing declared). */
  defaulted: boolean;
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
 * (docs/docker-host.md, checked by `npm run host:check`): for a swarm service in Docker API
 * 1.41 / @pulumi/docker 5.2.0.
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
  /** Security options in `docker run --security-opt` form (`no-new-privileges:true`, `seccomp=...`, `label=disable`). */
  securityOpts: Known<unknown[]>;
  /** Host namespaces: network/pid/ipc/userns/uts/cgroup mode as given ("host" shares the host's). */
  namespaces: Known<Record<"network" | "pid" | "ipc" | "userns" | "uts" | "cgroup", string | undefined>>;
  /** Kernel parameters set in the container's namespaces (name as given -> value). */
  sysctls: Known<Record<string, string>>;
  /** Cgroup the container is created under instead of the daemon's; services cannot choose one. */
  cgroupParent: Known<string | undefined>;
  /** Host devices and device requests, one entry per field that grants any ("devices", "gpus", ...). */
  devices: Known<string[]>;
  memoryMb: Known<number | undefined>;
  /** Fractional cores. */
  cpus: Known<number | undefined>;
  healthcheck: Known<WorkloadHealthcheck | undefined>;
  restart: Known<WorkloadRestart>;
  log: Known<{ driver: string | undefined; options: Record<string, string> }>;
  mounts: Known<WorkloadMount[]>;
  networks: Known<WorkloadNetwork[]>;
  /** Names other workloads reach it by on the stack's networks (undefined entries left out while unknown). */
  dnsNames: string[];
  ports: Known<WorkloadPort[]>;
  publishAllPorts: Known<boolean | undefined>;
  env: Known<WorkloadEnvEntry[]>;
  /** Entrypoint then command, as the process starts. */
  command: Known<string[]>;
  labels: Known<Record<string, string>>;
  files: Known<WorkloadFile[]>;
  /** Running copies: 1 for a container, the replica count of a replicated service; undefined for a global service. */
  replicas: Known<number | undefined>;
  update: Known<WorkloadRollout | undefined>;
  rollback: Known<WorkloadRollout | undefined>;
  placementConstraints: Known<string[]>;
  /** Fields of this kind's resource that its provider deprecated (names as the provider spells them). */
  deprecatedFields: Known<string[]>;
  daemonEnforced: ReadonlySet<DaemonSetting>;
}

/** Known entries of `w.env` as a map (unknown elements left out: callers that care read w.env). */
export function envMapOf(w: Workload): Known<Record<string, string>> {
  if (!w.env.known) return w.env;
  const out: Record<string, string> = {};
  for (const e of w.env.value) if (e.key !== undefined && e.value !== undefined) out[e.key] = e.value;
  return { known: true, value: out };
}

/** `w.label` and one unknown field, the way undecidable findings name it. */
export const what = (w: Workload, field: string) => `${w.label} ${field}`;
