/**
 * Configuration backup and restore (BAK-RECOVERY-02): the stack's configuration (Pulumi.yaml,
 * Pulumi.<stack>.yaml — secure values stay ciphertext) plus every configuration file the
 * program renders for the containers, exported as one bundle with a SHA-256 per file.
 * Restoring writes the bundle into a fresh stack directory; the proof is that rendering
 * again from the restored directory gives byte-identical files.
 * Secret files (passwords, keys) are never in the bundle: the program regenerates or
 * re-reads them from the Pulumi state.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, normalize, sep } from "node:path";
import { loadStackFileConfig, stackFilePath } from "../infra/config/stack-file";
import { stackSpecs } from "../infra/components";
import { resourcePrefix } from "../infra/topology";
import { BackupError } from "./manifest";

export const CONFIG_BUNDLE_KIND = "mcp-stack-config";

export interface BundleFile {
  /** Relative path in a stack directory, e.g. `Pulumi.prod.yaml` or `rendered/nginx/etc/nginx/nginx.conf`. */
  path: string;
  sha256: string;
  content: string;
}

export interface ConfigBundle {
  kind: typeof CONFIG_BUNDLE_KIND;
  formatVersion: 1;
  stack: string;
  exportedAt: string;
  files: BundleFile[];
}

import type { ConfigDifference, ConfigRestoreReport } from "../evidence/drill";
export type { ConfigDifference, ConfigRestoreReport };

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** Exports the stack's configuration and rendered configs from a project directory. */
export function exportStackConfig(projectDir: string, stack: string, now = new Date()): ConfigBundle {
  const files: BundleFile[] = [];
  const add = (path: string, content: string) => files.push({ path, sha256: sha256(content), content });
  const projectFile = join(projectDir, "Pulumi.yaml");
  if (!existsSync(projectFile)) throw new BackupError("config-mismatch", `${projectFile} not found: is ${projectDir} the stack's project directory?`);
  add("Pulumi.yaml", readFileSync(projectFile, "utf8"));
  add(`Pulumi.${stack}.yaml`, readFileSync(stackFilePath(stack, projectDir), "utf8"));
  // Rendering validates the config first: a broken stack file fails here, naming the key.
  const config = loadStackFileConfig(stack, projectDir);
  for (const spec of stackSpecs(config, { stack, prefix: resourcePrefix(stack) })) {
    for (const f of spec.configFiles) {
      // Certificates are generated resources (Pulumi state), not configuration.
      if (typeof f.content !== "string") continue;
      add(`rendered/${spec.name}${f.path}`, f.content);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kind: CONFIG_BUNDLE_KIND, formatVersion: 1, stack, exportedAt: now.toISOString(), files };
}

export function bundleDigest(bundle: ConfigBundle): string {
  return sha256(bundle.files.map((f) => `${f.path}\0${f.sha256}`).join("\n"));
}

export function writeBundle(bundle: ConfigBundle, file: string): void {
  writeFileSync(file, JSON.stringify(bundle, null, 2) + "\n", { mode: 0o600 });
}

/** Reads a bundle and refuses one whose files do not match their recorded SHA-256. */
export function readBundle(file: string): ConfigBundle {
  let b: ConfigBundle;
  try {
    b = JSON.parse(readFileSync(file, "utf8")) as ConfigBundle;
  } catch (e) {
    throw new BackupError("bad-manifest", `configuration bundle ${file} is not readable JSON: ${(e as Error).message}`);
  }
  if (b?.kind !== CONFIG_BUNDLE_KIND || b.formatVersion !== 1 || !Array.isArray(b.files))
    throw new BackupError("bad-manifest", `${file} is not an ${CONFIG_BUNDLE_KIND} bundle (format 1)`);
  for (const f of b.files) {
    if (sha256(f.content) !== f.sha256)
      throw new BackupError("checksum-mismatch", `configuration bundle ${file}: ${f.path} does not match its SHA-256 (edited or corrupted)`);
  }
  return b;
}

/** Writes the bundle's files into an empty (or new) directory. */
export function restoreStackConfig(bundle: ConfigBundle, targetDir: string): void {
  if (existsSync(targetDir) && readdirSync(targetDir).length > 0) throw new Error(`refusing to restore into ${targetDir}: it is not empty`);
  mkdirSync(targetDir, { recursive: true });
  for (const f of bundle.files) {
    const rel = normalize(f.path);
    if (rel.startsWith("..") || rel.startsWith(sep)) throw new BackupError("bad-manifest", `bundle path ${f.path} escapes the stack directory`);
    const dest = join(targetDir, rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, f.content);
  }
}

/** What differs between a bundle and a fresh export of a (restored) stack directory. */
export function compareBundles(expected: ConfigBundle, actual: ConfigBundle): ConfigDifference[] {
  const want = new Map(expected.files.map((f) => [f.path, f.sha256]));
  const got = new Map(actual.files.map((f) => [f.path, f.sha256]));
  const out: ConfigDifference[] = [];
  for (const [p, h] of want) {
    if (!got.has(p)) out.push({ path: p, problem: "missing" });
    else if (got.get(p) !== h) out.push({ path: p, problem: "content" });
  }
  for (const p of got.keys()) if (!want.has(p)) out.push({ path: p, problem: "unexpected" });
  return out;
}

/** Files of a directory tree as a bundle (what is actually on disk after the restore). */
function bundleFromDir(dir: string, stack: string): ConfigBundle {
  const files: BundleFile[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else {
        const content = readFileSync(join(dir, p), "utf8");
        files.push({ path: p, sha256: sha256(content), content });
      }
    }
  };
  walk("");
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { kind: CONFIG_BUNDLE_KIND, formatVersion: 1, stack, exportedAt: "", files };
}

/**
 * The configuration restore drill: export from the project directory, write and re-read
 * the bundle, restore it into a fresh directory, then show (1) the restored files are the
 * exported bytes and (2) rendering from the restored stack file reproduces every rendered
 * config exactly. Temp files are always removed.
 */
export function runConfigRestoreDrill(opts: { projectDir: string; stack: string; workRoot?: string; bundleFile?: string }): ConfigRestoreReport {
  const t0 = Date.now();
  const work = mkdtempSync(join(opts.workRoot ?? tmpdir(), "mcp-config-drill-"));
  try {
    const exported = exportStackConfig(opts.projectDir, opts.stack);
    const bundleFile = opts.bundleFile ?? join(work, `stack-config-${opts.stack}.json`);
    writeBundle(exported, bundleFile);
    const bundle = readBundle(bundleFile);
    const fresh = join(work, "restored-stack");
    restoreStackConfig(bundle, fresh);
    const onDisk = compareBundles(exported, bundleFromDir(fresh, opts.stack));
    const rerendered = compareBundles(exported, exportStackConfig(fresh, opts.stack));
    const differences = [...onDisk, ...rerendered.filter((d) => !onDisk.some((o) => o.path === d.path))];
    return {
      kind: "config-restore",
      status: differences.length === 0 ? "pass" : "fail",
      stack: opts.stack,
      files: exported.files.length,
      renderedFiles: exported.files.filter((f) => f.path.startsWith("rendered/")).length,
      bundleSha256: bundleDigest(exported),
      identical: differences.length === 0,
      differences,
      seconds: (Date.now() - t0) / 1000,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
