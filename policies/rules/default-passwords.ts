/** PRE-SEC-02 (all default passwords changed): no well-known default as a password, in files or env. */
import { isDefaultSecret, isPlaceholder } from "../../infra/config/placeholders";
import { resourcePolicy } from "../lib/define";
import { displayName, envOf, T, uploadsOf } from "../lib/docker";
import { isSecretName } from "../lib/secrets";

export const defaultPasswords = resourcePolicy<{ secretDirs: string[]; minLength: number }>({
  name: "default-passwords",
  description: "No secret file or password variable holds a default, placeholder or short password (admin, postgres, changeme, ...).",
  checklistIds: ["PRE-SEC-02"],
  severity: "critical",
  group: "secrets",
  remediation: "Generate the password with random.RandomPassword (32+ characters) and deliver it as a file; never ship an image's default credentials.",
  resourceTypes: [T.container],
  config: {
    secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories holding secret files." },
    minLength: { type: "integer", default: 16, description: "Shortest password accepted in a password file." },
  },
  check(r, ctx) {
    const name = displayName(r);
    const dirs = ctx.config.secretDirs.map((d) => d.replace(/\/+$/, ""));
    const uploads = uploadsOf(r.props);
    if (!uploads.known) ctx.undecidable("uploads");
    else
      for (const f of uploads.value) {
        if (!dirs.some((d) => f.file.startsWith(`${d}/`))) continue;
        if (f.contentUnknown) {
          ctx.undecidable(`content of ${f.file}`);
          continue;
        }
        const v = (f.content ?? "").trim();
        // Only single-line files are passwords; keys, certificates and config includes are multi-line or structured.
        if (/\n/.test(v) || /^-----BEGIN/.test(v) || /^[{[]/.test(v) || /^\w[\w-]*\s+\S/.test(v)) {
          const m = /^\s*requirepass\s+("?)(.*?)\1\s*$/m.exec(v);
          if (m && (isDefaultSecret(m[2]) || isPlaceholder(m[2]) || m[2].length < ctx.config.minLength)) ctx.violation(`container ${name}: ${f.file} sets a default or weak requirepass`);
          continue;
        }
        if (isDefaultSecret(v) || isPlaceholder(v)) ctx.violation(`container ${name}: secret file ${f.file} holds a default or placeholder password`);
        else if (v.length < ctx.config.minLength) ctx.violation(`container ${name}: secret file ${f.file} holds a password shorter than ${ctx.config.minLength} characters`);
      }
    const env = envOf(r.props);
    if (env.known)
      for (const e of env.value)
        if (e.key && e.value !== undefined && isSecretName(e.key) && (isDefaultSecret(e.value) || isPlaceholder(e.value))) ctx.violation(`container ${name}: env ${e.key} is a default or placeholder password`);
  },
});
