/**
 * `npm run verify` refusing input it cannot use before anything runs: exit 2 with one message
 * naming the value. (The checks themselves are in stack.test.ts and the engine suites.)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseVerifyArgs, verify } from "../../scripts/verify";
import { VERIFY_CHECKS } from "../../validate/registry";

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

describe("--ca", () => {
  test.each([
    ["empty", "", /^verify: --ca \S+ca\.pem is empty: it must hold the CA certificate \(PEM\)/],
    ["blank lines only", "\n \n", /^verify: --ca \S+ca\.pem is empty/],
    ["not PEM", "hello\n", /^verify: --ca \S+ca\.pem holds no PEM certificate/],
  ])("%s file: exit 2 naming the file, nothing run", async (_what, content, message) => {
    const ca = path.join(tmp, "ca.pem");
    fs.writeFileSync(ca, content);
    const r = await run(["--stack", "prod", "--ca", ca]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain(ca);
  });

  test("a missing file: exit 2 naming it", async () => {
    const r = await run(["--stack", "prod", "--ca", path.join(tmp, "absent.pem")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`verify: --ca ${tmp}/absent.pem is not readable: ENOENT\n`);
  });

  test("a PEM certificate is taken and the run goes on (to the outputs)", async () => {
    const ca = path.join(tmp, "ca.pem");
    fs.writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const r = await run(["--stack", "prod", "--ca", ca, "--outputs", path.join(tmp, "absent.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/--ca/);
    expect(r.stderr).toMatch(/absent\.json/);
  });
});

describe("--resolve", () => {
  const quiet = () => jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  test.each(["mcp.example.com:not-an-ip", "mcp.example.com:10.0.0", "mcp.example.com:999.1.1.1", "mcp.example.com:other.example.com"])(
    "%s: refused naming the value",
    (v) => {
      const q = quiet();
      try {
        expect(() => parseVerifyArgs(["--stack", "prod", "--resolve", v])).toThrow(
          `--resolve ${v}: "${v.slice(v.indexOf(":") + 1)}" is not an IPv4 or IPv6 address`,
        );
      } finally {
        q.mockRestore();
      }
    },
  );

  test("IPv4 and IPv6 (bare or in brackets) are taken", () => {
    const o = parseVerifyArgs([
      "--stack",
      "p",
      "--resolve",
      "a.example.com:203.0.113.7",
      "--resolve",
      "b.example.com:2001:db8::1",
      "--resolve",
      "c.example.com:[::1]",
    ]);
    expect(o.resolve).toEqual({ "a.example.com": "203.0.113.7", "b.example.com": "2001:db8::1", "c.example.com": "::1" });
  });

  test("the command exits 2 on a bad --resolve", () => {
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--swc", "scripts/verify.ts", "--stack", "prod", "--resolve", "mcp.example.com:nope"],
      {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--resolve mcp\.example\.com:nope: "nope" is not an IPv4 or IPv6 address/);
  });
});

describe("--image-scan and --drill-report", () => {
  test("a file that is not the report asked for is exit 2 naming the file and field, before anything connects", async () => {
    const notDrill = path.join(tmp, "drill-report.json");
    fs.writeFileSync(notDrill, JSON.stringify({ kind: "restore-drill-run", stack: "prod" }));
    const r = await run(["--stack", "prod", "--drill-report", notDrill]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^verify: drill report .*drill-report\.json is not a restore drill report \(npm run drill:restore .*\): formatVersion: /);
    const missing = await run(["--stack", "prod", "--image-scan", path.join(tmp, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^verify: image scan report .*nope\.json is not readable JSON: ENOENT/);
    expect(r.ms + missing.ms).toBeLessThan(3000);
  });
});

describe("--list", () => {
  test("every check with its id, checklist items and title, without a stack; the same as JSON", async () => {
    const text = await run(["--list"]);
    expect(text.code).toBe(0);
    for (const c of VERIFY_CHECKS)
      expect(text.stdout).toMatch(
        new RegExp(`^${c.id.replace(/\./g, "\\.")}\\s+${c.checklistIds.join(",")}\\s+.*${c.title.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "m"),
      );
    expect(text.stdout).toMatch(new RegExp(`\\n${VERIFY_CHECKS.length} checks\\n$`));
    expect(text.stdout).toMatch(/^redis\.hit-ratio .*\(needs enough cache lookups/m);
    const json = JSON.parse((await run(["--list", "--format", "json"])).stdout) as { id: string; checklistIds: string[]; needs: string[] }[];
    expect(json.map((e) => e.id)).toEqual(VERIFY_CHECKS.map((c) => c.id));
    expect(json.find((e) => e.id === "redis.hit-ratio")).toMatchObject({ checklistIds: ["FUN-PERF-03", "SIGN-TECH-02"], needs: ["redis"] });
    // Checks that judge history or given reports say why they may skip on a healthy stack.
    expect(json.find((e) => e.id === "prometheus.baseline")).toMatchObject({
      checklistIds: ["MON-METRICS-04", "POST-WEEK-01"],
      note: expect.stringMatching(/7 days/),
    });
    expect(json.find((e) => e.id === "images.vulnerability-scan")).toMatchObject({ note: expect.stringMatching(/--image-scan FILE/) });
    expect(json.find((e) => e.id === "backup.drill-interval")).toMatchObject({
      checklistIds: ["HA-DR-02"],
      note: expect.stringMatching(/--drill-report FILE/),
    });
    expect((await run(["--list", "--only", "grafana.*"])).stdout).not.toMatch(/^redis\./m);
  });

  test("lists the MCP conformance checks with their items; the slow stream check says how to opt in", async () => {
    const text = (await run(["--list", "--only", "mcp.*"])).stdout;
    for (const id of [
      "origin",
      "auth-challenge",
      "resource-metadata",
      "token-validation",
      "protocol-version",
      "sessions",
      "session-replicas",
      "tool-ceiling",
      "stream-idle",
      "rate-limit",
      "audit",
    ])
      expect(text).toMatch(new RegExp(`^mcp\\.${id} `, "m"));
    expect(text).toMatch(/^mcp\.rate-limit\s+SEC-NET-05,PRE-SEC-03\s+A burst above the rate limit on the MCP path gets 429 with Retry-After/m);
    expect(text).toMatch(/^mcp\.stream-idle .*\(opt-in: `npm run verify -- --stream-idle`/m);
    expect(parseVerifyArgs(["--stack", "prod", "--stream-idle"]).streamIdle).toBe(true);
    expect(parseVerifyArgs(["--stack", "prod"]).streamIdle).toBe(false);
  });

  test("without --list, --stack is required; --list has no JUnit form", () => {
    expect(() => parseVerifyArgs(["--outputs", "x.json"])).toThrow(/required option '--stack <name>' not specified/);
    expect(() => parseVerifyArgs(["--list", "--format", "junit"])).toThrow(/--list prints text or --format json/);
  });
});
