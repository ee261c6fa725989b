/**
 * Metrics exporters for PostgreSQL, Redis, Nginx, the host and the public endpoint.
 * Credentials come from files. node-exporter reads host CPU and memory from the
 * (non-namespaced) /proc counters without host mounts, and the backup service's textfile
 * metrics from a shared volume. Checklist: MON-METRICS-02, DEP-MON-01.
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS } from "../topology";
import type { ServiceSpec } from "../spec";
import { baseSpec, httpHealthcheck, secretFile, SpecContext } from "./common";
import { BLACKBOX_CONFIG_PATH, blackboxInputFromConfig, renderBlackboxConfig } from "../render/blackbox";
import { NOBODY } from "./monitoring";
import { POSTGRES_EXPORTER_ROLE, POSTGRES_PASSWORD_FILES } from "../render/postgres";

/** The redis_exporter image's user. */
export const REDIS_EXPORTER_USER = "59000:59000";

export function exporterSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  const metrics = (port: number) => httpHealthcheck(`http://127.0.0.1:${port}/metrics`);
  const pg = config.postgres;
  return [
    baseSpec(
      config,
      ctx,
      { service: "postgresExporter", instance: "postgres-exporter", image: config.images.postgresExporter, user: NOBODY, healthcheck: metrics(PORTS.postgresExporter) },
      {
        env: {
          DATA_SOURCE_URI: `${HOSTS.postgres}:${PORTS.postgres}/${pg.database}?sslmode=verify-full&sslrootcert=${PATHS.clientCaCert}`,
          DATA_SOURCE_USER: POSTGRES_EXPORTER_ROLE,
          DATA_SOURCE_PASS_FILE: POSTGRES_PASSWORD_FILES.exporter,
        },
        configFiles: [{ path: PATHS.clientCaCert, content: { material: "internalCaCert" }, mode: "0444" }],
        secretFiles: [secretFile(POSTGRES_PASSWORD_FILES.exporter, "postgresExporterPassword", NOBODY)],
        networks: [{ name: "internal", aliases: [HOSTS.postgresExporter] }],
        dependsOn: ["postgres"],
      },
    ),
    baseSpec(
      config,
      ctx,
      { service: "redisExporter", instance: "redis-exporter", image: config.images.redisExporter, user: REDIS_EXPORTER_USER, healthcheck: metrics(PORTS.redisExporter) },
      {
        env: {
          REDIS_ADDR: `redis://${HOSTS.redis}:${PORTS.redis}`,
          // JSON map of address -> password, the format redis_exporter's password file takes.
          REDIS_PASSWORD_FILE: `${PATHS.secretsDir}/redis-exporter-passwords.json`,
        },
        secretFiles: [
          {
            path: `${PATHS.secretsDir}/redis-exporter-passwords.json`,
            secrets: ["redisPassword"],
            render: (s) => JSON.stringify({ [`redis://${HOSTS.redis}:${PORTS.redis}`]: s.redisPassword }),
            mode: "0400",
            owner: REDIS_EXPORTER_USER,
          },
        ],
        networks: [{ name: "internal", aliases: [HOSTS.redisExporter] }],
        dependsOn: ["redis"],
      },
    ),
    baseSpec(
      config,
      ctx,
      { service: "nginxExporter", instance: "nginx-exporter", image: config.images.nginxExporter, user: NOBODY, healthcheck: metrics(PORTS.nginxExporter) },
      {
        command: [`--nginx.scrape-uri=http://${HOSTS.nginx}:${PORTS.nginxStatus}/stub_status`, `--web.listen-address=:${PORTS.nginxExporter}`],
        networks: [
          { name: "edge", aliases: [HOSTS.nginxExporter] },
          { name: "internal", aliases: [HOSTS.nginxExporter] },
        ],
        dependsOn: ["nginx"],
      },
    ),
    baseSpec(
      config,
      ctx,
      { service: "nodeExporter", instance: "node-exporter", image: config.images.nodeExporter, user: NOBODY, healthcheck: metrics(PORTS.nodeExporter) },
      {
        command: [`--collector.textfile.directory=${PATHS.textfileDir}`, `--web.listen-address=:${PORTS.nodeExporter}`],
        networks: [{ name: "internal", aliases: [HOSTS.nodeExporter] }],
        volumes: [{ volume: "backup-metrics", containerPath: PATHS.textfileDir, readOnly: true }],
        // The backup container (uid 70) must create the shared volume so it owns it.
        dependsOn: ["backup"],
      },
    ),
    baseSpec(
      config,
      ctx,
      { service: "blackboxExporter", instance: "blackbox-exporter", image: config.images.blackboxExporter, user: NOBODY, healthcheck: httpHealthcheck(`http://127.0.0.1:${PORTS.blackboxExporter}/-/healthy`) },
      {
        command: [`--config.file=${BLACKBOX_CONFIG_PATH}`, `--web.listen-address=:${PORTS.blackboxExporter}`],
        configFiles: [
          { path: BLACKBOX_CONFIG_PATH, content: renderBlackboxConfig(blackboxInputFromConfig(config)), mode: "0444" },
          // Self-signed stacks: the probe trusts the stack's own certificate.
          { path: PATHS.edgeCertForProbes, content: { material: "edgeTlsCert" }, mode: "0444" },
        ],
        // Edge: probes https://<domain> the way a client does (Nginx alias); internal: scraped.
        networks: [
          { name: "edge", aliases: [HOSTS.blackboxExporter] },
          { name: "internal", aliases: [HOSTS.blackboxExporter] },
        ],
        dependsOn: ["nginx"],
      },
    ),
  ];
}
