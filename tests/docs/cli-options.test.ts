/**
 * Every option of every command is named in the README, so a reader finds a flag without
 * reading the source (`--help` gives the details). Options are read from the commander
 * declarations in scripts/, so a new flag without its sentence fails here.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const README = readFileSync(path.join(ROOT, "README.md"), "utf8");

function declaredOptions(source: string): string[] {
  return [...new Set([...source.matchAll(/(?:\.(?:option|requiredOption)|new Option)\(\s*"(--[a-z][a-z-]*)/g)].map((m) => m[1]))];
}

const scripts = readdirSync(path.join(ROOT, "scripts")).filter((f) => f.endsWith(".ts"));

test("the option reader finds the commands' options (so the check below can fail)", () => {
  const verify = declaredOptions(readFileSync(path.join(ROOT, "scripts/verify.ts"), "utf8"));
  expect(verify).toEqual(expect.arrayContaining(["--stack", "--outputs", "--skip", "--concurrency"]));
  expect(declaredOptions('x.option("--made-up-flag <v>", "d")')).toEqual(["--made-up-flag"]);
});

test.each(scripts)("every option of scripts/%s is in the README", (file) => {
  const missing = declaredOptions(readFileSync(path.join(ROOT, "scripts", file), "utf8")).filter(
    (o) => !new RegExp(`${o}(?![a-z-])`).test(README),
  );
  expect(missing).toEqual([]);
});
