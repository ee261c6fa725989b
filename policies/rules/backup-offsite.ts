/** BAK-SYSTEM-04 (off-site backup configured): prod copies backups off the host over HTTPS with a file-delivered secret key. */
import { backupWorkloads, truthyFlag } from "../lib/backup-view";
import { stackPolicy } from "../lib/define";
import { networkIndex } from "../lib/networks";
import { stackEnvironment } from "../lib/stack-config";

export const backupOffsite = stackPolicy<{
  backupService: string;
  require: string;
  enabledKey: string;
  endpointKey: string;
  bucketKey: string;
  secretKeyFileKey: string;
}>({
  name: "backup-offsite",
  description:
    "When required (prod), the backup service copies backups off-site: enabled, an https:// endpoint, a bucket, the secret key as a file the stack delivers (Docker secret), and a network with a route out.",
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
    for (const b of backupWorkloads(resources, c.backupService, ctx as never)) {
      const urn = b.w.urn;
      if (!truthyFlag(b.env.get(c.enabledKey))) {
        ctx.violation(`${b.w.label}: off-site backup is not enabled (${c.enabledKey})`, urn);
        continue;
      }
      const endpoint = b.env.get(c.endpointKey) ?? "";
      if (!/^https:\/\//.test(endpoint)) ctx.violation(`${b.w.label}: off-site endpoint (${c.endpointKey}) is not an https:// URL`, urn);
      if (!(b.env.get(c.bucketKey) ?? "").trim()) ctx.violation(`${b.w.label}: no off-site bucket (${c.bucketKey})`, urn);
      const keyFile = b.env.get(c.secretKeyFileKey);
      if (!keyFile || !b.files.some((f) => f.path === keyFile))
        ctx.violation(`${b.w.label}: the off-site secret key file (${c.secretKeyFileKey}) is not delivered (no Docker secret or upload at that path)`, urn);
      const attached = b.w.networks;
      if (attached.known && attached.value.length > 0 && attached.value.every((n) => n.ref !== undefined && nets.get(n.ref)?.internal === true))
        ctx.violation(`${b.w.label}: attached only to internal networks, so the off-site copy cannot leave the host`, urn);
    }
  },
});
