/**
 * Temporary directories that are always removed. `makeTempDir` registers the directory
 * for removal at process exit too, so a caller that forgets `remove()` (or dies in
 * between) does not leave key material behind.
 */
import { chmodSync, chownSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  path: string;
  /** Path of a child. */
  join(...parts: string[]): string;
  remove(): void;
}

const live = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const dir of live) rmSync(dir, { recursive: true, force: true });
  });
}

export function makeTempDir(prefix = "mcp-test-"): TempDir {
  installExitHook();
  const path = mkdtempSync(join(tmpdir(), prefix));
  live.add(path);
  return {
    path,
    join: (...parts: string[]) => join(path, ...parts),
    remove() {
      rmSync(path, { recursive: true, force: true });
      live.delete(path);
    },
  };
}

/**
 * Hands a directory tree to another user (e.g. `postgres`, which refuses to run as root),
 * and opens the parent path for traversal. uid/gid come from `id -u/-g` of that user.
 */
export function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/** mkdtemp makes 0700 directories; another user needs at least traversal on the way down. */
export function allowTraversal(path: string): void {
  chmodSync(path, statSync(path).mode | 0o711);
}
