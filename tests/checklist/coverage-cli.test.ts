/** `npm run checklist:coverage` as a command: --help, and usage errors exit 2 like the other commands. */
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

function coverage(args: string[]) {
  const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", "scripts/checklist-coverage.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("no arguments: the coverage table, the machine-verified share last, exit 0", () => {
  const r = coverage([]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Checklist coverage \(checklist /);
  expect(r.stderr).toBe("");
});

test("--help: usage on stdout, exit 0, no table", () => {
  const r = coverage(["--help"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Usage: checklist:coverage \[options\]/);
  expect(r.stdout).not.toMatch(/Checklist coverage \(/);
});

test.each([
  [["--bogus"], /error: unknown option '--bogus'/],
  [["--stack", "prod"], /error: unknown option '--stack'/],
  [["extra"], /error: too many arguments/],
])("%j: exit 2 naming what is wrong, no table", (args, message) => {
  const r = coverage(args);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe("");
});
