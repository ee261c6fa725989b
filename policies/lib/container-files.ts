/**
 * Configuration files inside a container, as far as the stack declares them: the uploads.
 * Resolves the file a service reads (from its command line or the default path) and
 * nginx-style `include` globs against the other uploads.
 */
import type { ResourceView, RuleContext } from "./define";
import { commandOf, displayName, flagValue, Upload, uploadsOf } from "./docker";

export type FileLookup =
  | { status: "found"; upload: Upload; content: string }
  | { status: "unknown"; what: string }
  | { status: "missing"; path: string };

export function readUpload(r: ResourceView, path: string): FileLookup {
  const uploads = uploadsOf(r.props);
  if (!uploads.known) return { status: "unknown", what: "uploads" };
  const u = uploads.value.find((x) => x.file === path);
  if (!u) return { status: "missing", path };
  if (u.contentUnknown || u.content === undefined) return { status: "unknown", what: `content of ${path}` };
  return { status: "found", upload: u, content: u.content };
}

/** Shell-style glob (`*`, `?`) to a regex over absolute paths. */
export function globToRegex(glob: string): RegExp {
  const esc = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]");
  return new RegExp(`^${esc}$`);
}

/** Uploads whose path matches a glob, relative globs resolved against `baseDir`. */
export function uploadsMatching(r: ResourceView, glob: string, baseDir: string): Upload[] | undefined {
  const uploads = uploadsOf(r.props);
  if (!uploads.known) return undefined;
  const abs = glob.startsWith("/") ? glob : `${baseDir.replace(/\/+$/, "")}/${glob}`;
  const re = globToRegex(abs);
  return uploads.value.filter((u) => re.test(u.file));
}

/**
 * The config file a service reads: the path from `flag` on its command line (or
 * `defaultPath`), looked up in its uploads. Reports an undecidable or a violation on the
 * context and returns undefined when the file cannot be checked.
 */
export function readFlaggedConfig(r: ResourceView, ctx: RuleContext<unknown>, flag: string, defaultPath: string): { path: string; content: string } | undefined {
  const name = displayName(r);
  const cmd = commandOf(r.props);
  if (!cmd.known) {
    ctx.undecidable(`container ${name} command`, r.urn);
    return undefined;
  }
  const path = flagValue(cmd.value, flag) ?? defaultPath;
  const f = readUpload(r, path);
  if (f.status === "unknown") ctx.undecidable(`container ${name} ${f.what}`, r.urn);
  else if (f.status === "missing") ctx.violation(`container ${name}: ${path} is not declared in the stack (uploads)`, r.urn);
  else return { path, content: f.content };
  return undefined;
}
