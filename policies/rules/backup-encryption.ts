/** SEC-DATA-09 (backup encryption enabled): backups are encrypted with a key delivered as a secret file. */
import { backupWorkloads, truthyFlag } from "../lib/backup-view";
import { stackPolicy } from "../lib/define";
import { isUnder } from "../lib/workload-files";

export const backupEncryption = stackPolicy<{ backupService: string; keyFileKey: string; disableKey: string; secretDirs: string[] }>({
  name: "backup-encryption",
  description:
    "The backup service encrypts every backup: its encryption identity/key file is set, delivered under /run/secrets (a Docker secret), and encryption is not switched off.",
  checklistIds: ["SEC-DATA-09"],
  severity: "critical",
  group: "backup",
  remediation: "Keep MCP_BACKUP_IDENTITY_FILE pointing at the age identity, a Docker secret under /run/secrets (generated from backupEncryptionKey).",
  config: {
    backupService: { type: "string", default: "backup", description: "Service (com.mcp.service) of the backup job." },
    keyFileKey: { type: "string", default: "MCP_BACKUP_IDENTITY_FILE", description: "Env variable naming the encryption identity/key file." },
    disableKey: { type: "string", default: "MCP_BACKUP_NO_ENCRYPTION", description: "Env variable that would turn encryption off (must be unset or false)." },
    secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories holding secret files." },
  },
  check(resources, ctx) {
    for (const b of backupWorkloads(resources, ctx.config.backupService, ctx as never)) {
      if (truthyFlag(b.env.get(ctx.config.disableKey))) ctx.violation(`${b.w.label}: backup encryption is switched off (${ctx.config.disableKey})`, b.w.urn);
      const path = b.env.get(ctx.config.keyFileKey);
      if (!path) {
        ctx.violation(`${b.w.label}: no backup encryption key (${ctx.config.keyFileKey} is not set): backups would be stored in plain text`, b.w.urn);
        continue;
      }
      const file = b.files.find((f) => f.path === path);
      if (!file)
        ctx.violation(
          `${b.w.label}: ${ctx.config.keyFileKey} points at ${path}, which the stack does not deliver (no Docker secret or upload at that path)`,
          b.w.urn,
        );
      else if (!isUnder(path, ctx.config.secretDirs)) ctx.violation(`${b.w.label}: the backup encryption key ${path} is not under a secret directory`, b.w.urn);
      else if (file.contentStatus === "known" && !(file.content ?? "").trim())
        ctx.violation(`${b.w.label}: the backup encryption key file ${path} is empty`, b.w.urn);
    }
  },
});
