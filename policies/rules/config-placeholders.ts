/** PRE-CONFIG-02: no placeholder values (your_*_here, changeme, <...>, ${UNSET}) in what the stack deploys. */
import { isPlaceholder } from "../../infra/config/placeholders";
import { stackPolicy } from "../lib/define";
import { memoByText } from "../lib/memo";
import { isSecretName } from "../lib/secrets";
import { workloadsOf } from "../lib/workloads";

const IN_TEXT = /\byour_[a-z0-9_]+_here\b|\bchange[_-]?me\b|<(?:replace|insert|your)[^>]*>|\bREPLACE_ME\b/i;

/**
 * A whole value that is a template marker. The shared isPlaceholder() also treats words like
 * "test" and "example" as placeholders: right for secrets, wrong for a stack named "test".
 */
const isMarker = (v: string) => IN_TEXT.test(v) || /^<[^>]*>$/.test(v.trim()) || /^\$\{[^}]*\}$/.test(v.trim());

/** Rendered files are scanned once per distinct content. */
const fileHasPlaceholder = memoByText((text: string) => IN_TEXT.test(text) || (text.trim() !== "" && isMarker(text)));

/** Value part of `--flag=value`. */
const argValue = (a: string) => a.replace(/^--?[\w.-]+=/, "").trim();

export const configPlaceholders = stackPolicy({
  name: "config-placeholders",
  description:
    "No placeholder value in a workload's env, command, labels or files (uploads, Docker configs and secrets): your_*_here, changeme, <replace-me>, ${UNSET}.",
  checklistIds: ["PRE-CONFIG-02"],
  severity: "high",
  group: "secrets",
  remediation: "Set the real value in Pulumi.<stack>.yaml (pulumi config set [--secret] mcp:<key> ...) or let the program generate it.",
  check(resources, ctx) {
    for (const w of workloadsOf(resources)) {
      const at = (m: string) => ctx.violation(`${w.label}: ${m}`, w.urn);
      if (!w.env.known) ctx.undecidable(`${w.label} env`, w.urn);
      else
        for (const e of w.env.value) {
          if (e.key === undefined || e.value === undefined) continue;
          // An empty value can be deliberate (e.g. "--cluster.listen-address="); only non-empty placeholders count.
          if (e.value.trim() !== "" && (isMarker(e.value) || (isSecretName(e.key) && isPlaceholder(e.value)))) at(`env ${e.key} is a placeholder`);
        }
      if (!w.command.known) ctx.undecidable(`${w.label} command`, w.urn);
      else if (w.command.value.some((a) => isMarker(argValue(a)))) at("command line contains a placeholder");
      if (w.labels.known) for (const [k, v] of Object.entries(w.labels.value)) if (isMarker(v)) at(`label ${k} is a placeholder`);
      if (!w.files.known) {
        ctx.undecidable(`${w.label} files`, w.urn);
        continue;
      }
      for (const f of w.files.value) {
        if (f.contentStatus === "unknown") ctx.undecidable(`${w.label} content of ${f.path}`, w.urn);
        else if (f.contentStatus === "unresolved") ctx.undecidable(`${w.label} content of ${f.path} (${f.unresolvedWhy})`, w.urn);
        else if (f.content !== undefined && fileHasPlaceholder(f.content)) at(`file ${f.path} contains a placeholder`);
      }
    }
  },
});
