/**
 * A precompiled JavaScript copy of the policy pack, so the preflight starts it in about a
 * second instead of ~3 s of type-checked ts-node (the engine's way for a TypeScript pack).
 * Every .ts file reachable from policies/index.ts by relative import is transpiled with SWC
 * into node_modules/.cache/mcp-preflight/pack-<hash>/ keeping the repository layout, with
 * the pack's package.json and PulumiPolicy.yaml beside index.js. The hash covers every
 * source, so an edit to any policy (or to infra/config helpers it imports) rebuilds.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface BuiltPack {
  /** Directory to start the pack in (cwd; holds index.js and package.json). */
  packDir: string;
  /** True when this call compiled it (false: cache hit). */
  built: boolean;
  files: number;
}

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|require\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function resolveTs(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const cand of [`${base}.ts`, path.join(base, "index.ts"), base]) if (fs.existsSync(cand) && fs.statSync(cand).isFile()) return cand;
  return undefined;
}

/** Every TypeScript (and JSON) file the pack entry reaches by relative import. */
export function packSources(policiesDir: string): string[] {
  const entry = path.join(policiesDir, "index.ts");
  const seen = new Set<string>();
  const queue = [entry];
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

export function buildPack(projectDir: string, opts: { cacheRoot?: string } = {}): BuiltPack {
  const policiesDir = path.join(projectDir, "policies");
  const sources = packSources(policiesDir);
  const extras = ["package.json", "PulumiPolicy.yaml"].map((f) => path.join(policiesDir, f));
  const swc = require("@swc/core") as { transformSync(code: string, o: object): { code: string }; version: string };
  const h = createHash("sha256").update(`swc ${swc.version}\n`);
  for (const f of [...sources, ...extras]) h.update(path.relative(projectDir, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  const key = h.digest("hex").slice(0, 16);
  const cacheRoot = opts.cacheRoot ?? path.join(projectDir, "node_modules", ".cache", "mcp-preflight");
  const outRoot = path.join(cacheRoot, `pack-${key}`);
  const packDir = path.join(outRoot, "policies");
  if (fs.existsSync(path.join(packDir, "index.js"))) return { packDir, built: false, files: sources.length };

  // Build beside, then rename: parallel runs (jest workers) never see a half-written pack.
  const tmp = `${outRoot}.tmp-${process.pid}-${Date.now()}`;
  for (const f of sources) {
    const rel = path.relative(projectDir, f);
    const dest = path.join(tmp, rel.endsWith(".ts") ? rel.replace(/\.ts$/, ".js") : rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (!f.endsWith(".ts")) {
      fs.copyFileSync(f, dest);
      continue;
    }
    const { code } = swc.transformSync(fs.readFileSync(f, "utf8"), {
      filename: f,
      jsc: { target: "es2022", parser: { syntax: "typescript" } },
      module: { type: "commonjs" },
      sourceMaps: false,
    });
    fs.writeFileSync(dest, code);
  }
  for (const f of extras) fs.copyFileSync(f, path.join(tmp, "policies", path.basename(f)));
  try {
    fs.renameSync(tmp, outRoot);
  } catch {
    // Another process won the race with identical content.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds(cacheRoot, 5);
  return { packDir, built: true, files: sources.length };
}

/** Every edit makes a new build; keep the newest few (a running preflight may still use one). */
function pruneOldBuilds(cacheRoot: string, keep: number): void {
  try {
    const builds = fs
      .readdirSync(cacheRoot)
      .filter((d) => /^pack-[0-9a-f]{16}$/.test(d))
      .map((d) => ({ d, t: fs.statSync(path.join(cacheRoot, d)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { d } of builds.slice(keep)) fs.rmSync(path.join(cacheRoot, d), { recursive: true, force: true });
  } catch {
    // Pruning is housekeeping only.
  }
}
