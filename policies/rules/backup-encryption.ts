/** SEC-DATA-09 (backup encryption enabled): backups are encrypted with a key delivered as a secret file. */
import { backupContainers, truthyFlag } from "../lib/backup-container";
import { stackPolicy } from "../lib/define";
import { displayName } from "../lib/docker";

export const backupEncryption = stackPolicy<{ backupService: string; keyFileKey: string; disableKey: string; secretDirs: string[] }>({
  name: "backup-encryption",
  description: "The backup service encrypts every backup: its encryption identity/key file is set, uploaded as a secret file (0400/0600), and encryption is not switched off.",
  checklistIds: ["SEC-DATA-09"],
  severity: "critical",
  group: "backup",
  remediation: "Keep MCP_BACKUP_IDENTITY_FILE pointing at the age identity uploaded under /run/secrets (generated from backupEncryptionKey).",
  config: {
    backupService: { type: "string", default: "backup", description: "Service (com.mcp.service) of the backup job." },
    keyFileKey: { type: "string", default: "MCP_BACKUP_IDENTITY_FILE", description: "Env variable naming the encryption identity/key file." },
    disableKey: { type: "string", default: "MCP_BACKUP_NO_ENCRYPTION", description: "Env variable that would turn encryption off (must be unset or false)." },
    secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories holding secret files." },
  },
  check(resources, ctx) {
    for (const b of backupContainers(resources, ctx.config.backupService, ctx as never)) {
      const name = displayName(b.container);
      if (truthyFlag(b.env.get(ctx.config.disableKey))) ctx.violation(`container ${name}: backup encryption is switched off (${ctx.config.disableKey})`, b.container.urn);
      const path = b.env.get(ctx.config.keyFileKey);
      if (!path) {
        ctx.violation(`container ${name}: no backup encryption key (${ctx.config.keyFileKey} is not set): backups would be stored in plain text`, b.container.urn);
        continue;
      }
      const file = b.uploads.find((u) => u.file === path);
      if (!file) ctx.violation(`container ${name}: ${ctx.config.keyFileKey} points at ${path}, which the stack does not upload`, b.container.urn);
      else if (!ctx.config.secretDirs.some((d) => path.startsWith(`${d.replace(/\/+$/, "")}/`))) ctx.violation(`container ${name}: the backup encryption key ${path} is not under a secret directory`, b.container.urn);
      else if (!file.contentUnknown && !(file.content ?? "").trim()) ctx.violation(`container ${name}: the backup encryption key file ${path} is empty`, b.container.urn);
    }
  },
});
