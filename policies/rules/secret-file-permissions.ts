/** PRE-CONFIG-07, SEC-DATA-03 (secret files mode 600 or stricter), PRE-CONFIG-03 (secrets delivered as files). */
import { resourcePolicy } from "../lib/define";
import { displayName, T, uploadsOf } from "../lib/docker";

export const secretFilePermissions = resourcePolicy<{ secretDirs: string[]; allowedModes: string[] }>({
  name: "secret-file-permissions",
  description: "Secret files uploaded into containers (under /run/secrets) have mode 0400 or 0600.",
  checklistIds: ["PRE-CONFIG-07", "SEC-DATA-03", "PRE-CONFIG-03"],
  severity: "high",
  group: "secrets",
  remediation: "Upload secret files with `permissions: \"0400\"` (or 0600) and the container user as owner.",
  resourceTypes: [T.container],
  config: {
    secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories holding secret files." },
    allowedModes: { type: "array", items: { type: "string" }, default: ["0400", "0600", "400", "600"], description: "Accepted modes." },
  },
  check(r, ctx) {
    const uploads = uploadsOf(r.props);
    if (!uploads.known) return ctx.undecidable("uploads");
    const dirs = ctx.config.secretDirs.map((d) => d.replace(/\/+$/, ""));
    for (const f of uploads.value) {
      if (!dirs.some((d) => f.file.startsWith(`${d}/`))) continue;
      // The provider writes 0644 when permissions is unset.
      const mode = f.permissions ?? "0644 (default)";
      if (!ctx.config.allowedModes.includes(f.permissions ?? "")) ctx.violation(`container ${displayName(r)}: secret file ${f.file} has mode ${mode}; expected 0400 or 0600`);
    }
  },
});
