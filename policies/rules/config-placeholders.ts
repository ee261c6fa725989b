/** PRE-CONFIG-02: no placeholder values (your_*_here, changeme, <...>, ${UNSET}) in what the stack deploys. */
import { isPlaceholder } from "../../infra/config/placeholders";
import { isSecretName } from "../lib/secrets";
import { resourcePolicy } from "../lib/define";
import { memoByText } from "../lib/memo";
import { commandOf, displayName, envOf, labelsOf, T, uploadsOf } from "../lib/docker";

/** Placeholder text inside a larger file. */
/**
 * A whole value that is a template marker. The shared isPlaceholder() also treats words like
 * "test" and "example" as placeholders: right for secrets, wrong for a stack named "test".
 */
const isMarker = (v: string) => IN_TEXT.test(v) || /^<[^>]*>$/.test(v.trim()) || /^\$\{[^}]*\}$/.test(v.trim());

/** Rendered files are scanned once per distinct content. */
const fileHasPlaceholder = memoByText((text: string) => IN_TEXT.test(text) || (text.trim() !== "" && isMarker(text)));

/** Value part of `--flag=value`. */
const argValue = (a: string) => a.replace(/^--?[\w.-]+=/, "").trim();

const IN_TEXT = /\byour_[a-z0-9_]+_here\b|\bchange[_-]?me\b|<(?:replace|insert|your)[^>]*>|\bREPLACE_ME\b/i;

export const configPlaceholders = resourcePolicy({
  name: "config-placeholders",
  description: "No placeholder value in container env, command, labels or uploaded files (your_*_here, changeme, <replace-me>, ${UNSET}).",
  checklistIds: ["PRE-CONFIG-02"],
  severity: "high",
  group: "secrets",
  remediation: "Set the real value in Pulumi.<stack>.yaml (pulumi config set [--secret] mcp:<key> ...) or let the program generate it.",
  resourceTypes: [T.container],
  check(r, ctx) {
    const name = displayName(r);
    const env = envOf(r.props);
    if (!env.known) ctx.undecidable("envs");
    else
      for (const e of env.value) {
        if (e.key === undefined || e.value === undefined) continue;
        // An empty value can be deliberate (e.g. "--cluster.listen-address="); only non-empty placeholders count.
        if (e.value.trim() !== "" && (isMarker(e.value) || (isSecretName(e.key) && isPlaceholder(e.value)))) ctx.violation(`container ${name}: env ${e.key} is a placeholder`);
      }
    const cmd = commandOf(r.props);
    if (!cmd.known) ctx.undecidable("command");
    else if (cmd.value.some((a) => isMarker(argValue(a)))) ctx.violation(`container ${name}: command line contains a placeholder`);
    const labels = labelsOf(r.props);
    if (labels.known) for (const [k, v] of Object.entries(labels.value)) if (isMarker(v)) ctx.violation(`container ${name}: label ${k} is a placeholder`);
    const uploads = uploadsOf(r.props);
    if (!uploads.known) ctx.undecidable("uploads");
    else
      for (const f of uploads.value) {
        if (f.contentUnknown) {
          ctx.undecidable(`content of ${f.file}`);
          continue;
        }
        if (f.content !== undefined && fileHasPlaceholder(f.content)) ctx.violation(`container ${name}: file ${f.file} contains a placeholder`);
      }
  },
});
