/**
 * Every file the documentation's commands write is git-ignored: stack outputs saved with
 * `--show-secrets`, evidence and reports quoting the stack, incident captures, key files. A
 * new documented command writing a new path fails here until .gitignore covers it, so
 * nobody is one `git add .` away from committing a secret.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { documentationFiles, writtenPaths, type WrittenPath } from "./written-paths";

const ROOT = path.resolve(__dirname, "../..");

/** Paths that git would ignore, of those given (relative to the repository root). */
function ignored(paths: string[]): Set<string> {
  // --no-index: judge by .gitignore alone, as for a file a user is about to create.
  const r = spawnSync("git", ["check-ignore", "--no-index", "--stdin"], { cwd: ROOT, input: paths.join("\n") + "\n", encoding: "utf8" });
  if (r.status !== 0 && r.status !== 1) throw new Error(`git check-ignore failed: ${r.stderr}`);
  return new Set(r.stdout.split("\n").filter(Boolean));
}

/** A file the command would write: for an output directory, a file inside it (git ignores `dir/` patterns only for directories). */
function probe(w: WrittenPath): string {
  const p = path.posix.normalize(w.path.replace(/^\.\//, "")).replace(/\/$/, "");
  return /(^|\s)--out(=|\s)/.test(w.command) && !/\.\w+$/.test(p) ? `${p}/report.json` : p;
}

const written = documentationFiles(ROOT).flatMap((f) => writtenPaths(fs.readFileSync(path.join(ROOT, f), "utf8"), f));

test("the documents' commands are found (the scan is not silently empty)", () => {
  const paths = written.map((w) => w.path);
  expect(paths).toEqual(expect.arrayContaining(["outputs.json", "out/evidence/outputs.json", "out/evidence/tests.json", "out/evidence", "reports/"]));
  expect(written.find((w) => w.path === "out/evidence/outputs.json")?.command).toMatch(/--show-secrets/);
});

test("every path a documented command writes is git-ignored", () => {
  const probes = written.map(probe);
  const hit = ignored(probes);
  const missing = written.filter((w, i) => !hit.has(probes[i])).map((w) => `${w.where}: ${w.path} (${w.command})`);
  expect(missing).toEqual([]);
});

test("the check itself tells ignored from not ignored", () => {
  expect([...ignored(["out/evidence/outputs.json", "outputs.json", "README.md", "scripts/verify.ts"])]).toEqual(["out/evidence/outputs.json", "outputs.json"]);
});

test("the source folders are not ignored (evidence/ holds the evidence contract's code)", () => {
  const sources = ["evidence/preflight.ts", "evidence/redact.ts", "checklist/mapping.ts", "policies/lib/waivers.ts"];
  expect([...ignored(sources)]).toEqual([]);
});

describe("writtenPaths", () => {
  const doc = [
    "Save the outputs: `pulumi stack output --json --show-secrets > out.json` then run:",
    "",
    "```sh",
    "npm run verify -- --stack prod --out reports/ # and",
    "npx jest --json --outputFile=evidence/t.json 2>&1 | tee run.log",
    "# or: pulumi stack history --json >> hist.json",
    "docker node update --label-add com.mcp.stateful=true <node>   # a placeholder, not a redirect",
    "npm run drill:restore -- --out DIR > /dev/null",
    "```",
    "",
    "```yaml",
    "key: value > not-a-command.txt",
    "```",
    "Prose with `Pulumi.<stack>.yaml` and `a > b` in code that is no command.",
  ].join("\n");

  test("finds redirects, tee and output flags in shell blocks and command spans", () => {
    expect(writtenPaths(doc, "x.md").map((w) => `${w.where} ${w.path}`)).toEqual([
      "x.md:1 out.json",
      "x.md:4 reports/",
      "x.md:5 evidence/t.json",
      "x.md:5 run.log",
      "x.md:6 hist.json",
    ]);
  });
});
