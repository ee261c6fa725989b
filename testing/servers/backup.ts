/**
 * The backup service as tests and benchmarks run it: a real PostgreSQL (./postgres.ts) with
 * the stack's database and read-only backup role (pg_read_all_data), the key and password
 * files the container gets, and a runner for infra/images/backup/mcp-backup.sh — the container's own
 * script — under busybox sh with busybox's applets first on PATH, as in the Alpine image.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPostgres, type PgServer } from "../../backup/scratch-postgres";
import { makeTempDir, type TempDir } from "../../local/tempdir";
import { requireExecutable, runTool, type ToolResult } from "../../local/run";
import { renderAgeIdentityFile, renderPgpass } from "../../infra/render/backup-keys";
import type { DrillConnection } from "../../backup/drill";
import { BACKUP_SCRIPT_FILE } from "../../infra/components/backup";

export const SCRIPT = BACKUP_SCRIPT_FILE;
export const DATABASE = "mcp";
export const BACKUP_ROLE = "mcp_backup";

export interface BackupFixture {
  pg: PgServer;
  tmp: TempDir;
  backupDir: string;
  textfileDir: string;
  /** The stack's raw backupEncryptionKey (64 random characters). */
  stackKey: string;
  identityFile: string;
  backupPassword: string;
  busyboxDir: string;
  /** Environment the container would have, pointed at the test server. */
  env: Record<string, string>;
  connection: DrillConnection;
  run(args: string[], extraEnv?: Record<string, string | undefined>, timeoutMs?: number): Promise<ToolResult>;
  stop(): Promise<void>;
}

/** A directory of busybox applet links, so the script meets busybox's sed/awk/sort/date/... */
export function busyboxApplets(dir: string): string {
  const busybox = requireExecutable("busybox", "busybox-static");
  mkdirSync(dir, { recursive: true });
  const applets = [
    "sh",
    "awk",
    "sed",
    "sort",
    "date",
    "sha256sum",
    "stat",
    "cut",
    "tr",
    "head",
    "wc",
    "mv",
    "rm",
    "mkdir",
    "cat",
    "chmod",
    "basename",
    "dirname",
    "sleep",
    "ls",
    "cp",
    "touch",
    "env",
    "grep",
    "printf",
    "tee",
    "mkfifo",
  ];
  for (const a of applets) if (!existsSync(join(dir, a))) symlinkSync(busybox, join(dir, a));
  return dir;
}

export function randomStackKey(): string {
  // The stack's alphabet (infra/secrets.ts SAFE_SPECIALS plus alphanumerics), 64 characters.
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!#%^*+=";
  return Array.from(randomBytes(64), (b) => alphabet[b % alphabet.length]).join("");
}

export async function startBackupFixture(opts: { offsite?: Record<string, string> } = {}): Promise<BackupFixture> {
  const pg = await startPostgres();
  const tmp = makeTempDir("mcp-backup-test-");
  try {
    const backupPassword = randomBytes(20).toString("base64url");
    await pg.query(`CREATE DATABASE ${DATABASE}`);
    // The stack's backup role: login, read-only on everything (PostgreSQL 14+ pg_read_all_data).
    await pg.query(`CREATE ROLE ${BACKUP_ROLE} LOGIN PASSWORD '${backupPassword}' IN ROLE pg_read_all_data`);
    const backupDir = tmp.join("backups");
    const textfileDir = tmp.join("textfile");
    mkdirSync(backupDir);
    mkdirSync(textfileDir);
    const stackKey = randomStackKey();
    const identityFile = tmp.join("backup-age-identity");
    writeFileSync(identityFile, renderAgeIdentityFile(stackKey), { mode: 0o400 });
    const pgpass = tmp.join("backup-pgpass");
    writeFileSync(pgpass, renderPgpass({ host: pg.host, port: pg.port, database: DATABASE, user: BACKUP_ROLE, password: backupPassword }), { mode: 0o400 });
    const busyboxDir = busyboxApplets(tmp.join("bin"));
    const path = [busyboxDir, pg.binDir, "/usr/local/bin", "/usr/bin", "/bin"].join(":");
    const env: Record<string, string> = {
      PATH: path,
      MCP_BACKUP_DIR: backupDir,
      MCP_BACKUP_INTERVAL_SECONDS: "3600",
      MCP_BACKUP_KEEP_LAST: "3",
      MCP_BACKUP_MAX_AGE_DAYS: "7",
      MCP_BACKUP_IDENTITY_FILE: identityFile,
      MCP_BACKUP_TEXTFILE_DIR: textfileDir,
      MCP_BACKUP_SHELL: join(busyboxDir, "sh"),
      MCP_BACKUP_OFFSITE: "0",
      PGHOST: pg.host,
      PGPORT: String(pg.port),
      PGDATABASE: DATABASE,
      PGUSER: BACKUP_ROLE,
      PGPASSFILE: pgpass,
      PGSSLMODE: "disable",
      ...(opts.offsite ?? {}),
    };
    const connection: DrillConnection = { host: pg.host, port: pg.port, user: pg.superuser, password: pg.password, sslmode: "disable" };
    return {
      pg,
      tmp,
      backupDir,
      textfileDir,
      stackKey,
      identityFile,
      backupPassword,
      busyboxDir,
      env,
      connection,
      run: (args, extraEnv = {}, timeoutMs = 120_000) => {
        const merged: Record<string, string> = { ...env };
        for (const [k, v] of Object.entries(extraEnv)) {
          if (v === undefined) delete merged[k];
          else merged[k] = v;
        }
        return runTool(join(busyboxDir, "sh"), [SCRIPT, ...args], { env: merged, timeoutMs });
      },
      stop: async () => {
        await pg.stop();
        tmp.remove();
      },
    };
  } catch (e) {
    await pg.stop();
    tmp.remove();
    throw e;
  }
}
