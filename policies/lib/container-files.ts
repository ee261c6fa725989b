/**
 * Configuration files inside a container, as far as the stack declares them: the uploads.
 * Resolves the file a service reads (from its command line or the default path) and
 * nginx-style `include` globs against the other uploads.
 */
import type { ResourceView } from "./define";
import { Upload, uploadsOf } from "./docker";

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
