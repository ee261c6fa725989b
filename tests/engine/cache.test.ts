/** The image cache's pruning: old tarballs go, kept ones and the test CA stay. */
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

test("an old tarball not kept is removed; a kept one, a recent one and the test CA stay", () => {
  const path = (n: string) => join(dir.path, n);
  for (const n of ["old.tar", "kept.tar", "recent.tar"]) writeFileSync(path(n), "x");
  mkdirSync(path("test-ca"));
  writeFileSync(path("test-ca/ca.crt"), "cert");
  for (const n of ["old.tar", "kept.tar", "test-ca"]) old(path(n));
  expect(pruneCache(new Set([path("kept.tar")]), 15 * 60_000, dir.path)).toBe(1);
  expect(["old.tar", "kept.tar", "recent.tar", "test-ca/ca.crt"].map((n) => [n, existsSync(path(n))])).toEqual([
    ["old.tar", false],
    ["kept.tar", true],
    ["recent.tar", true],
    ["test-ca/ca.crt", true],
  ]);
});
