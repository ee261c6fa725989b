/**
 * The stack outputs as plain JSON, the shape `pulumi stack output --json --show-secrets`
 * prints. Runtime checks, the restore drill and the sign-off read this; infra/index.ts
 * produces it. Values under `secrets` are Pulumi secrets (shown only with --show-secrets).
 */
import type { ServiceName } from "./config/schema";

export interface ServiceInventoryEntry {
  service: ServiceName;
  /** Docker container names, one per replica. */
  containers: string[];
  image: string;
  replicas: number;
  networks: string[];
  /** "ip:external->internal/proto"; empty for everything but Nginx. */
  publishedPorts: string[];
  user: string;
  readOnlyRootfs: boolean;
  memoryMb: number;
  cpus: string;
  logOpts: Record<string, string>;
  /** Capabilities added back after dropping ALL; absent means none (the program's default). */
  capAdd?: string[];
}

/** host:port pairs as seen from the stack's internal Docker network. */
export interface InternalEndpoints {
  postgres: { host: string; port: number; database: string; user: string; backupUser: string };
  redis: { host: string; port: number };
  prometheus: string;
  alertmanager: string;
  grafana: string;
  apps: string[];
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
  /** Prefix of every Docker resource name (containers, networks, volumes). */
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
