/**
 * Where every service lives inside the stack: DNS names on the Docker networks, ports and
 * file paths. Pure; renderers and components read it so a name or port is stated once.
 */
import type { StackConfig } from "./config/load";

/** Container-internal ports. Nginx runs unprivileged, so it listens high and Docker maps 80/443. */
export const PORTS = {
  postgres: 5432,
  redis: 6379,
  nginxHttp: 8080,
  nginxHttps: 8443,
  /** stub_status, reachable only on the Docker networks (never published). */
  nginxStatus: 8081,
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  postgresExporter: 9187,
  redisExporter: 9121,
  nginxExporter: 9113,
  nodeExporter: 9100,
  /** Probes the public endpoint from inside (certificate expiry, health latency). */
  blackboxExporter: 9115,
} as const;

/**
 * DNS names of the services on the stack's networks (network aliases of the swarm services).
 * `tasks.<name>` resolves to every task of a service, whatever its endpoint mode.
 */
export const HOSTS = {
  app: "app",
  postgres: "postgres",
  redis: "redis",
  nginx: "nginx",
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  grafana: "grafana",
  postgresExporter: "postgres-exporter",
  redisExporter: "redis-exporter",
  nginxExporter: "nginx-exporter",
  nodeExporter: "node-exporter",
  blackboxExporter: "blackbox-exporter",
  backup: "backup",
} as const;

/** Paths inside containers where Docker secrets and configs are mounted. */
export const PATHS = {
  secretsDir: "/run/secrets",
  nginxTlsCert: "/etc/nginx/tls/server.crt",
  nginxTlsKey: "/run/secrets/tls.key",
  nginxStaticRoot: "/usr/share/nginx/html",
  postgresTlsCert: "/etc/postgresql/tls/server.crt",
  postgresTlsKey: "/run/secrets/postgres-tls.key",
  postgresCaCert: "/etc/postgresql/tls/ca.crt",
  /** The internal CA that signed PostgreSQL's certificate, for clients that verify it. */
  clientCaCert: "/etc/mcp/tls/internal-ca.crt",
  /** The edge certificate, for in-stack probes (blackbox exporter) that verify it like a client. */
  edgeCertForProbes: "/etc/mcp/tls/edge.crt",
  prometheusRulesDir: "/etc/prometheus/rules",
  /** Shared volume where the backup service writes textfile metrics for node-exporter. */
  textfileDir: "/var/lib/node-exporter/textfile",
} as const;

/** The DNS name that resolves to every task of a service (one A record per replica). */
export function tasksHost(service: string): string {
  return `tasks.${service}`;
}

export interface Topology {
  appPort: number;
  publicUrl: string;
  mcpUrl: string;
  healthUrl: string;
}

export function topology(config: StackConfig): Topology {
  const port = config.edge.httpsPort === 443 ? "" : `:${config.edge.httpsPort}`;
  const publicUrl = `https://${config.domain}${port}`;
  return {
    appPort: config.app.port,
    publicUrl,
    mcpUrl: `${publicUrl}${config.app.mcpPath}`,
    healthUrl: `${publicUrl}${config.app.healthPath}`,
  };
}

/** Docker resource name prefix: one stack per swarm must not collide with another. */
export function resourcePrefix(stack: string): string {
  return `mcp-${stack}`;
}
