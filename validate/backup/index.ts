/**
 * Backup checks for the registry: `VerifyTarget.extra[BACKUP_EXTRA]` holds a BackupTarget,
 * built here from the stack outputs and config for a run on the Docker host (the backup
 * and metrics volumes are read from the Docker data root).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { StackConfig } from "../../infra/config/load";
import { durationSeconds } from "../../infra/config/durations";
import type { StackOutputs } from "../../infra/outputs-types";
import { resourcePrefix } from "../../infra/topology";
import { BACKUP_METRICS_VOLUME, BACKUP_VOLUME } from "../../infra/components/backup";
import { METRICS_FILE_NAME } from "../../backup/manifest";
import { runDrill } from "../../backup/drill-run";
import { runConfigRestoreDrill } from "../../backup/config-restore";
import type { DrillConnection } from "../../backup/drill";
import type { BackupTarget } from "./checks";

export * from "./checks";

/** Key of the backup checks' target in VerifyTarget.extra. */
export const BACKUP_EXTRA = "backup";

export function dockerVolumeDir(volume: string, dockerRoot = "/var/lib/docker"): string {
  return join(dockerRoot, "volumes", volume, "_data");
}

export interface BackupTargetOptions {
  stack: string;
  config: StackConfig;
  outputs?: Pick<StackOutputs, "backup" | "secrets">;
  dockerRoot?: string;
  /** Override the backup volume path. */
  backupDir?: string;
  /** Override the metrics file path. */
  metricsFile?: string;
  /** Run the restore drill (needs the key from outputs.secrets); connection unset = local scratch server. */
  drill?: { connection?: DrillConnection; pgBinDir?: string } | false;
  /** Project directory for the configuration restore; unset = skipped. */
  projectDir?: string;
}

export function backupTargetFromStack(o: BackupTargetOptions): BackupTarget {
  const prefix = resourcePrefix(o.stack);
  const backupDir = o.backupDir ?? dockerVolumeDir(o.outputs?.backup?.volume ?? `${prefix}-${BACKUP_VOLUME}`, o.dockerRoot);
  const metricsFile = o.metricsFile ?? join(dockerVolumeDir(`${prefix}-${BACKUP_METRICS_VOLUME}`, o.dockerRoot), METRICS_FILE_NAME);
  const key = o.outputs?.secrets?.backupEncryptionKey;
  const drill = o.drill;
  const target: BackupTarget = {
    backupDir,
    readMetrics: (signal) => readFile(metricsFile, { encoding: "utf8", signal }),
    intervalSeconds: durationSeconds(o.config.backup.interval),
    retention: o.config.backup.retention,
    offsiteEnabled: o.config.backup.offsite.enabled,
  };
  if (drill && key) {
    target.runDrill = async (signal, log) => {
      const r = await runDrill({
        stack: o.stack,
        backupDir,
        backup: "latest",
        keyMaterial: key,
        connection: drill.connection,
        pgBinDir: drill.pgBinDir,
        targets: { rtoMinutes: o.config.dr.rtoMinutes, rpoMinutes: o.config.dr.rpoMinutes },
        log,
        signal,
      });
      if (r.database.status === "error") throw Object.assign(new Error(r.database.message), { code: r.database.code });
      return r.database;
    };
  }
  if (o.projectDir) {
    const projectDir = o.projectDir;
    target.runConfigRestore = async () => runConfigRestoreDrill({ projectDir, stack: o.stack });
  }
  return target;
}
