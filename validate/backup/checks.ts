/**
 * Runtime checks of the backup service, read from what it leaves behind: the backups and
 * manifests on the backup volume, its Prometheus textfile metrics, and restore drills.
 * Checklist: BAK-SYSTEM-01..05, BAK-RECOVERY-01/02/04, SEC-DATA-09, POST-24H-02, DEP-DB-04.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { fail, pass, skip, type Check, type CheckContext, type CheckResult } from "../core/types";
import {
  DATA_SUFFIX,
  listBackups,
  MANIFEST_SUFFIX,
  METRIC_LAST_RUN_SUCCESS,
  METRIC_LAST_SUCCESS,
  parseTextfileMetrics,
  type BackupManifest,
  type BackupRef,
} from "../../backup/manifest";
import { fileSha256, type DrillReport } from "../../backup/drill";
import { planRetention, type RetentionPolicy } from "../../backup/retention";
import type { ConfigRestoreReport } from "../../backup/config-restore";

export const METRIC_OFFSITE_LAST_SUCCESS = "mcp_backup_offsite_last_success_timestamp_seconds";

export interface BackupTarget {
  /** The backup volume as seen where the checks run (e.g. /var/lib/docker/volumes/<name>/_data). */
  backupDir: string;
  /** The service's textfile metrics (the file on the metrics volume, or node-exporter's /metrics). */
  readMetrics(signal: AbortSignal): Promise<string>;
  /** mcp:backup.interval in seconds. */
  intervalSeconds: number;
  retention: RetentionPolicy;
  offsiteEnabled: boolean;
  /** Runs a restore drill of the latest backup; unset: backup.restore-drill is skipped. */
  runDrill?(signal: AbortSignal, log: (line: string) => void): Promise<DrillReport>;
  /** Runs the configuration restore; unset: backup.config-restore is skipped. */
  runConfigRestore?(signal: AbortSignal): Promise<ConfigRestoreReport>;
  /** Milliseconds since the epoch (tests pin it). */
  now?(): number;
}

const nowSeconds = (t: BackupTarget) => Math.floor((t.now ? t.now() : Date.now()) / 1000);
const limitOf = (t: BackupTarget) => Math.round(t.intervalSeconds * 1.5);
const human = (s: number) => (s >= 5400 ? `${(s / 3600).toFixed(1)}h` : s >= 120 ? `${Math.round(s / 60)}m` : `${s}s`);

function newest(t: BackupTarget): { ref: BackupRef; manifest: BackupManifest } | CheckResult {
  if (!existsSync(t.backupDir))
    return fail(`backup directory ${t.backupDir} does not exist`, {
      remediation: "Point the check at the backup volume (stack output backup.volume) on the Docker host.",
    });
  const all = listBackups(t.backupDir);
  if (all.length === 0)
    return fail(`no complete backup (encrypted dump + manifest) in ${t.backupDir}`, {
      remediation: "Check the backup container's logs (docker logs <prefix>-backup) and its health.",
    });
  return all[0];
}

async function metricsOf(t: BackupTarget, ctx: CheckContext): Promise<Record<string, number> | CheckResult> {
  let text: string;
  try {
    text = await t.readMetrics(ctx.signal);
  } catch (e) {
    return fail(`backup metrics are not readable: ${(e as Error).message}`, {
      remediation: "The backup container writes mcp_backup.prom into the shared textfile volume node-exporter reads.",
    });
  }
  return parseTextfileMetrics(text);
}

const isResult = (x: unknown): x is CheckResult => !!x && typeof x === "object" && "status" in x && "message" in x;

export const backupAgeCheck: Check<BackupTarget> = {
  id: "backup.age",
  title: "The most recent backup is younger than 1.5 x the backup interval",
  checklistIds: ["BAK-SYSTEM-01", "POST-24H-02", "DEP-DB-04"],
  async run(t) {
    const n = newest(t);
    if (isResult(n)) return n;
    const age = nowSeconds(t) - n.manifest.finishedAtEpoch;
    const limit = limitOf(t);
    const extra = {
      expected: `newest backup at most ${human(limit)} old (1.5 x ${human(t.intervalSeconds)})`,
      actual: `${n.manifest.file}, ${human(Math.max(age, 0))} old`,
      measurements: {
        ageSeconds: age,
        limitSeconds: limit,
        backups: listBackups(t.backupDir).length,
        newest: n.manifest.file,
        sizeBytes: n.manifest.sizeBytes,
      },
    };
    return age <= limit
      ? pass(`newest backup ${n.manifest.file} finished ${human(Math.max(age, 0))} ago`, extra)
      : fail(`newest backup ${n.manifest.file} finished ${human(age)} ago, more than 1.5 x the ${human(t.intervalSeconds)} interval`, {
          ...extra,
          remediation: "Backups stopped: check the backup container (docker logs, health status) and that it can reach PostgreSQL.",
        });
  },
};

export const backupMonitoringCheck: Check<BackupTarget> = {
  id: "backup.monitoring",
  title: "The backup service exposes last-success and last-result metrics that agree with the backups",
  checklistIds: ["BAK-SYSTEM-05"],
  async run(t, ctx) {
    const m = await metricsOf(t, ctx);
    if (isResult(m)) return m;
    const missing = [METRIC_LAST_SUCCESS, METRIC_LAST_RUN_SUCCESS].filter((k) => !(k in m));
    if (missing.length)
      return fail(`backup metrics lack ${missing.join(", ")}`, {
        remediation: "Check that MCP_BACKUP_TEXTFILE_DIR is the volume node-exporter reads (--collector.textfile.directory).",
      });
    const measurements = { lastSuccess: m[METRIC_LAST_SUCCESS], lastRunSuccess: m[METRIC_LAST_RUN_SUCCESS] };
    if (m[METRIC_LAST_RUN_SUCCESS] !== 1)
      return fail("the last backup run failed (mcp_backup_last_run_success = 0): the BackupFailed alert fires", {
        measurements,
        remediation: "Read the backup container's log for the failing step.",
      });
    const age = nowSeconds(t) - m[METRIC_LAST_SUCCESS];
    if (age > limitOf(t)) return fail(`${METRIC_LAST_SUCCESS} is ${human(age)} old: the BackupTooOld alert fires`, { measurements });
    const n = newest(t);
    if (isResult(n)) return n;
    // The metric must describe real backups, not a stale or foreign file.
    if (m[METRIC_LAST_SUCCESS] < n.manifest.finishedAtEpoch) {
      return fail(
        `${METRIC_LAST_SUCCESS} (${m[METRIC_LAST_SUCCESS]}) is older than the newest backup (${n.manifest.finishedAtEpoch}): metrics are not being updated`,
        { measurements },
      );
    }
    return pass(`metrics present; last run succeeded; last success ${human(Math.max(age, 0))} ago`, { measurements });
  },
};

const AGE_HEADER = "age-encryption.org/v1\n";

export const backupEncryptedCheck: Check<BackupTarget> = {
  id: "backup.encrypted",
  title: "Backups are encrypted (age, X25519) and hold no readable dump",
  checklistIds: ["SEC-DATA-09"],
  async run(t) {
    const n = newest(t);
    if (isResult(n)) return n;
    const fd = openSync(n.ref.dataFile, "r");
    const head = Buffer.alloc(Math.min(1 << 20, statSync(n.ref.dataFile).size));
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const text = head.toString("latin1");
    const problems: string[] = [];
    if (!text.startsWith(AGE_HEADER)) problems.push("does not start with the age header");
    if (!/\n-> X25519 /.test(text)) problems.push("has no X25519 recipient stanza");
    if (text.includes("PGDMP")) problems.push("contains a plaintext pg_dump signature");
    if (n.manifest.encryption !== "age X25519") problems.push(`manifest says encryption "${n.manifest.encryption}"`);
    return problems.length === 0
      ? pass(`${n.manifest.file} is age-encrypted to ${n.manifest.recipient}`, { measurements: { recipient: n.manifest.recipient } })
      : fail(`${n.manifest.file} ${problems.join("; ")}`, {
          remediation: "The backup container must encrypt every dump (MCP_BACKUP_IDENTITY_FILE); move unencrypted files off the volume.",
        });
  },
};

export const backupVerifiedCheck: Check<BackupTarget> = {
  id: "backup.verified",
  title: "The newest backup was read back after writing and still matches its SHA-256",
  checklistIds: ["BAK-SYSTEM-02", "SIGN-OPS-02"],
  timeoutMs: 120_000,
  async run(t) {
    const n = newest(t);
    if (isResult(n)) return n;
    if (!n.manifest.verified) return fail(`${n.manifest.file} was not verified after writing`);
    const { sha256, size } = await fileSha256(n.ref.dataFile);
    if (sha256 !== n.manifest.sha256 || size !== n.manifest.sizeBytes) {
      return fail(
        `${n.manifest.file} no longer matches its manifest (SHA-256 ${sha256}, ${size} bytes; manifest ${n.manifest.sha256}, ${n.manifest.sizeBytes} bytes)`,
        {
          remediation: "The file was truncated or modified on disk: investigate the volume, and restore from the off-site copy.",
        },
      );
    }
    return pass(`${n.manifest.file}: verified at backup time; SHA-256 still matches`, { measurements: { sha256, sizeBytes: size } });
  },
};

export const backupRetentionCheck: Check<BackupTarget> = {
  id: "backup.retention",
  title: "Backups are pruned by the configured retention policy",
  checklistIds: ["BAK-SYSTEM-03"],
  async run(t) {
    if (!existsSync(t.backupDir)) return fail(`backup directory ${t.backupDir} does not exist`);
    const all = listBackups(t.backupDir);
    // Pruning runs after each backup: anything the policy deleted more than one run ago must be gone.
    const asOf = nowSeconds(t) - limitOf(t);
    const overdue = planRetention(
      all.map((b) => ({ name: b.ref.name, createdAtEpoch: b.manifest.createdAtEpoch })),
      t.retention,
      asOf,
    );
    // Incomplete backups (data without manifest) are deleted once older than maxAgeDays.
    const orphans = readdirSync(t.backupDir).filter(
      (f) => f.endsWith(DATA_SUFFIX) && !existsSync(join(t.backupDir, f.slice(0, -DATA_SUFFIX.length) + MANIFEST_SUFFIX)),
    );
    const staleOrphans = orphans.filter((f) => statSync(join(t.backupDir, f)).mtimeMs / 1000 < asOf - t.retention.maxAgeDays * 86400);
    const policy = `keepLast=${t.retention.keepLast}, maxAgeDays=${t.retention.maxAgeDays}`;
    const measurements = { kept: all.length, overdue: overdue.length, incomplete: orphans.length };
    if (overdue.length || staleOrphans.length) {
      return fail(
        `${overdue.length + staleOrphans.length} backup(s) should have been pruned (${policy}): ${[...overdue, ...staleOrphans].slice(0, 5).join(", ")}`,
        {
          measurements,
          remediation: "Pruning runs after every backup run: check the backup container's log for retention lines.",
        },
      );
    }
    return pass(`${all.length} backups kept, none overdue for deletion (${policy})`, { measurements });
  },
};

export const backupOffsiteCheck: Check<BackupTarget> = {
  id: "backup.offsite",
  title: "Backups are copied off-site within 1.5 x the backup interval",
  checklistIds: ["BAK-SYSTEM-04"],
  async run(t, ctx) {
    if (!t.offsiteEnabled) {
      return fail("off-site copy is disabled (mcp:backup.offsite.enabled is false)", {
        remediation: "Configure mcp:backup.offsite (endpoint, bucket, region, accessKeyId) and mcp:backupOffsiteSecretKey.",
      });
    }
    const m = await metricsOf(t, ctx);
    if (isResult(m)) return m;
    const last = m[METRIC_OFFSITE_LAST_SUCCESS];
    if (last === undefined || last === 0)
      return fail("no off-site copy has succeeded yet (mcp_backup_offsite_last_success_timestamp_seconds)", {
        remediation: "Read the backup container's log for the rclone error.",
      });
    const age = nowSeconds(t) - last;
    return age <= limitOf(t)
      ? pass(`last off-site copy ${human(Math.max(age, 0))} ago`, { measurements: { offsiteAgeSeconds: age } })
      : fail(`last off-site copy ${human(age)} ago, more than 1.5 x the interval`, { measurements: { offsiteAgeSeconds: age } });
  },
};

export const backupRestoreDrillCheck: Check<BackupTarget> = {
  id: "backup.restore-drill",
  title: "The latest backup restores into a scratch database with every table, column and row, within the RTO",
  checklistIds: ["BAK-RECOVERY-01", "BAK-RECOVERY-04", "SIGN-OPS-02"],
  timeoutMs: 30 * 60_000,
  async run(t, ctx) {
    if (!t.runDrill) return skip("no restore target configured for the drill (run `npm run drill:restore -- --stack <stack>`)");
    let r: DrillReport;
    try {
      r = await t.runDrill(ctx.signal, ctx.log);
    } catch (e) {
      const code = (e as { code?: string }).code;
      return fail(`restore drill failed${code ? ` (${code})` : ""}: ${(e as Error).message}`);
    }
    const measurements = {
      rtoSeconds: r.rtoSeconds,
      rpoSeconds: r.rpoSeconds,
      tables: r.tables,
      rowsRestored: r.rowsRestored,
      restoreMBps: r.restoreMBps,
      backup: r.backup.file,
      scratchDropped: r.scratchDropped,
    };
    if (r.status !== "pass") {
      const d = r.differences
        .slice(0, 5)
        .map((x) => `${x.table}: ${x.problem}${x.expected !== undefined ? ` expected ${x.expected}` : ""}${x.actual !== undefined ? ` got ${x.actual}` : ""}`);
      return fail(`restored database differs from the manifest: ${d.join("; ") || (r.scratchDropped ? "unknown" : "scratch database not dropped")}`, {
        measurements,
      });
    }
    if (r.targets && !r.targets.withinRto) return fail(`restore took ${r.rtoSeconds} s, over the ${r.targets.rtoMinutes} min RTO`, { measurements });
    return pass(
      `${r.backup.file} restored in ${r.rtoSeconds} s (RTO), data age ${human(r.rpoSeconds)} (RPO), ${r.tables} tables / ${r.rowsRestored} rows identical`,
      { measurements },
    );
  },
};

export const backupConfigRestoreCheck: Check<BackupTarget> = {
  id: "backup.config-restore",
  title: "The stack configuration restores into a fresh directory and renders identical configs",
  checklistIds: ["BAK-RECOVERY-02", "SIGN-OPS-02"],
  timeoutMs: 60_000,
  async run(t, ctx) {
    if (!t.runConfigRestore) return skip("configuration restore not configured (needs the project directory)");
    const r = await t.runConfigRestore(ctx.signal);
    const measurements = { files: r.files, renderedFiles: r.renderedFiles, bundleSha256: r.bundleSha256 };
    return r.status === "pass"
      ? pass(`${r.files} files (${r.renderedFiles} rendered configs) restored and re-rendered identically`, { measurements })
      : fail(
          `configuration restore differs: ${r.differences
            .slice(0, 5)
            .map((d) => `${d.path} ${d.problem}`)
            .join("; ")}`,
          { measurements },
        );
  },
};

export const BACKUP_CHECKS: readonly Check<BackupTarget>[] = [
  backupAgeCheck,
  backupMonitoringCheck,
  backupEncryptedCheck,
  backupVerifiedCheck,
  backupRetentionCheck,
  backupOffsiteCheck,
  backupRestoreDrillCheck,
  backupConfigRestoreCheck,
];
