/** The image cache's pruning: old build artifacts go; kept and recent ones, and anything else (the test CA), stay. */
import { mkdirSync, existsSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pruneCache } from "../../testing/engine/images/cache";
import { makeTempDir, type TempDir } from "../../testing/tools";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir("mcp-cache-");
});
afterEach(async () => dir.remove());

const old = (p: string) => utimesSync(p, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
const hash = (c: string) => c.repeat(64);

test("an old tarball, temp file and stage tree not kept are removed; a kept one, a recent one and the test CA stay", () => {
  const path = (n: string) => join(dir.path, n);
  const [oldTar, keptTar, recentTar, oldTmp, oldStage] = [
    `${hash("a")}.tar`,
    `${hash("b")}.tar`,
    `${hash("c")}.tar`,
    `${hash("d")}.tar.123.0badcafe.tmp`,
    `.stage-${"e".repeat(12)}-x1`,
  ];
  for (const n of [oldTar, keptTar, recentTar, oldTmp]) writeFileSync(path(n), "x");
  mkdirSync(path(oldStage));
  mkdirSync(path("test-ca"));
  writeFileSync(path("test-ca/ca.crt"), "cert");
  for (const n of [oldTar, keptTar, oldTmp, oldStage, "test-ca"]) old(path(n));
  expect(pruneCache(new Set([path(keptTar)]), 15 * 60_000, dir.path)).toBe(3);
  expect([oldTar, oldTmp, oldStage, keptTar, recentTar, "test-ca/ca.crt"].map((n) => [n, existsSync(path(n))])).toEqual([
    [oldTar, false],
    [oldTmp, false],
    [oldStage, false],
    [keptTar, true],
    [recentTar, true],
    ["test-ca/ca.crt", true],
  ]);
});
