/**
 * PRE-CONFIG-03 (Docker secrets configured for sensitive data), SEC-DATA-02 (secrets stored
 * using Docker secrets, not environment variables): a secret reaches a workload only as a
 * Docker secret (kept encrypted in the swarm's raft log, mounted on a tmpfs). Not as a Docker
 * config or an upload under /run/secrets, not through a mount over /run/secrets, not as a
 * config whose content is key material, and never through a container, which cannot mount
 * Docker secrets at all.
 */
import { stackPolicy } from "../lib/define";
import { keyMaterialIn } from "../lib/key-material";
import { isUnder } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

export const secretsAsDockerSecrets = stackPolicy<{ secretDirs: string[] }>({
  name: "secrets-as-docker-secrets",
  description:
    "Secrets reach workloads only as Docker secrets: no file under /run/secrets from a config, an upload or a mount; no config whose content is key material (PEM private key, secret setting, URL credentials, random token); no container with secret files.",
  checklistIds: ["PRE-CONFIG-03", "SEC-DATA-02"],
  severity: "critical",
  group: "secrets",
  remediation:
    "Deploy the workload as a swarm service (docker.Service) and deliver every secret as a docker.Secret referenced in taskSpec.containerSpec.secrets (fileName under /run/secrets, fileMode 0o400, the service user's fileUid/fileGid); keep only non-secret files in docker.ServiceConfig. infra/components/files.ts does this for every spec.",
  config: { secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories only Docker secrets may fill." } },
  check(resources, ctx) {
    const dirs = ctx.config.secretDirs;
    for (const w of workloadsOf(resources)) {
      const at = (m: string) => ctx.violation(`${w.label}: ${m}`, w.urn);
      if (!w.mounts.known) ctx.undecidable(`${w.label} mounts`, w.urn);
      else
        for (const m of w.mounts.value) {
          const covers = dirs.some((d) => m.target.replace(/\/+$/, "") === d.replace(/\/+$/, "")) || isUnder(m.target, dirs);
          if (covers && m.type !== "tmpfs") at(`${m.target} is a ${m.type} mount, not a Docker secret`);
        }
      if (!w.files.known) {
        ctx.undecidable(`${w.label} files`, w.urn);
        continue;
      }
      for (const f of w.files.value) {
        if (f.source === "secret") continue;
        const inSecretDir = isUnder(f.path, dirs);
        if (inSecretDir) at(`${f.path} is delivered as ${f.source === "config" ? "a Docker config" : "an upload"}, not a Docker secret`);
        else if (f.contentStatus === "known") {
          const kind = keyMaterialIn(f.content ?? "");
          if (kind) at(`${f.source === "config" ? "config" : "uploaded file"} ${f.path} holds ${kind}; deliver it as a Docker secret`);
        } else if (f.contentStatus === "unknown") ctx.undecidable(`${w.label} content of ${f.path}`, w.urn);
        else if (f.source === "config") ctx.undecidable(`${w.label} content of ${f.path} (${f.unresolvedWhy})`, w.urn);
      }
    }
  },
});
