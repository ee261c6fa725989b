/**
 * Stack outputs of a prod stack as `pulumi stack output --json --show-secrets` prints them,
 * for tests that need outputs without deploying: the domain and the internal host names are
 * the caller's (a `.invalid` domain is a stack that is not there), the secrets are given.
 */
import { localStackConfig } from "./stack";

export function sampleOutputs(o: { domain: string; host?: (service: string) => string; secrets: Record<string, string> }) {
  const host = o.host ?? ((s: string) => s);
  const d = o.domain;
  return {
    stack: "prod",
    environment: "prod",
    domain: d,
    publicUrl: `https://${d}`,
    mcpUrl: `https://${d}/mcp`,
    healthUrl: `https://${d}/health`,
    grafanaUrl: `https://${d}/grafana/`,
    resourcePrefix: "mcp-prod",
    networks: { edge: "e", internal: "i", egress: "g" },
    services: [],
    internalEndpoints: {
      postgres: { host: host("postgres"), port: 5432, database: "mcp", user: "mcp_app", backupUser: "mcp_backup" },
      redis: { host: host("redis"), port: 6379 },
      prometheus: `http://${host("prometheus")}:9090`,
      alertmanager: `http://${host("alertmanager")}:9093`,
      grafana: `http://${host("grafana")}:3000`,
      app: { host: host("app"), tasksHost: host("tasks.app"), port: 8080, replicas: 2 },
    },
    appContract: { ...localStackConfig({ http: 80, https: 443 }).app },
    mcpJson: { mcpServers: { "mcp-prod": { type: "http", url: `https://${d}/mcp` } } },
    claudeMcpAddCommand: "claude mcp add ...",
    secretFingerprints: {},
    internalCaCert: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
    tls: { mode: "provided", minDaysValid: 21 },
    backup: { interval: "6h", keepLast: 28, maxAgeDays: 14, offsiteEnabled: true, volume: "mcp-prod-backups" },
    dr: { rtoMinutes: 60, rpoMinutes: 360, drillIntervalDays: 90 },
    rateLimit: { requestsPerSecond: 20, burst: 40 },
    checklistVersion: "x",
    secrets: o.secrets,
  };
}
