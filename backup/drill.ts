/**
 * The restore drill: prove a backup brings the database back. Verifies the manifest and the
 * SHA-256 of the encrypted file, checks the key is the one the backup was encrypted to,
 * decrypts (age, authenticated) straight into pg_restore into a scratch database, compares
 * every table's schema and exact row count with the manifest, measures the restore time
 * (RTO) and data age (RPO), and always drops the scratch database and its temp files.
 * Checklist: BAK-RECOVERY-01, BAK-RECOVERY-04, BAK-SYSTEM-02.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, type ClientConfig } from "pg";
import { ageRecipientOf, identityFromKeyMaterial, renderPgpass } from "../infra/render/backup-keys";
import { BACKUP_INVENTORY_FILE } from "../infra/components/backup";
import { BackupError, inventorySchema, readManifest, type BackupManifest, type BackupRef, type Inventory } from "./manifest";

export const INVENTORY_SQL_FILE = BACKUP_INVENTORY_FILE;
export const SCRATCH_PREFIX = "mcp_drill_";

export interface DrillConnection {
  host: string;
  port: number;
  /** Must be allowed to CREATE DATABASE (the stack's application role is the server's superuser). */
  user: string;
  password: string;
  /** Database to connect to for CREATE/DROP DATABASE (default "postgres"). */
  maintenanceDatabase?: string;
  /** TLS: `verify-full` with the internal CA in a deployed stack; `disable` on loopback tests. */
  sslmode?: "disable" | "require" | "verify-full";
  /** CA (PEM) for verify-full. */
  ca?: string;
  /** Name the server certificate must carry (default: host). */
  servername?: string;
  connectTimeoutMs?: number;
}

export interface DrillOptions {
  backup: BackupRef;
  /** The stack's backupEncryptionKey, or an age identity. Never logged. */
  keyMaterial: string;
  connection: DrillConnection;
  /** Directory with pg_restore (default: PATH). age comes from PATH. */
  pgBinDir?: string;
  /** Recovery targets from the stack config (dr.rtoMinutes / dr.rpoMinutes). */
  targets?: { rtoMinutes: number; rpoMinutes: number };
  /** Parent of the drill's private temp dir (default: os.tmpdir()). */
  workRoot?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
  now?: () => number;
}

// The report formats are the evidence contract's (the sign-off reads them).
import type { DrillReport, TableDifference } from "../evidence/drill";
export type { DrillReport, TableDifference };

/** SHA-256 (hex) and size of a file, streamed. */
export async function fileSha256(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on("data", (chunk) => {
        hash.update(chunk);
        size += (chunk as Buffer).length;
      })
      .on("error", reject)
      .on("end", resolve);
  });
  return { sha256: hash.digest("hex"), size };
}

/** Refuses a file whose bytes are not the ones the manifest describes (truncated, edited). */
export async function verifyChecksum(ref: BackupRef, manifest: BackupManifest): Promise<void> {
  let actual: { sha256: string; size: number };
  try {
    actual = await fileSha256(ref.dataFile);
  } catch (e) {
    throw new BackupError("missing-backup", `cannot read ${ref.dataFile}: ${(e as Error).message}`);
  }
  if (actual.sha256 !== manifest.sha256 || actual.size !== manifest.sizeBytes) {
    throw new BackupError(
      "checksum-mismatch",
      `${manifest.file} is truncated or was modified: the manifest records ${manifest.sizeBytes} bytes with SHA-256 ${manifest.sha256}, ` +
        `the file has ${actual.size} bytes with SHA-256 ${actual.sha256}`,
    );
  }
}

/** The key must be the one the backup was encrypted to (compared by public key, before decrypting). */
export function checkKey(keyMaterial: string, manifest: BackupManifest): string {
  const identity = identityFromKeyMaterial(keyMaterial);
  const recipient = ageRecipientOf(identity);
  if (recipient !== manifest.recipient) {
    throw new BackupError(
      "wrong-key",
      `wrong key: ${manifest.file} was encrypted to ${manifest.recipient}, but the key given belongs to ${recipient}. ` +
        `Use the backupEncryptionKey of the stack that made the backup.`,
    );
  }
  return identity;
}

function majorOf(versionText: string): number | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(versionText) ?? /(\d+)\.\d+/.exec(versionText);
  return m ? Number(m[1]) : undefined;
}

function exe(binDir: string | undefined, name: string): string {
  return binDir ? join(binDir, name) : name;
}

interface Proc {
  code: number | null;
  stderr: string;
}

/** pg_restore must be at least the pg_dump major that wrote the archive (archive format versions). */
export async function checkRestoreVersion(pgBinDir: string | undefined, manifest: BackupManifest): Promise<void> {
  const r = await capture(exe(pgBinDir, "pg_restore"), ["--version"], {});
  const have = majorOf(r.stdout);
  const need = majorOf(manifest.pgDumpVersion);
  if (r.code !== 0 || have === undefined)
    throw new BackupError("version-mismatch", `cannot run pg_restore (${exe(pgBinDir, "pg_restore")}): install postgresql-client or pass --pg-bin`);
  if (need !== undefined && have < need) {
    throw new BackupError(
      "version-mismatch",
      `${manifest.file} was written by ${manifest.pgDumpVersion}; pg_restore ${have} cannot read it: install postgresql-client-${need} (or newer) or pass --pg-bin`,
    );
  }
}

function capture(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Proc & { stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (e) => resolve({ code: -1, stdout, stderr: e.message }));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function clientConfig(c: DrillConnection, database: string): ClientConfig {
  const mode = c.sslmode ?? "disable";
  return {
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    database,
    connectionTimeoutMillis: c.connectTimeoutMs ?? 10_000,
    ssl: mode === "disable" ? false : mode === "require" ? { rejectUnauthorized: false } : { ca: c.ca, servername: c.servername ?? c.host },
  };
}

export async function connect(c: DrillConnection, database: string): Promise<Client> {
  const client = new Client(clientConfig(c, database));
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new BackupError(
      "database-unreachable",
      `cannot connect to PostgreSQL at ${c.host}:${c.port} (database "${database}", user "${c.user}"): ${(e as Error).message}`,
    );
  }
  return client;
}

export async function readInventory(client: Client): Promise<Inventory> {
  const sql = readFileSync(INVENTORY_SQL_FILE, "utf8");
  const { rows } = await client.query<{ json_build_object: unknown }>(sql);
  return inventorySchema.parse(rows[0].json_build_object);
}

/** Table-by-table differences between what the manifest promised and what was restored. */
export function compareInventories(expected: Inventory, actual: Inventory): TableDifference[] {
  const key = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
  const got = new Map(actual.tables.map((t) => [key(t), t]));
  const want = new Map(expected.tables.map((t) => [key(t), t]));
  const out: TableDifference[] = [];
  for (const [k, e] of want) {
    const a = got.get(k);
    if (!a) {
      out.push({ table: k, problem: "missing", expected: e.rows });
      continue;
    }
    if (a.rows !== e.rows) out.push({ table: k, problem: "rows", expected: e.rows, actual: a.rows });
    for (const field of ["columns", "indexes", "constraints"] as const) {
      if (JSON.stringify(a[field]) !== JSON.stringify(e[field]))
        out.push({ table: k, problem: field, expected: e[field].join("; "), actual: a[field].join("; ") });
    }
  }
  for (const k of got.keys()) if (!want.has(k)) out.push({ table: k, problem: "unexpected", actual: got.get(k)!.rows });
  return out;
}

export interface RestoreInto {
  ref: BackupRef;
  identity: string;
  connection: DrillConnection;
  database: string;
  workDir: string;
  pgBinDir?: string;
  signal?: AbortSignal;
}

/**
 * `age --decrypt | pg_restore` into an existing, empty database. The plaintext never
 * touches disk. Throws BackupError with the failing side named.
 */
export async function decryptAndRestore(o: RestoreInto): Promise<void> {
  const identityFile = join(o.workDir, "identity");
  writeFileSync(identityFile, `${o.identity}\n`, { mode: 0o600 });
  const pgpass = join(o.workDir, "pgpass");
  writeFileSync(
    pgpass,
    renderPgpass({ host: o.connection.host, port: o.connection.port, database: o.database, user: o.connection.user, password: o.connection.password }),
    { mode: 0o600 },
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: o.connection.host,
    PGPORT: String(o.connection.port),
    PGUSER: o.connection.user,
    PGDATABASE: o.database,
    PGPASSFILE: pgpass,
    PGSSLMODE: o.connection.sslmode ?? "disable",
    PGCONNECT_TIMEOUT: "10",
  };
  delete env.PGPASSWORD;
  if (o.connection.sslmode === "verify-full" && o.connection.ca) {
    const ca = join(o.workDir, "ca.crt");
    writeFileSync(ca, o.connection.ca);
    env.PGSSLROOTCERT = ca;
  }
  const age = spawn("age", ["--decrypt", "--identity", identityFile, o.ref.dataFile], { stdio: ["ignore", "pipe", "pipe"] });
  const restore = spawn(exe(o.pgBinDir, "pg_restore"), ["--exit-on-error", "--no-owner", "--no-privileges", "--no-password", "--dbname", o.database], {
    env,
    stdio: ["pipe", "ignore", "pipe"],
  });
  const onAbort = () => {
    age.kill("SIGKILL");
    restore.kill("SIGKILL");
  };
  o.signal?.addEventListener("abort", onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  let ageErr = "";
  let restoreErr = "";
  age.stderr.on("data", (d) => (ageErr += d));
  restore.stderr.on("data", (d) => (restoreErr += d));
  restore.stdin.on("error", () => undefined); // EPIPE when pg_restore stops early; its exit code says why
  age.stdout.pipe(restore.stdin);
  const exit = (p: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => {
      p.on("error", (e) => {
        if (p === age) ageErr += e.message;
        else restoreErr += e.message;
        resolve(-1);
      });
      p.on("close", (code) => resolve(code));
    });
  const [ageCode, restoreCode] = await Promise.all([exit(age), exit(restore)]);
  o.signal?.removeEventListener("abort", onAbort);
  if (o.signal?.aborted) throw new BackupError("restore-failed", "restore cancelled");
  if (ageCode !== 0) {
    if (/no identity matched/i.test(ageErr)) throw new BackupError("wrong-key", `wrong key: age found no matching identity for ${o.ref.dataFile}`);
    throw new BackupError(
      "decrypt-failed",
      `cannot decrypt ${o.ref.dataFile}: the encrypted data failed authentication (truncated or tampered with, or not an age file): ${ageErr.trim().split("\n").pop()}`,
    );
  }
  if (restoreCode !== 0)
    throw new BackupError(
      "restore-failed",
      `pg_restore into "${o.database}" failed (exit ${restoreCode}): ${restoreErr.trim().split("\n").slice(-5).join(" | ")}`,
    );
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function scratchDatabaseName(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return `${SCRATCH_PREFIX}${stamp}_${randomBytes(3).toString("hex")}`;
}

/** Drops a database, disconnecting anyone still in it. */
export async function dropDatabase(admin: Client, name: string): Promise<boolean> {
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return rows.length === 0;
}

export async function runRestoreDrill(o: DrillOptions): Promise<DrillReport> {
  const now = o.now ?? Date.now;
  const log = o.log ?? (() => undefined);
  const started = now();
  const manifest = readManifest(o.backup);
  log(`backup ${manifest.file}: ${manifest.sizeBytes} bytes, snapshot ${manifest.createdAt}, ${manifest.inventory.tables.length} tables`);
  await verifyChecksum(o.backup, manifest);
  log("checksum verified (SHA-256 matches the manifest)");
  const identity = checkKey(o.keyMaterial, manifest);
  await checkRestoreVersion(o.pgBinDir, manifest);

  const maintenance = o.connection.maintenanceDatabase ?? "postgres";
  const admin = await connect(o.connection, maintenance);
  const scratch = scratchDatabaseName(started);
  const workDir = mkdtempSync(join(o.workRoot ?? tmpdir(), "mcp-drill-"));
  let created = false;
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(scratch)} TEMPLATE template0`);
    created = true;
    log(`restoring into scratch database ${scratch}`);
    const t0 = Date.now();
    await decryptAndRestore({ ref: o.backup, identity, connection: o.connection, database: scratch, workDir, pgBinDir: o.pgBinDir, signal: o.signal });
    const rtoSeconds = (Date.now() - t0) / 1000;
    log(`restored in ${rtoSeconds.toFixed(2)} s; comparing schema and row counts`);
    const t1 = Date.now();
    const db = await connect(o.connection, scratch);
    let restored: Inventory;
    try {
      restored = await readInventory(db);
    } finally {
      await db.end().catch(() => undefined);
    }
    const differences = compareInventories(manifest.inventory, restored);
    const verifySeconds = (Date.now() - t1) / 1000;
    const dropped = await dropDatabase(admin, scratch);
    created = !dropped;
    const finished = now();
    const rpoSeconds = Math.max(0, Math.round(started / 1000 - manifest.createdAtEpoch));
    const sum = (inv: Inventory) => inv.tables.reduce((n, t) => n + t.rows, 0);
    const report: DrillReport = {
      kind: "restore-drill",
      formatVersion: 1,
      status: differences.length === 0 && dropped ? "pass" : "fail",
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      backup: {
        file: manifest.file,
        createdAt: manifest.createdAt,
        sizeBytes: manifest.sizeBytes,
        sha256: manifest.sha256,
        sha256Verified: true,
        recipient: manifest.recipient,
        pgDumpVersion: manifest.pgDumpVersion,
      },
      scratchDatabase: scratch,
      scratchDropped: dropped,
      tables: manifest.inventory.tables.length,
      rowsExpected: sum(manifest.inventory),
      rowsRestored: sum(restored),
      differences,
      rtoSeconds: round(rtoSeconds),
      rpoSeconds,
      verifySeconds: round(verifySeconds),
      totalSeconds: round((finished - started) / 1000),
      restoreMBps: round(manifest.sizeBytes / 1e6 / Math.max(rtoSeconds, 0.001)),
    };
    if (o.targets) {
      report.targets = {
        ...o.targets,
        withinRto: rtoSeconds <= o.targets.rtoMinutes * 60,
        withinRpo: rpoSeconds <= o.targets.rpoMinutes * 60,
      };
    }
    return report;
  } finally {
    // A failed drill leaves nothing behind: no scratch database, no key or password file.
    try {
      if (created) await dropDatabase(admin, scratch);
    } finally {
      await admin.end().catch(() => undefined);
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
