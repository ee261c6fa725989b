/**
 * The backup service: infra/images/backup/mcp-backup.sh as a daemon in its own container. It dumps the
 * database with pg_dump (custom format, compressed) on the configured interval, encrypts
 * each dump with age to a key derived from the stack's backupEncryptionKey, verifies it,
 * writes a manifest, prunes by the retention policy, optionally copies off-site with
 * rclone, and writes textfile metrics for node-exporter (BackupTooOld / BackupFailed).
 *
 * The service runs the repository's script byte for byte (a Docker config, below), the same
 * file tests/backup runs against a real PostgreSQL.
 * Checklist: BAK-SYSTEM-01, BAK-SYSTEM-03, BAK-SYSTEM-04, BAK-SYSTEM-05, SEC-DATA-09, DEP-DB-04.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "../config/load";
import { durationSeconds } from "../config/durations";
import { HOSTS, PATHS, PORTS } from "../topology";
import type { ServiceSpec } from "../spec";
import { baseSpec, execHealthcheck, SpecContext, tmpfsFor } from "./common";
import { renderAgeIdentityFile, renderPgpass } from "../render/backup-keys";

/** The postgres image's (and infra/images/backup/Dockerfile's) postgres user. */
export const BACKUP_USER = "70:70";
export const BACKUP_HOME = "/opt/mcp-backup";
export const BACKUP_SCRIPT_PATH = `${BACKUP_HOME}/mcp-backup.sh`;
export const BACKUP_INVENTORY_PATH = `${BACKUP_HOME}/inventory.sql`;
export const BACKUP_DATA_DIR = "/var/backups/mcp";
/** Logical volume names (the textfile volume is shared with node-exporter, see exporters.ts). */
export const BACKUP_VOLUME = "backups";
export const BACKUP_METRICS_VOLUME = "backup-metrics";
export const BACKUP_SECRET_FILES = {
  identity: `${PATHS.secretsDir}/backup-age-identity`,
  pgpass: `${PATHS.secretsDir}/backup-pgpass`,
  offsiteSecretKey: `${PATHS.secretsDir}/backup-offsite-secret-key`,
} as const;

/** The backup image's build context in this repository: its Dockerfile, the script and its SQL. */
export const BACKUP_IMAGE_DIR = join(__dirname, "..", "images", "backup");
export const BACKUP_SCRIPT_FILE = join(BACKUP_IMAGE_DIR, "mcp-backup.sh");
export const BACKUP_INVENTORY_FILE = join(BACKUP_IMAGE_DIR, "inventory.sql");

export function backupScriptSource(): { script: string; inventorySql: string } {
  return {
    script: readFileSync(BACKUP_SCRIPT_FILE, "utf8"),
    inventorySql: readFileSync(BACKUP_INVENTORY_FILE, "utf8"),
  };
}

/** The script's non-secret settings, from the stack config. */
export function backupEnv(config: StackConfig): Record<string, string> {
  const b = config.backup;
  const off = b.offsite;
  const env: Record<string, string> = {
    MCP_BACKUP_DIR: BACKUP_DATA_DIR,
    MCP_BACKUP_INTERVAL_SECONDS: String(durationSeconds(b.interval)),
    MCP_BACKUP_KEEP_LAST: String(b.retention.keepLast),
    MCP_BACKUP_MAX_AGE_DAYS: String(b.retention.maxAgeDays),
    MCP_BACKUP_IDENTITY_FILE: BACKUP_SECRET_FILES.identity,
    MCP_BACKUP_TEXTFILE_DIR: PATHS.textfileDir,
    MCP_BACKUP_SHELL: "/bin/sh",
    MCP_BACKUP_OFFSITE: off.enabled ? "1" : "0",
    // The root fs is read-only: tools that want a home or cache dir get the tmpfs.
    HOME: "/tmp",
    PGHOST: HOSTS.postgres,
    PGPORT: String(PORTS.postgres),
    PGDATABASE: config.postgres.database,
    PGUSER: config.postgres.backupUser,
    PGPASSFILE: BACKUP_SECRET_FILES.pgpass,
    PGSSLMODE: "verify-full",
    PGSSLROOTCERT: PATHS.clientCaCert,
    PGCONNECT_TIMEOUT: "10",
  };
  if (off.enabled) {
    Object.assign(env, {
      MCP_BACKUP_OFFSITE_ENDPOINT: off.endpoint ?? "",
      MCP_BACKUP_OFFSITE_BUCKET: off.bucket ?? "",
      MCP_BACKUP_OFFSITE_REGION: off.region ?? "",
      MCP_BACKUP_OFFSITE_PREFIX: off.prefix,
      // The key ID names the credential; the secret key travels only as a file.
      MCP_BACKUP_OFFSITE_ACCESS_KEY_ID: off.accessKeyId ?? "",
      MCP_BACKUP_OFFSITE_SECRET_KEY_FILE: BACKUP_SECRET_FILES.offsiteSecretKey,
    });
  }
  return env;
}

export function backupSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  const { script, inventorySql } = backupScriptSource();
  const offsite = config.backup.offsite.enabled;
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "backup",
        name: HOSTS.backup,
        image: config.images.backup,
        user: BACKUP_USER,
        // Alive, not fresh: the daemon's heartbeat and a valid configuration. A first backup
        // (and its off-site copy) may take longer than any deploy should wait; backup age is
        // the BackupTooOld alert's job and `mcp-backup.sh health` the runtime check's.
        healthcheck: execHealthcheck(["/bin/sh", BACKUP_SCRIPT_PATH, "live"], { interval: "30s", timeout: "10s", retries: 3, startPeriod: "60s" }),
      },
      {
        stateful: true,
        entrypoint: ["/bin/sh", BACKUP_SCRIPT_PATH],
        command: ["daemon"],
        env: backupEnv(config),
        configFiles: [
          // Run as `/bin/sh <script>`, so it needs no execute bit.
          { path: BACKUP_SCRIPT_PATH, content: script, mode: "0444" },
          { path: BACKUP_INVENTORY_PATH, content: inventorySql, mode: "0444" },
          { path: PATHS.clientCaCert, content: { material: "internalCaCert" }, mode: "0444" },
        ],
        secretFiles: [
          {
            path: BACKUP_SECRET_FILES.identity,
            secrets: ["backupEncryptionKey"],
            render: (s) => renderAgeIdentityFile(s.backupEncryptionKey),
            mode: "0400",
            owner: BACKUP_USER,
          },
          {
            path: BACKUP_SECRET_FILES.pgpass,
            secrets: ["postgresBackupPassword"],
            // Any host/port: the entry is bound to the backup role and database, and stays valid
            // if the server's alias or port changes (libpq's `*` wildcard).
            render: (s) =>
              renderPgpass({ host: "*", port: "*", database: config.postgres.database, user: config.postgres.backupUser, password: s.postgresBackupPassword }),
            // libpq ignores a password file that group or others can read.
            mode: "0400",
            owner: BACKUP_USER,
          },
          ...(offsite
            ? [
                {
                  path: BACKUP_SECRET_FILES.offsiteSecretKey,
                  secrets: ["backupOffsiteSecretKey" as const],
                  render: (s: { backupOffsiteSecretKey: string }) => s.backupOffsiteSecretKey,
                  mode: "0400" as const,
                  owner: BACKUP_USER,
                },
              ]
            : []),
        ],
        // Internal only; the egress network exists for the off-site copy alone.
        networks: [{ name: "internal", aliases: [HOSTS.backup] }, ...(offsite ? [{ name: "egress" as const, aliases: [HOSTS.backup] }] : [])],
        volumes: [
          { volume: BACKUP_VOLUME, containerPath: BACKUP_DATA_DIR },
          { volume: BACKUP_METRICS_VOLUME, containerPath: PATHS.textfileDir },
        ],
        // The image declares VOLUME for PGDATA; a tmpfs there keeps Docker from making an anonymous volume.
        tmpfs: [...tmpfsFor(["/tmp"]), ...tmpfsFor(["/var/lib/postgresql/data"], 16)],
        dependsOn: [HOSTS.postgres],
      },
    ),
  ];
}
