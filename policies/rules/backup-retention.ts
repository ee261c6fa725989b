/** BAK-SYSTEM-03 (retention policy configured): the backup service keeps the newest N and prunes by age. */
import { backupWorkloads } from "../lib/backup-view";
import { stackPolicy } from "../lib/define";

export const backupRetention = stackPolicy<{ backupService: string; keepLastKey: string; maxAgeDaysKey: string; minKeepLast: number }>({
  name: "backup-retention",
  description: "The backup service has a retention policy: keep at least N newest backups and delete older ones after a number of days.",
  checklistIds: ["BAK-SYSTEM-03"],
  severity: "high",
  group: "backup",
  remediation: "Set mcp:backup.retention.keepLast and maxAgeDays; the program passes them to the backup script.",
  config: {
    backupService: { type: "string", default: "backup", description: "Service (com.mcp.service) of the backup job." },
    keepLastKey: { type: "string", default: "MCP_BACKUP_KEEP_LAST", description: "Env variable: newest backups always kept." },
    maxAgeDaysKey: { type: "string", default: "MCP_BACKUP_MAX_AGE_DAYS", description: "Env variable: age in days after which backups are deleted." },
    minKeepLast: { type: "integer", default: 1, description: "Fewest backups kept." },
  },
  check(resources, ctx) {
    for (const b of backupWorkloads(resources, ctx.config.backupService, ctx as never)) {
      const keep = Number(b.env.get(ctx.config.keepLastKey));
      const age = Number(b.env.get(ctx.config.maxAgeDaysKey));
      if (!(Number.isInteger(keep) && keep >= ctx.config.minKeepLast))
        ctx.violation(`${b.w.label}: no retention count (${ctx.config.keepLastKey} >= ${ctx.config.minKeepLast})`, b.w.urn);
      if (!(age >= 1)) ctx.violation(`${b.w.label}: no retention age (${ctx.config.maxAgeDaysKey} >= 1): backups are never pruned`, b.w.urn);
    }
  },
});
