/** BAK-SYSTEM-04 (off-site backup configured): prod copies backups off the host over HTTPS with a file-delivered secret key. */
import { backupContainers, truthyFlag } from "../lib/backup-container";
import { stackPolicy } from "../lib/define";
import { displayName, networksOf } from "../lib/docker";
import { networkIndex } from "../lib/networks";
import { stackEnvironment } from "../lib/stack-config";

export const backupOffsite = stackPolicy<{ backupService: string; require: string; enabledKey: string; endpointKey: string; bucketKey: string; secretKeyFileKey: string }>({
  name: "backup-offsite",
  description: "When required (prod), the backup service copies backups off-site: enabled, an https:// endpoint, a bucket, the secret key as an uploaded file, and a network with a route out.",
  checklistIds: ["BAK-SYSTEM-04"],
  severity: "high",
  group: "backup",
  remediation: "Set mcp:backup.offsite (enabled: true, endpoint https://..., bucket, region, accessKeyId) and the secret mcp:backupOffsiteSecretKey.",
  config: {
    backupService: { type: "string", default: "backup", description: "Service (com.mcp.service) of the backup job." },
    require: { type: "string", enum: ["auto", "always", "never"], default: "auto", description: "auto: required when mcp:environment is prod." },
    enabledKey: { type: "string", default: "MCP_BACKUP_OFFSITE", description: "Env flag enabling the off-site copy." },
    endpointKey: { type: "string", default: "MCP_BACKUP_OFFSITE_ENDPOINT", description: "Env variable with the S3 endpoint URL." },
    bucketKey: { type: "string", default: "MCP_BACKUP_OFFSITE_BUCKET", description: "Env variable with the bucket." },
    secretKeyFileKey: { type: "string", default: "MCP_BACKUP_OFFSITE_SECRET_KEY_FILE", description: "Env variable naming the secret key file." },
  },
  check(resources, ctx) {
    const c = ctx.config;
    const required = c.require === "always" || (c.require === "auto" && stackEnvironment() === "prod");
    if (!required) return;
    const nets = networkIndex(resources);
    for (const b of backupContainers(resources, c.backupService, ctx as never)) {
      const name = displayName(b.container);
      const urn = b.container.urn;
      if (!truthyFlag(b.env.get(c.enabledKey))) {
        ctx.violation(`container ${name}: off-site backup is not enabled (${c.enabledKey})`, urn);
        continue;
      }
      const endpoint = b.env.get(c.endpointKey) ?? "";
      if (!/^https:\/\//.test(endpoint)) ctx.violation(`container ${name}: off-site endpoint (${c.endpointKey}) is not an https:// URL`, urn);
      if (!(b.env.get(c.bucketKey) ?? "").trim()) ctx.violation(`container ${name}: no off-site bucket (${c.bucketKey})`, urn);
      const keyFile = b.env.get(c.secretKeyFileKey);
      if (!keyFile || !b.uploads.some((u) => u.file === keyFile)) ctx.violation(`container ${name}: the off-site secret key file (${c.secretKeyFileKey}) is not uploaded`, urn);
      const attached = networksOf(b.container.props);
      if (attached.known && attached.value.length > 0 && attached.value.every((n) => n.name !== undefined && nets.get(n.name)?.internal === true)) ctx.violation(`container ${name}: attached only to internal networks, so the off-site copy cannot leave the host`, urn);
    }
  },
});
