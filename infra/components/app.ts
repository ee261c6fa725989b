/**
 * The MCP application: one swarm service with mcp:app.replicas tasks behind Nginx.
 * Secrets reach it only as Docker secrets named by *_FILE variables (the app contract,
 * docs/api.md). Checklist: HA-REDUNDANCY-01, SEC-DATA-02, FUN-API-*.
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS, topology } from "../topology";
import type { ServiceSpec } from "../spec";
import { baseSpec, httpHealthcheck, secretFile, SpecContext } from "./common";
import { POSTGRES_PASSWORD_FILES } from "../render/postgres";

export const APP_USER = "10001:10001";

/** Non-secret environment of every replica: the app contract's configuration surface. */
export function appEnv(config: StackConfig): Record<string, string> {
  const c = config.app;
  return {
    NODE_ENV: config.environment === "dev" ? "development" : "production",
    PORT: String(c.port),
    // Swarm template: each task gets its own (app.1, app.2, ...), for logs and metrics labels.
    INSTANCE_ID: "{{.Service.Name}}.{{.Task.Slot}}",
    // The MCP resource's own URL base (RFC 9728 metadata, the one Origin and Host served).
    PUBLIC_URL: topology(config).publicUrl,
    MCP_PATH: c.mcpPath,
    RESOURCE_METADATA_PATH: c.resourceMetadataPath,
    MCP_PROTOCOL_VERSIONS: c.protocolVersions.join(","),
    TOOL_CALL_TIMEOUT_SECONDS: String(c.toolCallTimeoutSeconds),
    HEALTH_PATH: c.healthPath,
    METRICS_PATH: c.metricsPath,
    LOG_FORMAT: "json",
    AUTH_REQUIRED: "true",
    DATABASE_HOST: HOSTS.postgres,
    DATABASE_PORT: String(PORTS.postgres),
    DATABASE_NAME: config.postgres.database,
    DATABASE_USER: config.postgres.user,
    DATABASE_PASSWORD_FILE: POSTGRES_PASSWORD_FILES.app,
    DATABASE_SSLMODE: "verify-full",
    DATABASE_SSLROOTCERT: PATHS.clientCaCert,
    DATABASE_POOL_MAX: String(Math.max(5, Math.floor((config.postgres.maxConnections * 0.6) / config.app.replicas))),
    REDIS_HOST: HOSTS.redis,
    REDIS_PORT: String(PORTS.redis),
    REDIS_PASSWORD_FILE: `${PATHS.secretsDir}/redis-password`,
    JWT_SECRET_FILE: `${PATHS.secretsDir}/jwt-signing-key`,
    JWT_ISSUER: c.jwtIssuer,
    JWT_AUDIENCE: c.jwtAudience,
  };
}

export function appSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "app",
        name: HOSTS.app,
        image: config.images.app,
        user: APP_USER,
        healthcheck: httpHealthcheck(`http://127.0.0.1:${config.app.port}${config.app.healthPath}`),
      },
      {
        replicas: config.app.replicas,
        env: appEnv(config),
        configFiles: [{ path: PATHS.clientCaCert, content: { material: "internalCaCert" }, mode: "0444" }],
        secretFiles: [
          secretFile(POSTGRES_PASSWORD_FILES.app, "postgresPassword", APP_USER),
          secretFile(`${PATHS.secretsDir}/redis-password`, "redisPassword", APP_USER),
          secretFile(`${PATHS.secretsDir}/jwt-signing-key`, "jwtSigningKey", APP_USER),
        ],
        // Edge for Nginx, internal for the database, cache and Prometheus.
        networks: [
          { name: "edge", aliases: [HOSTS.app] },
          { name: "internal", aliases: [HOSTS.app] },
        ],
        dependsOn: [HOSTS.postgres, HOSTS.redis],
      },
    ),
  ];
}
