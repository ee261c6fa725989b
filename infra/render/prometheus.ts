/**
 * prometheus.yml and the Prometheus command line. Every service and exporter is a scrape
 * job (DEP-MON-01, MON-METRICS-01/02), alerts go to Alertmanager (DEP-MON-04), and the
 * retention flags come from config (DEP-MON-05). Targets are plain "host:port" strings,
 * so a test renders the same file with loopback targets.
 */
import { stringify } from "yaml";
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS, tasksHost } from "../topology";
import { BLACKBOX_MODULE } from "./blackbox";
import { durationSeconds } from "../config/durations";

/** 10s, or the scrape interval when that is shorter. */
export function scrapeTimeout(scrapeInterval: string): string {
  return durationSeconds(scrapeInterval) < 10 ? scrapeInterval : "10s";
}

/** Job names: alert rules, dashboards and runtime checks select series by these. */
export const SCRAPE_JOBS = {
  prometheus: "prometheus",
  app: "mcp-app",
  postgres: "postgres-exporter",
  redis: "redis-exporter",
  nginx: "nginx-exporter",
  node: "node-exporter",
  alertmanager: "alertmanager",
  grafana: "grafana",
  blackboxExporter: "blackbox-exporter",
  /** The blackbox probe of the public HTTPS health endpoint. */
  edgeProbe: "edge-https-probe",
} as const;
export type ScrapeJobKey = keyof typeof SCRAPE_JOBS;

export const PROMETHEUS_CONFIG_PATH = "/etc/prometheus/prometheus.yml";
export const PROMETHEUS_DATA_DIR = "/prometheus";
/** File name of the alert rules inside PATHS.prometheusRulesDir. */
export const ALERT_RULES_FILE = "mcp-alerts.yml";
/** Where the alert rules are uploaded (matched by the rule_files glob). */
export const ALERT_RULES_PATH = `${PATHS.prometheusRulesDir}/${ALERT_RULES_FILE}`;
/** Grafana serves /metrics at its root even with serve_from_sub_path. */
export const GRAFANA_METRICS_PATH = "/metrics";

export interface ScrapeJob {
  name: string;
  /** "host:port" each. */
  targets: string[];
  /**
   * DNS service discovery instead of fixed targets: every A record of each name is a target
   * (`tasks.<service>` has one per replica, so each replica is scraped on its own).
   */
  dns?: { names: string[]; port: number };
  metricsPath?: string;
  /** `service` label on every series of the job (alert grouping and routing use it). */
  service: string;
}

export interface PrometheusInput {
  scrapeInterval: string;
  evaluationInterval: string;
  externalLabels: Record<string, string>;
  /** Globs or paths of rule files. */
  ruleFiles: string[];
  /** Alertmanager "host:port" list. */
  alertmanagers: string[];
  jobs: ScrapeJob[];
  /** Blackbox probes: URLs probed through the exporter at `exporter` ("host:port"). */
  probe?: { jobName: string; exporter: string; module: string; urls: string[]; service: string };
}

export function prometheusInputFromConfig(config: StackConfig): PrometheusInput {
  const at = (host: string, port: number) => `${host}:${port}`;
  return {
    scrapeInterval: config.prometheus.scrapeInterval,
    evaluationInterval: config.prometheus.evaluationInterval,
    externalLabels: { environment: config.environment, domain: config.domain },
    ruleFiles: [`${PATHS.prometheusRulesDir}/*.yml`],
    alertmanagers: [at(HOSTS.alertmanager, PORTS.alertmanager)],
    jobs: [
      { name: SCRAPE_JOBS.prometheus, targets: [at("localhost", PORTS.prometheus)], service: "prometheus" },
      {
        name: SCRAPE_JOBS.app,
        targets: [],
        dns: { names: [tasksHost(HOSTS.app)], port: config.app.port },
        metricsPath: config.app.metricsPath,
        service: "app",
      },
      { name: SCRAPE_JOBS.postgres, targets: [at(HOSTS.postgresExporter, PORTS.postgresExporter)], service: "postgres" },
      { name: SCRAPE_JOBS.redis, targets: [at(HOSTS.redisExporter, PORTS.redisExporter)], service: "redis" },
      { name: SCRAPE_JOBS.nginx, targets: [at(HOSTS.nginxExporter, PORTS.nginxExporter)], service: "nginx" },
      { name: SCRAPE_JOBS.node, targets: [at(HOSTS.nodeExporter, PORTS.nodeExporter)], service: "node" },
      { name: SCRAPE_JOBS.alertmanager, targets: [at(HOSTS.alertmanager, PORTS.alertmanager)], service: "alertmanager" },
      { name: SCRAPE_JOBS.grafana, targets: [at(HOSTS.grafana, PORTS.grafana)], metricsPath: GRAFANA_METRICS_PATH, service: "grafana" },
      { name: SCRAPE_JOBS.blackboxExporter, targets: [at(HOSTS.blackboxExporter, PORTS.blackboxExporter)], service: "blackbox" },
    ],
    probe: {
      jobName: SCRAPE_JOBS.edgeProbe,
      exporter: at(HOSTS.blackboxExporter, PORTS.blackboxExporter),
      module: BLACKBOX_MODULE,
      // nginx by its internal name; the module sends the public name as SNI and Host.
      urls: [`https://${HOSTS.nginx}:${PORTS.nginxHttps}${config.app.healthPath}`],
      service: "edge",
    },
  };
}

const DURATION = /^\d+(ms|s|m|h|d|w|y)$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;

export function prometheusInputProblems(input: PrometheusInput): string[] {
  const problems: string[] = [];
  for (const k of ["scrapeInterval", "evaluationInterval"] as const) if (!DURATION.test(input[k])) problems.push(`${k} "${input[k]}" is not a duration`);
  const names = input.jobs.map((j) => j.name).concat(input.probe ? [input.probe.jobName] : []);
  names.forEach((n, i) => names.indexOf(n) !== i && problems.push(`duplicate job name "${n}"`));
  for (const j of input.jobs) {
    if (j.targets.length === 0 && !j.dns?.names.length) problems.push(`job "${j.name}" has no targets`);
    if (j.dns && j.targets.length) problems.push(`job "${j.name}" has both targets and dns discovery`);
    for (const n of j.dns?.names ?? []) if (!/^[A-Za-z0-9.-]+$/.test(n)) problems.push(`job "${j.name}" dns name "${n}" is not a host name`);
    for (const t of j.targets) if (!HOST_PORT.test(t)) problems.push(`job "${j.name}" target "${t}" is not host:port`);
  }
  for (const a of input.alertmanagers) if (!HOST_PORT.test(a)) problems.push(`alertmanager "${a}" is not host:port`);
  if (input.probe) {
    if (!HOST_PORT.test(input.probe.exporter)) problems.push(`probe.exporter "${input.probe.exporter}" is not host:port`);
    for (const u of input.probe.urls) if (!/^https?:\/\/\S+$/.test(u)) problems.push(`probe url "${u}" is not an http(s) URL`);
  }
  return problems;
}

export function renderPrometheusConfig(input: PrometheusInput): string {
  const problems = prometheusInputProblems(input);
  if (problems.length) throw new Error(`invalid prometheus input:\n  - ${problems.join("\n  - ")}`);
  const scrapeConfigs: Record<string, unknown>[] = input.jobs.map((j) => ({
    job_name: j.name,
    ...(j.metricsPath ? { metrics_path: j.metricsPath } : {}),
    ...(j.dns
      ? {
          dns_sd_configs: [{ names: j.dns.names, type: "A", port: j.dns.port, refresh_interval: "30s" }],
          relabel_configs: [{ target_label: "service", replacement: j.service }],
        }
      : { static_configs: [{ targets: j.targets, labels: { service: j.service } }] }),
  }));
  if (input.probe) {
    const p = input.probe;
    scrapeConfigs.push({
      job_name: p.jobName,
      metrics_path: "/probe",
      params: { module: [p.module] },
      static_configs: [{ targets: p.urls, labels: { service: p.service } }],
      // The standard blackbox pattern: the URL becomes ?target= and the instance label;
      // the scrape itself goes to the exporter.
      relabel_configs: [
        { source_labels: ["__address__"], target_label: "__param_target" },
        { source_labels: ["__param_target"], target_label: "instance" },
        { target_label: "__address__", replacement: p.exporter },
      ],
    });
  }
  const doc = {
    global: {
      scrape_interval: input.scrapeInterval,
      evaluation_interval: input.evaluationInterval,
      // Prometheus rejects a timeout longer than the interval.
      scrape_timeout: scrapeTimeout(input.scrapeInterval),
      external_labels: input.externalLabels,
    },
    rule_files: input.ruleFiles,
    alerting: { alertmanagers: [{ static_configs: [{ targets: input.alertmanagers }] }] },
    scrape_configs: scrapeConfigs,
  };
  return `# Rendered by infra/render/prometheus.ts: edit the renderer, not this file.\n${stringify(doc)}`;
}

export interface PrometheusFlagPaths {
  configFile?: string;
  storagePath?: string;
  /** e.g. 127.0.0.1:PORT in a test; the container default is Prometheus's own (:9090). */
  listenAddress?: string;
}

/**
 * Prometheus command line. `--web.enable-lifecycle` and `--web.enable-admin-api` stay off:
 * nobody on the network may reload or delete data through the HTTP API.
 */
export function prometheusFlags(config: StackConfig, paths: PrometheusFlagPaths = {}): string[] {
  const flags = [
    `--config.file=${paths.configFile ?? PROMETHEUS_CONFIG_PATH}`,
    `--storage.tsdb.path=${paths.storagePath ?? PROMETHEUS_DATA_DIR}`,
    // DEP-MON-05: both limits apply; whichever is reached first drops old blocks.
    `--storage.tsdb.retention.time=${config.prometheus.retentionTime}`,
    `--storage.tsdb.retention.size=${config.prometheus.retentionSize}`,
  ];
  if (paths.listenAddress) flags.push(`--web.listen-address=${paths.listenAddress}`);
  return flags;
}
