/**
 * Runs a TypeScript command of scripts/ from a precompiled JavaScript copy, so it starts without
 * ts-node (about 0.3 s of a preflight):
 *
 *   node scripts/compiled.js preflight --stack prod      (what `npm run preflight` runs)
 *
 * The copy is preflight/compiled-copy.ts's, cached by the content of every file the command
 * imports, as the preflight's copies of the program and the pack are. compiled-copy.ts itself is
 * transpiled once, cached by its own content. Where no copy can be made (SWC cannot load), the
 * command runs under ts-node as before.
 *
 * It also turns on Node's compile cache (module.enableCompileCache, Node 22.8 and later; nothing
 * before) for what the command loads, in preflight/compiled-copy.ts's compileCacheDir("cli"): the code V8
 * compiled from @pulumi/pulumi, the provider SDKs and the copies is read back instead of compiled.
 * NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 *
 * The modules @pulumi/pulumi loads and a preflight never calls (preflight/defer-unused-modules.js)
 * are loaded at their first use, not at start.
 */
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
const CACHE_ROOT = path.join(ROOT, "node_modules", ".cache", "mcp-preflight");
/** Node adds an entry per file and never removes one; past this many the cache starts over. */
const COMPILE_CACHE_MAX_ENTRIES = 20000;

function enableCompileCache() {
  const { enableCompileCache: enable } = require("module");
  if (typeof enable !== "function") return;
  const caches = path.join(CACHE_ROOT, "v8-compile-cache");
  // The pack's cache (preflight/run.ts) is bounded here too: the pack has no start of its own to do it.
  for (const kind of ["cli", "pack"]) {
    const dir = path.join(caches, kind);
    try {
      const entries = fs.readdirSync(dir).reduce((n, d) => n + fs.readdirSync(path.join(dir, d)).length, 0);
      if (entries > COMPILE_CACHE_MAX_ENTRIES) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // No cache yet, or another run is clearing it.
    }
  }
  enable(path.join(caches, "cli"));
}

/** preflight/compiled-copy.ts as a module: transpiled by SWC into the cache the first time, by content hash. */
function loadCompiledCopy() {
  const src = path.join(ROOT, "preflight", "compiled-copy.ts");
  const text = fs.readFileSync(src, "utf8");
  const swcVersion = require("@swc/core/package.json").version;
  const hash = crypto.createHash("sha256").update(`swc ${swcVersion}\n`).update(text).digest("hex").slice(0, 16);
  const out = path.join(CACHE_ROOT, `compiled-copy-${hash}.js`);
  if (!fs.existsSync(out)) {
    const { code } = require("@swc/core").transformSync(text, {
      filename: src,
      jsc: { target: "es2022", parser: { syntax: "typescript" } },
      module: { type: "commonjs" },
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Written beside, then renamed: a parallel run never loads half a file.
    const tmp = `${out}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, out);
  }
  return require(out);
}

function main() {
  enableCompileCache();
  // Before anything loads @pulumi/pulumi: what it loads and a preflight never calls waits for a first use.
  require("../preflight/defer-unused-modules");
  const [command, ...args] = process.argv.slice(2);
  const entry = command && /^[a-z][a-z0-9-]*$/.test(command) ? path.join(ROOT, "scripts", `${command}.ts`) : undefined;
  if (!entry || !fs.existsSync(entry)) {
    process.stderr.write(`scripts/compiled.js: no command "${command ?? ""}" in scripts/ (usage: node scripts/compiled.js <command> [args...])\n`);
    process.exitCode = 2;
    return;
  }
  let target = entry;
  try {
    const { compiledCopy, compiledPath } = loadCompiledCopy();
    const copy = compiledCopy({ projectDir: ROOT, name: `cli-${command}`, entries: [entry] });
    target = path.join(copy.root, compiledPath(path.relative(ROOT, entry)));
  } catch (e) {
    if (process.env.PREFLIGHT_DEBUG) process.stderr.write(`scripts/compiled.js: no precompiled copy (${e && e.message}); running under ts-node\n`);
    require("ts-node").register({ swc: true });
  }
  // The command reads its arguments from process.argv, as when run on its own.
  process.argv = [process.argv[0], target, ...args];
  require(target);
}

main();
