/**
 * `npm run bench -- --json`: one JSON object per figure on stdout, each of the shape of
 * bench/figures.ts, the text on stderr. Run with --quick on the preflight module (its figures'
 * shape, not their values: this is no timing test); the verify and backup figures, whose benches
 * need their servers, from the text lines those modules print.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { backupFigures, figureSchema, meetsTarget, verifyFigures } from "../../bench/figures";

const ROOT = path.resolve(__dirname, "../..");

test("--only preflight --quick --json: one figure per stdout line, the preflight, program and analyze figures among them", () => {
  const r = spawnSync("npm", ["run", "--silent", "bench", "--", "--only", "preflight", "--quick", "--json"], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split("\n");
  const figures = lines.map((l) => figureSchema.parse(JSON.parse(l)));
  expect(figures.map((f) => f.name)).toEqual(
    expect.arrayContaining(["preflight.vs-engine-pack-start", "preflight.wall-ms", "program.per-resource-ms", "analyze.vs-trivial-analyzer"]),
  );
  for (const f of figures.filter((x) => x.baseline !== null)) {
    expect(f.baseline).toBeGreaterThan(0);
    expect(f.ratio).toBeGreaterThan(0);
  }
  // The text stays readable, on stderr.
  expect(r.stderr).toMatch(/^preflight\.vs-engine-pack-start\t\d+ ms vs \d+ ms: [\d.]+x \(target <= 0\.35\)$/m);
  // What the analyze figure is made of: each server's CPU per request, and the ratio the conversion and the rules alone allow.
  expect(r.stderr).toMatch(/^preflight\.grpc Analyze server CPU per resource, pack \/ trivial Analyzer \(µs\)\t[1-9]\d* \/ [1-9]\d*$/m);
  const floor = Number(/^preflight\.analyze ratio the property conversion and the rules alone allow\t([\d.]+)$/m.exec(r.stderr)?.[1]);
  expect(floor).toBeGreaterThan(0);
  expect(floor).toBeLessThan(1);
}, 300_000);

test("verify and backup figures come from their modules' lines, against the baseline of the same run", () => {
  const [verify] = verifyFigures({ fullVerifyMedianMs: 3000, stoppedRedisFullRunMs: 3100, frozenRedisFullRunMs: 3300, frozenPostgresFullRunMs: 3200 });
  expect(figureSchema.parse(verify)).toEqual({ name: "verify.dead-service-overhead", value: 3300, unit: "ms", baseline: 3000, ratio: 1.1, target: "<= 1.15" });
  expect(meetsTarget(verify)).toBe(true);
  const [backup] = backupFigures({ backupSeconds: 1.5, bareToolsSeconds: 1 });
  expect(figureSchema.parse(backup)).toEqual({ name: "backup.vs-bare-tools", value: 1.5, unit: "s", baseline: 1, ratio: 1.5, target: "<= 1.25" });
  expect(meetsTarget(backup)).toBe(false);
  // A module that failed before measuring gives no figure, not a made-up one.
  expect(verifyFigures({ error: "no stack" })).toEqual([]);
  expect(backupFigures({ backupSeconds: 1 })).toEqual([]);
});
