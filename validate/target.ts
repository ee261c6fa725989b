/**
 * What the post-deploy checks are pointed at: addresses, credentials, trust anchors, the
 * app contract and thresholds, as plain data. The CLI and the deploy hooks derive it from
 * the stack outputs and config (validate/target-from-outputs.ts), with internal services
 * reached through loopback tunnels (validate/reach/); the tests build it from the servers
 * they start on loopback. The check code is the same in all three.
 */
import type { StackOutputs } from "../infra/outputs-types";

/** How to open HTTP(S) connections: extra trust and name-to-address overrides. */
export interface HttpOptions {
  /** PEM certificates trusted in addition to the system roots (a self-signed edge, a test CA). */
  ca?: string;
  /**
   * Host name -> address to connect to instead of resolving it, like `curl --resolve`.
   * TLS still verifies the certificate against the host name.
   */
  resolve?: Record<string, string>;
  /**
   * "host:port" -> "address:port" to connect to instead, like `curl --connect-to` (a forwarder or
   * load balancer in front of the edge). Takes precedence over `resolve`; Host, SNI and the
   * certificate check stay the URL's.
   */
  connectTo?: Record<string, string>;
}

/** Reads a service's recent log output (Docker logs, a test's log file). */
export type LogSource = (signal: AbortSignal) => Promise<string>;

export interface EdgeTarget {
  /** Name the certificate must cover; Host header and SNI of every request. */
  hostname: string;
  httpPort: number;
  httpsPort: number;
  http: HttpOptions;
  /** The certificate must stay valid at least this many more days. */
  minDaysValid: number;
  /** Strict-Transport-Security max-age must be at least this (the checklist's minimum, checklist/thresholds.ts). */
  hstsMinMaxAgeSeconds: number;
  /** Path answered by the app through the proxy (the health path). */
  healthPath: string;
  /** Static file path and the content Nginx must serve there. */
  staticFile: { path: string; content: string };
  health: { samples: number; p95Ms: number };
  /** A rate-limited path and the limits configured for it. */
  rateLimit: { path: string; requestsPerSecond: number; burst: number };
}

export interface AppTarget {
  /** Public base URL, through Nginx. */
  publicUrl: string;
  http: HttpOptions;
  /** Each replica's base URL, as reached by the checks (loopback tunnel or test address). */
  replicaUrls: string[];
  /** Replicas the stack declares: every one must answer on its own. */
  replicas: number;
  contract: StackOutputs["appContract"];
  /** HS256 key the app verifies bearer JWTs with. */
  jwtSigningKey: string;
}

export interface McpTarget {
  url: string;
  http: HttpOptions;
  probeTool: string;
  probeToolArguments: Record<string, unknown>;
  /** The `.mcp.json` stack output. */
  mcpJson: StackOutputs["mcpJson"];
  /** Expected server entry name in `.mcp.json`. */
  serverName: string;
  /** Bearer token sent with MCP requests (a short-lived JWT is minted when absent). */
  jwtSigningKey: string;
  jwtIssuer: string;
  jwtAudience: string;
  /** The stack's public base URL: the resource metadata lives under it, and the only Origin served is its origin. */
  publicUrl: string;
  /** Path of the RFC 9728 protected resource metadata document (mcp:app.resourceMetadataPath). */
  resourceMetadataPath: string;
  /** MCP revisions the app must accept (mcp:app.protocolVersions). */
  protocolVersions: string[];
  /** The app's tool-call ceiling (mcp:app.toolCallTimeoutSeconds). */
  toolCallTimeoutSeconds: number;
  /** A call that runs past the ceiling (mcp:app.ceilingProbe); unset: mcp.tool-ceiling skips. */
  ceilingProbe?: { tool: string; arguments: Record<string, unknown> };
  /** Each app replica's base URL, reached without Nginx (sessions across replicas). */
  replicaUrls: string[];
  /** Idle time an event stream must survive through Nginx (MCP_STREAM_IDLE_MIN_SECONDS; shorter in tests). */
  streamIdleSeconds: number;
  /** Hold an event stream open for streamIdleSeconds (mcp.stream-idle): opt-in, it takes that long. */
  checkStreams?: boolean;
  /** The app service's log output (Docker logs API), where the audit lines are; unset: mcp.audit skips. */
  appLogs?: LogSource;
}

export interface PostgresTarget {
  host: string;
  port: number;
  /** Name the server certificate is verified against (the service's network alias). */
  servername: string;
  /** CA that signed the server certificate (PEM). */
  ca: string;
  database: string;
  user: string;
  password: string;
  backupUser: string;
  backupPassword: string;
  migrationsTable: string;
  minMigrations: number;
  /** Connections in use must stay below this share of max_connections. */
  maxConnectionsPercent: number;
  /** Server log, for authentication failures (DEP-DB-05); unset = check skipped. */
  logs?: LogSource;
}

export interface RedisTarget {
  host: string;
  port: number;
  password: string;
  /** maxmemory-policy the stack configures. */
  maxmemoryPolicy: string;
  /** used_memory must stay below this share of maxmemory. */
  maxMemoryPercent: number;
}

export interface PrometheusTarget {
  url: string;
  /** Every job that must have all its targets up. */
  expectedJobs: string[];
  /** Retention as configured, e.g. { time: "30d", size: "20GB" }. */
  retention: { time: string; size: string };
  /** Alert names that must be loaded (empty = at least one alerting rule). */
  expectedAlerts: string[];
  /** The alert rules' thresholds (mcp:alerting) that judge what Prometheus kept of real traffic. */
  alertThresholds: { errorRatePercent: number };
}

export interface AlertmanagerTarget {
  url: string;
  expectedReceivers: string[];
  /** Send a test alert through every receiver (alertmanager.test-alert): opt-in, it notifies people. */
  sendTestAlert?: boolean;
}

export interface GrafanaTarget {
  url: string;
  user: string;
  password: string;
  /** UID of the provisioned Prometheus datasource. */
  datasourceUid: string;
  /** UIDs of the provisioned dashboards. */
  dashboardUids: string[];
}

export interface VerifyTarget {
  stack: string;
  edge: EdgeTarget;
  app: AppTarget;
  mcp: McpTarget;
  postgres: PostgresTarget;
  redis: RedisTarget;
  prometheus: PrometheusTarget;
  alertmanager: AlertmanagerTarget;
  grafana: GrafanaTarget;
  /**
   * Inputs of checks owned by other folders (validate/docker, validate/backup), keyed by
   * folder; their registry adapters pick them out and skip the checks when absent.
   */
  extra: Record<string, unknown>;
  /** Every secret value in the target: the runner redacts them from all output. */
  secrets: string[];
}
