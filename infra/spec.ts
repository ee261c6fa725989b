/**
 * Service specs as plain data. Components (infra/components/*.ts) build these from the
 * stack config with pure functions; infra/components/service.ts turns them into swarm
 * services, infra/components/files.ts their files into Docker configs and secrets. Keeping
 * them data means a second target (Kubernetes) can consume the same specs later, and tests
 * can assert on them without the Pulumi runtime.
 */
import type { ServiceName } from "./config/schema";

/** Secrets the program generates or reads from secret config. */
export type SecretName =
  | "postgresAdminPassword"
  | "postgresPassword"
  | "postgresBackupPassword"
  | "postgresExporterPassword"
  | "redisPassword"
  | "grafanaAdminPassword"
  | "jwtSigningKey"
  | "backupEncryptionKey"
  | "tlsPrivateKey"
  | "postgresTlsKey"
  | "backupOffsiteSecretKey";

export type SecretValues = Record<SecretName, string>;

export type NetworkName = "edge" | "internal" | "egress";

/** Public (non-secret) material produced by resources, e.g. certificates. */
export type PublicMaterialName = "edgeTlsCert" | "postgresTlsCert" | "internalCaCert";
export type PublicMaterials = Record<PublicMaterialName, string>;

/** A configuration file: delivered as a Docker config (docker.ServiceConfig), never uploaded. */
export interface ConfigFileSpec {
  /** Absolute path inside the container. */
  path: string;
  /** Literal content, or the name of generated public material (a certificate). */
  content: string | { material: PublicMaterialName };
  /** Octal string, 0444 or tighter. */
  mode: string;
  /** "uid:gid"; the service's user when unset. */
  owner?: string;
}

/**
 * A file whose content contains secret values: delivered as a Docker secret (docker.Secret,
 * mounted from the swarm's encrypted store on a tmpfs), rendered only inside a Pulumi secret.
 */
export interface SecretFileSpec {
  /** Always under /run/secrets. */
  path: string;
  /** Secrets the content is built from (listed so policies and tests can trace them). */
  secrets: readonly SecretName[];
  render(values: SecretValues): string;
  /** 0400: readable by the service user only. */
  mode: "0400";
  /** "uid:gid" of the service user. */
  owner: string;
}

export interface HealthcheckSpec {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
}

/** No health check, and why: the image cannot run one (docs/images.md) and something else watches it. */
export interface NoHealthcheck {
  none: string;
}

export interface VolumeMountSpec {
  /** Logical volume name (a docker.Volume is created per name). */
  volume: string;
  containerPath: string;
  readOnly?: boolean;
}

export interface TmpfsSpec {
  path: string;
  sizeMb: number;
  /** Octal string; 1777 for directories a non-root user must write (swarm tmpfs is root-owned). */
  mode: string;
}

export interface PortSpec {
  /** Port inside the container. */
  internal: number;
  /** Port on the node. */
  external: number;
  protocol: "tcp" | "udp";
  /** host: bound on the node running the task (the routing mesh is not used). */
  publishMode: "host" | "ingress";
}

export interface RestartSpec {
  condition: "any" | "on-failure";
  delay: string;
  maxAttempts: number;
  /** Attempts are counted within this window. */
  window: string;
}

export interface UpdateSpec {
  parallelism: number;
  delay: string;
  /** How long each new task is watched before the next one is updated. */
  monitor: string;
  /** start-first for stateless services (no gap), stop-first where two tasks must not share a volume. */
  order: "start-first" | "stop-first";
  failureAction: "rollback" | "pause" | "continue";
  maxFailureRatio: string;
}

export interface ServiceSpec {
  /** Service key in config (image, limits). */
  service: ServiceName;
  /** Swarm service name suffix and DNS name on the stack's networks, e.g. "app", "postgres". */
  name: string;
  image: string;
  /** "uid:gid", never root. */
  user: string;
  /** ENTRYPOINT override (swarm: ContainerSpec.Command). */
  entrypoint?: string[];
  /** CMD override (swarm: ContainerSpec.Args). */
  command?: string[];
  /** Non-secret environment only; secrets go in secretFiles and *_FILE variables. */
  env: Record<string, string>;
  configFiles: ConfigFileSpec[];
  secretFiles: SecretFileSpec[];
  networks: { name: NetworkName; aliases: string[] }[];
  ports: PortSpec[];
  volumes: VolumeMountSpec[];
  /** Writable scratch paths for a read-only root filesystem. */
  tmpfs: TmpfsSpec[];
  readOnlyRootfs: boolean;
  capAdd: string[];
  memoryMb: number;
  cpus: string;
  /** What the scheduler keeps free for the task. */
  reservation: { memoryMb: number; cpus: string };
  healthcheck: HealthcheckSpec | NoHealthcheck;
  replicas: number;
  /** Pinned to the node(s) carrying the stateful label: its data lives in local volumes there. */
  stateful: boolean;
  restart: RestartSpec;
  update: UpdateSpec;
  rollback: Omit<UpdateSpec, "failureAction"> & { failureAction: "pause" | "continue" };
  /** Time between SIGTERM and SIGKILL. */
  stopGracePeriod: string;
  labels: Record<string, string>;
  logOpts: Record<string, string>;
  /** Services this one is created after (ordering only). */
  dependsOn: string[];
}

export function hasHealthcheck(h: HealthcheckSpec | NoHealthcheck): h is HealthcheckSpec {
  return !("none" in h);
}
