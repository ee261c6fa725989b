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
import { imageFactsOfService } from "../image-facts";
import { BLACKBOX_CONFIG_PATH, blackboxInputFromConfig, renderBlackboxConfig } from "../render/blackbox";
import { NOBODY } from "./monitoring";
import { POSTGRES_EXPORTER_ROLE, POSTGRES_PASSWORD_FILES } from "../render/postgres";

/** The redis_exporter image's user. */
export const REDIS_EXPORTER_USER = "59000:59000";
/** The nginx-prometheus-exporter image's user (its scratch image has no other). */
export const NGINX_EXPORTER_USER = "1001:1001";

export function exporterSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  const metrics = (port: number) => httpHealthcheck(`http://127.0.0.1:${port}/metrics`);
  const pg = config.postgres;
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "postgresExporter",
        name: HOSTS.postgresExporter,
        image: config.images.postgresExporter,
        user: NOBODY,
        healthcheck: metrics(PORTS.postgresExporter),
      },
      {
        env: {
          DATA_SOURCE_URI: `${HOSTS.postgres}:${PORTS.postgres}/${pg.database}?sslmode=verify-full&sslrootcert=${PATHS.clientCaCert}`,
          DATA_SOURCE_USER: POSTGRES_EXPORTER_ROLE,
          DATA_SOURCE_PASS_FILE: POSTGRES_PASSWORD_FILES.exporter,
        },
        configFiles: [{ path: PATHS.clientCaCert, content: { material: "internalCaCert" }, mode: "0444" }],
        secretFiles: [secretFile(POSTGRES_PASSWORD_FILES.exporter, "postgresExporterPassword", NOBODY)],
        networks: [{ name: "internal", aliases: [HOSTS.postgresExporter] }],
        dependsOn: [HOSTS.postgres],
      },
    ),
    baseSpec(
      config,
      ctx,
      {
        service: "redisExporter",
        name: HOSTS.redisExporter,
        image: config.images.redisExporter,
        user: REDIS_EXPORTER_USER,
        healthcheck: metrics(PORTS.redisExporter),
      },
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
        dependsOn: [HOSTS.redis],
      },
    ),
    baseSpec(
      config,
      ctx,
      {
        service: "nginxExporter",
        name: HOSTS.nginxExporter,
        image: config.images.nginxExporter,
        user: NGINX_EXPORTER_USER,
        // FROM scratch: nothing to exec a probe with (docs/images.md); Prometheus' up{job} and ServiceDown watch it.
        healthcheck: { none: imageFactsOfService("nginxExporter").health },
      },
      {
        command: [`--nginx.scrape-uri=http://${HOSTS.nginx}:${PORTS.nginxStatus}/stub_status`, `--web.listen-address=:${PORTS.nginxExporter}`],
        // It writes nothing.
        tmpfs: [],
        networks: [
          { name: "edge", aliases: [HOSTS.nginxExporter] },
          { name: "internal", aliases: [HOSTS.nginxExporter] },
        ],
        dependsOn: [HOSTS.nginx],
      },
    ),
    baseSpec(
      config,
      ctx,
      { service: "nodeExporter", name: HOSTS.nodeExporter, image: config.images.nodeExporter, user: NOBODY, healthcheck: metrics(PORTS.nodeExporter) },
      {
        command: [`--collector.textfile.directory=${PATHS.textfileDir}`, `--web.listen-address=:${PORTS.nodeExporter}`],
        networks: [{ name: "internal", aliases: [HOSTS.nodeExporter] }],
        volumes: [{ volume: "backup-metrics", containerPath: PATHS.textfileDir, readOnly: true }],
        // The metrics volume is local to the node the backup service runs on.
        stateful: true,
        dependsOn: [HOSTS.backup],
      },
    ),
    baseSpec(
      config,
      ctx,
      {
        service: "blackboxExporter",
        name: HOSTS.blackboxExporter,
        image: config.images.blackboxExporter,
        user: NOBODY,
        healthcheck: httpHealthcheck(`http://127.0.0.1:${PORTS.blackboxExporter}/-/healthy`),
      },
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
        dependsOn: [HOSTS.nginx],
      },
    ),
  ];
}
