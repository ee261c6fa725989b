/**
 * `npm run preflight` as a user runs it: exit codes, formats, --out, --mutate, and clear
 * errors for bad input (exit 2 naming the offending value).
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { preflightReportSchema } from "../../evidence/preflight";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import { sarifAcceptanceProblems } from "../../testing/sarif/acceptance";
import { sarifSchemaErrors } from "../../testing/sarif/schema";

const ROOT = path.resolve(__dirname, "../..");

function preflight(args: string[], viaNpm = false, env: Record<string, string> = {}) {
  const cmd = viaNpm ? "npm" : process.execPath;
  const argv = viaNpm ? ["run", "--silent", "preflight", "--", ...args] : [require.resolve("ts-node/dist/bin.js"), "--swc", "scripts/preflight.ts", ...args];
  const r = spawnSync(cmd, argv, { cwd: ROOT, encoding: "utf8", timeout: 120000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("npm run preflight -- --stack prod: exit 0 with the item table", () => {
  const r = preflight(["--stack", "prod"], true);
  expect(r.stderr).not.toMatch(/failed/);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Preflight: stack prod, policy pack mcp-production-checklist@1\.0\.0/);
  expect(r.stdout).toContain("\nPolicy config: policies/policy-config.prod.json\n");
  expect(r.stdout).toMatch(/SEC-CONTAINER-02\s+pass/);
  expect(r.stdout).toMatch(/0 mandatory violations/);
});

test("--out DIR writes every format; --format json puts the sign-off's PreflightReport on stdout", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-out-"));
  const out = path.join(dir, "evidence");
  try {
    const r = preflight(["--stack", "dev", "--format", "json", "--out", out, "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(fs.readdirSync(out).sort()).toEqual(["preflight.json", "preflight.junit.xml", "preflight.sarif", "preflight.txt"]);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(out, "preflight.json"), "utf8")));
    expect(fs.readFileSync(path.join(out, "preflight.txt"), "utf8")).toMatch(/^Preflight: stack dev/);
    const report = JSON.parse(fs.readFileSync(path.join(out, "preflight.json"), "utf8"));
    expect(report).toMatchObject({ kind: "preflight", formatVersion: EVIDENCE_FORMAT_VERSION, stack: "dev", mandatoryViolations: 0 });
    expect(preflightReportSchema.safeParse(report).error?.issues ?? []).toEqual([]);
    // Which policy config it ran with, unmutated, and what it read.
    const sha = (f: string) =>
      createHash("sha256")
        .update(fs.readFileSync(path.join(ROOT, f)))
        .digest("hex");
    expect(report.policyConfig).toEqual({ path: "policies/policy-config.dev.json", sha256: sha("policies/policy-config.dev.json") });
    expect(report.mutation).toBeNull();
    expect(report.provenance.inputs).toEqual([
      { role: "stack file", path: "Pulumi.dev.yaml", sha256: sha("Pulumi.dev.yaml") },
      { role: "policy config", path: "policies/policy-config.dev.json", sha256: sha("policies/policy-config.dev.json") },
    ]);
    expect(report.provenance.product.version).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
    // Every resource judged, by type and name.
    expect(report.resources.length).toBe(report.resourceCount);
    expect(report.resources).toContainEqual({ type: "docker:index/service:Service", name: "mcp-dev-redis" });
    const sarif = JSON.parse(fs.readFileSync(path.join(out, "preflight.sarif"), "utf8"));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarifAcceptanceProblems(sarif)).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("--format sarif of a blocked stack: valid SARIF 2.1.0, the violation at the program line, help at the commit under GitHub Actions; the JSON names the mutation", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-sarif-"));
  try {
    const gh = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/mcp", GITHUB_SHA: "0123abc" };
    const r = preflight(["--stack", "prod", "--mutate", "cap-all-redis", "--format", "sarif", "--out", dir, "--quiet"], false, gh);
    expect(r.code).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "preflight.json"), "utf8")).mutation).toBe("cap-all-redis");
    const sarif = JSON.parse(fs.readFileSync(path.join(dir, "preflight.sarif"), "utf8"));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarifAcceptanceProblems(sarif)).toEqual([]);
    const run = sarif.runs[0];
    const hit = run.results.find((x: any) => x.ruleId === "container-capabilities" && x.kind === "fail");
    const where = hit.locations[0].physicalLocation;
    const line = fs.readFileSync(path.join(ROOT, where.artifactLocation.uri), "utf8").split("\n")[where.region.startLine - 1];
    expect(line).toMatch(/new docker\.Service\(/);
    expect(run.tool.driver.rules[hit.ruleIndex].helpUri).toBe("https://github.com/acme/mcp/blob/0123abc/policies/rules/container-capabilities.ts");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.each([
  ["cap-all-redis", "container-capabilities", "SEC-CONTAINER-02"],
  ["privileged-debug-container", "container-no-privileged", "SEC-CONTAINER-02"],
  ["postgres-port-published", "container-published-ports", "SEC-NET-01"],
])("--mutate %s: exit 1 naming %s and %s", (id, policy, item) => {
  const r = preflight(["--stack", "prod", "--mutate", id, "--quiet"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`${item}\\s+VIOLATED`));
  expect(r.stdout).toMatch(new RegExp(`x \\[mandatory\\] ${policy} on `));
  expect(r.stdout).toMatch(/deploy blocked/);
});

test.each([
  [["--stack", "nosuch"], /no stack file Pulumi\.nosuch\.yaml .*stacks here: .*prod/],
  [["--stack", "prod", "--format", "pdf"], /--format <format>' argument 'pdf' is invalid\. unknown format "pdf" \(choose one of text, json, junit, sarif\)/],
  [["--stack", "prod", "--format", "json,sarif"], /unknown format "json,sarif" .*; one format only: --out DIR writes all of them/],
  [["--stack", "prod", "--mutate", "nope"], /--mutate nope: no such mutation/],
  [["--stack", "prod", "--mutate", ""], /--mutate needs a mutation id \(see --list-mutations\), got ""/],
  [["--stack", "prod", "--mutate", " "], /--mutate needs a mutation id \(see --list-mutations\), got " "/],
  [
    ["--stack", "prod", "--policy-config", "tests/preflight/fixtures/bad-policy-config.json"],
    /"container-no-privilegd": no such policy[\s\S]*"image-pinned".requireDigest: expected boolean, got string/,
  ],
  [[], /required option '--stack <name>'/],
])("bad input %j: exit 2 with a clear message", (args, message) => {
  const r = preflight(args as string[]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message as RegExp);
  expect(r.stderr).not.toMatch(/^\s+at /m);
});

test.each([
  ["under /proc", () => "/proc/no-such-dir/evidence", /--out \/proc\/no-such-dir\/evidence: cannot create directory \/proc\/no-such-dir: /],
  [
    "under a regular file",
    () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflight-file-")), "plain");
      fs.writeFileSync(file, "x");
      return path.join(file, "evidence");
    },
    /--out \S+\/plain\/evidence: \S+\/plain exists and is not a directory/,
  ],
])("--out %s: exit 2 at once with one message naming the path", (_what, out, message) => {
  const t0 = Date.now();
  const r = preflight(["--stack", "prod", "--out", out(), "--quiet"]);
  expect(Date.now() - t0).toBeLessThan(30000);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stdout).toBe("");
});

test("a config the program rejects is reported with every bad key, exit 2", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-proj-"));
  try {
    // A project copy whose prod stack file asks for one replica: the program's own validation refuses it.
    for (const f of ["Pulumi.yaml", "package.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    for (const d of ["infra", "policies", "checklist", "backup", "validate", "node_modules"]) fs.symlinkSync(path.join(ROOT, d), path.join(dir, d));
    fs.writeFileSync(
      path.join(dir, "Pulumi.prod.yaml"),
      fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace("mcp:environment: dev", "mcp:environment: prod"),
    );
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--swc", path.join(ROOT, "scripts/preflight.ts"), "--stack", "prod", "--quiet"],
      { cwd: dir, encoding: "utf8", timeout: 120000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Invalid stack configuration for stack "prod"/);
    expect(r.stderr).toMatch(/mcp:app\.replicas: prod needs at least 2 app replicas/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
