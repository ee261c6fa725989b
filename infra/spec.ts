/**
 * Container specs as plain data. Components (infra/components/*.ts) build these from the
 * stack config with pure functions; infra/components/container.ts turns them into Docker
 * resources. Keeping them data means a second target (Kubernetes) can consume the same
 * specs later, and tests can assert on them without the Pulumi runtime.
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

export interface ConfigFileSpec {
  /** Absolute path inside the container. */
  path: string;
  /** Literal content, or the name of generated public material (a certificate). */
  content: string | { material: PublicMaterialName };
  /** Octal string as the Docker provider takes it, e.g. "0444". */
  mode: string;
  owner?: string;
}

/** A file whose content contains secret values; rendered only inside a Pulumi secret output. */
export interface SecretFileSpec {
  path: string;
  /** Secrets the content is built from (listed so policies and tests can trace them). */
  secrets: readonly SecretName[];
  render(values: SecretValues): string;
  /** 0400 or 0600; owner is the container's user. */
  mode: "0400" | "0600";
  owner: string;
}

export interface HealthcheckSpec {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
}

export interface VolumeMountSpec {
  /** Logical volume name (a docker.Volume is created per name). */
  volume: string;
  containerPath: string;
  readOnly?: boolean;
}

export interface PortSpec {
  internal: number;
  external: number;
  ip: string;
  protocol: "tcp" | "udp";
}

export interface ServiceSpec {
  /** Service key in config (image, limits). */
  service: ServiceName;
  /** Container instance name suffix, e.g. "app-0", "postgres". */
  instance: string;
  image: string;
  /** "uid:gid" — never root. */
  user: string;
  command?: string[];
  entrypoint?: string[];
  /** Non-secret environment only; secrets go in secretFiles and *_FILE variables. */
  env: Record<string, string>;
  configFiles: ConfigFileSpec[];
  secretFiles: SecretFileSpec[];
  networks: { name: NetworkName; aliases: string[] }[];
  ports: PortSpec[];
  volumes: VolumeMountSpec[];
  /** tmpfs mounts for a read-only root filesystem: path -> options. */
  tmpfs: Record<string, string>;
  readOnlyRootfs: boolean;
  capAdd: string[];
  memoryMb: number;
  cpus: string;
  healthcheck: HealthcheckSpec;
  restart: "unless-stopped" | "always" | "on-failure";
  labels: Record<string, string>;
  logOpts: Record<string, string>;
  /** Instances this one must start after (ordering only). */
  dependsOn: string[];
}
