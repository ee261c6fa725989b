/**
 * Report files the commands write under `--out`. One place so every command fails the same
 * way, with an OutError naming the path (the commands turn it into exit 2), and so:
 * - directories are made one level at a time, walking up a bounded number of parents:
 *   `mkdirSync({ recursive: true })` under a path like /proc/... spins at 100 % CPU forever on
 *   some Node versions;
 * - each file is written to a temporary name beside it and renamed into place, so a reader
 *   (the sign-off, CI) never sees half a report.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export class OutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutError";
  }
}

/** Deeper than any real output directory; a longer walk means something is wrong with the path. */
const MAX_MISSING_LEVELS = 32;

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    ENOENT: "the file system does not allow creating it",
    ENOTDIR: "a parent is not a directory",
    EEXIST: "it exists and is not a directory",
    EISDIR: "it is a directory",
  };
  return err.code ? `${why[err.code] ?? err.code} (${err.code})` : String(err.message ?? e);
}

/** "dir" | "other" | "missing"; missing also when a parent is a file (ENOTDIR), so the walk finds that file. */
function kindOf(p: string): "dir" | "other" | "missing" {
  try {
    return statSync(p).isDirectory() ? "dir" : "other";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return "missing";
    throw new OutError(`cannot use ${p}: ${reason(e)}`);
  }
}

/** Creates `dir` and its missing parents; returns its absolute path. `label` names the flag in messages. */
export function ensureOutDir(dir: string, label = "--out"): string {
  const target = resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    let kind;
    try {
      kind = kindOf(at);
    } catch (e) {
      throw new OutError(`${label} ${dir}: ${(e as Error).message}`);
    }
    if (kind === "dir") break;
    if (kind === "other") throw new OutError(`${label} ${dir}: ${at} exists and is not a directory`);
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at || missing.length > MAX_MISSING_LEVELS)
      throw new OutError(`${label} ${dir}: more than ${MAX_MISSING_LEVELS} directory levels would have to be created`);
    at = parent;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      // Made meanwhile by another process: fine, as long as it is a directory.
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && kindOf(d) === "dir") continue;
      throw new OutError(`${label} ${dir}: cannot create directory ${d}: ${reason(e)}`);
    }
  }
  return target;
}

/** Writes `file` atomically: a temporary file in the same directory, flushed, then renamed over it. */
export function writeOutFile(file: string, content: string, options: { mode?: number; label?: string } = {}): string {
  const target = resolve(file);
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", options.mode ?? 0o644);
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target);
    return target;
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new OutError(`${options.label ?? "--out"}: cannot write ${target}: ${reason(e)}`);
  }
}

/** Creates `dir` and writes each `name -> content` into it; returns the absolute paths written. */
export function writeOutFiles(dir: string, files: Record<string, string>, options: { mode?: number; label?: string } = {}): string[] {
  const at = ensureOutDir(dir, options.label);
  return Object.entries(files).map(([name, content]) => writeOutFile(join(at, name), content, options));
}
