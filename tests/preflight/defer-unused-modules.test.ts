/**
 * preflight/defer-unused-modules.js, preloaded into the precompiled pack and the command: what
 * @pulumi/pulumi imports and a preflight never calls is loaded at its first use, and is then the
 * real module. Each case runs in a fresh Node process, a probe naming every file Node loads.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const DEFER = path.join(ROOT, "preflight", "defer-unused-modules.js");
const DEFERRED = /[\\/]node_modules[\\/](@npmcli[\\/]arborist|normalize-package-data|typescript|ts-node)[\\/]/;

let dir: string;
let probe: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "defer-modules-"));
  probe = path.join(dir, "probe.js");
  fs.writeFileSync(
    probe,
    `const Module = require("module");
const load = Module.prototype.load;
globalThis.loadedFiles = [];
Module.prototype.load = function (file) {
  globalThis.loadedFiles.push(file);
  return load.call(this, file);
};
`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `script` with the probe and (unless `defer` is false) the stand-ins preloaded; its last stdout line as JSON. */
function run(script: string, opts: { defer?: boolean; env?: Record<string, string> } = {}) {
  const preloads = ["-r", probe, ...(opts.defer === false ? [] : ["-r", DEFER])];
  const r = spawnSync(process.execPath, [...preloads, "-e", script], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60000,
    env: { ...process.env, PREFLIGHT_LOAD_ALL_MODULES: "", ...opts.env, NODE_PATH: path.join(ROOT, "node_modules") },
  });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const version = (pkg: string) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
const deferredLoads = `globalThis.loadedFiles.filter((f) => ${DEFERRED}.test(f))`;
const req = (m: string) => `require(require.resolve(${JSON.stringify(m)}, { paths: [${JSON.stringify(ROOT)}] }))`;

test("importing @pulumi/pulumi and @pulumi/policy loads none of them; the versions they are asked for answer from package.json", () => {
  const out = run(`
    ${req("@pulumi/pulumi")}; ${req("@pulumi/policy")};
    const ts = ${req("typescript")}, tsn = ${req("ts-node")};
    const versions = { typescript: ts.version, tsNode: tsn.VERSION };
    console.log(JSON.stringify({ versions, loaded: ${deferredLoads}, deferred: require(${JSON.stringify(DEFER)}).deferred.length }));
  `);
  expect(out.loaded).toEqual([]);
  expect(out.versions).toEqual({ typescript: version("typescript"), tsNode: version("ts-node") });
  expect(out.deferred).toBe(4);
});

test("without them (PREFLIGHT_LOAD_ALL_MODULES=1, or not preloaded) the same import loads npm's arborist and TypeScript", () => {
  const script = `${req("@pulumi/pulumi")}; console.log(JSON.stringify({ loaded: ${deferredLoads}, deferred: require(${JSON.stringify(DEFER)}).deferred.length }));`;
  const names = (loaded: string[]) => ["arborist", "typescript"].filter((n) => loaded.some((f) => f.includes(`${path.sep}${n}${path.sep}`)));
  const off = run(script, { env: { PREFLIGHT_LOAD_ALL_MODULES: "1" } });
  expect(off.deferred).toBe(0);
  expect(names(off.loaded)).toEqual(["arborist", "typescript"]);
  expect(names(run(script, { defer: false }).loaded)).toEqual(["arborist", "typescript"]);
});

test("a deferred module loads at its first use and is the real module from then on, as the SDK and TypeScript's import helpers use it", () => {
  const out = run(`
    const pulumi = ${req("@pulumi/pulumi")};
    const before = ${deferredLoads}.length;
    const tsPath = require.resolve("typescript", { paths: [${JSON.stringify(ROOT)}] });
    const standIn = require(tsPath);
    const kinds = typeof standIn.createSourceFile;
    const real = require(tsPath);
    const arb = require(require.resolve("@npmcli/arborist", { paths: [require.resolve("@pulumi/pulumi/runtime/closure/codePaths", { paths: [${JSON.stringify(ROOT)}] })] }));
    const normalize = ${req("normalize-package-data")};
    const data = { name: "x", version: "1.0.0" };
    normalize.default(data);
    pulumi.runtime.serializeFunction(() => 6 * 7).then((f) => console.log(JSON.stringify({
      before,
      kinds,
      sameAfter: real !== standIn && real === require(tsPath) && real.createSourceFile === standIn.createSourceFile,
      keys: Object.keys(standIn).length === Object.keys(real).length,
      arborist: typeof arb.Arborist,
      esModule: arb.__esModule === true,
      normalized: typeof data._id,
      serialized: /6 \\* 7/.test(f.text),
    })));
  `);
  expect(out).toEqual({
    before: 0,
    kinds: "function",
    sameAfter: true,
    keys: true,
    arborist: "function",
    esModule: true,
    normalized: "string",
    serialized: true,
  });
});

test("ts-node's register takes effect at the first TypeScript file, with the options it was given", () => {
  const ts = path.join(dir, "answer.ts");
  // An enum: Node's own type stripping refuses it, so only ts-node can load this file.
  fs.writeFileSync(ts, "enum Answer { Value = 42 }\nexport const answer: number = Answer.Value;\n");
  const out = run(`
    ${req("ts-node")}.register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
    const before = ${deferredLoads}.length;
    const { answer } = require(${JSON.stringify(ts)});
    console.log(JSON.stringify({ before, answer, after: ${deferredLoads}.some((f) => /ts-node/.test(f)) }));
  `);
  expect(out).toEqual({ before: 0, answer: 42, after: true });
});

test("a module already loaded is left as it is", () => {
  const out = run(`${req("typescript")}; console.log(JSON.stringify(require(${JSON.stringify(DEFER)}).deferred));`, { defer: false });
  expect(out.some((f: string) => /typescript/.test(f))).toBe(false);
  expect(out.some((f: string) => /arborist/.test(f))).toBe(true);
});
