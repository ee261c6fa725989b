/**
 * Bad backup configuration fails before deploy with an error naming the key: no schedule,
 * retention 0, off-site on without credentials (BAK-SYSTEM-01/03/04). And the backup
 * container spec: non-root, internal network (egress only for off-site), read-only root,
 * secrets as files, and the uploaded script is byte for byte the file the tests run.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, parseStackConfig, type StackConfig } from "../../infra/config/load";
import { rawConfigFromStackFile, readStackFile } from "../../infra/config/stack-file";
import { backupEnv, backupSpecs, BACKUP_SCRIPT_PATH, BACKUP_INVENTORY_PATH, BACKUP_SECRET_FILES } from "../../infra/components/backup";
import type { SecretValues, ServiceSpec } from "../../infra/spec";
import { PATHS } from "../../infra/topology";
import { ageRecipientOf, ageIdentityFromStackKey, renderAgeIdentityFile } from "../../infra/render/backup-keys";
import { makeTempDir } from "../../local/tempdir";
import { randomStackKey, SCRIPT } from "./support";

const ROOT = resolve(__dirname, "../..");
const devRaw = () => rawConfigFromStackFile(readStackFile("dev", ROOT));
const prodRaw = () => rawConfigFromStackFile(readStackFile("prod", ROOT));
const ctx = { stack: "test", prefix: "mcp-test" };

function problems(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig(raw, "test");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  return [];
}

function withBackup(raw: Record<string, unknown>, backup: unknown): Record<string, unknown> {
  return { ...raw, backup };
}

describe("backup configuration is validated before deploy", () => {
  it("accepts the dev and prod stack files", () => {
    expect(problems(devRaw())).toEqual([]);
    expect(problems(prodRaw())).toEqual([]);
  });

  it("fails without a schedule", () => {
    const raw = devRaw();
    const { interval: _omit, ...rest } = raw.backup as Record<string, unknown>;
    expect(problems(withBackup(raw, rest))).toEqual(["mcp:backup.interval: is required"]);
    expect(problems(withBackup(raw, { ...rest, interval: "6 hours" }))).toEqual(["mcp:backup.interval: must be a duration like 15s, 6h or 30d"]);
    expect(problems(withBackup(raw, { ...rest, interval: "1m" }))).toEqual(["mcp:backup.interval: must be at least 5m, got 1m"]);
  });

  it("fails with retention 0", () => {
    const raw = devRaw();
    const b = raw.backup as Record<string, unknown>;
    expect(problems(withBackup(raw, { ...b, retention: { keepLast: 0, maxAgeDays: 3 } }))).toEqual([
      "mcp:backup.retention.keepLast: must keep at least 1 backup",
    ]);
    expect(problems(withBackup(raw, { ...b, retention: { keepLast: 3, maxAgeDays: 0 } }))).toEqual(["mcp:backup.retention.maxAgeDays: must be at least 1 day"]);
    expect(problems(withBackup(raw, { ...b, retention: undefined }))).toEqual(["mcp:backup.retention: is required"]);
  });

  it("fails when off-site is on without its target and credentials, naming each key", () => {
    const raw = devRaw();
    const b = raw.backup as Record<string, unknown>;
    expect(problems(withBackup(raw, { ...b, offsite: { enabled: true } }))).toEqual([
      "mcp:backup.offsite.endpoint: required when backup.offsite.enabled is true",
      "mcp:backup.offsite.bucket: required when backup.offsite.enabled is true",
      "mcp:backup.offsite.region: required when backup.offsite.enabled is true",
      "mcp:backup.offsite.accessKeyId: required when backup.offsite.enabled is true",
      "mcp:backupOffsiteSecretKey: required when backup.offsite.enabled is true: pulumi config set --secret mcp:backupOffsiteSecretKey",
    ]);
  });

  it("fails when the backups cannot meet the recovery point objective", () => {
    const raw = { ...devRaw(), dr: { rtoMinutes: 60, rpoMinutes: 60 } };
    expect(problems(raw)).toEqual(["mcp:dr.rpoMinutes: RPO 60m cannot be met with backups every 24h"]);
  });
});

describe("the backup container spec", () => {
  // Every secret the backup spec could touch, plus the others as decoys for the "not in env" check.
  const secretValues = (): SecretValues =>
    ({
      postgresPassword: "pg-" + randomStackKey(),
      postgresBackupPassword: "bk-" + randomStackKey(),
      postgresExporterPassword: "ex-" + randomStackKey(),
      redisPassword: "rd-" + randomStackKey(),
      grafanaAdminPassword: "gf-" + randomStackKey(),
      jwtSigningKey: "jw-" + randomStackKey(),
      backupEncryptionKey: randomStackKey(),
      tlsPrivateKey: "tls-" + randomStackKey(),
      postgresTlsKey: "ptls-" + randomStackKey(),
      backupOffsiteSecretKey: "s3-" + randomStackKey(),
      postgresAdminPassword: "adm-" + randomStackKey(),
    }) as unknown as SecretValues;
  const dev = (): StackConfig => parseStackConfig(devRaw(), "dev");
  const prod = (): StackConfig => parseStackConfig(prodRaw(), "prod");
  const only = (config: StackConfig): ServiceSpec => {
    const specs = backupSpecs(config, ctx);
    expect(specs).toHaveLength(1);
    return specs[0];
  };

  it("runs the repository's script byte for byte: the same file the tests run", () => {
    const spec = only(dev());
    const script = spec.configFiles.find((c) => c.path === BACKUP_SCRIPT_PATH);
    expect(script?.content).toBe(readFileSync(SCRIPT, "utf8"));
    expect(spec.configFiles.find((c) => c.path === BACKUP_INVENTORY_PATH)?.content).toBe(readFileSync(join(ROOT, "infra/images/backup/inventory.sql"), "utf8"));
    expect(spec.entrypoint).toEqual(["/bin/sh", BACKUP_SCRIPT_PATH]);
    expect(spec.command).toEqual(["daemon"]);
    expect(spec.healthcheck).toMatchObject({ test: ["CMD", "/bin/sh", BACKUP_SCRIPT_PATH, "live"] });
  });

  it("is non-root, read-only, internal-only without off-site, and gets secrets only as files", () => {
    const spec = only(dev());
    expect(spec.user).toBe("70:70");
    expect(spec.readOnlyRootfs).toBe(true);
    expect(spec.tmpfs.map((t) => t.path)).toContain("/tmp");
    expect(spec.capAdd).toEqual([]);
    expect(spec.ports).toEqual([]);
    expect(spec.networks.map((n) => n.name)).toEqual(["internal"]);
    expect(spec.volumes.map((v) => v.containerPath)).toEqual(["/var/backups/mcp", PATHS.textfileDir]);
    expect(spec.secretFiles.map((s) => [s.path, s.mode, s.secrets])).toEqual([
      [BACKUP_SECRET_FILES.identity, "0400", ["backupEncryptionKey"]],
      [BACKUP_SECRET_FILES.pgpass, "0400", ["postgresBackupPassword"]],
    ]);
    const values = secretValues();
    const env = JSON.stringify(spec.env);
    for (const v of Object.values(values)) expect(env).not.toContain(v);
    expect(spec.env).toMatchObject({
      MCP_BACKUP_INTERVAL_SECONDS: "86400",
      MCP_BACKUP_KEEP_LAST: "3",
      MCP_BACKUP_MAX_AGE_DAYS: "3",
      MCP_BACKUP_OFFSITE: "0",
      PGSSLMODE: "verify-full",
    });
  });

  it("joins the egress network and gets the S3 secret key as a file when off-site is on", () => {
    const config = prod();
    const spec = only(config);
    expect(spec.networks.map((n) => n.name)).toEqual(["internal", "egress"]);
    const keyFile = spec.secretFiles.find((s) => s.path === BACKUP_SECRET_FILES.offsiteSecretKey);
    expect(keyFile?.secrets).toEqual(["backupOffsiteSecretKey"]);
    const values = secretValues();
    expect(keyFile?.render(values)).toBe(values.backupOffsiteSecretKey);
    expect(backupEnv(config)).toMatchObject({
      MCP_BACKUP_OFFSITE: "1",
      MCP_BACKUP_OFFSITE_BUCKET: "mcp-prod-backups",
      MCP_BACKUP_OFFSITE_PREFIX: "mcp/prod/",
      MCP_BACKUP_OFFSITE_SECRET_KEY_FILE: BACKUP_SECRET_FILES.offsiteSecretKey,
      MCP_BACKUP_INTERVAL_SECONDS: "21600",
      MCP_BACKUP_KEEP_LAST: "28",
      MCP_BACKUP_MAX_AGE_DAYS: "14",
    });
    expect(JSON.stringify(spec.env)).not.toContain(values.backupOffsiteSecretKey);
  });

  it("renders an identity file real age accepts, and a pgpass libpq reads", () => {
    const spec = only(dev());
    const values = secretValues();
    const identityFile = spec.secretFiles.find((s) => s.path === BACKUP_SECRET_FILES.identity)!.render(values);
    expect(identityFile).not.toContain(values.backupEncryptionKey);
    const tmp = makeTempDir("mcp-keys-");
    try {
      writeFileSync(tmp.join("id"), identityFile, { mode: 0o600 });
      const recipient = execFileSync("age-keygen", ["-y", tmp.join("id")])
        .toString()
        .trim();
      expect(recipient).toBe(ageRecipientOf(ageIdentityFromStackKey(values.backupEncryptionKey)));
      // The same key always derives the same identity; another key a different one.
      expect(renderAgeIdentityFile(values.backupEncryptionKey)).toBe(identityFile);
      expect(renderAgeIdentityFile(randomStackKey())).not.toBe(identityFile);
    } finally {
      tmp.remove();
    }
    const pgpass = spec.secretFiles.find((s) => s.path === BACKUP_SECRET_FILES.pgpass)!.render({ ...values, postgresBackupPassword: "a:b\\c" });
    expect(pgpass).toBe("*:*:mcp:mcp_backup:a\\:b\\\\c\n");
  });
});
