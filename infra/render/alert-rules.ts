/**
 * Prometheus alert rules (DEP-MON-04, MON-ALERT-01 critical, MON-ALERT-02 warning
 * thresholds, MON-ALERT-05 alert fatigue: every rule has a `for:` so a single bad
 * scrape never pages, and Alertmanager inhibits warnings under a critical of the same kind).
 *
 * Metric names the rules rely on, i.e. what each component must expose:
 * - the MCP app (APP_METRICS): counter `http_requests_total` with label `status` (the
 *   HTTP status code, e.g. "503"), and histogram `http_request_duration_seconds`
 *   (`_bucket` series with `le`), both on the app's metrics path;
 * - the backup service (BACKUP_METRICS), through node-exporter's textfile collector:
 *   gauge `mcp_backup_last_success_timestamp_seconds` (Unix time of the last good
 *   backup) and gauge `mcp_backup_last_run_success` (1 when the last run succeeded, 0 not);
 * - exporters, by their standard names: postgres_exporter (`pg_up`,
 *   `pg_stat_database_numbackends`, `pg_settings_max_connections`), redis_exporter
 *   (`redis_up`, `redis_memory_used_bytes`, `redis_memory_max_bytes`), node_exporter
 *   (`node_filesystem_avail_bytes`, `node_filesystem_size_bytes`,
 *   `node_filesystem_readonly`), blackbox_exporter (`probe_success`,
 *   `probe_duration_seconds`, `probe_ssl_earliest_cert_expiry`).
 */
import { stringify } from "yaml";
import type { StackConfig } from "../config/load";
import { durationSeconds } from "../config/durations";
import { SCRAPE_JOBS } from "./prometheus";

export const APP_METRICS = {
  requestsTotal: "http_requests_total",
  statusLabel: "status",
  durationHistogram: "http_request_duration_seconds",
} as const;

export const BACKUP_METRICS = {
  lastSuccessTimestamp: "mcp_backup_last_success_timestamp_seconds",
  lastRunSuccess: "mcp_backup_last_run_success",
} as const;

/** Every alert name the rules can raise (runtime checks and docs refer to these). */
export const ALERT_NAMES = [
  "ServiceDown",
  "EndpointDown",
  "HighErrorRate",
  "HighLatencyP95",
  "HealthCheckSlow",
  "PostgresDown",
  "PostgresConnectionsHigh",
  "RedisDown",
  "RedisMemoryHigh",
  "DiskSpaceLow",
  "TLSCertificateExpiring",
  "BackupTooOld",
  "BackupFailed",
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];
export type Severity = "critical" | "warning";

export interface AlertRulesInput {
  jobs: { app: string; postgres: string; redis: string; node: string; edgeProbe: string };
  errorRatePercent: number;
  p95LatencyMs: number;
  /** FUN-PERF-01: the public health endpoint answers within this. */
  healthLatencyMs: number;
  postgresConnectionsPercent: number;
  redisMemoryPercent: number;
  /** Warning below this free %, critical below half of it. */
  diskFreePercent: number;
  /** Warning when the served certificate expires within this many days, critical within half. */
  certExpiryDays: number;
  /** Time between backups; BackupTooOld fires at 1.5x. */
  backupIntervalSeconds: number;
}

export function alertRulesInputFromConfig(config: StackConfig): AlertRulesInput {
  const a = config.alerting;
  return {
    jobs: { app: SCRAPE_JOBS.app, postgres: SCRAPE_JOBS.postgres, redis: SCRAPE_JOBS.redis, node: SCRAPE_JOBS.node, edgeProbe: SCRAPE_JOBS.edgeProbe },
    errorRatePercent: a.errorRatePercent,
    p95LatencyMs: a.p95LatencyMs,
    healthLatencyMs: 500,
    postgresConnectionsPercent: a.postgresConnectionsPercent,
    redisMemoryPercent: a.redisMemoryPercent,
    diskFreePercent: a.diskFreePercent,
    certExpiryDays: a.certExpiryDays,
    backupIntervalSeconds: durationSeconds(config.backup.interval),
  };
}

/** Seconds as the largest whole Prometheus unit ("32400" -> "9h"). */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const)
    if (s % size === 0) return `${s / size}${unit}`;
  return `${s}s`;
}

interface Rule {
  alert: AlertName;
  expr: string;
  for: string;
  severity: Severity;
  /** Service label; omitted where the series already carries one (e.g. `up`). */
  service?: string;
  /** Tells apart two rules of one alert name and severity (promtool rejects duplicates). */
  reason?: string;
  checklist: string[];
  summary: string;
  description: string;
}

function num(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

function rules(i: AlertRulesInput): Record<string, Rule[]> {
  const j = i.jobs;
  const backupMax = i.backupIntervalSeconds * 1.5;
  const backupMaxText = formatDuration(backupMax);
  const critDisk = i.diskFreePercent / 2;
  const critCertDays = Math.max(1, Math.floor(i.certExpiryDays / 2));
  const fs = `job="${j.node}",fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.*"`;
  const diskFree = `100 * node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}`;
  const certDays = `(probe_ssl_earliest_cert_expiry{job="${j.edgeProbe}"} - time()) / 86400`;
  const req = APP_METRICS.requestsTotal;
  return {
    "mcp-availability": [
      {
        alert: "ServiceDown",
        expr: "up == 0",
        for: "2m",
        severity: "critical",
        checklist: ["MON-ALERT-01", "DEP-MON-01", "DEP-CORE-02", "HA-REDUNDANCY-05"],
        summary: "{{ $labels.job }} target {{ $labels.instance }} is down",
        description: "Prometheus has failed to scrape {{ $labels.instance }} (job {{ $labels.job }}, service {{ $labels.service }}) for 2 minutes.",
      },
      {
        alert: "EndpointDown",
        expr: `probe_success{job="${j.edgeProbe}"} == 0`,
        for: "2m",
        severity: "critical",
        service: "edge",
        checklist: ["MON-ALERT-01", "FUN-API-01", "SEC-NET-03"],
        summary: "Public endpoint {{ $labels.instance }} fails its HTTPS probe",
        description: "The blackbox probe of {{ $labels.instance }} (TLS verified, 2xx expected) has failed for 2 minutes.",
      },
    ],
    "mcp-app": [
      {
        alert: "HighErrorRate",
        expr: `100 * sum(rate(${req}{job="${j.app}",${APP_METRICS.statusLabel}=~"5.."}[5m])) / sum(rate(${req}{job="${j.app}"}[5m])) > ${num(i.errorRatePercent)}`,
        for: "5m",
        severity: "critical",
        service: "app",
        checklist: ["MON-ALERT-01", "MON-METRICS-03"],
        summary: `MCP app 5xx ratio above ${num(i.errorRatePercent)}%`,
        description: `{{ printf "%.2f" $value }}% of app requests returned 5xx over the last 5 minutes (threshold ${num(i.errorRatePercent)}%).`,
      },
      {
        alert: "HighLatencyP95",
        expr: `1000 * histogram_quantile(0.95, sum by (le) (rate(${APP_METRICS.durationHistogram}_bucket{job="${j.app}"}[5m]))) > ${num(i.p95LatencyMs)}`,
        for: "10m",
        severity: "warning",
        service: "app",
        checklist: ["MON-ALERT-02", "MON-METRICS-04"],
        summary: `MCP app p95 latency above ${num(i.p95LatencyMs)} ms`,
        description: `p95 request latency is {{ printf "%.0f" $value }} ms over the last 5 minutes (threshold ${num(i.p95LatencyMs)} ms).`,
      },
      {
        alert: "HealthCheckSlow",
        expr: `1000 * probe_duration_seconds{job="${j.edgeProbe}"} > ${num(i.healthLatencyMs)}`,
        for: "10m",
        severity: "warning",
        service: "edge",
        checklist: ["MON-ALERT-02", "FUN-PERF-01"],
        summary: `Health endpoint slower than ${num(i.healthLatencyMs)} ms`,
        description: `The HTTPS health probe of {{ $labels.instance }} takes {{ printf "%.0f" $value }} ms (threshold ${num(i.healthLatencyMs)} ms).`,
      },
    ],
    "mcp-datastores": [
      {
        alert: "PostgresDown",
        expr: `pg_up{job="${j.postgres}"} == 0`,
        for: "1m",
        severity: "critical",
        service: "postgres",
        checklist: ["MON-ALERT-01", "DEP-DB-01"],
        summary: "PostgreSQL is unreachable from its exporter",
        description: "postgres_exporter at {{ $labels.instance }} cannot connect to PostgreSQL.",
      },
      {
        alert: "PostgresConnectionsHigh",
        expr: `100 * sum by (instance) (pg_stat_database_numbackends{job="${j.postgres}"}) / max by (instance) (pg_settings_max_connections{job="${j.postgres}"}) > ${num(i.postgresConnectionsPercent)}`,
        for: "5m",
        severity: "warning",
        service: "postgres",
        checklist: ["MON-ALERT-02", "DEP-DB-03"],
        summary: `PostgreSQL connections above ${num(i.postgresConnectionsPercent)}% of max_connections`,
        description: `{{ printf "%.0f" $value }}% of max_connections are in use (threshold ${num(i.postgresConnectionsPercent)}%).`,
      },
      {
        alert: "RedisDown",
        expr: `redis_up{job="${j.redis}"} == 0`,
        for: "1m",
        severity: "critical",
        service: "redis",
        checklist: ["MON-ALERT-01", "DEP-CACHE-01"],
        summary: "Redis is unreachable from its exporter",
        description: "redis_exporter at {{ $labels.instance }} cannot connect to Redis.",
      },
      {
        alert: "RedisMemoryHigh",
        // maxmemory 0 means unlimited: such a series is dropped instead of dividing by zero.
        expr: `100 * redis_memory_used_bytes{job="${j.redis}"} / (redis_memory_max_bytes{job="${j.redis}"} > 0) > ${num(i.redisMemoryPercent)}`,
        for: "5m",
        severity: "warning",
        service: "redis",
        checklist: ["MON-ALERT-02", "DEP-CACHE-04"],
        summary: `Redis memory above ${num(i.redisMemoryPercent)}% of maxmemory`,
        description: `Redis uses {{ printf "%.0f" $value }}% of maxmemory (threshold ${num(i.redisMemoryPercent)}%); eviction is about to start.`,
      },
    ],
    "mcp-host": [
      {
        alert: "DiskSpaceLow",
        expr: `${diskFree} < ${num(i.diskFreePercent)} and node_filesystem_readonly{${fs}} == 0`,
        for: "10m",
        severity: "warning",
        service: "node",
        checklist: ["MON-ALERT-02", "MON-METRICS-02", "PRE-INFRA-04"],
        summary: `Less than ${num(i.diskFreePercent)}% disk free on {{ $labels.mountpoint }}`,
        description: `{{ $labels.mountpoint }} ({{ $labels.device }}) has {{ printf "%.1f" $value }}% free (warning below ${num(i.diskFreePercent)}%).`,
      },
      {
        alert: "DiskSpaceLow",
        expr: `${diskFree} < ${num(critDisk)} and node_filesystem_readonly{${fs}} == 0`,
        for: "5m",
        severity: "critical",
        service: "node",
        checklist: ["MON-ALERT-01", "MON-METRICS-02", "PRE-INFRA-04"],
        summary: `Less than ${num(critDisk)}% disk free on {{ $labels.mountpoint }}`,
        description: `{{ $labels.mountpoint }} ({{ $labels.device }}) has {{ printf "%.1f" $value }}% free (critical below ${num(critDisk)}%).`,
      },
    ],
    "mcp-tls": [
      {
        alert: "TLSCertificateExpiring",
        expr: `${certDays} < ${num(i.certExpiryDays)}`,
        for: "15m",
        severity: "warning",
        service: "edge",
        checklist: ["MON-ALERT-02", "PRE-SEC-01", "DEP-WEB-02"],
        summary: `TLS certificate of {{ $labels.instance }} expires within ${num(i.certExpiryDays)} days`,
        description: `The certificate served at {{ $labels.instance }} expires in {{ printf "%.1f" $value }} days: renew it and update mcp:tlsCertificate.`,
      },
      {
        alert: "TLSCertificateExpiring",
        expr: `${certDays} < ${num(critCertDays)}`,
        for: "15m",
        severity: "critical",
        service: "edge",
        checklist: ["MON-ALERT-01", "PRE-SEC-01", "DEP-WEB-02"],
        summary: `TLS certificate of {{ $labels.instance }} expires within ${num(critCertDays)} days`,
        description: `The certificate served at {{ $labels.instance }} expires in {{ printf "%.1f" $value }} days: renew it now.`,
      },
    ],
    "mcp-backup": [
      {
        alert: "BackupTooOld",
        expr: `time() - ${BACKUP_METRICS.lastSuccessTimestamp} > ${num(backupMax)}`,
        for: "5m",
        severity: "critical",
        service: "backup",
        reason: "stale",
        checklist: ["BAK-SYSTEM-05", "BAK-SYSTEM-01", "MON-ALERT-01"],
        summary: `No successful backup for more than ${backupMaxText}`,
        description: `The last successful backup is {{ humanizeDuration $value }} old; backups run every ${formatDuration(i.backupIntervalSeconds)}.`,
      },
      {
        // Never written (backup never succeeded, or the textfile collector lost it).
        alert: "BackupTooOld",
        expr: `absent(${BACKUP_METRICS.lastSuccessTimestamp})`,
        for: backupMaxText,
        severity: "critical",
        service: "backup",
        reason: "missing",
        checklist: ["BAK-SYSTEM-05", "BAK-SYSTEM-01", "MON-ALERT-01"],
        summary: `No backup success metric for ${backupMaxText}`,
        description: `${BACKUP_METRICS.lastSuccessTimestamp} has been absent for ${backupMaxText}: no backup has succeeded, or node-exporter does not read the backup textfile.`,
      },
      {
        alert: "BackupFailed",
        expr: `${BACKUP_METRICS.lastRunSuccess} == 0`,
        for: "1m",
        severity: "critical",
        service: "backup",
        checklist: ["BAK-SYSTEM-05", "BAK-SYSTEM-02", "MON-ALERT-01"],
        summary: "The last backup run failed",
        description: "The backup service reported its last run as failed; see the backup container's log.",
      },
    ],
  };
}

export function alertRulesInputProblems(i: AlertRulesInput): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(i.jobs)) if (!/^[A-Za-z0-9_.-]+$/.test(v)) problems.push(`jobs.${k} "${v}" is not a job name`);
  for (const k of [
    "errorRatePercent",
    "p95LatencyMs",
    "healthLatencyMs",
    "postgresConnectionsPercent",
    "redisMemoryPercent",
    "diskFreePercent",
    "certExpiryDays",
    "backupIntervalSeconds",
  ] as const) {
    if (!(Number.isFinite(i[k]) && i[k] > 0)) problems.push(`${k} must be a positive number, got ${i[k]}`);
  }
  return problems;
}

/** The rule file Prometheus loads (PATHS.prometheusRulesDir/ALERT_RULES_FILE). */
export function renderAlertRules(input: AlertRulesInput): string {
  const problems = alertRulesInputProblems(input);
  if (problems.length) throw new Error(`invalid alert rules input:\n  - ${problems.join("\n  - ")}`);
  const groups = Object.entries(rules(input)).map(([name, list]) => ({
    name,
    rules: list.map((r) => ({
      alert: r.alert,
      expr: r.expr,
      for: r.for,
      labels: {
        severity: r.severity,
        ...(r.service ? { service: r.service } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        checklist: r.checklist.join(","),
      },
      annotations: { summary: r.summary, description: r.description },
    })),
  }));
  return `# Rendered by infra/render/alert-rules.ts: edit the renderer, not this file.\n${stringify({ groups }, { lineWidth: 0 })}`;
}
