/**
 * Every secret of the stack: generated with @pulumi/random (32+ characters, special
 * characters included), kept as Pulumi secrets, delivered to containers only as files.
 * Checklist: PRE-CONFIG-03..06, PRE-CONFIG-10..12, SEC-DATA-06, SEC-DATA-07, PRE-SEC-02.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "crypto";
import type { SecretName } from "./spec";

/**
 * Specials that survive every place a secret lands unquoted: connection strings, redis.conf,
 * shell `$(cat file)`, JSON. No quotes, backslash, $, @, :, / or whitespace.
 */
export const SAFE_SPECIALS = "-_.~!#%^*+=";

interface GeneratedSecret {
  name: SecretName;
  length: number;
  /** Why this secret exists, for the inventory. */
  purpose: string;
}

export const GENERATED_SECRETS: readonly GeneratedSecret[] = [
  { name: "postgresAdminPassword", length: 40, purpose: "PostgreSQL superuser (socket only, never over TCP)" },
  { name: "postgresPassword", length: 40, purpose: "PostgreSQL application role" },
  { name: "postgresBackupPassword", length: 40, purpose: "PostgreSQL backup role (read-only)" },
  { name: "postgresExporterPassword", length: 40, purpose: "PostgreSQL exporter role (pg_monitor)" },
  { name: "redisPassword", length: 40, purpose: "Redis requirepass" },
  { name: "grafanaAdminPassword", length: 32, purpose: "Grafana admin user" },
  // 64 characters from a 73-symbol alphabet: ~396 bits, well over the 32 bytes HS256 wants.
  { name: "jwtSigningKey", length: 64, purpose: "JWT HMAC signing key" },
  { name: "backupEncryptionKey", length: 64, purpose: "Backup encryption passphrase" },
];

export function createGeneratedSecrets(prefix: string, opts: pulumi.CustomResourceOptions): Record<string, pulumi.Output<string>> {
  const out: Record<string, pulumi.Output<string>> = {};
  for (const s of GENERATED_SECRETS) {
    const pw = new random.RandomPassword(
      `${prefix}-${s.name}`,
      { length: s.length, special: true, overrideSpecial: SAFE_SPECIALS, minSpecial: 2, minUpper: 2, minLower: 2, minNumeric: 2 },
      { ...opts, additionalSecretOutputs: ["result"] },
    );
    // Secret even where the engine would not mark it (mock runtime, older providers).
    out[s.name] = pulumi.secret(pw.result);
  }
  return out;
}

/** Short SHA-256 fingerprint: lets operators compare secrets without revealing them. */
export function fingerprint(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}
