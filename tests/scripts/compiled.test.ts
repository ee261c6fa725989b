/**
 * scripts/compiled.js, what `npm run preflight` runs: the command from its precompiled copy,
 * without ts-node; under ts-node when no copy can be made; exit 2 for a command that is not there.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

let dir: string;
let probe: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "compiled-cli-"));
  // Preloaded into the command: names on stderr every ts-node module it loads, and with
  // NO_SWC_VERSION set makes SWC's package.json unreadable (the copy cannot be made).
  probe = path.join(dir, "probe.js");
  fs.writeFileSync(
    probe,
    `const Module = require("module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (process.env.NO_SWC_VERSION && request === "@swc/core/package.json") throw new Error("probe: no SWC version");
  const file = resolve.call(this, request, ...rest);
  if (/[\\\\/]ts-node[\\\\/]/.test(file)) process.stderr.write("probe: ts-node loaded\\n");
  return file;
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
