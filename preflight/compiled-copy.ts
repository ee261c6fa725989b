/**
 * A precompiled JavaScript copy of TypeScript sources, cached by content: every .ts file reachable
 * from the entries by relative import is transpiled with SWC into
 * node_modules/.cache/mcp-preflight/<name>-<hash>/ keeping the repository layout. The hash covers
 * every source (and the SWC version), so an edit to any file reached rebuilds; an unchanged tree
 * is found again by hashing alone, without loading the compiler. `__dirname` and `__filename` in
 * the copy are the source's, so code that reads a file beside itself reads the project's.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface CompiledCopy {
  /** The copy's root: `<root>/<path relative to the project>.js` for each source. */
  root: string;
  /** True when this call compiled it (false: cache hit). */
  built: boolean;
  files: number;
}

export interface CompiledCopyOptions {
  projectDir: string;
  /** Names the cache directory (`<name>-<hash>`). */
  name: string;
  /** Entry files, absolute. */
  entries: readonly string[];
  /** Files copied as they are: source (absolute) -> destination relative to the copy's root. */
  extras?: readonly { from: string; to: string }[];
  /** Write `<file>.js.map` beside each file (no sourceMappingURL comment: mapping is the caller's choice). */
  sourceMaps?: boolean;
  cacheRoot?: string;
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|require\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function resolveTs(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const cand of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(cand) && fs.statSync(cand).isFile()) return cand;
  return undefined;
}

/** Every TypeScript (and JSON) file the entries reach by relative import, sorted; an entry that does not exist is left out. */
export function relativeSources(entries: readonly string[]): string[] {
  const seen = new Set<string>();
  const queue = entries.filter((e) => fs.existsSync(e));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith(".ts")) continue;
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const target = resolveTs(file, spec);
      if (target) queue.push(target);
    }
  }
  return [...seen].sort();
}

/** The SWC version, read from its package.json: loading the compiler itself costs more than a cache hit. */
function swcVersion(): string {
  return (require("@swc/core/package.json") as { version: string }).version;
}

export const defaultCacheRoot = (projectDir: string) => path.join(projectDir, "node_modules", ".cache", "mcp-preflight");

/**
 * Where Node keeps the code V8 compiled from the copies and node_modules (NODE_COMPILE_CACHE), so
 * a later start reads it instead of compiling again: about 0.4 s of the pack's start. One per kind
 * of process: V8 rejects the code the other kind compiled (the pack runs with the inspector on), so
 * a shared one would be rewritten by each in turn. scripts/compiled.js, which cannot import this,
 * uses "cli".
 */
export const compileCacheDir = (projectDir: string, kind: "pack" | "cli") => path.join(defaultCacheRoot(projectDir), "v8-compile-cache", kind);

export const compiledPath = (rel: string) => (rel.endsWith(".ts") ? rel.replace(/\.ts$/, ".js") : rel);

export function compiledCopy(opts: CompiledCopyOptions): CompiledCopy {
  const { projectDir } = opts;
  const sources = relativeSources(opts.entries);
  const extras = opts.extras ?? [];
  const h = createHash("sha256").update(`swc ${swcVersion()} maps ${opts.sourceMaps ? 1 : 0} in ${projectDir}\n`);
  for (const f of [...sources, ...extras.map((e) => e.from)]) h.update(path.relative(projectDir, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  for (const e of extras) h.update(e.to).update("\0");
  const cacheRoot = opts.cacheRoot ?? defaultCacheRoot(projectDir);
  const root = path.join(cacheRoot, `${opts.name}-${h.digest("hex").slice(0, 16)}`);
  const done = path.join(root, ".complete");
  if (fs.existsSync(done)) {
    // Marked as used: pruning keeps the copies used last, not the ones built last.
    try {
      const now = new Date();
      fs.utimesSync(root, now, now);
    } catch {
      // A read-only cache still serves the copy.
    }
    return { root, built: false, files: sources.length };
  }

  const swc = require("@swc/core") as { transformSync(code: string, o: object): { code: string; map?: string } };
  // Build beside, then rename: parallel runs (jest workers) never see a half-written copy.
  const tmp = `${root}.tmp-${process.pid}-${Date.now()}`;
  for (const f of sources) {
    const dest = path.join(tmp, compiledPath(path.relative(projectDir, f)));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (!f.endsWith(".ts")) {
      fs.copyFileSync(f, dest);
      continue;
    }
    const { code, map } = swc.transformSync(fs.readFileSync(f, "utf8"), {
      filename: f,
      jsc: {
        target: "es2022",
        parser: { syntax: "typescript" },
        transform: { optimizer: { globals: { vars: { __dirname: JSON.stringify(path.dirname(f)), __filename: JSON.stringify(f) } } } },
      },
      module: { type: "commonjs" },
      sourceMaps: opts.sourceMaps ?? false,
    });
    fs.writeFileSync(dest, code);
    if (map) fs.writeFileSync(`${dest}.map`, map);
  }
  for (const e of extras) {
    fs.mkdirSync(path.dirname(path.join(tmp, e.to)), { recursive: true });
    fs.copyFileSync(e.from, path.join(tmp, e.to));
  }
  fs.writeFileSync(path.join(tmp, ".complete"), "");
  try {
    fs.renameSync(tmp, root);
  } catch {
    // Another process won the race with identical content.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds(cacheRoot, opts.name, 5);
  return { root, built: true, files: sources.length };
}

/** Every edit makes a new build; keep the few of one name used last (a running preflight may still use one). */
function pruneOldBuilds(cacheRoot: string, name: string, keep: number): void {
  try {
    const re = new RegExp(`^${name}-[0-9a-f]{16}$`);
    const builds = fs
      .readdirSync(cacheRoot)
      .filter((d) => re.test(d))
      .map((d) => ({ d, t: fs.statSync(path.join(cacheRoot, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { d } of builds.slice(keep)) fs.rmSync(path.join(cacheRoot, d), { recursive: true, force: true });
  } catch {
    // Pruning is housekeeping only.
  }
}
