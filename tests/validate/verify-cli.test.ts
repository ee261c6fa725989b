/**
 * `npm run verify` refusing input it cannot use before anything runs: exit 2 with one message
 * naming the value. (The checks themselves are in stack.test.ts and the engine suites.)
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseVerifyArgs, verify } from "../../scripts/verify";

const ROOT = path.resolve(__dirname, "../..");

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "verify-cli-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(args: string[]) {
  let stdout = "";
  let stderr = "";
  const t0 = Date.now();
  const code = await verify({ ...parseVerifyArgs(args), cwd: ROOT }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr, ms: Date.now() - t0 };
}

describe("--out that cannot be written", () => {
  test("under /proc: exit 2 at once naming the path, nothing run", async () => {
    const r = await run(["--stack", "prod", "--out", "/proc/no-such-dir/reports"]);
    expect(r.code).toBe(2);
    expect(r.ms).toBeLessThan(5000);
    expect(r.stderr).toBe(
      "verify: --out /proc/no-such-dir/reports: cannot create directory /proc/no-such-dir: the file system does not allow creating it (ENOENT)\n",
    );
    expect(r.stdout).toBe("");
  });

  test("under a regular file: exit 2 naming the file", async () => {
    const file = path.join(tmp, "plain");
    fs.writeFileSync(file, "x");
    const r = await run(["--stack", "prod", "--out", path.join(file, "reports")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`verify: --out ${file}/reports: ${file} exists and is not a directory\n`);
  });

  test("a writable --out goes past that point (to the outputs)", async () => {
    const r = await run(["--stack", "prod", "--out", path.join(tmp, "reports"), "--outputs", path.join(tmp, "absent.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/--out/);
    expect(r.stderr).toMatch(/absent\.json/);
    expect(fs.statSync(path.join(tmp, "reports")).isDirectory()).toBe(true);
  });
});
