/**
 * drill:restore's `--out DIR`, the parts that need no PostgreSQL: an --out that cannot be
 * written is exit 2 with one message naming the path, before a scratch server is started or
 * the key is even looked for. (The written DIR/drill-report.json is in drill-cli.test.ts.)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DRILL_REPORT_FILE, main } from "../../scripts/drill-restore";

const ROOT = path.resolve(__dirname, "../..");
let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drill-out-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const t0 = Date.now();
  const code = await main(["--stack", "prod", "--project-dir", ROOT, "--backup-dir", tmp, ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr, ms: Date.now() - t0 };
}

test("the report file is drill-report.json", () => expect(DRILL_REPORT_FILE).toBe("drill-report.json"));

test("--out under /proc: exit 2 at once naming the path", async () => {
  const r = await cli(["--out", "/proc/no-such-dir/evidence"]);
  expect(r.code).toBe(2);
  expect(r.ms).toBeLessThan(5000);
  expect(r.stderr).toMatch(/^drill:restore: --out \/proc\/no-such-dir\/evidence: cannot create directory \/proc\/no-such-dir: .*\n$/);
  expect(r.stdout).toBe("");
});

test("--out under a regular file: exit 2 naming the file", async () => {
  const file = path.join(tmp, "plain");
  fs.writeFileSync(file, "x");
  const r = await cli(["--out", path.join(file, "evidence")]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe(`drill:restore: --out ${file}/evidence: ${file} exists and is not a directory\n`);
});

test("a writable --out is made and the drill goes on to its next question (the key)", async () => {
  const r = await cli(["--out", path.join(tmp, "evidence")]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/the backup key is needed/);
  expect(fs.statSync(path.join(tmp, "evidence")).isDirectory()).toBe(true);
});
