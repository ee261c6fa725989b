/**
 * npm run docs:config — writes docs/configuration.md from the stack schema
 * (infra/config/schema.ts) through zod's JSON-schema export: every key with its type,
 * default, allowed values and description. tests/docs/config-reference.test.ts fails when
 * the committed file differs from what this renders, when a schema key has no description
 * here, or when a description names a key the schema no longer has.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { DEFAULT_IMAGES, DEFAULT_LIMITS, SERVICE_NAMES, stackConfigSchema } from "../infra/config/schema";
import { SECRET_KEY_SCOPES, SECRET_KEYS } from "../infra/config/load";

export const CONFIG_DOC = "docs/configuration.md";

/** Descriptions by key path; `*` stands for one service name. */
export const KEY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  environment: "Which kind of stack this is. `prod` requires at least 2 app replicas and a provided (CA-issued) certificate.",
  domain: "Public DNS name Nginx serves; the TLS certificate must cover it and the runtime TLS check connects to it.",
  "edge.bindAddress":
    "Host address the edge ports are reached on. Swarm publishes Nginx's ports in host mode on every address of the node running it, so only the wildcard (`0.0.0.0` or `::`) is accepted: restrict exposure in the host firewall. `host:check` probes the ports on this address.",
  "edge.httpPort": "Host port that answers plain HTTP with a 301 redirect to HTTPS.",
  "edge.httpsPort": "Host port that serves HTTPS. Must differ from `edge.httpPort`.",
  "edge.hstsMaxAgeSeconds": "`max-age` of the Strict-Transport-Security header, in seconds.",
  "swarm.addressPool":
    "The address pool the swarm gives overlay networks (`docker swarm init --default-addr-pool`, Docker's default 10.0.0.0/8). Nginx lets only these addresses (and loopback) read stub_status.",
  "tls.mode":
    "`self-signed`: the program generates a certificate with @pulumi/tls (dev). `provided`: the certificate and key come from the `tlsCertificate` and `tlsPrivateKey` secrets (required in prod).",
  "tls.minDaysValid": "The runtime TLS check fails when the served certificate expires in fewer days than this.",
  "tls.selfSignedValidityHours": "Validity of the generated certificate in `self-signed` mode.",
  tlsCertificate: 'PEM certificate chain for `tls.mode: provided`. Secret: `pulumi config set --secret mcp:tlsCertificate -- "$(cat fullchain.pem)"`.',
  tlsPrivateKey:
    'PEM private key for `tls.mode: provided`. Secret: `pulumi config set --secret mcp:tlsPrivateKey -- "$(cat privkey.pem)"`. Delivered to Nginx as a 0400 file, never an environment value.',
  "images.*": "Image reference for the service. Must carry a version tag or digest; `:latest` and untagged references are refused.",
  "app.port": "Port the MCP application listens on inside its containers (Nginx proxies to it).",
  "app.healthPath": "Health endpoint of the app (GET, 200 when healthy); also the path of the latency check (p95 < 500 ms).",
  "app.authPath": "Endpoint that answers 200 to a valid bearer JWT and 401 otherwise.",
  "app.listServersPath": "Endpoint that lists registered MCP servers (GET).",
  "app.createServerPath": "Endpoint that registers an MCP server (POST); the runtime check creates one, sees it listed and deletes it.",
  "app.metricsPath": "Prometheus exposition endpoint of the app, scraped on every replica.",
  "app.mcpPath": "MCP Streamable HTTP endpoint served through Nginx (unbuffered).",
  "app.staticPath": "URL prefix Nginx serves static files under; the check fetches `<staticPath>robots.txt`.",
  "app.probeTool": "MCP tool the post-deploy check calls; it must succeed without side effects.",
  "app.probeToolArguments": "Arguments for the probe tool call.",
  "app.jwtIssuer": "`iss` claim of the JWTs the app accepts (the auth check signs a short-lived token with it).",
  "app.jwtAudience": "`aud` claim of the JWTs the app accepts.",
  "app.resourceMetadataPath":
    "Path of the MCP endpoint's OAuth protected resource metadata (RFC 9728), named by `WWW-Authenticate` on a 401 (docs/app-contract.md).",
  "app.protocolVersions": "MCP protocol revisions the app accepts; a request with any other `MCP-Protocol-Version` must get 400.",
  "app.toolCallTimeoutSeconds":
    "Longest a tool call may run before the app ends it with an error; Nginx's read timeout on the MCP location must be at least this.",
  "app.ceilingProbe.tool":
    "Optional: a side-effect-free tool whose call (with `ceilingProbe.arguments`) runs past `toolCallTimeoutSeconds`, to prove the app ends it with an error. Absent: that check skips.",
  "app.ceilingProbe.arguments": "Arguments that make `ceilingProbe.tool` run past the ceiling.",
  "app.migrationsTable": "Table the app's migration tool writes; the database check counts its rows.",
  "app.minMigrations": "Fewest applied migrations the database check accepts.",
  "app.replicas": "Number of app containers behind Nginx. prod needs at least 2.",
  "limits.*.memoryMb": "Memory limit of the service's containers, in MB (Docker `--memory`).",
  "limits.*.cpus": "CPU limit of the service's containers, in cores (Docker `--cpus`, e.g. `0.5`).",
  "postgres.database": "Database the app uses.",
  "postgres.user": "Role the app connects as (password generated by the program).",
  "postgres.backupUser": "Read-only role the backup service connects as (password generated by the program).",
  "postgres.maxConnections": "PostgreSQL `max_connections`; the connections alert fires at `alerting.postgresConnectionsPercent` of it.",
  "postgres.sharedBuffersMb": "PostgreSQL `shared_buffers`, in MB.",
  "redis.maxmemoryMb": "Redis `maxmemory`, in MB. Must stay below the Redis container's memory limit.",
  "redis.maxmemoryPolicy": "Redis eviction policy when `maxmemory` is reached.",
  "grafana.adminUser": "Grafana admin login (the password is generated by the program and delivered as a file).",
  "rateLimit.requestsPerSecond": "Nginx `limit_req` rate per client address; excess requests get HTTP 429.",
  "rateLimit.burst": "Requests a client may exceed the rate by before 429s start. At most 100 times the rate.",
  "rateLimit.zoneSizeMb": "Size of Nginx's shared-memory zone that holds client addresses.",
  "prometheus.retentionTime": "How long Prometheus keeps samples (`--storage.tsdb.retention.time`).",
  "prometheus.retentionSize": "Most disk Prometheus uses (`--storage.tsdb.retention.size`).",
  "prometheus.scrapeInterval": "How often every target is scraped.",
  "prometheus.evaluationInterval": "How often alert rules are evaluated.",
  "alerting.receivers[].name": "Receiver name (lower-case letters, digits, dashes), unique.",
  "alerting.receivers[].severities": "Which alert severities route to this receiver. At least one receiver must take `critical`.",
  "alerting.receivers[].webhookUrl": "Webhook (e.g. a pager's events endpoint) the receiver posts to. A receiver needs a webhook or an e-mail.",
  "alerting.receivers[].email": "Address the receiver mails. Needs `alerting.smtpSmarthost` and `alerting.smtpFrom`.",
  "alerting.receivers[].sendResolved": "Also notify when the alert resolves.",
  "alerting.groupWait": "Alertmanager `group_wait`: how long to wait to batch a new group's first notification.",
  "alerting.groupInterval": "Alertmanager `group_interval`: how long before notifying about new alerts in a group.",
  "alerting.repeatInterval": "Alertmanager `repeat_interval`: how long before re-sending a still-firing alert.",
  "alerting.errorRatePercent": "HighErrorRate fires when the share of 5xx responses exceeds this percentage.",
  "alerting.p95LatencyMs": "HighLatencyP95 fires when the app's p95 request latency exceeds this.",
  "alerting.postgresConnectionsPercent": "PostgresConnectionsHigh fires above this share of `postgres.maxConnections`.",
  "alerting.redisMemoryPercent": "RedisMemoryHigh fires above this share of `redis.maxmemoryMb`.",
  "alerting.diskFreePercent": "DiskSpaceLow fires when free disk drops below this percentage.",
  "alerting.certExpiryDays": "TLSCertificateExpiring fires when the served certificate expires in fewer days.",
  "alerting.smtpSmarthost": "SMTP server (`host:port`) for e-mail receivers.",
  "alerting.smtpFrom": "Sender address of alert e-mails.",
  "backup.interval": "Time between database backups; the BackupTooOld alert fires at 1.5 times this. At least 5m.",
  "backup.retention.keepLast": "The newest N backups are always kept.",
  "backup.retention.maxAgeDays": "Backups older than this (beyond the newest `keepLast`) are deleted.",
  "backup.offsite.enabled": "Copy every backup to an S3-compatible bucket.",
  "backup.offsite.endpoint": "S3 endpoint URL. Required when off-site copies are enabled.",
  "backup.offsite.bucket": "Bucket name. Required when off-site copies are enabled.",
  "backup.offsite.region": "Bucket region. Required when off-site copies are enabled.",
  "backup.offsite.prefix": "Key prefix for the copies inside the bucket.",
  "backup.offsite.accessKeyId": "Access key ID. Required when off-site copies are enabled; the secret key is `backupOffsiteSecretKey`.",
  backupOffsiteSecretKey: "S3 secret key for off-site copies. Secret: `pulumi config set --secret mcp:backupOffsiteSecretKey`.",
  "dr.rtoMinutes": "Recovery time objective: the longest the service may be down after a disaster. The restore drill reports the measured time against it.",
  "dr.rpoMinutes": "Recovery point objective: the most data (in time) that may be lost. Cannot be shorter than `backup.interval`.",
  "dr.drillIntervalDays": "How often the restore drill must be run.",
  "contacts[].role": "Sign-off role of the contact; one contact per role.",
  "contacts[].name": "Contact's name (emergency contacts table of the sign-off).",
  "contacts[].phone": "Contact's phone number.",
  "contacts[].email": "Contact's e-mail address.",
  "signoff.maxEvidenceAgeHours.preflight":
    "The sign-off refuses a preflight report older than this, in hours (it judged the program and config of an older commit).",
  "signoff.maxEvidenceAgeHours.verify":
    "The sign-off refuses a verify or host:check report older than this, in hours (the running stack may have changed since).",
  "signoff.maxEvidenceAgeHours.tests": "The sign-off refuses jest results (`--tests`) older than this, in hours.",
  "signoff.maxEvidenceAgeHours.drill": "The sign-off refuses a restore drill report older than this, in hours (default: the 90-day drill interval).",
  "signoff.clockSkewMinutes":
    "How far in the future (by the sign-off's clock, or `--now`) a report may be dated before the sign-off refuses it as made by a wrong clock.",
  "host.minMemoryGb": "Host readiness: least total memory of the Docker host, in GB.",
  "host.minDiskGb": "Host readiness: least free disk on Docker's data root, in GB.",
  "host.minDockerVersion": "Host readiness: oldest Docker Engine version accepted.",
  "host.registries": "Host readiness: registries whose `/v2/` endpoint must answer before deploy.",
  deployHooks: "Attach the post-deploy checks as Pulumi resource hooks, so `pulumi up` fails when a service it just created does not work.",
};

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  minItems?: number;
  pattern?: string;
  format?: string;
  additionalProperties?: unknown;
}

export interface KeyRow {
  /** Path without namespace, e.g. `edge.httpPort`, `alerting.receivers[].name`. */
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  allowed: string;
  secret: boolean;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  if (s.type === "object") return "mapping";
  if (s.type === "string" && s.format) return { uri: "URL", email: "e-mail", ipv4: "IPv4", ipv6: "IPv6" }[s.format] ?? s.format;
  return s.type ?? "any";
}

function allowedOf(s: JsonSchema): string {
  if (s.anyOf) return s.anyOf.map(allowedOf).filter(Boolean).join("; ");
  if (s.type === "array" && s.items) return [s.minItems ? `at least ${s.minItems}` : "", allowedOf(s.items)].filter(Boolean).join("; ");
  if (s.enum) return s.enum.map((e) => `\`${String(e)}\``).join(", ");
  const parts: string[] = [];
  if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < MAX_SAFE) parts.push(`${s.minimum}–${s.maximum}`);
  else if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  else if (s.maximum !== undefined && s.maximum < MAX_SAFE) parts.push(`≤ ${s.maximum}`);
  if (s.minLength) parts.push("not empty");
  if (s.pattern && s.pattern.length <= 40) parts.push(`\`${s.pattern}\``);
  return parts.join("; ");
}

function walk(s: JsonSchema, prefix: string, required: boolean, out: KeyRow[]): void {
  if (s.type === "object" && s.properties) {
    for (const [k, v] of Object.entries(s.properties)) walk(v, prefix ? `${prefix}.${k}` : k, required && (s.required ?? []).includes(k), out);
    return;
  }
  if (s.type === "array" && s.items?.type === "object" && s.items.properties) {
    walk(s.items, `${prefix}[]`, required, out);
    return;
  }
  const top = prefix.split(/[.[]/)[0];
  out.push({ path: prefix, type: typeOf(s), required, default: s.default, allowed: allowedOf(s), secret: (SECRET_KEYS as readonly string[]).includes(top) });
}

/** Every leaf key of the schema, in schema order. `required` means the stack file must set it. */
export function configKeyRows(): KeyRow[] {
  const schema = z.toJSONSchema(stackConfigSchema, { unrepresentable: "any", io: "input" }) as JsonSchema;
  const out: KeyRow[] = [];
  walk(schema, "", true, out);
  return out;
}

/** The description key for a path: service names become `*`. */
export function descriptionKey(p: string): string {
  const parts = p.split(".");
  if ((parts[0] === "images" || parts[0] === "limits") && (SERVICE_NAMES as readonly string[]).includes(parts[1])) parts[1] = "*";
  return parts.join(".");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const fmt = (v: unknown) => (v === undefined ? "" : `\`${JSON.stringify(v)}\``);

export function renderConfigReference(): string {
  const rows = configKeyRows();
  const missing = [...new Set(rows.map((r) => descriptionKey(r.path)).filter((k) => !KEY_DESCRIPTIONS[k]))];
  if (missing.length) throw new Error(`no description for config key(s): ${missing.join(", ")} — add them to KEY_DESCRIPTIONS in scripts/gen-config-docs.ts`);
  const perService = rows.filter((r) => /^(images|limits)\./.test(r.path));
  const general = rows.filter((r) => !perService.includes(r));
  const groups: string[] = [];
  for (const r of general) {
    const g = r.path.split(/[.[]/)[0];
    if (!groups.includes(g)) groups.push(g);
  }
  const out: string[] = [];
  out.push("# Configuration reference", "");
  out.push(
    "<!-- Generated by `npm run docs:config` from infra/config/schema.ts. Do not edit: tests/docs/config-reference.test.ts fails when this file is out of date. -->",
    "",
  );
  out.push(
    "Every key lives under the `mcp:` namespace of `Pulumi.<stack>.yaml` (this repository ships `Pulumi.prod.yaml` and `Pulumi.dev.yaml`). Set a value with `pulumi config set --path 'mcp:edge.httpsPort' 8443 --stack prod`, a secret with `--secret`, or edit the YAML: structured keys are YAML mappings under `mcp:<key>:`.",
    "",
    'The whole file is validated before any resource is created: one error lists every bad key and why (e.g. `mcp:images.redis: "redis:latest" uses :latest: pin a version`). The same validation runs in `npm run preflight` without the Pulumi CLI; secret values are never quoted back.',
    "",
    "Database, Redis, Grafana, JWT and backup-encryption secrets are not configuration: the program generates them (`RandomPassword`, 32+ characters) and hands them to the services as Docker secrets: files under `/run/secrets`, mode 0400, owned by the service user.",
    "",
  );
  const scalar = (g: string) => general.filter((r) => r.path.split(/[.[]/)[0] === g).every((r) => r.path === g);
  out.push("## Keys at a glance", "");
  out.push("| Key | Must be set | What it is |", "|---|---|---|");
  for (const g of groups) {
    const first = general.filter((r) => r.path.split(/[.[]/)[0] === g);
    const must = first.some((r) => r.required && r.default === undefined);
    const desc = scalar(g) ? KEY_DESCRIPTIONS[g] : `${first.length} setting${first.length > 1 ? "s" : ""}: see [mcp:${g}](#mcp${g.toLowerCase()})`;
    out.push(`| \`mcp:${g}\` | ${must ? "yes" : "no"} | ${cell(desc)} |`);
  }
  out.push(
    `| \`mcp:images\`, \`mcp:limits\` | no | Per-service image and resource limits: see [Images and limits per service](#images-and-limits-per-service) |`,
    "",
  );

  const table = (mine: KeyRow[]) => {
    out.push("| Key | Type | Required | Default | Allowed | Description |", "|---|---|---|---|---|---|");
    for (const r of mine) {
      const req = r.required && r.default === undefined ? "yes" : "no";
      out.push(
        `| \`mcp:${r.path}\`${r.secret ? " (secret)" : ""} | ${cell(r.type)} | ${req} | ${cell(fmt(r.default))} | ${cell(r.allowed)} | ${cell(KEY_DESCRIPTIONS[descriptionKey(r.path)])} |`,
      );
    }
    out.push("");
  };
  out.push("## Top-level values", "");
  table(general.filter((r) => scalar(r.path.split(/[.[]/)[0])));
  for (const g of groups.filter((g) => !scalar(g))) {
    out.push(`## mcp:${g}`, "");
    table(general.filter((r) => r.path.split(/[.[]/)[0] === g));
  }

  out.push("## Images and limits per service", "");
  out.push(`\`mcp:images.<service>\`: ${KEY_DESCRIPTIONS["images.*"]}`, "");
  out.push(
    `\`mcp:limits.<service>\`: \`{ memoryMb, cpus }\`, both required when the service is set. ${KEY_DESCRIPTIONS["limits.*.memoryMb"]} ${KEY_DESCRIPTIONS["limits.*.cpus"]}`,
    "",
  );
  out.push("| Service | Default image | Default memory (MB) | Default CPUs |", "|---|---|---|---|");
  for (const s of SERVICE_NAMES) out.push(`| \`${s}\` | \`${DEFAULT_IMAGES[s]}\` | ${DEFAULT_LIMITS[s].memoryMb} | ${DEFAULT_LIMITS[s].cpus} |`);
  out.push("");
  out.push("## Secret keys", "");
  out.push(
    `These keys must be set with \`pulumi config set --secret\`: ${SECRET_KEYS.map((k) => `\`mcp:${k}\`${SECRET_KEY_SCOPES[k] === "prod" ? " (in a prod stack)" : ""}`).join(", ")}. ` +
      "A plain-text value in `Pulumi.<stack>.yaml` (not `secure:`) is a configuration error naming the key, in the preflight and under `pulumi up`. " +
      "The offline preflight cannot decrypt them; it checks that they are present.",
    "",
  );
  return out.join("\n");
}

if (require.main === module) {
  const file = path.resolve(__dirname, "..", CONFIG_DOC);
  const text = renderConfigReference();
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  process.stdout.write(`${before === text ? "unchanged" : "wrote"} ${CONFIG_DOC} (${configKeyRows().length} keys)\n`);
}
