/**
 * Every runtime check, in one list: the post-deploy checks of this folder, the container
 * checks (validate/docker) and the backup checks (validate/backup). `npm run verify` runs
 * them, the deploy hooks run per-service subsets, and the sign-off maps checklist items to
 * these IDs (`grep` an item ID to find the check that proves it). The Docker host readiness
 * checks (validate/host) are here too: `npm run host:check` and the pre-deploy gate run them
 * before a deploy, verify runs them again after it.
 *
 * All take the one VerifyTarget; checks from other folders get their own target out of
 * `target.extra` (DOCKER_EXTRA, HOST_EXTRA, BACKUP_EXTRA) and are skipped, saying why, when it is absent.
 */
import type { ServiceName } from "../infra/config/schema";
import { skip, type Check } from "./core/types";
import type { VerifyTarget } from "./target";
import { tlsChainCheck, tlsLegacyRefusedCheck } from "./edge/tls";
import { hstsCheck, httpRedirectCheck, proxyPassCheck, staticFileCheck } from "./edge/http";
import { healthLatencyCheck } from "./edge/latency";
import { rateLimitCheck } from "./edge/rate-limit";
import { appAuthCheck, appHealthCheck, appMetricsCheck, appServersCreateCheck, appServersListCheck } from "./app/checks";
import { mcpClaudeConfigCheck, mcpInitializeCheck, mcpResourcesCheck, mcpToolCallCheck, mcpToolsListCheck } from "./mcp/checks";
import { mcpOriginCheck } from "./mcp/origin";
import { mcpAuthChallengeCheck, mcpResourceMetadataCheck, mcpTokenValidationCheck } from "./mcp/authorization";
import { mcpProtocolVersionCheck } from "./mcp/protocol-version";
import { mcpSessionReplicasCheck, mcpSessionsCheck } from "./mcp/sessions";
import { mcpToolCeilingCheck } from "./mcp/tool-ceiling";
import { mcpStreamIdleCheck } from "./mcp/streaming";
import { mcpRateLimitCheck } from "./mcp/rate-limit";
import { mcpAuditCheck } from "./mcp/audit";
import { postgresAuthLogCheck, postgresBackupRoleCheck, postgresConnectionsCheck, postgresMigrationsCheck, postgresTlsCheck } from "./postgres/checks";
import { redisAuthCheck, redisMemoryCheck, redisOperationsCheck, redisPersistenceCheck } from "./redis/checks";
import { prometheusAlertmanagerCheck, prometheusRetentionCheck, prometheusRulesCheck, prometheusTargetsCheck } from "./monitoring/prometheus";
import { alertmanagerReadyCheck, alertmanagerReceiversCheck } from "./monitoring/alertmanager";
import { grafanaDashboardsCheck, grafanaDatasourceCheck, grafanaHealthCheck } from "./monitoring/grafana";
import { alertmanagerTestAlertCheck } from "./monitoring/alert-delivery";
import { prometheusNotificationsCheck } from "./monitoring/prometheus-notifications";
import { prometheusBaselineCheck, prometheusFirstDayErrorsCheck } from "./monitoring/prometheus-history";
import { postgresSeqScansCheck } from "./postgres/query-plans";
import { redisHitRatioCheck } from "./redis/hit-ratio";
import { alertmanagerRoutingCheck } from "./monitoring/alertmanager-routing";
import { grafanaAnonymousRefusedCheck, grafanaAuthSettingsCheck } from "./monitoring/grafana-access";
import { DOCKER_CHECKS, type DockerTarget } from "./docker";
import { BACKUP_CHECKS, BACKUP_EXTRA, type BackupTarget } from "./backup";
import { HOST_CHECKS, type HostTarget } from "./host";
import { USAGE_CHECKS } from "./docker/usage";
import { imageVulnerabilityScanCheck, type ImageScanTarget } from "./images/vulnerability-scan";
import { drillIntervalCheck, type DrillIntervalTarget } from "./backup/drill-interval";

/** Key of the Docker container checks' target in VerifyTarget.extra. */
export const DOCKER_EXTRA = "docker";
/** Key of the Docker host readiness checks' target in VerifyTarget.extra. */
export const HOST_EXTRA = "host";
/** Keys of the evidence files verify is given: image scan reports (--image-scan), restore drill reports (--drill-report). */
export const IMAGE_SCAN_EXTRA = "imageScan";
export const DRILL_REPORTS_EXTRA = "drillReports";

/** Runs a check written against another target type on the part of VerifyTarget it needs. */
export function adapt<U>(check: Check<U>, pick: (t: VerifyTarget) => U | undefined, whenMissing: string): Check<VerifyTarget> {
  return {
    ...check,
    run: (t, ctx) => {
      const inner = pick(t);
      return inner === undefined ? Promise.resolve(skip(whenMissing)) : check.run(inner, ctx);
    },
  };
}

export const EDGE_CHECKS: Check<VerifyTarget>[] = [
  tlsChainCheck,
  tlsLegacyRefusedCheck,
  httpRedirectCheck,
  hstsCheck,
  proxyPassCheck,
  staticFileCheck,
  healthLatencyCheck,
  rateLimitCheck,
];
export const APP_CHECKS: Check<VerifyTarget>[] = [appHealthCheck, appAuthCheck, appServersListCheck, appServersCreateCheck, appMetricsCheck];
export const MCP_CHECKS: Check<VerifyTarget>[] = [
  mcpInitializeCheck,
  mcpToolsListCheck,
  mcpToolCallCheck,
  mcpResourcesCheck,
  mcpClaudeConfigCheck,
  mcpOriginCheck,
  mcpAuthChallengeCheck,
  mcpResourceMetadataCheck,
  mcpTokenValidationCheck,
  mcpProtocolVersionCheck,
  mcpSessionsCheck,
  mcpSessionReplicasCheck,
  mcpToolCeilingCheck,
  mcpStreamIdleCheck,
  mcpRateLimitCheck,
  mcpAuditCheck,
];
export const POSTGRES_CHECKS: Check<VerifyTarget>[] = [
  postgresTlsCheck,
  postgresMigrationsCheck,
  postgresConnectionsCheck,
  postgresBackupRoleCheck,
  postgresAuthLogCheck,
  postgresSeqScansCheck,
];
export const REDIS_CHECKS: Check<VerifyTarget>[] = [redisAuthCheck, redisOperationsCheck, redisPersistenceCheck, redisMemoryCheck, redisHitRatioCheck];
export const MONITORING_CHECKS: Check<VerifyTarget>[] = [
  prometheusTargetsCheck,
  prometheusRulesCheck,
  prometheusAlertmanagerCheck,
  prometheusNotificationsCheck,
  prometheusRetentionCheck,
  prometheusBaselineCheck,
  prometheusFirstDayErrorsCheck,
  alertmanagerReadyCheck,
  alertmanagerReceiversCheck,
  alertmanagerRoutingCheck,
  alertmanagerTestAlertCheck,
  grafanaHealthCheck,
  grafanaDatasourceCheck,
  grafanaDashboardsCheck,
  grafanaAnonymousRefusedCheck,
  grafanaAuthSettingsCheck,
];
export const CONTAINER_CHECKS: Check<VerifyTarget>[] = [...DOCKER_CHECKS, ...USAGE_CHECKS].map((c) =>
  adapt(c, (t) => t.extra[DOCKER_EXTRA] as DockerTarget | undefined, "no Docker Engine API access (set DOCKER_HOST or run where the Docker socket is)"),
);

export const HOST_VERIFY_CHECKS: Check<VerifyTarget>[] = HOST_CHECKS.map((c) =>
  adapt(c, (t) => t.extra[HOST_EXTRA] as HostTarget | undefined, "no Docker Engine API access (set DOCKER_HOST or run where the Docker socket is)"),
);

export const BACKUP_VERIFY_CHECKS: Check<VerifyTarget>[] = BACKUP_CHECKS.map((c) =>
  adapt(c, (t) => t.extra[BACKUP_EXTRA] as BackupTarget | undefined, "backup volumes not readable here (run verify as root on the Docker host)"),
);

/** Judged from reports made outside verify (the image scanner, the restore drill), given as files. */
export const EVIDENCE_FILE_CHECKS: Check<VerifyTarget>[] = [
  adapt(
    imageVulnerabilityScanCheck,
    (t) => t.extra[IMAGE_SCAN_EXTRA] as ImageScanTarget | undefined,
    "no image scan report given (--image-scan FILE, repeatable)",
  ),
  adapt(
    drillIntervalCheck,
    (t) => t.extra[DRILL_REPORTS_EXTRA] as DrillIntervalTarget | undefined,
    "no restore drill report given (--drill-report FILE, repeatable)",
  ),
];

/** MCP checks that take the tool-call ceiling or the stream idle time (a minute each by default). */
const SLOW_MCP_CHECKS: readonly Check<VerifyTarget>[] = [mcpToolCeilingCheck, mcpStreamIdleCheck];

/**
 * Checks that skip unless asked for: they act on the world (a test alert pages people), take a
 * minute (an idle stream), or judge a report verify is given.
 */
export const OPT_IN_CHECKS: Readonly<Record<string, string>> = {
  "alertmanager.test-alert": "opt-in: `npm run verify -- --send-test-alert` notifies the people on every receiver",
  "images.vulnerability-scan": "needs the scanner's reports: `--image-scan FILE` per image (trivy image --format json)",
  "backup.drill-interval": "needs the restore drill reports: `--drill-report FILE` per drill (npm run drill:restore -- --out DIR)",
  "mcp.stream-idle": "opt-in: `npm run verify -- --stream-idle` holds an MCP event stream open for 60 s",
};

/** Checks that judge what real traffic left behind, and skip (saying so) on a stack that has served too little yet. */
export const TRAFFIC_CHECKS: Readonly<Record<string, string>> = {
  "redis.hit-ratio": "needs enough cache lookups to judge the hit ratio; a fresh stack has served too few",
  "prometheus.baseline": "needs 7 days of the app's traffic in Prometheus; skips on a younger stack",
  "prometheus.error-rate-24h": "needs 24 hours of the app's traffic in Prometheus; skips on a younger stack",
};

/** Every runtime check. */
export const VERIFY_CHECKS: readonly Check<VerifyTarget>[] = [
  ...EDGE_CHECKS,
  ...APP_CHECKS,
  ...MCP_CHECKS,
  ...POSTGRES_CHECKS,
  ...REDIS_CHECKS,
  ...MONITORING_CHECKS,
  ...CONTAINER_CHECKS,
  ...HOST_VERIFY_CHECKS,
  ...BACKUP_VERIFY_CHECKS,
  ...EVIDENCE_FILE_CHECKS,
];

/** Checks that prove one service works, for the deploy hook on that service's containers. */
export const SERVICE_CHECK_IDS: Partial<Record<ServiceName, readonly string[]>> = {
  postgres: ["postgres.tls", "postgres.connections", "postgres.backup-role"],
  // A deploy has served no traffic yet: what traffic leaves behind is judged by a later verify.
  redis: REDIS_CHECKS.filter((c) => !(c.id in TRAFFIC_CHECKS)).map((c) => c.id),
  app: ["app.health", "app.metrics", "postgres.migrations"],
  // Nginx is created after the app replicas: everything reached through the edge, but the checks
  // that wait out the tool-call ceiling or the stream idle time, which a deploy is not held for.
  nginx: [...EDGE_CHECKS, ...MCP_CHECKS.filter((c) => !SLOW_MCP_CHECKS.includes(c)), appAuthCheck, appServersListCheck, appServersCreateCheck].map((c) => c.id),
  prometheus: ["prometheus.rules", "prometheus.retention"],
  alertmanager: ["alertmanager.ready", "alertmanager.receivers", "alertmanager.routing", "prometheus.alertmanager", "prometheus.notifications"],
  grafana: ["grafana.health", "grafana.datasource", "grafana.dashboards", "grafana.anonymous-refused", "grafana.auth-settings"],
};

export function checkById(id: string): Check<VerifyTarget> {
  const c = VERIFY_CHECKS.find((x) => x.id === id);
  if (!c) throw new Error(`unknown check id "${id}"`);
  return c;
}
