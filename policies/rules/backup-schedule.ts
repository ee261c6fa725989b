/** BAK-SYSTEM-01 (automated backups scheduled), PRE-CONFIG-13 (backup storage configured): a backup service runs on an interval and writes to a volume. */
import { backupWorkloads } from "../lib/backup-view";
import { stackPolicy } from "../lib/define";

export const backupSchedule = stackPolicy<{ backupService: string; intervalKey: string; maxIntervalHours: number }>({
  name: "backup-schedule",
  description: "A backup service exists, runs on an interval no longer than the configured maximum, and stores backups on a named volume.",
  checklistIds: ["BAK-SYSTEM-01", "PRE-CONFIG-13"],
  severity: "critical",
  group: "backup",
  remediation: "Keep the backup service in the stack (infra/components/backup.ts) with mcp:backup.interval set, and its backups volume mounted.",
  config: {
    backupService: { type: "string", default: "backup", description: "Service (com.mcp.service) of the backup job." },
    intervalKey: { type: "string", default: "MCP_BACKUP_INTERVAL_SECONDS", description: "Env variable holding the interval in seconds." },
    maxIntervalHours: { type: "number", default: 24, description: "Longest interval between backups (hours)." },
  },
  check(resources, ctx) {
    for (const b of backupWorkloads(resources, ctx.config.backupService, ctx as never)) {
      const raw = b.env.get(ctx.config.intervalKey);
      const seconds = Number(raw);
      if (raw === undefined || !(seconds > 0)) ctx.violation(`${b.w.label}: no backup interval (${ctx.config.intervalKey})`, b.w.urn);
      else if (seconds > ctx.config.maxIntervalHours * 3600)
        ctx.violation(`${b.w.label}: backups run every ${seconds / 3600}h, more than ${ctx.config.maxIntervalHours}h apart`, b.w.urn);
      const mounts = b.w.mounts;
      if (!mounts.known) ctx.undecidable(`${b.w.label} mounts`, b.w.urn);
      else if (!mounts.value.some((m) => m.type === "volume" && !!m.source && !m.readOnly))
        ctx.violation(`${b.w.label}: backups are written to no named volume (they would vanish with the container)`, b.w.urn);
    }
  },
});
