/**
 * Image tarballs, built once per content hash into node_modules/.cache/mcp-engine-images.
 * A build writes its own staging directory and temporary tarball and publishes with one
 * rename, so two jest workers building the same image at once both end with the same
 * complete file and neither ever reads a partial one.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ImageTree } from "./tree";

export const REPO_ROOT = join(__dirname, "..", "..", "..");
export const CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "mcp-engine-images");

/** Bound on one `tar` of an image tree (the largest is a few hundred MB). */
const TAR_TIMEOUT_MS = 5 * 60_000;

let sourceDigest: string | undefined;

/** Digest of the builder itself (every file under testing/engine/images): a recipe change rebuilds. */
export function builderSourceDigest(): string {
  if (sourceDigest) return sourceDigest;
  const h = createHash("sha256");
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, depth + 1);
      else if (st.isFile())
        h.update(`${relative(__dirname, p)}\n`)
          .update(readFileSync(p))
          .update("\n");
    }
  };
  walk(__dirname, 0);
  sourceDigest = h.digest("hex");
  return sourceDigest;
}

/** The content hash of an image: its plan, config, package versions and other inputs. */
export function imageHash(parts: Record<string, unknown>): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}

export function tarballPath(hash: string): string {
  return join(CACHE_DIR, `${hash}.tar`);
}

function tarTree(stage: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // --numeric-owner: the image's users need not exist on this machine.
    const child = spawn("tar", ["--create", "--file", out, "--numeric-owner", "--sort=name", "--directory", stage, "."], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), TAR_TIMEOUT_MS);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run tar: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`tar of ${stage} failed (${signal ? `killed by ${signal} after ${TAR_TIMEOUT_MS} ms` : `exit ${code}`}): ${stderr.trim()}`));
    });
  });
}

/** The tarball for `hash`, built from `tree` unless a previous build left it. */
export async function ensureTarball(hash: string, tree: ImageTree): Promise<{ path: string; built: boolean }> {
  const path = tarballPath(hash);
  if (existsSync(path)) return { path, built: false };
  mkdirSync(CACHE_DIR, { recursive: true });
  const stage = mkdtempSync(join(CACHE_DIR, `.stage-${hash.slice(0, 12)}-`));
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    tree.materialize(join(stage));
    await tarTree(stage, tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(stage, { recursive: true, force: true });
    rmSync(tmp, { force: true });
  }
  return { path, built: true };
}

/** What ensureTarball writes: `<hash>.tar`, its `.tmp` while being written, and `.stage-` trees. */
const BUILD_ARTIFACT = /^(?:[0-9a-f]{64}\.tar(?:\.\d+\.[0-9a-f]{8}\.tmp)?|\.stage-[0-9a-f]{12}-.+)$/;

/**
 * Removes tarballs and leftovers of earlier builds that are not in `keep`, once they are
 * older than `graceMs` (a parallel worker may be publishing a different revision). Only build
 * artifacts are candidates: whatever else lives in the directory (the test CA, which every
 * cached image trusts) is not the cache's to remove.
 */
export function pruneCache(keep: ReadonlySet<string>, graceMs = 15 * 60_000, dir = CACHE_DIR): number {
  if (!existsSync(dir)) return 0;
  let removed = 0;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (keep.has(p) || !BUILD_ARTIFACT.test(name)) continue;
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (now - st.mtimeMs < graceMs) continue;
    rmSync(p, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
