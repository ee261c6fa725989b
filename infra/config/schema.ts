/**
 * The stack configuration: one zod schema for every `mcp:*` key in Pulumi.<stack>.yaml.
 * Defaults live here so a stack file only states what differs; docs/configuration.md is
 * generated from this file (scripts/gen-config-docs.ts) and a test keeps the two in step.
 */
import { z } from "zod";
import { imageRefProblem } from "./images";
import {
  HSTS_MIN_MAX_AGE_SECONDS,
  MCP_PROTOCOL_VERSIONS,
  MCP_READ_TIMEOUT_MAX_SECONDS,
  MCP_TOOL_CALL_TIMEOUT_DEFAULT_SECONDS,
} from "../../checklist/thresholds";

/** Every service the stack declares. Order is the order they appear in outputs and reports. */
export const SERVICE_NAMES = [
  "app",
  "postgres",
  "redis",
  "nginx",
  "prometheus",
  "alertmanager",
  "grafana",
  "postgresExporter",
  "redisExporter",
  "nginxExporter",
  "nodeExporter",
  "blackboxExporter",
  "backup",
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Where a key holds a secret: `always`, or only in a prod stack (a certificate is public
 * material, but the prod stack treats it as the key's companion). Marked here, next to the
 * key, so the list of secret keys is derived and cannot drift from the schema.
 */
export type SecretScope = "always" | "prod";
export const secretRegistry = z.registry<{ secret: SecretScope }>();
function secret<T extends z.ZodType>(schema: T, scope: SecretScope = "always"): T {
  secretRegistry.add(schema as z.ZodType, { secret: scope });
  return schema;
}

const duration = z.string().regex(/^\d+(ms|s|m|h|d|w|y)$/, "must be a duration like 15s, 6h or 30d");
const byteSize = z.string().regex(/^\d+(B|KB|MB|GB|TB)$/, "must be a size like 512MB or 10GB");
const urlPath = z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, "must be an absolute URL path like /health");
const hostname = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, "must be a lower-case DNS name");
const imageRef = z.string().superRefine((ref, ctx) => {
  const problem = imageRefProblem(ref);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const limits = z
  .object({
    memoryMb: z.number().int().min(16).max(262144),
    /** Docker `--cpus` (fractional cores), as a string the provider accepts. */
    cpus: z.string().regex(/^\d+(\.\d+)?$/, "must be a number of cores like 0.5"),
  })
  .strict();

const DEFAULT_LIMITS: Record<ServiceName, { memoryMb: number; cpus: string }> = {
  app: { memoryMb: 512, cpus: "1.0" },
  postgres: { memoryMb: 1024, cpus: "1.0" },
  redis: { memoryMb: 384, cpus: "0.5" },
  nginx: { memoryMb: 128, cpus: "0.5" },
  prometheus: { memoryMb: 1024, cpus: "0.5" },
  alertmanager: { memoryMb: 128, cpus: "0.25" },
  // Grafana documents 512 MB as its minimum recommended memory (docs/images.md).
  grafana: { memoryMb: 512, cpus: "0.5" },
  postgresExporter: { memoryMb: 64, cpus: "0.1" },
  redisExporter: { memoryMb: 64, cpus: "0.1" },
  nginxExporter: { memoryMb: 32, cpus: "0.1" },
  nodeExporter: { memoryMb: 64, cpus: "0.1" },
  blackboxExporter: { memoryMb: 64, cpus: "0.1" },
  backup: { memoryMb: 256, cpus: "0.5" },
};

/** Images default to pinned versions that run as non-root with a shell for health checks. */
export const DEFAULT_IMAGES: Record<ServiceName, string> = {
  app: "ghcr.io/mcp-platform/mcp-gateway:1.8.2",
  postgres: "postgres:16.4-alpine3.20",
  redis: "redis:7.4.1-alpine3.20",
  nginx: "nginxinc/nginx-unprivileged:1.27.2-alpine3.20",
  prometheus: "prom/prometheus:v2.54.1",
  alertmanager: "prom/alertmanager:v0.27.0",
  grafana: "grafana/grafana-oss:11.2.2",
  postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
  redisExporter: "oliver006/redis_exporter:v1.63.0-alpine",
  nginxExporter: "nginx/nginx-prometheus-exporter:1.3.0",
  nodeExporter: "prom/node-exporter:v1.8.2",
  blackboxExporter: "prom/blackbox-exporter:v0.25.0",
  // Built from infra/images/backup/Dockerfile (postgres:16.4-alpine3.20 + age + rclone) and pushed by the operator.
  backup: "ghcr.io/mcp-platform/mcp-backup:16.4-1",
};

const perService = <T extends z.ZodTypeAny>(item: T) =>
  z.object(Object.fromEntries(SERVICE_NAMES.map((s) => [s, item.optional()])) as Record<ServiceName, z.ZodOptional<T>>).strict();

const appContract = z
  .object({
    port: z.number().int().min(1024).max(65535).default(8080),
    healthPath: urlPath.default("/health"),
    /** Endpoint that answers 200 to a valid bearer JWT and 401 otherwise. */
    authPath: urlPath.default("/api/auth/verify"),
    listServersPath: urlPath.default("/api/servers"),
    createServerPath: urlPath.default("/api/servers"),
    metricsPath: urlPath.default("/metrics"),
    mcpPath: urlPath.default("/mcp"),
    /** Static assets Nginx serves itself (DEP-WEB-05); probe file is <staticPath>robots.txt. */
    staticPath: urlPath.default("/static/"),
    /** Tool called by the post-deploy MCP probe; must succeed without side effects. */
    probeTool: z.string().min(1).default("echo"),
    probeToolArguments: z.record(z.string(), z.unknown()).default({ message: "mcp-preflight" }),
    jwtIssuer: z.string().min(1).default("mcp-platform"),
    jwtAudience: z.string().min(1).default("mcp-api"),
    /** RFC 9728 protected resource metadata of the MCP endpoint (docs/app-contract.md). */
    resourceMetadataPath: urlPath.default("/.well-known/oauth-protected-resource/mcp"),
    /** MCP protocol revisions the app accepts; the runtime check reports the negotiated one. */
    protocolVersions: z
      .array(z.enum(MCP_PROTOCOL_VERSIONS, { error: `must be one of ${MCP_PROTOCOL_VERSIONS.join(", ")}` }))
      .min(1)
      .default([...MCP_PROTOCOL_VERSIONS]),
    /** Longest a tool call may run before the app ends it with an error. */
    toolCallTimeoutSeconds: z.number().int().min(1).max(MCP_READ_TIMEOUT_MAX_SECONDS).default(MCP_TOOL_CALL_TIMEOUT_DEFAULT_SECONDS),
    /** A side-effect-free tool call that runs past the ceiling, to prove it ends with an error; absent: that check skips. */
    ceilingProbe: z
      .object({ tool: z.string().min(1), arguments: z.record(z.string(), z.unknown()).default({}) })
      .strict()
      .optional(),
    /** Database table the migration tool writes (DEP-DB-02). */
    migrationsTable: z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/)
      .default("schema_migrations"),
    minMigrations: z.number().int().min(0).default(1),
  })
  .strict();

const receiver = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, "must be lower-case letters, digits and dashes"),
    /** Which severities route here. */
    severities: z.array(z.enum(["critical", "warning"])).min(1),
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
    email: z.email().optional(),
    sendResolved: z.boolean().default(true),
  })
  .strict()
  .refine((r) => r.webhookUrl || r.email, { message: "needs webhookUrl or email" });

const contact = z
  .object({
    role: z.enum(["Technical Lead", "Operations Lead", "Security Lead", "Product Owner"]),
    name: z.string().min(1),
    phone: z.string().regex(/^\+?[0-9 ()-]{6,}$/, "must be a phone number"),
    email: z.email(),
  })
  .strict();

export const stackConfigSchema = z
  .object({
    environment: z.enum(["prod", "staging", "dev"]),
    /** Public DNS name served by Nginx; the TLS certificate must cover it. */
    domain: hostname,
    edge: z
      .object({
        /**
         * Host address Nginx's 80/443 bind to. Swarm's host-mode publishing binds every address
         * of the node, so only the wildcard is honest; restrict exposure in the host firewall.
         */
        bindAddress: z
          .union([z.ipv4(), z.ipv6()])
          .default("0.0.0.0")
          .refine((a): boolean => a === "0.0.0.0" || a === "::", {
            message:
              "swarm publishes ports on every address of the node (publish mode host): use 0.0.0.0 and restrict access in the host firewall (docs/docker-host.md)",
          }),
        httpPort: z.number().int().min(1).max(65535).default(80),
        httpsPort: z.number().int().min(1).max(65535).default(443),
        /** HSTS max-age in seconds (1 year by default), never below the checklist's minimum. */
        hstsMaxAgeSeconds: z
          .number()
          .int()
          .min(HSTS_MIN_MAX_AGE_SECONDS, { message: `must be at least ${HSTS_MIN_MAX_AGE_SECONDS} (180 days, SEC-NET-04; checklist/thresholds.ts)` })
          .default(31536000),
      })
      .strict()
      .prefault({}),
    tls: z
      .object({
        /** self-signed: generated with @pulumi/tls (dev); provided: mcp:tlsCertificate + mcp:tlsPrivateKey secrets. */
        mode: z.enum(["self-signed", "provided"]),
        /** Runtime check fails when the served certificate expires sooner. */
        minDaysValid: z.number().int().min(1).default(14),
        /** Validity of the generated certificate in self-signed mode. */
        selfSignedValidityHours: z.number().int().min(24).default(2160),
      })
      .strict(),
    tlsCertificate: secret(z.string().optional(), "prod"),
    tlsPrivateKey: secret(z.string().optional()),
    images: perService(imageRef).default({}),
    app: appContract
      .extend({ replicas: z.number().int().min(1).max(32).default(2) })
      .strict()
      .prefault({}),
    limits: perService(limits).default({}),
    postgres: z
      .object({
        database: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/)
          .default("mcp"),
        user: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/)
          .default("mcp_app"),
        backupUser: z
          .string()
          .regex(/^[a-z_][a-z0-9_]*$/)
          .default("mcp_backup"),
        maxConnections: z.number().int().min(10).max(5000).default(200),
        sharedBuffersMb: z.number().int().min(16).default(256),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        maxmemoryMb: z.number().int().min(16).default(256),
        maxmemoryPolicy: z
          .enum(["allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl", "allkeys-random", "volatile-random"])
          .default("allkeys-lru"),
      })
      .strict()
      .prefault({}),
    grafana: z
      .object({
        adminUser: z
          .string()
          .regex(/^[a-z][a-z0-9_.-]{2,}$/, "must be 3+ lower-case characters")
          .default("mcp-grafana-admin"),
      })
      .strict()
      .prefault({}),
    rateLimit: z
      .object({
        requestsPerSecond: z.number().int().min(1).max(100000),
        burst: z.number().int().min(0).max(100000),
        /** Size of the shared-memory zone holding client addresses. */
        zoneSizeMb: z.number().int().min(1).default(10),
      })
      .strict(),
    prometheus: z
      .object({
        retentionTime: duration,
        retentionSize: byteSize,
        scrapeInterval: duration.default("15s"),
        evaluationInterval: duration.default("15s"),
      })
      .strict(),
    alerting: z
      .object({
        receivers: z.array(receiver).min(1, "needs at least one receiver"),
        groupWait: duration.default("30s"),
        groupInterval: duration.default("5m"),
        repeatInterval: duration.default("4h"),
        errorRatePercent: z.number().min(0.1).max(100).default(5),
        p95LatencyMs: z.number().int().min(1).default(500),
        postgresConnectionsPercent: z.number().int().min(1).max(100).default(80),
        redisMemoryPercent: z.number().int().min(1).max(100).default(90),
        diskFreePercent: z.number().int().min(1).max(99).default(15),
        certExpiryDays: z.number().int().min(1).default(14),
        smtpSmarthost: z
          .string()
          .regex(/^[A-Za-z0-9.-]+:\d+$/, "must be host:port")
          .optional(),
        smtpFrom: z.email().optional(),
      })
      .strict(),
    backup: z
      .object({
        /** Time between backups; the backup-age alert fires at 1.5x this. */
        interval: duration,
        retention: z
          .object({
            /** Newest N backups always kept. */
            keepLast: z.number().int().min(1, "must keep at least 1 backup"),
            /** Older backups are deleted after this many days. */
            maxAgeDays: z.number().int().min(1, "must be at least 1 day"),
          })
          .strict(),
        offsite: z
          .object({
            enabled: z.boolean(),
            endpoint: z.url({ protocol: /^https?$/ }).optional(),
            bucket: z
              .string()
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")
              .optional(),
            region: z.string().min(1).optional(),
            prefix: z.string().default(""),
            accessKeyId: z.string().min(1).optional(),
          })
          .strict()
          .prefault({ enabled: false }),
      })
      .strict(),
    /** Secret: S3 secret key for the off-site copy. */
    backupOffsiteSecretKey: secret(z.string().optional()),
    dr: z
      .object({
        rtoMinutes: z.number().int().min(1),
        rpoMinutes: z.number().int().min(1),
        drillIntervalDays: z.number().int().min(1).default(90),
      })
      .strict(),
    contacts: z.array(contact).default([]),
    host: z
      .object({
        minMemoryGb: z.number().min(0).default(4),
        minDiskGb: z.number().min(0).default(10),
        minDockerVersion: z
          .string()
          .regex(/^\d+\.\d+(\.\d+)?$/)
          .default("20.10"),
        /** Registries whose /v2/ endpoint must answer before deploy. */
        registries: z.array(z.url({ protocol: /^https?$/ })).default(["https://registry-1.docker.io", "https://ghcr.io", "https://quay.io"]),
      })
      .strict()
      .prefault({}),
    swarm: z
      .object({
        /**
         * The address pool the swarm gives overlay networks (`docker swarm init --default-addr-pool`;
         * Docker's default is 10.0.0.0/8). Nginx lets only these addresses read stub_status.
         */
        addressPool: z
          .string()
          .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, "must be a CIDR like 10.0.0.0/8")
          .default("10.0.0.0/8"),
      })
      .strict()
      .prefault({}),
    /** What evidence the sign-off accepts: how old each kind may be, how far ahead a clock may run. */
    signoff: z
      .object({
        maxEvidenceAgeHours: z
          .object({
            // A preflight judges the program and config of a commit: stale once either moves on.
            preflight: z.number().positive().default(72),
            // A running stack drifts; a day-old verify is the most a go/no-go should rest on.
            verify: z.number().positive().default(24),
            tests: z.number().positive().default(168),
            // The default drill interval (mcp:dr.drillIntervalDays, 90 days).
            drill: z.number().positive().default(2160),
          })
          .strict()
          .prefault({}),
        clockSkewMinutes: z.number().min(0).default(5),
      })
      .strict()
      .prefault({}),
    /** Attach post-deploy verification hooks (after-create/update) to the stack's resources. */
    deployHooks: z.boolean().default(true),
  })
  .strict();

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedConfig = z.output<typeof stackConfigSchema>;
export type ServiceLimits = z.output<typeof limits>;
export type AlertReceiver = z.output<typeof receiver>;
export type AppContract = ParsedConfig["app"];

export { DEFAULT_LIMITS };
