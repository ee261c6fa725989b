/**
 * Prometheus, Alertmanager and Grafana. Prometheus keeps data for the configured time and
 * size; Alertmanager routes critical and warning alerts; Grafana has provisioned
 * dashboards and no anonymous access. Checklist: DEP-MON-01..05, MON-ALERT-01/02, MON-METRICS-*.
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PORTS } from "../topology";
import type { ConfigFileSpec, ServiceSpec } from "../spec";
import { baseSpec, httpHealthcheck, secretFile, SpecContext } from "./common";
import { prometheusFlags, prometheusInputFromConfig, renderPrometheusConfig, PROMETHEUS_CONFIG_PATH, ALERT_RULES_PATH } from "../render/prometheus";
import { alertRulesInputFromConfig, renderAlertRules } from "../render/alert-rules";
import { ALERTMANAGER_CONFIG_PATH, alertmanagerInputFromConfig, renderAlertmanagerConfig } from "../render/alertmanager";
import { GRAFANA_ADMIN_PASSWORD_FILE, grafanaEnv, renderGrafanaProvisioning } from "../render/grafana";

export const NOBODY = "65534:65534";
/** The Grafana image's grafana user (group root, as the image expects). */
export const GRAFANA_USER = "472:0";

const file = (path: string, content: string): ConfigFileSpec => ({ path, content, mode: "0444" });

export function prometheusSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "prometheus",
        name: HOSTS.prometheus,
        image: config.images.prometheus,
        user: NOBODY,
        healthcheck: httpHealthcheck(`http://127.0.0.1:${PORTS.prometheus}/-/healthy`),
      },
      {
        stateful: true,
        command: prometheusFlags(config),
        configFiles: [
          file(PROMETHEUS_CONFIG_PATH, renderPrometheusConfig(prometheusInputFromConfig(config))),
          file(ALERT_RULES_PATH, renderAlertRules(alertRulesInputFromConfig(config))),
        ],
        networks: [{ name: "internal", aliases: [HOSTS.prometheus] }],
        volumes: [{ volume: "prometheus-data", containerPath: "/prometheus" }],
      },
    ),
  ];
}

export function alertmanagerSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "alertmanager",
        name: HOSTS.alertmanager,
        image: config.images.alertmanager,
        user: NOBODY,
        healthcheck: httpHealthcheck(`http://127.0.0.1:${PORTS.alertmanager}/-/healthy`),
      },
      {
        stateful: true,
        command: [
          `--config.file=${ALERTMANAGER_CONFIG_PATH}`,
          "--storage.path=/alertmanager",
          `--web.listen-address=:${PORTS.alertmanager}`,
          "--cluster.listen-address=",
        ],
        configFiles: [file(ALERTMANAGER_CONFIG_PATH, renderAlertmanagerConfig(alertmanagerInputFromConfig(config)))],
        // Egress: notifications leave the host; internal: Prometheus reaches it.
        networks: [
          { name: "internal", aliases: [HOSTS.alertmanager] },
          { name: "egress", aliases: [] },
        ],
        volumes: [{ volume: "alertmanager-data", containerPath: "/alertmanager" }],
      },
    ),
  ];
}

export function grafanaSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "grafana",
        name: HOSTS.grafana,
        image: config.images.grafana,
        user: GRAFANA_USER,
        healthcheck: httpHealthcheck(`http://127.0.0.1:${PORTS.grafana}/api/health`, { startPeriod: "60s" }),
      },
      {
        stateful: true,
        env: grafanaEnv(config),
        configFiles: Object.entries(renderGrafanaProvisioning(config)).map(([path, content]) => file(path, content)),
        secretFiles: [secretFile(GRAFANA_ADMIN_PASSWORD_FILE, "grafanaAdminPassword", GRAFANA_USER)],
        // Edge: served by Nginx under /grafana/; internal: queries Prometheus.
        networks: [
          { name: "edge", aliases: [HOSTS.grafana] },
          { name: "internal", aliases: [HOSTS.grafana] },
        ],
        volumes: [{ volume: "grafana-data", containerPath: "/var/lib/grafana" }],
        dependsOn: [HOSTS.prometheus],
      },
    ),
  ];
}
