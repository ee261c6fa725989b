/**
 * Builds the VerifyTarget from the stack outputs (endpoints, app contract, secrets) and
 * the stack config (thresholds and what the renderers declare: scrape jobs, alert names,
 * receivers, dashboards). Internal endpoints go through a Reach (Docker exec tunnels for
 * the CLI and hooks, a loopback map in tests); the public edge is reached by its name,
 * optionally pinned to an address (`resolve`, like curl --resolve).
 */
import { secretValues } from "../evidence/secrets";
import type { StackConfig } from "../infra/config/load";
import type { StackOutputs } from "../infra/outputs-types";
import { prometheusInputFromConfig } from "../infra/render/prometheus";
import { ALERT_NAMES } from "../infra/render/alert-rules";
import { isRateLimitedPath, renderStaticFiles, STATIC_PROBE_FILE } from "../infra/render/nginx";
import { mcpServerName } from "../infra/outputs";
import { HSTS_MIN_MAX_AGE_SECONDS, MCP_STREAM_IDLE_MIN_SECONDS } from "../checklist/thresholds";
import { grafanaExpectations } from "./monitoring/grafana-expectations";
import { reachUrl, type Reach } from "./reach";
import type { HttpOptions, LogSource, VerifyTarget } from "./target";

/** Health latency sampling (FUN-PERF-01: "under 500ms"). */
export const DEFAULT_HEALTH_SAMPLES = 20;

export interface TargetOptions {
  config: StackConfig;
  reach: Reach;
  /** Extra trust for the public edge (self-signed stacks, tests): PEM. */
  edgeCa?: string;
  /** Public host name -> address to connect to. */
  resolve?: Record<string, string>;
  /** "host:port" -> "address:port" to connect to for the public edge (curl --connect-to). */
  connectTo?: Record<string, string>;
  postgresLogs?: LogSource;
  /** The app service's logs (the audit lines of mcp.audit). */
  appLogs?: LogSource;
  /** Idle seconds an MCP event stream must survive (default MCP_STREAM_IDLE_MIN_SECONDS). */
  streamIdleSeconds?: number;
  healthSamples?: number;
  /** What the stack is expected to run, when it differs from what the config renders (tests). */
  expect?: Partial<{ prometheusJobs: string[]; alerts: string[]; receivers: string[]; datasourceUid: string; dashboardUids: string[] }>;
  /** Inputs for checks owned by other folders (docker, backup). */
  extra?: Record<string, unknown>;
  /**
   * Address of each app replica as seen on the stack's network (each task's address, from the
   * swarm); unset: the app service's name, which reaches whichever replica the balancer picks.
   */
  appReplicaHosts?: string[];
}

/**
 * The path the burst is sent to: the API's list path, which the renderer's limited locations
 * must cover. Asked of infra/render/nginx.ts, so a location taken out of limit_req there fails
 * here by name instead of as a missing 429 at runtime.
 */
export function rateLimitProbePath(c: StackOutputs["appContract"]): string {
  if (!isRateLimitedPath(c.listServersPath, c))
    throw new Error(`${c.listServersPath} is served by a location nginx.conf does not rate limit (infra/render/nginx.ts)`);
  return c.listServersPath;
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

export async function targetFromOutputs(outputs: StackOutputs, options: TargetOptions): Promise<VerifyTarget> {
  const { config, reach } = options;
  const c = outputs.appContract;
  const pub = new URL(outputs.publicUrl);
  const http: HttpOptions = { ca: options.edgeCa, resolve: options.resolve, connectTo: options.connectTo };
  const ie = outputs.internalEndpoints;
  const [pg, redis, prometheusUrl, alertmanagerUrl, grafanaUrl, replicaUrls] = await Promise.all([
    reach.to(ie.postgres.host, ie.postgres.port),
    reach.to(ie.redis.host, ie.redis.port),
    reachUrl(reach, ie.prometheus),
    reachUrl(reach, ie.alertmanager),
    reachUrl(reach, ie.grafana),
    Promise.all((options.appReplicaHosts?.length ? options.appReplicaHosts : [ie.app.host]).map((h) => reachUrl(reach, `http://${h}:${ie.app.port}`))),
  ]);
  const promInput = prometheusInputFromConfig(config);
  const grafana = grafanaExpectations(config);
  const staticFiles = renderStaticFiles(c.staticPath);
  const staticRel = Object.keys(staticFiles).find((k) => k.endsWith(STATIC_PROBE_FILE)) ?? Object.keys(staticFiles)[0];
  const jwt = outputs.secrets.jwtSigningKey;
  return {
    stack: outputs.stack,
    edge: {
      hostname: outputs.domain,
      httpPort: config.edge.httpPort,
      httpsPort: portOf(pub),
      http,
      minDaysValid: outputs.tls.minDaysValid,
      hstsMinMaxAgeSeconds: HSTS_MIN_MAX_AGE_SECONDS,
      healthPath: c.healthPath,
      staticFile: { path: `/${staticRel}`, content: staticFiles[staticRel] },
      health: { samples: options.healthSamples ?? DEFAULT_HEALTH_SAMPLES, p95Ms: config.alerting.p95LatencyMs },
      rateLimit: { path: rateLimitProbePath(c), requestsPerSecond: outputs.rateLimit.requestsPerSecond, burst: outputs.rateLimit.burst },
    },
    app: { publicUrl: outputs.publicUrl, http, replicaUrls, replicas: ie.app.replicas, contract: c, jwtSigningKey: jwt },
    mcp: {
      url: outputs.mcpUrl,
      http,
      probeTool: c.probeTool,
      probeToolArguments: c.probeToolArguments,
      mcpJson: outputs.mcpJson,
      serverName: mcpServerName(outputs.stack),
      jwtSigningKey: jwt,
      jwtIssuer: c.jwtIssuer,
      jwtAudience: c.jwtAudience,
      publicUrl: outputs.publicUrl,
      resourceMetadataPath: c.resourceMetadataPath,
      protocolVersions: c.protocolVersions,
      toolCallTimeoutSeconds: c.toolCallTimeoutSeconds,
      ...(c.ceilingProbe ? { ceilingProbe: c.ceilingProbe } : {}),
      replicaUrls,
      streamIdleSeconds: options.streamIdleSeconds ?? MCP_STREAM_IDLE_MIN_SECONDS,
      ...(options.appLogs ? { appLogs: options.appLogs } : {}),
    },
    postgres: {
      host: pg.host,
      port: pg.port,
      servername: ie.postgres.host,
      ca: outputs.internalCaCert,
      database: ie.postgres.database,
      user: ie.postgres.user,
      password: outputs.secrets.postgresPassword,
      backupUser: ie.postgres.backupUser,
      backupPassword: outputs.secrets.postgresBackupPassword,
      migrationsTable: c.migrationsTable,
      minMigrations: c.minMigrations,
      maxConnectionsPercent: config.alerting.postgresConnectionsPercent,
      logs: options.postgresLogs,
    },
    redis: {
      host: redis.host,
      port: redis.port,
      password: outputs.secrets.redisPassword,
      maxmemoryPolicy: config.redis.maxmemoryPolicy,
      maxMemoryPercent: config.alerting.redisMemoryPercent,
    },
    prometheus: {
      url: prometheusUrl,
      expectedJobs: options.expect?.prometheusJobs ?? [...promInput.jobs.map((j) => j.name), ...(promInput.probe ? [promInput.probe.jobName] : [])],
      retention: { time: config.prometheus.retentionTime, size: config.prometheus.retentionSize },
      expectedAlerts: options.expect?.alerts ?? [...ALERT_NAMES],
      alertThresholds: { errorRatePercent: config.alerting.errorRatePercent },
    },
    alertmanager: { url: alertmanagerUrl, expectedReceivers: options.expect?.receivers ?? config.alerting.receivers.map((r) => r.name) },
    grafana: {
      url: grafanaUrl,
      user: outputs.secrets.grafanaAdminUser,
      password: outputs.secrets.grafanaAdminPassword,
      datasourceUid: options.expect?.datasourceUid ?? grafana.datasourceUid,
      dashboardUids: options.expect?.dashboardUids ?? grafana.dashboardUids,
    },
    extra: { ...options.extra },
    secrets: secretValues(outputs),
  };
}
