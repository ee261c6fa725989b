/**
 * One complete drill as `npm run drill:restore` and the backup.restore-drill check run it:
 * the database restore (backup/drill.ts) plus the configuration restore
 * (backup/config-restore.ts), joined into one JSON report for the sign-off
 * (BAK-RECOVERY-01/02/04). Errors become report entries with a stable code, never throws
 * past here, so a report is always written.
 */
import { BackupError, resolveBackup } from "./manifest";
import { runRestoreDrill, type DrillConnection, type DrillReport } from "./drill";
import { runConfigRestoreDrill, type ConfigRestoreReport } from "./config-restore";
import { withScratchServer } from "./scratch-server";

export interface DrillRunOptions {
  stack: string;
  backupDir: string;
  /** "latest" or a file. */
  backup: string;
  keyMaterial: string;
  /** Restore target; unset: a local scratch server is started and removed. */
  connection?: DrillConnection;
  pgBinDir?: string;
  targets?: { rtoMinutes: number; rpoMinutes: number };
  /** Project directory for the configuration restore; unset: skipped. */
  projectDir?: string;
  workRoot?: string;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

import type { DrillError, DrillRunFindings, DrillRunReport } from "../evidence/drill";
import { EVIDENCE_FORMAT_VERSION } from "../evidence/version";
export type { DrillError, DrillRunFindings, DrillRunReport };

function asError(e: unknown): DrillError {
  if (e instanceof BackupError) return { status: "error", code: e.code, message: e.message };
  return { status: "error", code: "error", message: e instanceof Error ? e.message : String(e) };
}

export async function runDrill(o: DrillRunOptions): Promise<DrillRunFindings> {
  const log = o.log ?? (() => undefined);
  let database: DrillReport | DrillError;
  try {
    const ref = resolveBackup(o.backupDir, o.backup);
    const drill = (connection: DrillConnection) =>
      runRestoreDrill({
        backup: ref,
        keyMaterial: o.keyMaterial,
        connection,
        pgBinDir: o.pgBinDir,
        targets: o.targets,
        workRoot: o.workRoot,
        log,
        signal: o.signal,
      });
    database = o.connection ? await drill(o.connection) : await withScratchServer(drill, { binDir: o.pgBinDir, log });
  } catch (e) {
    database = asError(e);
  }
  let configuration: ConfigRestoreReport | DrillError | undefined;
  if (o.projectDir) {
    try {
      log(`configuration restore of stack ${o.stack} from ${o.projectDir}`);
      configuration = runConfigRestoreDrill({ projectDir: o.projectDir, stack: o.stack, workRoot: o.workRoot });
    } catch (e) {
      configuration = asError(e);
    }
  }
  const parts = [database, ...(configuration ? [configuration] : [])];
  const status = parts.some((p) => p.status === "error") ? "error" : parts.every((p) => p.status === "pass") ? "pass" : "fail";
  return {
    kind: "restore-drill-run",
    formatVersion: EVIDENCE_FORMAT_VERSION,
    stack: o.stack,
    generatedAt: new Date().toISOString(),
    status,
    database,
    configuration,
  };
}
