/**
 * scripts/compiled.js, what `npm run preflight` runs: the command from its precompiled copy,
 * without ts-node; under ts-node when no copy can be made; exit 2 for a command that is not there.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { compileCacheDir } from "../../preflight/compiled-copy";

const ROOT = path.resolve(__dirname, "../..");

let dir: string;
let probe: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-cli-"));
  // Preloaded into the command: names on stderr every ts-node module it loads (not only resolves), and with
  // NO_SWC_VERSION set makes SWC's package.json unreadable (the copy cannot be made).
  probe = path.join(dir, "probe.js");
  fs.writeFileSync(
    probe,
    `const Module = require("module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (process.env.NO_SWC_VERSION && request === "@swc/core/package.json") throw new Error("probe: no SWC version");
  return resolve.call(this, request, ...rest);
};
const load = Module.prototype.load;
Module.prototype.load = function (file) {
  if (/[\\\\/]ts-node[\\\\/]/.test(file)) process.stderr.write("probe: ts-node loaded\\n");
  return load.call(this, file);
};
`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["--require", probe, path.join(ROOT, "scripts", "compiled.js"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("runs the command from its precompiled copy, its arguments passed on, without loading ts-node", () => {
  const r = run(["preflight", "--stack", "prod", "--list-mutations"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^\S+\s+\S+\s+[A-Z]+-[A-Z0-9-]+\s/m);
  expect(r.stdout.split("\n").length).toBeGreaterThan(100);
});

test("runs it under ts-node when no copy can be made, with the same result", () => {
  const r = run(["preflight", "--stack", "prod", "--list-mutations"], { NO_SWC_VERSION: "1" });
  expect(r.stderr).toContain("probe: ts-node loaded");
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(run(["preflight", "--stack", "prod", "--list-mutations"]).stdout);
});

test("a command that is not in scripts/ is exit 2, named", () => {
  for (const bad of ["nope", "../package", ""]) {
    const r = run(bad ? [bad] : []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no command "${bad}" in scripts/`);
  }
});

describe("Node's compile cache", () => {
  // Node 22.8 and later; before, the command compiles every start, as it did.
  const supported = typeof (require("module") as { enableCompileCache?: unknown }).enableCompileCache === "function";
  const cli = compileCacheDir(ROOT, "cli");

  (supported ? test : test.skip)("the command reads what it loads from the CLI's own cache, and NODE_DISABLE_COMPILE_CACHE turns it off", () => {
    run(["preflight", "--stack", "prod", "--list-mutations"]);
    // Node's own account of where it keeps the cache and of each module it reads from it.
    const on = run(["preflight", "--stack", "prod", "--list-mutations"], { NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
    expect(on.code).toBe(0);
    expect(on.stderr).toContain(`-> ${cli}${path.sep}`);
    expect(on.stderr).toMatch(/V8 code cache for CommonJS \S+ was accepted/);
    const off = run(["preflight", "--stack", "prod", "--list-mutations"], { NODE_DEBUG_NATIVE: "COMPILE_CACHE", NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(off.code).toBe(0);
    expect(off.stderr).not.toMatch(/was accepted/);
  });

  (supported ? test : test.skip)("a cache past 20,000 entries starts over", () => {
    const stale = path.join(cli, "v0-stale");
    fs.mkdirSync(stale, { recursive: true });
    for (let i = 0; i <= 20000; i++) fs.writeFileSync(path.join(stale, String(i)), "");
    expect(run(["preflight", "--stack", "prod", "--list-mutations"]).code).toBe(0);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.readdirSync(cli).length).toBe(1);
  });
});
