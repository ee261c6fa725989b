/**
 * The files a workload reads, as far as the stack declares them (uploads, Docker configs,
 * Docker secrets): the file a service reads (from its command line or the default path),
 * and `include` / `rule_files` globs resolved against the workload's other files.
 */
import type { RuleContext } from "./define";
import { flagValue } from "./docker";
import type { Workload, WorkloadFile } from "./workload";

export type FileLookup =
  | { status: "found"; file: WorkloadFile; content: string }
  | { status: "unknown"; what: string }
  | { status: "unresolved"; what: string }
  | { status: "missing"; path: string };

/** The file at `path` and its content, or why it cannot be read. */
export function readFile(w: Workload, path: string): FileLookup {
  if (!w.files.known) return { status: "unknown", what: "files (uploads, configs, secrets)" };
  const f = w.files.value.find((x) => x.path === path);
  if (!f) return { status: "missing", path };
  if (f.contentStatus === "unknown") return { status: "unknown", what: `content of ${path}` };
  if (f.contentStatus === "unresolved" || f.content === undefined)
    return { status: "unresolved", what: `content of ${path} (${f.unresolvedWhy ?? "not visible"})` };
  return { status: "found", file: f, content: f.content };
}

/**
 * Reports why a lookup found nothing usable, on the context: unknown and unresolved content
 * is undecidable (never a pass), a file the stack does not declare is a violation (the image's
 * default would apply, unchecked).
 */
export function reportLookup(w: Workload, ctx: RuleContext<unknown>, f: Exclude<FileLookup, { status: "found" }>, why: string): void {
  if (f.status === "missing") ctx.violation(`${w.label}: ${f.path} is not declared in the stack (no upload, config or secret at that path), so ${why}`, w.urn);
  else ctx.undecidable(`${w.label} ${f.what}`, w.urn);
}

/** Shell-style glob (`*`, `?`) to a regex over absolute paths. */
export function globToRegex(glob: string): RegExp {
  const esc = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, "[^/]*")
    .replace(/\?/g, "[^/]");
  return new RegExp(`^${esc}$`);
}

/** Files whose path matches a glob, relative globs resolved against `baseDir`; undefined when the file list is unknown. */
export function filesMatching(w: Workload, glob: string, baseDir: string): WorkloadFile[] | undefined {
  if (!w.files.known) return undefined;
  const abs = glob.startsWith("/") ? glob : `${baseDir.replace(/\/+$/, "")}/${glob}`;
  const re = globToRegex(abs);
  return w.files.value.filter((f) => re.test(f.path));
}

/** True when `path` lies under one of `dirs`. */
export function isUnder(path: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => path.startsWith(`${d.replace(/\/+$/, "")}/`));
}

/**
 * The config file a service reads: the path from `flag` on its command line (or
 * `defaultPath`), looked up in its files. Reports an undecidable or a violation on the
 * context and returns undefined when the file cannot be checked.
 */
export function readFlaggedConfig(w: Workload, ctx: RuleContext<unknown>, flag: string, defaultPath: string): { path: string; content: string } | undefined {
  if (!w.command.known) {
    ctx.undecidable(`${w.label} command`, w.urn);
    return undefined;
  }
  const path = flagValue(w.command.value, flag) ?? defaultPath;
  const f = readFile(w, path);
  if (f.status === "found") return { path, content: f.content };
  reportLookup(w, ctx, f, "it cannot be checked");
  return undefined;
}
