/**
 * testing/jest-lanes.js, the suite's runner: the suites that start a Docker engine run one at a
 * time, the others in parallel workers beside them. Proven on the lane plan, on the repository's
 * own suites (every one that reaches the engine harness is in the engine lane), and by running
 * real jest on suites that log when they run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { makeTempDir } from "../../local/tempdir";

const ROOT = resolve(__dirname, "../..");
const RUNNER = join(ROOT, "testing/jest-lanes.js");
const lanes = require(RUNNER) as {
  isEngineSuite(path: string): boolean;
  planLanes(paths: string[], o: { maxWorkers: number; serial: boolean }): { name: string; paths: string[]; serial: boolean; workers: number }[];
};
const ENGINE_HARNESS = join(ROOT, "testing/docker/engine.ts");

describe("the lane plan", () => {
  const paths = [
    "/r/tests/engine/apply.test.ts",
    "/r/tests/backup/script.test.ts",
    "/r/tests/docker/harness.test.ts",
    "/r/tests/validate/tunnel.test.ts",
    "/r/tests/validate/stack.test.ts",
  ];

  it("puts engine suites in one serial lane and the rest in maxWorkers - 1 workers beside it", () => {
    expect(lanes.planLanes(paths, { maxWorkers: 2, serial: false })).toEqual([
      {
        name: "engine",
        paths: ["/r/tests/engine/apply.test.ts", "/r/tests/docker/harness.test.ts", "/r/tests/validate/tunnel.test.ts"],
        serial: true,
        workers: 1,
      },
      { name: "parallel", paths: ["/r/tests/backup/script.test.ts", "/r/tests/validate/stack.test.ts"], serial: false, workers: 1 },
    ]);
    expect(lanes.planLanes(paths, { maxWorkers: 4, serial: false })[1].workers).toBe(3);
  });

  it("gives every worker to the parallel lane when no engine suite is selected, and runs all serially when jest runs in band", () => {
    const plain = paths.filter((p) => !lanes.isEngineSuite(p));
    expect(lanes.planLanes(plain, { maxWorkers: 2, serial: false })).toEqual([{ name: "parallel", paths: plain, serial: false, workers: 2 }]);
    expect(lanes.planLanes(paths, { maxWorkers: 2, serial: true })).toEqual([{ name: "serial", paths, serial: true, workers: 1 }]);
  });
});

/** Relative imports and quoted paths of .ts files (a fixture a suite starts as a process). */
const REFERENCE_RE =
  /from\s*["'](\.{1,2}\/[^"']+)["']|require\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|["'`]([\w./-]+\.ts)["'`]/g;

function referenced(file: string): string[] {
  const out: string[] = [];
  for (const m of readFileSync(file, "utf8").matchAll(REFERENCE_RE)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    const base = resolve(dirname(file), spec);
    const hit = [`${base}.ts`, join(base, "index.ts"), base].find((c) => c.endsWith(".ts") && existsSync(c) && statSync(c).isFile());
    if (hit) out.push(hit);
  }
  return out;
}

function reachesEngineHarness(file: string): boolean {
  const seen = new Set<string>();
  const queue = [file];
  // Bounded by the repository's files: each is visited once.
  while (queue.length) {
    const f = queue.pop()!;
    if (f === ENGINE_HARNESS) return true;
    if (seen.has(f) || f.includes("/node_modules/")) continue;
    seen.add(f);
    queue.push(...referenced(f));
  }
  return false;
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : [],
  );
}

it("every suite that starts a Docker engine (imports, or starts a fixture that imports, testing/docker/engine.ts) is in the engine lane", () => {
  const starting = testFiles(join(ROOT, "tests")).filter(reachesEngineHarness);
  expect(starting.length).toBeGreaterThanOrEqual(8);
  expect(starting.filter((f) => !lanes.isEngineSuite(f)).map((f) => relative(ROOT, f))).toEqual([]);
  expect(starting.map((f) => relative(ROOT, f))).toContain("tests/docker/harness.test.ts");
});

describe("real jest with the runner", () => {
  /** Suites that log start and end (ms) and sleep; returns each suite's interval. */
  function runJest(suites: string[]): Record<string, [number, number]> {
    const dir = makeTempDir("mcp-jest-lanes-");
    try {
      const log = dir.join("log");
      for (const s of suites) {
        mkdirSync(dirname(dir.join(s)), { recursive: true });
        writeFileSync(
          dir.join(s),
          `const fs = require("fs");
test("sleeps", async () => {
  fs.appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(s)} + " start " + Date.now() + "\\n");
  await new Promise((r) => setTimeout(r, 1500));
  fs.appendFileSync(${JSON.stringify(log)}, ${JSON.stringify(s)} + " end " + Date.now() + "\\n");
});
`,
        );
      }
      writeFileSync(
        dir.join("jest.config.js"),
        `module.exports = ${JSON.stringify({ rootDir: dir.path, runner: RUNNER, maxWorkers: 2, transform: {}, cacheDirectory: dir.join("cache"), testMatch: ["**/*.test.js"] })};`,
      );
      const r = spawnSync(process.execPath, [require.resolve("jest/bin/jest"), "--config", dir.join("jest.config.js")], {
        cwd: dir.path,
        encoding: "utf8",
        timeout: 90_000,
      });
      expect({ status: r.status, out: r.stderr.match(/Tests:.*$/m)?.[0] }).toEqual({
        status: 0,
        out: `Tests:       ${suites.length} passed, ${suites.length} total`,
      });
      const spans: Record<string, [number, number]> = {};
      for (const line of readFileSync(log, "utf8").trim().split("\n")) {
        const [name, what, at] = line.split(" ");
        spans[name] ??= [0, 0];
        spans[name][what === "start" ? 0 : 1] = Number(at);
      }
      return spans;
    } finally {
      dir.remove();
    }
  }
  const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

  it("never overlaps two engine suites, and runs the others beside them", () => {
    const s = runJest(["tests/engine/a.test.js", "tests/docker/b.test.js", "tests/validate/stack.test.js", "tests/other/c.test.js", "tests/other/d.test.js"]);
    const engine = [s["tests/engine/a.test.js"], s["tests/docker/b.test.js"]];
    expect(overlap(engine[0], engine[1])).toBe(false);
    const others = [s["tests/validate/stack.test.js"], s["tests/other/c.test.js"], s["tests/other/d.test.js"]];
    expect(others.some((o) => engine.some((e) => overlap(o, e)))).toBe(true);
  }, 120_000);

  it("runs suites without an engine two at a time", () => {
    const s = runJest(["tests/other/c.test.js", "tests/other/d.test.js"]);
    expect(overlap(s["tests/other/c.test.js"], s["tests/other/d.test.js"])).toBe(true);
  }, 120_000);
});
