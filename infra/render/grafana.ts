/**
 * Grafana provisioning (DEP-MON-02/03): the Prometheus datasource, a dashboard provider
 * and four dashboards (app, PostgreSQL, Redis, Nginx) with stable uids the runtime checks
 * look up; plus Grafana's non-secret environment (anonymous access and sign-up off, admin
 * password from a file, served under /grafana/ behind Nginx).
 */
import { stringify } from "yaml";
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS, topology } from "../topology";
import { APP_METRICS, BACKUP_METRICS } from "./alert-rules";
import { SCRAPE_JOBS } from "./prometheus";
import { GRAFANA_PUBLIC_PREFIX } from "./nginx";

export const GRAFANA_DATASOURCE_UID = "mcp-prometheus";
export const GRAFANA_DASHBOARD_UIDS = {
  app: "mcp-app",
  postgres: "mcp-postgres",
  redis: "mcp-redis",
  nginx: "mcp-nginx",
} as const;
export type DashboardKey = keyof typeof GRAFANA_DASHBOARD_UIDS;

export const GRAFANA_PROVISIONING_DIR = "/etc/grafana/provisioning";
/** Dashboards JSON; outside /var/lib/grafana (the data volume) so uploads are not shadowed. */
export const GRAFANA_DASHBOARDS_DIR = "/etc/grafana/dashboards";
export const GRAFANA_ADMIN_PASSWORD_FILE = `${PATHS.secretsDir}/grafana-admin-password`;
export const GRAFANA_DASHBOARD_FOLDER = "MCP";

export interface GrafanaProvisioningOptions {
  prometheusUrl?: string;
  provisioningDir?: string;
  dashboardsDir?: string;
}

interface Target {
  expr: string;
  legend: string;
}
interface PanelSpec {
  title: string;
  type: "timeseries" | "stat";
  unit: string;
  targets: Target[];
  /** Grid width (of 24); panels flow left to right. */
  w?: number;
  thresholds?: { value: number; color: string }[];
}

const ds = { type: "prometheus", uid: GRAFANA_DATASOURCE_UID };

function dashboard(uid: string, title: string, panels: PanelSpec[]): Record<string, unknown> {
  let x = 0;
  let y = 0;
  const laid = panels.map((p, i) => {
    const w = p.w ?? 12;
    const h = p.type === "stat" ? 5 : 8;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { h, w, x, y };
    x += w;
    return {
      id: i + 1,
      type: p.type,
      title: p.title,
      datasource: ds,
      gridPos,
      fieldConfig: {
        defaults: {
          unit: p.unit,
          ...(p.thresholds ? { thresholds: { mode: "absolute", steps: [{ value: null, color: "green" }, ...p.thresholds] } } : {}),
        },
        overrides: [],
      },
      options:
        p.type === "stat"
          ? { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "area" }
          : { legend: { displayMode: "list", placement: "bottom" }, tooltip: { mode: "multi" } },
      targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), datasource: ds, expr: t.expr, legendFormat: t.legend })),
    };
  });
  return {
    uid,
    title,
    tags: ["mcp"],
    timezone: "utc",
    editable: false,
    refresh: "30s",
    schemaVersion: 39,
    version: 1,
    time: { from: "now-6h", to: "now" },
    templating: { list: [] },
    annotations: { list: [] },
    panels: laid,
  };
}

/** Dashboards as objects (uid -> JSON model); every expression is PromQL over our job names. */
export function grafanaDashboards(): Record<DashboardKey, Record<string, unknown>> {
  const app = `job="${SCRAPE_JOBS.app}"`;
  const pg = `job="${SCRAPE_JOBS.postgres}"`;
  const redis = `job="${SCRAPE_JOBS.redis}"`;
  const nginx = `job="${SCRAPE_JOBS.nginx}"`;
  const probe = `job="${SCRAPE_JOBS.edgeProbe}"`;
  const req = APP_METRICS.requestsTotal;
  const st = APP_METRICS.statusLabel;
  return {
    app: dashboard(GRAFANA_DASHBOARD_UIDS.app, "MCP application", [
      { title: "Replicas up", type: "stat", unit: "none", w: 6, targets: [{ expr: `sum(up{${app}})`, legend: "up" }] },
      { title: "Request rate", type: "stat", unit: "reqps", w: 6, targets: [{ expr: `sum(rate(${req}{${app}}[5m]))`, legend: "req/s" }] },
      {
        title: "Error rate (5xx %)",
        type: "stat",
        unit: "percent",
        w: 6,
        thresholds: [
          { value: 1, color: "orange" },
          { value: 5, color: "red" },
        ],
        targets: [{ expr: `100 * sum(rate(${req}{${app},${st}=~"5.."}[5m])) / sum(rate(${req}{${app}}[5m]))`, legend: "5xx %" }],
      },
      {
        title: "TLS certificate days left",
        type: "stat",
        unit: "d",
        w: 6,
        thresholds: [
          { value: 0, color: "red" },
          { value: 14, color: "green" },
        ],
        targets: [{ expr: `(probe_ssl_earliest_cert_expiry{${probe}} - time()) / 86400`, legend: "days" }],
      },
      {
        title: "Requests per second by replica",
        type: "timeseries",
        unit: "reqps",
        targets: [{ expr: `sum by (instance) (rate(${req}{${app}}[5m]))`, legend: "{{instance}}" }],
      },
      {
        title: "Responses by status",
        type: "timeseries",
        unit: "reqps",
        targets: [{ expr: `sum by (${st}) (rate(${req}{${app}}[5m]))`, legend: `{{${st}}}` }],
      },
      {
        title: "Latency p50 / p95 / p99",
        type: "timeseries",
        unit: "ms",
        targets: [0.5, 0.95, 0.99].map((q) => ({
          expr: `1000 * histogram_quantile(${q}, sum by (le) (rate(${APP_METRICS.durationHistogram}_bucket{${app}}[5m])))`,
          legend: `p${Math.round(q * 100)}`,
        })),
      },
      {
        title: "Public health probe duration",
        type: "timeseries",
        unit: "ms",
        targets: [{ expr: `1000 * probe_duration_seconds{${probe}}`, legend: "{{instance}}" }],
      },
    ]),
    postgres: dashboard(GRAFANA_DASHBOARD_UIDS.postgres, "PostgreSQL", [
      { title: "PostgreSQL up", type: "stat", unit: "none", w: 6, targets: [{ expr: `max(pg_up{${pg}})`, legend: "up" }] },
      {
        title: "Connections used (%)",
        type: "stat",
        unit: "percent",
        w: 6,
        thresholds: [{ value: 80, color: "orange" }],
        targets: [{ expr: `100 * sum(pg_stat_database_numbackends{${pg}}) / max(pg_settings_max_connections{${pg}})`, legend: "used" }],
      },
      {
        title: "Last successful backup age",
        type: "stat",
        unit: "s",
        w: 6,
        targets: [{ expr: `time() - max(${BACKUP_METRICS.lastSuccessTimestamp})`, legend: "age" }],
      },
      { title: "Last backup run succeeded", type: "stat", unit: "bool", w: 6, targets: [{ expr: `min(${BACKUP_METRICS.lastRunSuccess})`, legend: "ok" }] },
      {
        title: "Connections by database",
        type: "timeseries",
        unit: "none",
        targets: [{ expr: `sum by (datname) (pg_stat_database_numbackends{${pg}})`, legend: "{{datname}}" }],
      },
      {
        title: "Transactions per second",
        type: "timeseries",
        unit: "ops",
        targets: [
          { expr: `sum(rate(pg_stat_database_xact_commit{${pg}}[5m]))`, legend: "commit" },
          { expr: `sum(rate(pg_stat_database_xact_rollback{${pg}}[5m]))`, legend: "rollback" },
        ],
      },
      { title: "Database size", type: "timeseries", unit: "bytes", targets: [{ expr: `pg_database_size_bytes{${pg}}`, legend: "{{datname}}" }] },
      {
        title: "Deadlocks",
        type: "timeseries",
        unit: "none",
        targets: [{ expr: `sum(increase(pg_stat_database_deadlocks{${pg}}[5m]))`, legend: "deadlocks" }],
      },
    ]),
    redis: dashboard(GRAFANA_DASHBOARD_UIDS.redis, "Redis", [
      { title: "Redis up", type: "stat", unit: "none", w: 6, targets: [{ expr: `max(redis_up{${redis}})`, legend: "up" }] },
      {
        title: "Memory used (% of maxmemory)",
        type: "stat",
        unit: "percent",
        w: 6,
        thresholds: [{ value: 90, color: "orange" }],
        targets: [{ expr: `100 * max(redis_memory_used_bytes{${redis}}) / max(redis_memory_max_bytes{${redis}} > 0)`, legend: "used" }],
      },
      // FUN-PERF-03: cache hit ratio target is 80%.
      {
        title: "Cache hit ratio",
        type: "stat",
        unit: "percentunit",
        w: 6,
        thresholds: [
          { value: 0, color: "red" },
          { value: 0.8, color: "green" },
        ],
        targets: [
          {
            expr: `sum(rate(redis_keyspace_hits_total{${redis}}[5m])) / (sum(rate(redis_keyspace_hits_total{${redis}}[5m])) + sum(rate(redis_keyspace_misses_total{${redis}}[5m])))`,
            legend: "hit ratio",
          },
        ],
      },
      { title: "Connected clients", type: "stat", unit: "none", w: 6, targets: [{ expr: `sum(redis_connected_clients{${redis}})`, legend: "clients" }] },
      {
        title: "Memory",
        type: "timeseries",
        unit: "bytes",
        targets: [
          { expr: `redis_memory_used_bytes{${redis}}`, legend: "used" },
          { expr: `redis_memory_max_bytes{${redis}}`, legend: "maxmemory" },
        ],
      },
      {
        title: "Commands per second",
        type: "timeseries",
        unit: "ops",
        targets: [{ expr: `sum(rate(redis_commands_processed_total{${redis}}[5m]))`, legend: "commands" }],
      },
      {
        title: "Evicted and expired keys",
        type: "timeseries",
        unit: "ops",
        targets: [
          { expr: `sum(rate(redis_evicted_keys_total{${redis}}[5m]))`, legend: "evicted" },
          { expr: `sum(rate(redis_expired_keys_total{${redis}}[5m]))`, legend: "expired" },
        ],
      },
    ]),
    nginx: dashboard(GRAFANA_DASHBOARD_UIDS.nginx, "Nginx edge", [
      { title: "Nginx up", type: "stat", unit: "none", w: 8, targets: [{ expr: `max(nginx_up{${nginx}})`, legend: "up" }] },
      { title: "Active connections", type: "stat", unit: "none", w: 8, targets: [{ expr: `sum(nginx_connections_active{${nginx}})`, legend: "active" }] },
      {
        title: "Requests per second",
        type: "stat",
        unit: "reqps",
        w: 8,
        targets: [{ expr: `sum(rate(nginx_http_requests_total{${nginx}}[5m]))`, legend: "req/s" }],
      },
      {
        title: "Requests per second",
        type: "timeseries",
        unit: "reqps",
        targets: [{ expr: `sum(rate(nginx_http_requests_total{${nginx}}[5m]))`, legend: "req/s" }],
      },
      {
        title: "Connections by state",
        type: "timeseries",
        unit: "none",
        targets: ["reading", "writing", "waiting"].map((s) => ({ expr: `sum(nginx_connections_${s}{${nginx}})`, legend: s })),
      },
      {
        title: "Accepted vs handled connections",
        type: "timeseries",
        unit: "cps",
        targets: [
          { expr: `sum(rate(nginx_connections_accepted{${nginx}}[5m]))`, legend: "accepted" },
          { expr: `sum(rate(nginx_connections_handled{${nginx}}[5m]))`, legend: "handled" },
        ],
      },
    ]),
  };
}

/**
 * Provisioning files as container path -> content: the datasource, the dashboard
 * provider and one JSON file per dashboard (under the provider's path).
 */
export function renderGrafanaProvisioning(_config: StackConfig, options: GrafanaProvisioningOptions = {}): Record<string, string> {
  const prov = options.provisioningDir ?? GRAFANA_PROVISIONING_DIR;
  const dashDir = options.dashboardsDir ?? GRAFANA_DASHBOARDS_DIR;
  const datasources = {
    apiVersion: 1,
    datasources: [
      {
        name: "Prometheus",
        uid: GRAFANA_DATASOURCE_UID,
        type: "prometheus",
        access: "proxy",
        url: options.prometheusUrl ?? `http://${HOSTS.prometheus}:${PORTS.prometheus}`,
        isDefault: true,
        editable: false,
        jsonData: { httpMethod: "POST", timeInterval: "15s" },
      },
    ],
  };
  const providers = {
    apiVersion: 1,
    providers: [
      {
        name: "mcp",
        orgId: 1,
        folder: GRAFANA_DASHBOARD_FOLDER,
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: dashDir, foldersFromFilesStructure: false },
      },
    ],
  };
  const header = "# Rendered by infra/render/grafana.ts: edit the renderer, not this file.\n";
  const files: Record<string, string> = {
    [`${prov}/datasources/prometheus.yml`]: header + stringify(datasources),
    [`${prov}/dashboards/mcp.yml`]: header + stringify(providers),
  };
  for (const [key, model] of Object.entries(grafanaDashboards())) files[`${dashDir}/mcp-${key}.json`] = JSON.stringify(model, null, 2) + "\n";
  return files;
}

/** Grafana's environment: nothing secret (the admin password comes from a file). */
export function grafanaEnv(config: StackConfig): Record<string, string> {
  return {
    GF_PATHS_PROVISIONING: GRAFANA_PROVISIONING_DIR,
    GF_SERVER_HTTP_PORT: String(PORTS.grafana),
    GF_SERVER_ROOT_URL: `${topology(config).publicUrl}${GRAFANA_PUBLIC_PREFIX}`,
    GF_SERVER_SERVE_FROM_SUB_PATH: "true",
    GF_SECURITY_ADMIN_USER: config.grafana.adminUser,
    GF_SECURITY_ADMIN_PASSWORD__FILE: GRAFANA_ADMIN_PASSWORD_FILE,
    GF_SECURITY_COOKIE_SECURE: "true",
    GF_SECURITY_DISABLE_GRAVATAR: "true",
    GF_AUTH_ANONYMOUS_ENABLED: "false",
    GF_AUTH_DISABLE_LOGIN_FORM: "false",
    GF_USERS_ALLOW_SIGN_UP: "false",
    GF_USERS_ALLOW_ORG_CREATE: "false",
    GF_SNAPSHOTS_EXTERNAL_ENABLED: "false",
    GF_ANALYTICS_REPORTING_ENABLED: "false",
    GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
    GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
    GF_ANALYTICS_FEEDBACK_LINKS_ENABLED: "false",
    GF_NEWS_NEWS_FEED_ENABLED: "false",
    GF_LOG_MODE: "console",
    GF_METRICS_ENABLED: "true",
  };
}
