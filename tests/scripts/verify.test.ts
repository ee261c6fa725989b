/** `npm run verify --outputs FILE`: a file of another stack is refused before anything is reached, exit 2, naming both stacks. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseVerifyArgs, verify } from "../../scripts/verify";

const ROOT = path.resolve(__dirname, "../..");

async function cli(cwd: string, args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await verify({ ...parseVerifyArgs(args), cwd }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe("npm run verify --outputs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-outputs-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.copyFileSync(path.join(ROOT, "Pulumi.prod.yaml"), path.join(dir, "Pulumi.prod.yaml"));
  const secret = "s3cr3t-" + Math.random().toString(36).slice(2);
  const outputs = (stack: string) => {
    const f = path.join(dir, `outputs-${stack}.json`);
    fs.writeFileSync(f, JSON.stringify({ stack, secrets: { postgresPassword: secret } }));
    return f;
  };

  test("of another stack: exit 2 naming the file and both stacks, no secret printed", async () => {
    const f = outputs("dev");
    const r = await cli(dir, ["--stack", "prod", "--outputs", f, "--direct"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`verify: outputs file ${f} is for stack "dev", not --stack prod`);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });

  test("of the same stack: no stack refusal (this file then fails on its missing keys instead)", async () => {
    const f = outputs("prod");
    const r = await cli(dir, ["--stack", "prod", "--outputs", f, "--direct"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("is for stack");
    expect(r.stderr).toContain(`${f} is not a valid stack output`);
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
});
