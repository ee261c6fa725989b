/**
 * The stack outputs as plain JSON, the shape `pulumi stack output --json --show-secrets`
 * prints. Runtime checks, the restore drill and the sign-off read this; program/index.ts
 * produces it. Values under `secrets` are Pulumi secrets (shown only with --show-secrets).
 */
import type { ServiceName } from "./config/schema";

/** A file mounted into a service's containers from a Docker config or secret. */
export interface MountedFile {
  path: string;
  uid: string;
  gid: string;
  /** Octal, e.g. "0400". */
  mode: string;
}

export interface ServiceInventoryEntry {
  service: ServiceName;
  /** Swarm service name (`docker service ls`); its task containers are `<name>.<slot>.<task id>`. */
  name: string;
  /** DNS name on the stack's networks. */
  host: string;
  image: string;
  replicas: number;
  /** Pinned to the node labelled com.mcp.stateful=true. */
  stateful: boolean;
  networks: string[];
  /** "external->internal/proto (mode)"; empty for everything but Nginx. */
  publishedPorts: string[];
  user: string;
  readOnlyRootfs: boolean;
  memoryMb: number;
  cpus: string;
  logOpts: Record<string, string>;
  /** Capabilities added back after dropping ALL; absent means none (the program's default). */
  capAdd?: string[];
  /** Whether the service declares a health check (false: see docs/images.md for what watches it). */
  healthcheck: boolean;
  /** Docker secrets mounted, by path (no names: a secret's name carries a content hash). */
  secretFiles: MountedFile[];
  /** Docker configs mounted, by path. */
  configFiles: MountedFile[];
}

/** host:port pairs as seen from the stack's internal Docker network. */
export interface InternalEndpoints {
  postgres: { host: string; port: number; database: string; user: string; backupUser: string };
  redis: { host: string; port: number };
  prometheus: string;
  alertmanager: string;
  grafana: string;
  /** The app service: `host` balances over the replicas, `tasksHost` resolves to each of them. */
  app: { host: string; tasksHost: string; port: number; replicas: number };
}

export interface StackOutputs {
  stack: string;
  environment: "prod" | "staging" | "dev";
  domain: string;
  publicUrl: string;
  mcpUrl: string;
  healthUrl: string;
  /** URL Grafana is served at through Nginx. */
  grafanaUrl: string;
  /** Prefix of every Docker resource name (services, networks, volumes, configs, secrets). */
  resourcePrefix: string;
  networks: { edge: string; internal: string; egress: string };
  services: ServiceInventoryEntry[];
  internalEndpoints: InternalEndpoints;
  /** The app contract (paths, probe tool, JWT issuer/audience) from config. */
  appContract: {
    healthPath: string;
    authPath: string;
    listServersPath: string;
    createServerPath: string;
    metricsPath: string;
    mcpPath: string;
    staticPath: string;
    probeTool: string;
    probeToolArguments: Record<string, unknown>;
    jwtIssuer: string;
    jwtAudience: string;
    resourceMetadataPath: string;
    protocolVersions: string[];
    toolCallTimeoutSeconds: number;
    ceilingProbe?: { tool: string; arguments: Record<string, unknown> };
    migrationsTable: string;
    minMigrations: number;
  };
  /** Claude Code project config (`.mcp.json`) and the equivalent CLI command. */
  mcpJson: { mcpServers: Record<string, { type: "http"; url: string; headers?: Record<string, string> }> };
  claudeMcpAddCommand: string;
  /** Short SHA-256 fingerprints (12 hex chars) of each secret: comparable, never reversible. */
  secretFingerprints: Record<string, string>;
  /** PEM of the internal CA that signed PostgreSQL's certificate (public). */
  internalCaCert: string;
  tls: { mode: "self-signed" | "provided"; minDaysValid: number };
  backup: { interval: string; keepLast: number; maxAgeDays: number; offsiteEnabled: boolean; volume: string };
  dr: { rtoMinutes: number; rpoMinutes: number; drillIntervalDays: number };
  rateLimit: { requestsPerSecond: number; burst: number };
  checklistVersion: string;
  /** Secret outputs. */
  secrets: {
    postgresPassword: string;
    postgresBackupPassword: string;
    redisPassword: string;
    grafanaAdminUser: string;
    grafanaAdminPassword: string;
    jwtSigningKey: string;
    backupEncryptionKey: string;
  };
}
