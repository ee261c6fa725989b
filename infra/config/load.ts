/**
 * Validates `mcp:*` stack configuration against the schema and the cross-key rules, and
 * fails with ONE error that lists every bad key (nothing is registered first). Pure: no
 * Pulumi runtime here (infra/config/pulumi-config.ts reads the running program's config),
 * so CLIs load it without the SDK.
 */
import {
  DEFAULT_IMAGES,
  DEFAULT_LIMITS,
  ParsedConfig,
  SecretScope,
  secretRegistry,
  SERVICE_NAMES,
  ServiceLimits,
  ServiceName,
  stackConfigSchema,
} from "./schema";
import { placeholderProblem } from "./placeholders";
import { durationSeconds } from "./durations";

export const CONFIG_NAMESPACE = "mcp";

/**
 * Stand-in for a `secure:` value that could not be decrypted (offline preflight has no
 * passphrase). Presence is what the preflight checks; content checks are skipped.
 */
export const ENCRYPTED_CONFIG_VALUE = "[encrypted: present]";

export type StackConfig = Omit<ParsedConfig, "images" | "limits"> & {
  images: Record<ServiceName, string>;
  limits: Record<ServiceName, ServiceLimits>;
};

export interface ConfigProblem {
  /** Full key path, e.g. `mcp:images.redis`. */
  key: string;
  message: string;
}

// The stack is `stackName`, not `stack`: a field named `stack` would replace Error.stack, and an
// uncaught error (as `pulumi up` prints program errors, with util.inspect) would then show the
// problems object instead of the message.
export class ConfigError extends Error {
  constructor(
    readonly problems: ConfigProblem[],
    readonly stackName?: string,
  ) {
    super(
      `Invalid stack configuration${stackName ? ` for stack "${stackName}"` : ""} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.key}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Keys the schema marks secret, with where they must be encrypted. Their values are never echoed. */
export const SECRET_KEY_SCOPES: Readonly<Record<string, SecretScope>> = Object.fromEntries(
  Object.entries(stackConfigSchema.shape).flatMap(([key, schema]) => {
    const meta = secretRegistry.get(schema as import("zod").ZodType);
    return meta ? [[key, meta.secret]] : [];
  }),
);
export const SECRET_KEYS: readonly string[] = Object.keys(SECRET_KEY_SCOPES);

export interface ParseOptions {
  /**
   * Full keys (`mcp:tlsPrivateKey`) whose value arrived encrypted (`secure:` in the stack
   * file, the engine's secret keys under Pulumi). Given, a secret key outside it is refused:
   * its value sits in plain text in the stack file. Callers that read a stack pass it.
   */
  secretKeys?: readonly string[];
}

/** Secret keys set in plain text. Names the key and how to fix it, never the value. */
function plainSecretProblems(raw: Record<string, unknown>, secretKeys: readonly string[], stack?: string): ConfigProblem[] {
  const prod = raw.environment === "prod";
  return Object.entries(SECRET_KEY_SCOPES)
    .filter(([key, scope]) => raw[key] !== undefined && (scope === "always" || prod) && !secretKeys.includes(`${CONFIG_NAMESPACE}:${key}`))
    .map(([key, scope]) => ({
      key: `${CONFIG_NAMESPACE}:${key}`,
      message:
        `is a secret${scope === "prod" ? " in a prod stack" : ""} but is set in plain text, not as a secure: value: ` +
        `remove it from Pulumi.${stack ?? "<stack>"}.yaml and set it with pulumi config set --secret ${CONFIG_NAMESPACE}:${key}`,
    }));
}

function keyPath(path: readonly PropertyKey[]): string {
  return `${CONFIG_NAMESPACE}:${path
    .map((p) => (typeof p === "number" ? `[${p}]` : String(p)))
    .join(".")
    .replace(/\.\[/g, "[")}`;
}

/** Placeholder scan over every string leaf of the raw config. */
function scanPlaceholders(value: unknown, path: PropertyKey[], out: ConfigProblem[]): void {
  if (typeof value === "string") {
    if (value === ENCRYPTED_CONFIG_VALUE) return;
    const problem = placeholderProblem(value);
    // Secret values are never quoted back: the message names the key only.
    const secret = SECRET_KEYS.includes(String(path[0]));
    if (problem) out.push({ key: keyPath(path), message: secret ? `secret value ${problem}` : `"${value}" ${problem}` });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => scanPlaceholders(v, [...path, i], out));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) scanPlaceholders(v, [...path, k], out);
  }
}

const PEM_CERT = /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;
const PEM_KEY = /^-----BEGIN (RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (RSA |EC )?PRIVATE KEY-----\s*$/;

/**
 * Rules that span keys. Runs on whatever top-level keys parsed, so one error can report a
 * cross-key problem alongside unrelated schema problems.
 */
function crossKeyProblems(c: Partial<ParsedConfig>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const add = (key: string, message: string) => out.push({ key: `${CONFIG_NAMESPACE}:${key}`, message });

  if (c.environment === "prod" && c.app && c.app.replicas < 2)
    add("app.replicas", `prod needs at least 2 app replicas for redundancy (HA-REDUNDANCY-01), got ${c.app.replicas}`);
  if (c.environment === "prod" && c.tls && c.tls.mode !== "provided")
    add("tls.mode", `prod must serve a CA-issued certificate: set tls.mode to "provided" (got "${c.tls.mode}")`);
  if (c.tls?.mode === "provided") {
    for (const [key, pem, label] of [
      ["tlsCertificate", c.tlsCertificate, PEM_CERT],
      ["tlsPrivateKey", c.tlsPrivateKey, PEM_KEY],
    ] as const) {
      if (pem === undefined) add(key, `required when tls.mode is "provided": pulumi config set --secret ${CONFIG_NAMESPACE}:${key} < file.pem`);
      else if (pem !== ENCRYPTED_CONFIG_VALUE && !label.test(pem.trim())) add(key, "is not a PEM block");
    }
  }
  if (c.edge && c.edge.httpPort === c.edge.httpsPort) add("edge.httpsPort", `must differ from edge.httpPort (${c.edge.httpPort})`);

  if (c.alerting) {
    const alerting = c.alerting;
    const names = alerting.receivers.map((r) => r.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) add(`alerting.receivers[${i}].name`, `duplicate receiver name "${n}"`);
    });
    if (!alerting.receivers.some((r) => r.severities.includes("critical"))) add("alerting.receivers", "no receiver takes critical alerts");
    alerting.receivers.forEach((r, i) => {
      if (r.email && !(alerting.smtpSmarthost && alerting.smtpFrom))
        add(`alerting.receivers[${i}].email`, "email receivers need alerting.smtpSmarthost and alerting.smtpFrom");
    });
  }
  if (c.backup) {
    const off = c.backup.offsite;
    if (off.enabled) {
      for (const k of ["endpoint", "bucket", "region", "accessKeyId"] as const)
        if (!off[k]) add(`backup.offsite.${k}`, "required when backup.offsite.enabled is true");
      if (c.backupOffsiteSecretKey === undefined)
        add("backupOffsiteSecretKey", `required when backup.offsite.enabled is true: pulumi config set --secret ${CONFIG_NAMESPACE}:backupOffsiteSecretKey`);
    }
    const intervalMin = durationSeconds(c.backup.interval) / 60;
    if (intervalMin < 5) add("backup.interval", `must be at least 5m, got ${c.backup.interval}`);
    if (c.dr && c.dr.rpoMinutes < intervalMin) add("dr.rpoMinutes", `RPO ${c.dr.rpoMinutes}m cannot be met with backups every ${c.backup.interval}`);
  }
  const roles = (c.contacts ?? []).map((x) => x.role);
  roles.forEach((r, i) => {
    if (roles.indexOf(r) !== i) add(`contacts[${i}].role`, `duplicate contact for "${r}"`);
  });
  if (c.rateLimit && c.rateLimit.burst > c.rateLimit.requestsPerSecond * 100)
    add("rateLimit.burst", "is more than 100x requestsPerSecond: the limit would never bite");
  return out;
}

function withDefaults(c: ParsedConfig): StackConfig {
  const images = Object.fromEntries(SERVICE_NAMES.map((s) => [s, c.images[s] ?? DEFAULT_IMAGES[s]])) as Record<ServiceName, string>;
  const limits = Object.fromEntries(SERVICE_NAMES.map((s) => [s, c.limits[s] ?? DEFAULT_LIMITS[s]])) as Record<ServiceName, ServiceLimits>;
  return { ...c, images, limits };
}

/** Redis's own maxmemory must leave room under the container limit or the kernel kills it first. */
function redisHeadroomProblems(c: StackConfig): ConfigProblem[] {
  if (c.redis.maxmemoryMb < c.limits.redis.memoryMb) return [];
  return [
    {
      key: `${CONFIG_NAMESPACE}:redis.maxmemoryMb`,
      message: `${c.redis.maxmemoryMb}MB must be below the redis container limit (${c.limits.redis.memoryMb}MB)`,
    },
  ];
}

/**
 * Validates raw config (key without namespace -> parsed value). Throws ConfigError listing
 * every problem; returns the config with defaults filled in.
 */
export function parseStackConfig(raw: Record<string, unknown>, stack?: string, options: ParseOptions = {}): StackConfig {
  const problems: ConfigProblem[] = [];
  if (options.secretKeys) problems.push(...plainSecretProblems(raw, options.secretKeys, stack));
  scanPlaceholders(raw, [], problems);
  const shape = stackConfigSchema.shape;
  const unknown = Object.keys(raw).filter((k) => !(k in shape));
  for (const k of unknown) problems.push({ key: `${CONFIG_NAMESPACE}:${k}`, message: `unknown key (known keys: ${Object.keys(shape).join(", ")})` });
  // Each top-level key parses on its own, so cross-key rules still run on the keys that are valid.
  const parsed: Record<string, unknown> = {};
  let schemaOk = true;
  for (const [key, schema] of Object.entries(shape)) {
    const r = (schema as import("zod").ZodType).safeParse(raw[key]);
    if (r.success) {
      parsed[key] = r.data;
      continue;
    }
    schemaOk = false;
    const secret = SECRET_KEYS.includes(key);
    for (const issue of r.error.issues) problems.push({ key: keyPath([key, ...issue.path]), message: issueMessage(issue, secret) });
  }
  problems.push(...crossKeyProblems(parsed as Partial<ParsedConfig>));
  if (problems.length === 0 && schemaOk) {
    const config = withDefaults(parsed as ParsedConfig);
    problems.push(...redisHeadroomProblems(config));
    if (problems.length === 0) return config;
  }
  // One entry per key+message, in a stable order.
  const seen = new Set<string>();
  const unique = problems.filter((p) => !seen.has(p.key + p.message) && seen.add(p.key + p.message));
  throw new ConfigError(unique, stack);
}

function issueMessage(issue: import("zod").core.$ZodIssue, secret: boolean): string {
  let message: string;
  if (issue.code === "unrecognized_keys") message = `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  else if (issue.code === "invalid_type" && /received undefined/.test(issue.message)) message = "is required";
  else message = issue.message;
  // Secret values are never quoted back.
  return secret ? message.replace(/"[^"]*"/g, "<secret>") : message;
}

/** Config values arrive as strings; structured values JSON-encoded, so parse what parses. */
export function decodeConfigValue(value: string): unknown {
  const t = value.trim();
  if (/^[[{]/.test(t) || /^(true|false|null|-?\d+(\.\d+)?)$/.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}
