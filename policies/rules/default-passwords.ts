/** PRE-SEC-02 (all default passwords changed): no well-known default as a password, in secret files or env. */
import { isDefaultSecret, isPlaceholder } from "../../infra/config/placeholders";
import { stackPolicy } from "../lib/define";
import { isSecretName } from "../lib/secrets";
import { isUnder } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

export const defaultPasswords = stackPolicy<{ secretDirs: string[]; minLength: number }>({
  name: "default-passwords",
  description:
    "No secret file (Docker secret or file under /run/secrets) or password variable holds a default, placeholder or short password (admin, postgres, changeme, ...).",
  checklistIds: ["PRE-SEC-02"],
  severity: "critical",
  group: "secrets",
  remediation:
    "Generate the password with random.RandomPassword (32+ characters) and deliver it as a Docker secret; never ship an image's default credentials.",
  config: {
    secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories holding secret files." },
    minLength: { type: "integer", default: 16, description: "Shortest password accepted in a password file." },
  },
  check(resources, ctx) {
    for (const w of workloadsOf(resources)) {
      const at = (m: string) => ctx.violation(`${w.label}: ${m}`, w.urn);
      if (!w.files.known) ctx.undecidable(`${w.label} files`, w.urn);
      else
        for (const f of w.files.value) {
          if (f.source !== "secret" && !isUnder(f.path, ctx.config.secretDirs)) continue;
          if (f.contentStatus !== "known") {
            ctx.undecidable(`${w.label} content of ${f.path}${f.unresolvedWhy ? ` (${f.unresolvedWhy})` : ""}`, w.urn);
            continue;
          }
          const v = (f.content ?? "").trim();
          // Only single-line files are passwords; keys, certificates and config includes are multi-line or structured.
          if (/\n/.test(v) || /^-----BEGIN/.test(v) || /^[{[]/.test(v) || /^\w[\w-]*\s+\S/.test(v)) {
            const m = /^\s*requirepass\s+("?)(.*?)\1\s*$/m.exec(v);
            if (m && (isDefaultSecret(m[2]) || isPlaceholder(m[2]) || m[2].length < ctx.config.minLength)) at(`${f.path} sets a default or weak requirepass`);
            continue;
          }
          if (isDefaultSecret(v) || isPlaceholder(v)) at(`secret file ${f.path} holds a default or placeholder password`);
          else if (v.length < ctx.config.minLength) at(`secret file ${f.path} holds a password shorter than ${ctx.config.minLength} characters`);
        }
      if (w.env.known)
        for (const e of w.env.value)
          if (e.key && e.value !== undefined && isSecretName(e.key) && (isDefaultSecret(e.value) || isPlaceholder(e.value)))
            at(`env ${e.key} is a default or placeholder password`);
    }
  },
});
