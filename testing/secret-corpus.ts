/**
 * A labelled corpus for the secret heuristics (policies/lib/secrets.ts): environment entries
 * that hold no secret but look random (commit ids, UUIDs, digests, base64'd config, URLs,
 * certificates, runtime flags) and entries that hold one (tokens, JWTs, passwords, private
 * keys, DSNs with passwords). Random parts come from a seeded generator, so every run judges
 * the same values, and from node:crypto for real key pairs. Values are fake credentials.
 */
import { createHash, generateKeyPairSync } from "node:crypto";

export interface CorpusEntry {
  /** The variable holding the value. */
  name: string;
  value: string;
  secret: boolean;
  /** What the value is, for reports ("git commit id", "JWT"). */
  shape: string;
}

/** mulberry32: a small seeded generator, enough for test data. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL = BASE62 + "-_";

export function secretCorpus(options: { certificatePem: string; seed?: number; perShape?: number }): CorpusEntry[] {
  const rnd = generator(options.seed ?? 1);
  const n = options.perShape ?? 5;
  const pick = (alphabet: string, len: number) => Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
  const hex = (len: number) => pick("0123456789abcdef", len);
  const bytes = (len: number) => Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256)));
  const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const out: CorpusEntry[] = [];
  const add = (secret: boolean, shape: string, make: (i: number) => [string, string]) => {
    for (let i = 0; i < n; i++) {
      const [name, value] = make(i);
      out.push({ name, value, secret, shape });
    }
  };

  // Not secrets.
  add(false, "git commit id", () => ["GIT_COMMIT", hex(40)]);
  add(false, "git commit id, neutral name", () => ["APP_VERSION", hex(40)]);
  add(false, "UUID", () => ["INSTANCE_ID", [hex(8), hex(4), "4" + hex(3), "a" + hex(3), hex(12)].join("-")]);
  add(false, "UUID, neutral name", () => ["TENANT", [hex(8), hex(4), "4" + hex(3), "b" + hex(3), hex(12)].join("-")]);
  add(false, "image digest", () => ["MCP_IMAGE", `ghcr.io/acme/mcp-server@sha256:${hex(64)}`]);
  add(false, "content digest", () => ["CONFIG_SHA256", hex(64)]);
  add(false, "bare digest", () => ["ARTIFACT", `sha256:${hex(64)}`]);
  add(false, "base64 config", (i) => [
    "APP_CONFIG_B64",
    Buffer.from(JSON.stringify({ logLevel: ["info", "debug"][i % 2], region: pick(BASE62, 6), features: { audit: true, n: i } })).toString("base64"),
  ]);
  add(false, "base64 YAML", (i) => ["SETTINGS", Buffer.from(`server:\n  port: ${8000 + i}\n  name: ${pick(BASE62, 8)}\n`).toString("base64")]);
  add(false, "URL", () => ["UPSTREAM_URL", `https://api.example.com/v1/tenants/${hex(8)}/objects?page=2&sort=name`]);
  add(false, "URL with an id path", () => ["CALLBACK", `https://mcp.example.com/callback/${[hex(8), hex(4), "4" + hex(3), "a" + hex(3), hex(12)].join("-")}`]);
  add(false, "PEM certificate", () => ["TLS_CA_CERT", options.certificatePem]);
  add(false, "PEM public key", () => [
    "JWT_PUBLIC_KEY",
    generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString(),
  ]);
  add(false, "runtime flags", (i) => ["NODE_OPTIONS", `--inspect=0.0.0.${i}:9229 --max-old-space-size=2048 --enable-source-maps`]);
  add(false, "JVM flags", () => ["JAVA_OPTS", "-XX:+UseG1GC -Xmx512m -Dfile.encoding=UTF-8 -Djava.security.egd=file:/dev/./urandom"]);
  add(false, "image reference", (i) => ["SIDECAR_IMAGE", `ghcr.io/${pick("abcdefghijklmnopqrstuvwxyz", 6)}/mcp-server:1.${i}.2-alpine3.20`]);
  add(false, "version string", (i) => ["APP_RELEASE", `v1.${i}.3-rc.4+build.${pick("0123456789", 4)}.g${hex(7)}`]);
  add(false, "header list", () => ["FORWARDED_HEADERS", "X-Forwarded-For,X-Real-IP,X-Request-Id,Traceparent"]);
  add(false, "locale list", () => ["LANGUAGES", "en_US.UTF-8:en_GB.UTF-8:de_DE.UTF-8"]);
  add(false, "time zones", () => ["ZONES", "Europe/Berlin,America/New_York,Asia/Tokyo"]);
  add(false, "ARN", () => ["BACKUP_ROLE", `arn:aws:iam::${pick("0123456789", 12)}:role/mcp-backup`]);
  add(false, "timestamp", () => ["BUILD_TIME", `2026-12-0${1 + Math.floor(rnd() * 9)}T14:${10 + Math.floor(rnd() * 50)}:32.123Z`]);
  add(false, "host name", () => ["PGHOST", `postgres-${pick("abcdefghijklmnopqrstuvwxyz0123456789", 5)}.internal.mcp.example.com`]);
  add(false, "build fingerprint", () => ["BUILD_FINGERPRINT", createHash("sha1").update(hex(10)).digest("hex")]);

  // Secrets.
  add(true, "GitHub token", () => ["GH", `ghp_${pick(BASE62, 36)}`]);
  add(true, "Slack token", () => ["SLACK", `xoxb-${pick("0123456789", 12)}-${pick("0123456789", 13)}-${pick(BASE62, 24)}`]);
  add(true, "API secret key", () => ["PAYMENTS", `sk_live_${pick(BASE62, 24)}`]);
  add(true, "AWS access key id", () => ["AWS_ID", `AKIA${pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`]);
  add(true, "JWT", () => [
    "UPSTREAM_AUTH",
    `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: hex(8), exp: 1893456000 })}.${Buffer.from(bytes(32)).toString("base64url")}`,
  ]);
  add(true, "random base64 key", () => ["SESSION_KEY_MATERIAL", bytes(32).toString("base64")]);
  add(true, "random hex key", () => ["ENCRYPTION", hex(64)]);
  add(true, "random base62 token", () => ["UPSTREAM", pick(BASE62, 40)]);
  add(true, "bearer header", () => ["AUTH_HEADER", `Bearer ${pick(B64URL, 43)}`]);
  add(true, "password under a secret name", (i) => ["DATABASE_PASSWORD", ["correct horse battery staple", "Summer2026!", "hunter2hunter2"][i % 3]]);
  add(true, "token under a secret name", () => ["API_TOKEN", pick("abcdefghijklmnopqrstuvwxyz", 20)]);
  add(true, "DSN with a password", () => ["DATABASE_URL", `postgres://mcp:${pick(BASE62, 16)}@postgres:5432/mcp?sslmode=verify-full`]);
  add(true, "Redis URL with a password", () => ["REDIS_URL", `redis://:${pick(BASE62, 24)}@redis:6379/0`]);
  add(true, "PEM private key", () => [
    "SIGNING",
    generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  ]);
  add(true, "Slack webhook URL", () => ["ALERT_WEBHOOK", `https://hooks.slack.com/services/T${pick(BASE62, 8)}/B${pick(BASE62, 8)}/${pick(BASE62, 24)}`]);
  add(true, "webhook URL with a token", () => ["NOTIFY_URL", `https://alerts.example.com/hooks/${pick(BASE62, 32)}`]);
  return out;
}

export interface CorpusScore {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: number;
  recall: number;
  falsePositiveRate: number;
  /** Shapes of the misjudged entries (never their values). */
  misjudged: string[];
}

/** Scores a detector (true = "this is a secret") on the corpus. */
export function scoreCorpus(corpus: CorpusEntry[], detect: (e: CorpusEntry) => boolean): CorpusScore {
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0;
  const misjudged = new Set<string>();
  for (const e of corpus) {
    const said = detect(e);
    if (said && e.secret) tp++;
    else if (said) fp++;
    else if (e.secret) fn++;
    else tn++;
    if (said !== e.secret) misjudged.add(`${e.secret ? "missed" : "flagged"}: ${e.shape}`);
  }
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    falsePositiveRate: fp + tn ? fp / (fp + tn) : 0,
    misjudged: [...misjudged].sort(),
  };
}
