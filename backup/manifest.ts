/**
 * The per-backup manifest that infra/images/backup/mcp-backup.sh writes next to each encrypted dump,
 * and how the drill and the runtime checks find and read backups. A backup is the pair
 * NAME.dump.age + NAME.manifest.json; the manifest is written last, so its presence
 * means a complete, verified backup.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";

export const MANIFEST_FORMAT_VERSION = 1;
export const DATA_SUFFIX = ".dump.age";
export const MANIFEST_SUFFIX = ".manifest.json";
/** Name of the textfile the script writes for node-exporter. */
export const METRICS_FILE_NAME = "mcp_backup.prom";
/** The metric names the alert rules (BackupTooOld / BackupFailed) and checks read. */
export const METRIC_LAST_SUCCESS = "mcp_backup_last_success_timestamp_seconds";
export const METRIC_LAST_RUN_SUCCESS = "mcp_backup_last_run_success";

const tableSchema = z.object({
  schema: z.string(),
  name: z.string(),
  rows: z.number().int().min(0),
  columns: z.array(z.string()),
  indexes: z.array(z.string()),
  constraints: z.array(z.string()),
});
export type TableInventory = z.infer<typeof tableSchema>;

export const inventorySchema = z.object({
  snapshotAt: z.string(),
  snapshotEpoch: z.number().int(),
  database: z.string(),
  serverVersion: z.string(),
  tables: z.array(tableSchema),
});
export type Inventory = z.infer<typeof inventorySchema>;

export const manifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  kind: z.literal("mcp-postgres-backup"),
  file: z.string(),
  database: z.string(),
  createdAt: z.string(),
  createdAtEpoch: z.number().int(),
  startedAtEpoch: z.number().int(),
  finishedAtEpoch: z.number().int(),
  durationSeconds: z.number().int().min(0),
  sizeBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  format: z.string(),
  pgDumpVersion: z.string(),
  encryption: z.string(),
  recipient: z.string().startsWith("age1"),
  verified: z.boolean(),
  inventory: inventorySchema,
});
export type BackupManifest = z.infer<typeof manifestSchema>;

export class BackupError extends Error {
  constructor(
    /** Stable reason for reports and tests. */
    readonly code:
      | "missing-backup"
      | "missing-manifest"
      | "bad-manifest"
      | "checksum-mismatch"
      | "wrong-key"
      | "decrypt-failed"
      | "restore-failed"
      | "database-unreachable"
      | "version-mismatch"
      | "config-mismatch",
    message: string,
  ) {
    super(message);
    this.name = "BackupError";
  }
}

export interface BackupRef {
  /** NAME without suffixes. */
  name: string;
  dataFile: string;
  manifestFile: string;
}

export function backupRefFor(dataFile: string): BackupRef {
  const abs = resolve(dataFile);
  const file = basename(abs);
  if (!file.endsWith(DATA_SUFFIX)) throw new BackupError("missing-backup", `${abs} is not a backup data file (expected a name ending in ${DATA_SUFFIX})`);
  const name = file.slice(0, -DATA_SUFFIX.length);
  return { name, dataFile: abs, manifestFile: join(dirname(abs), `${name}${MANIFEST_SUFFIX}`) };
}

export function readManifest(ref: BackupRef): BackupManifest {
  if (!existsSync(ref.manifestFile)) {
    throw new BackupError(
      "missing-manifest",
      `no manifest for ${basename(ref.dataFile)}: expected ${ref.manifestFile}. A backup without its manifest cannot be verified; use another backup.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(ref.manifestFile, "utf8"));
  } catch (e) {
    throw new BackupError("bad-manifest", `manifest ${ref.manifestFile} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupError("bad-manifest", `manifest ${ref.manifestFile} is invalid at "${issue.path.join(".")}": ${issue.message}`);
  }
  if (parsed.data.file !== basename(ref.dataFile)) {
    throw new BackupError("bad-manifest", `manifest ${ref.manifestFile} describes ${parsed.data.file}, not ${basename(ref.dataFile)}`);
  }
  return parsed.data;
}

/** Complete backups (with manifests) in a directory, newest first. */
export function listBackups(dir: string): { ref: BackupRef; manifest: BackupManifest }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BackupError("missing-backup", `backup directory ${dir} does not exist`);
  const out: { ref: BackupRef; manifest: BackupManifest }[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith(MANIFEST_SUFFIX)) continue;
    const name = f.slice(0, -MANIFEST_SUFFIX.length);
    const ref: BackupRef = { name, dataFile: join(dir, `${name}${DATA_SUFFIX}`), manifestFile: join(dir, f) };
    try {
      out.push({ ref, manifest: readManifest(ref) });
    } catch {
      /* an unreadable manifest is not a usable backup; the drill reports it when asked for it by name */
    }
  }
  return out.sort((a, b) => b.manifest.createdAtEpoch - a.manifest.createdAtEpoch || b.ref.name.localeCompare(a.ref.name));
}

/** `latest` or a file path (absolute, or relative to the backup dir / cwd). */
export function resolveBackup(dir: string, which: string): BackupRef {
  if (which === "latest") {
    const all = listBackups(dir);
    if (all.length === 0) throw new BackupError("missing-backup", `no complete backup (data + manifest) in ${dir}`);
    return all[0].ref;
  }
  const candidates = [which, join(dir, which)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new BackupError("missing-backup", `backup file ${which} not found (looked in ${candidates.join(" and ")})`);
  return backupRefFor(found);
}

/** Reads `name value` samples from a Prometheus text exposition (no labels needed here). */
export function parseTextfileMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line.trim());
    if (m && !line.startsWith("#")) out[m[1]] = Number(m[2]);
  }
  return out;
}
