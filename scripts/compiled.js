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
 */
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");

/** preflight/compiled-copy.ts as a module: transpiled by SWC into the cache the first time, by content hash. */
function loadCompiledCopy() {
  const src = path.join(ROOT, "preflight", "compiled-copy.ts");
  const text = fs.readFileSync(src, "utf8");
  const swcVersion = require("@swc/core/package.json").version;
  const hash = crypto.createHash("sha256").update(`swc ${swcVersion}\n`).update(text).digest("hex").slice(0, 16);
  const out = path.join(ROOT, "node_modules", ".cache", "mcp-preflight", `compiled-copy-${hash}.js`);
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
