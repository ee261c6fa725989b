/**
 * The precompiled copies the preflight runs (preflight/compiled-copy.ts, program-build.ts): cached
 * by content, rebuilt on an edit, `__dirname` the source's, and the SDK's source positions of the
 * precompiled program pointing at the project's TypeScript lines, not at the copy; a Struct decoded
 * once per program run.
 */
import * as fs from "fs";
import * as path from "path";
import { fileURLToPath } from "url";
import { makeTempDir } from "../../local/tempdir";
import { runProgram } from "../../preflight/collect";
import { compiledCopy } from "../../preflight/compiled-copy";
import { stackInput } from "../../preflight/run";
import { withStructDecodeShared } from "../../preflight/struct-memo";

const ROOT = path.resolve(__dirname, "../..");

describe("compiled copy", () => {
  test("is found again by content, rebuilt after an edit, and reads files beside the source", () => {
    const dir = makeTempDir("compiled-copy-");
    try {
      const src = path.join(dir.path, "src");
      fs.mkdirSync(src);
      fs.writeFileSync(path.join(src, "data.txt"), "beside the source\n");
      fs.writeFileSync(path.join(src, "b.ts"), "export const b: number = 1;\n");
      fs.writeFileSync(
        path.join(src, "a.ts"),
        'import { readFileSync } from "fs";\nimport { b } from "./b";\nexport const text = readFileSync(`${__dirname}/data.txt`, "utf8");\nexport const sum: number = b + 1;\n',
      );
      const opts = { projectDir: dir.path, name: "t", entries: [path.join(src, "a.ts")], cacheRoot: path.join(dir.path, "cache") };
      const first = compiledCopy(opts);
      expect(first).toMatchObject({ built: true, files: 2 });
      const again = compiledCopy(opts);
      expect(again).toEqual({ ...first, built: false });
      const mod = require(path.join(first.root, "src", "a.js"));
      expect(mod.text).toBe("beside the source\n");
      expect(mod.sum).toBe(2);

      fs.writeFileSync(path.join(src, "b.ts"), "export const b: number = 41;\n");
      const edited = compiledCopy(opts);
      expect(edited.built).toBe(true);
      expect(edited.root).not.toBe(first.root);
      expect(require(path.join(edited.root, "src", "a.js")).sum).toBe(42);
    } finally {
      dir.remove();
    }
  });
});

test("an old copy used again outlives newer ones when copies are pruned to the five used last", () => {
  const dir = makeTempDir("compiled-prune-");
  try {
    const src = path.join(dir.path, "a.ts");
    const opts = { projectDir: dir.path, name: "p", entries: [src], cacheRoot: path.join(dir.path, "cache") };
    const build = (n: number) => {
      fs.writeFileSync(src, `export const n: number = ${n};\n`);
      return compiledCopy(opts);
    };
    const first = build(0);
    for (let n = 1; n <= 4; n++) build(n);
    expect(build(0)).toEqual({ ...first, built: false });
    build(5);
    const left = fs.readdirSync(opts.cacheRoot).filter((d) => d.startsWith("p-"));
    expect(left.length).toBe(5);
    expect(left).toContain(path.basename(first.root));
  } finally {
    dir.remove();
  }
});

describe("the precompiled program", () => {
  let resources: Awaited<ReturnType<typeof runProgram>>["resources"];
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  beforeAll(async () => {
    const input = stackInput("prod", ROOT);
    resources = (await runProgram({ stack: "prod", config: input.config, secretKeys: input.secretKeys, projectDir: ROOT })).resources;
  }, 60000);

  test("every resource the program constructs is placed on the project's line that constructs it", () => {
    const placed = resources.filter((r) => r.source && !fileURLToPath(r.source.uri).includes(`${path.sep}node_modules${path.sep}`));
    // Everything but the SDK's own Stack resource and the default providers the engine adds.
    expect(placed.length).toBe(resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length);
    for (const r of placed) {
      const file = fileURLToPath(r.source!.uri);
      expect(file.startsWith(ROOT + path.sep) && file.endsWith(".ts")).toBe(true);
      const line = fs.readFileSync(file, "utf8").split("\n")[r.source!.line - 1];
      // The column is where the constructor call begins: `new <Resource>(` there, in TypeScript.
      expect(line.slice(r.source!.column - 1)).toMatch(/^new (docker|random|tls)\.[A-Z]\w*\(/);
    }
  });

  test("leaves the process's stack settings as it found them", () => {
    expect(Error.stackTraceLimit).toBe(limit);
    expect(Error.prepareStackTrace).toBe(prepare);
  });
});

describe("Struct decoding while the program runs", () => {
  const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
  test("a Struct decoded twice is decoded once, and only inside the run", async () => {
    const s = Struct.fromJavaScript({ a: [1, "x", { b: null }] });
    const original = Struct.prototype.toJavaScript;
    const inside = await withStructDecodeShared(async () => [s.toJavaScript(), s.toJavaScript()]);
    expect(inside[0]).toBe(inside[1]);
    expect(inside[0]).toEqual({ a: [1, "x", { b: null }] });
    expect(Struct.prototype.toJavaScript).toBe(original);
    expect(s.toJavaScript()).not.toBe(s.toJavaScript());
  });
});
