import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHECKLIST_ITEMS } from "../../checklist/items";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import { sha256OfFile } from "../../evidence/provenance";
import { SIGNOFF_FORMAT_VERSION, type SignoffReport } from "../../signoff/model";
import {
  attestationsFor,
  drillReport,
  itemsOfKind,
  jestResults,
  outputsFixture,
  preflightReport,
  PROVENANCE,
  ROOT,
  secretsFixture,
  verifyReport,
  runSignoffCli,
} from "./fixtures";

const run = runSignoffCli;

describe("npm run signoff", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "signoff-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const file = (name: string, content: unknown) => {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return f;
  };
  const secrets = secretsFixture();
  const leak = secrets.postgresPassword;
  // Evidence that (wrongly) carries secrets: a check message, a violation, a justification, a measurement.
  const preflight = preflightReport((id) =>
    id === itemsOfKind("policy")[0].id
      ? { status: "violated", violations: [{ policy: "p", enforcementLevel: "mandatory", message: `env DB_PASSWORD=${leak}` }] }
      : {},
  );
  const verify = verifyReport((id) =>
    id === "app.auth"
      ? { message: `login with ${secrets.jwtSigningKey} ok`, measurements: { token: Buffer.from(secrets.redisPassword).toString("base64") } }
      : {},
  );
  const human = itemsOfKind("attestation").map((i) => i.id);
  const attest = attestationsFor(human, { [human[0]]: { justification: `checked with grafana password ${secrets.grafanaAdminPassword}` } });
  const inputs = {
    preflight: file("preflight.json", preflight),
    verify: file("verify.json", verify),
    tests: file("tests.json", jestResults()),
    drill: file("drill.json", drillReport()),
    attestations: file("attestations.json", attest),
    outputs: file("outputs.json", outputsFixture(secrets)),
  };
  const out = path.join(tmp, "out");
  const args = [
    "--stack",
    "prod",
    "--preflight",
    inputs.preflight,
    "--verify",
    inputs.verify,
    "--tests",
    inputs.tests,
    "--drill",
    inputs.drill,
    "--attestations",
    inputs.attestations,
    "--outputs",
    inputs.outputs,
    "--out",
    out,
    "--now",
    "2026-11-25T12:00:00Z",
  ];
  const first = run(args);
  const read = (name: string) => fs.readFileSync(path.join(out, name), "utf8");

  test("writes SIGNOFF.md, signoff.html, signoff.json and junit.xml and prints the decision", () => {
    expect(first.stderr).toContain("signoff: stack prod; inputs: preflight, verify, tests, drill, attestations, outputs");
    expect(first.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(["SIGNOFF.md", "junit.xml", "signoff.html", "signoff.json"]);
    expect(first.stdout.trim().split("\n").pop()).toBe("Decision: NO-GO — 170 pass, 1 fail, 0 waived, 0 pending of 171");
  });

  test("signoff.json holds every item with status and evidence, and the role decisions", () => {
    const r = JSON.parse(read("signoff.json")) as SignoffReport;
    expect(r).toMatchObject({ kind: "signoff", formatVersion: SIGNOFF_FORMAT_VERSION, stack: "prod", decision: "NO-GO" });
    expect(r.items.map((i) => i.id)).toEqual(CHECKLIST_ITEMS.map((i) => i.id));
    expect(r.items.every((i) => i.evidence.length > 0)).toBe(true);
    expect(r.roles.map((x) => `${x.role}: ${x.decision}`)).toEqual(["Technical Lead: NO-GO", "Operations Lead: GO", "Security Lead: GO", "Product Owner: GO"]);
    expect(r.rollback.drill).toMatchObject({ status: "pass" });
  });

  test("the report records its own provenance and, per input, the file's SHA-256 and what made it", () => {
    const r = JSON.parse(read("signoff.json")) as SignoffReport;
    expect(r.provenance.git.commit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(r.provenance.product).toEqual({ name: "mcp-production-stack", version: require("../../package.json").version });
    const read_ = (role: string) => r.provenance.inputs.filter((i) => i.role === role).map((i) => i.sha256);
    expect(read_("stack file")).toEqual([sha256OfFile(path.join(ROOT, "Pulumi.prod.yaml"))]);
    for (const role of ["preflight", "verify", "tests", "drill", "attestations", "outputs"] as const)
      expect({ role, sha: read_(role) }).toEqual({ role, sha: [sha256OfFile(inputs[role])] });
    const pre = r.inputs.find((i) => i.kind === "preflight")!;
    expect(pre).toMatchObject({ file: inputs.preflight, sha256: sha256OfFile(inputs.preflight), stack: "prod", provenance: PROVENANCE });
    expect(pre.note).toContain("policy config policies/policy-config.prod.json");
    expect(r.inputs.find((i) => i.kind === "attestations")).toMatchObject({ sha256: sha256OfFile(inputs.attestations) });
    const md = read("SIGNOFF.md");
    expect(md).toContain(`| preflight | \`${inputs.preflight}\` | \`${sha256OfFile(inputs.preflight).slice(0, 12)}\` |`);
    expect(md).toContain("mcp-production-stack 0.1.0, commit 0123456789ab, stack prod");
    expect(read("signoff.html")).toContain("mcp-production-stack 0.1.0, commit 0123456789ab, stack prod");
  });

  test("SIGNOFF.md has a section per role with go/no-go, the contacts table and the rollback plan", () => {
    const md = read("SIGNOFF.md");
    for (const role of ["Technical Lead", "Operations Lead", "Security Lead", "Product Owner"])
      expect(md).toMatch(new RegExp(`^### ${role}: (GO|NO-GO)$`, "m"));
    expect(md).toContain("**Technical Lead — Go / No-go:** NO-GO");
    expect(md).toContain("## Emergency contacts\n\n| Role | Name | Phone | Email |");
    expect(md).toContain("- `docker service scale mcp-prod-nginx=0`");
    expect(md).toMatch(/\[docs\/rollback\.md\]\(\.\.\/\.\.\/\.\.\/|\[docs\/rollback\.md\]\([^)]*docs\/rollback\.md\)/);
    expect(md.match(/^\| [A-Z]+(-[A-Z0-9]+)+-\d{2} \|.*\| \*\*(PASS|FAIL|WAIVED|PENDING)\*\* \|/gm)).toHaveLength(171);
  });

  test("junit.xml has one test case per item, written by junit-report-builder", () => {
    const xml = read("junit.xml");
    expect(xml.match(/<testcase /g)).toHaveLength(171);
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toMatch(/<testsuites[^>]* tests="171"/);
    expect(xml.match(/<testsuite /g)).toHaveLength(new Set(CHECKLIST_ITEMS.map((i) => i.section)).size);
  });

  test("no secret value of the stack outputs appears in any report, in any encoding", () => {
    for (const name of fs.readdirSync(out)) {
      const text = read(name);
      for (const [key, value] of Object.entries(secrets)) {
        if (value.length < 6) continue;
        for (const form of [value, Buffer.from(value).toString("base64"), encodeURIComponent(value)])
          expect({ name, key, leaked: text.includes(form) }).toEqual({ name, key, leaked: false });
      }
      expect(text).toContain("[redacted]");
    }
    expect(first.stdout + first.stderr).not.toContain(leak);
  });

  test("the same inputs give the same report", () => {
    const again = path.join(tmp, "again");
    expect(run([...args.slice(0, -4), "--out", again, "--now", "2026-11-25T12:00:00Z"]).code).toBe(0);
    for (const name of ["signoff.json", "SIGNOFF.md", "junit.xml"]) expect(fs.readFileSync(path.join(again, name), "utf8")).toBe(read(name));
  });

  test("--require-go exits 1 on NO-GO; with no inputs every item is pending", () => {
    const r = run(["--stack", "prod", "--out", path.join(tmp, "empty"), "--require-go"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Decision: NO-GO — 0 pass, 0 fail, 0 waived, 171 pending of 171");
  });

  test("bad input exits 2 with a message naming the file and the problem, and writes nothing", () => {
    const dir = path.join(tmp, "bad");
    const badAttest = file("bad-attest.json", attestationsFor(["PRE-INFRA-06"], { "PRE-INFRA-06": { item: "NOPE-01" } }));
    const a = run(["--stack", "prod", "--attestations", badAttest, "--out", dir]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain(`Invalid attestations file ${badAttest} (1 problem):\n  - attestations[0] (NOPE-01): item: unknown checklist item ID "NOPE-01"`);
    const p = run(["--stack", "prod", "--preflight", inputs.verify, "--out", dir]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain(`preflight file ${inputs.verify} is not a valid preflight report — this is a "verify" report, pass it to --verify`);
    const dev = run(["--stack", "dev", "--verify", inputs.verify, "--out", dir]);
    expect(dev.stderr).toContain(`verify file ${inputs.verify} is for stack "prod", not "dev"`);
    const old = run(["--stack", "prod", "--verify", file("old.json", { ...verify, formatVersion: 0 }), "--out", dir]);
    expect(old.stderr).toContain(`has format version 0; this sign-off reads version ${EVIDENCE_FORMAT_VERSION}`);
    expect(run(["--stack", "nope", "--out", dir]).stderr).toMatch(/no stack file Pulumi\.nope\.yaml/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  test("an --out that cannot be written: exit 2 with one message naming the path", () => {
    const plain = file("plain-file", "x");
    const under = run(["--stack", "prod", "--out", path.join(plain, "signoff")]);
    expect(under.code).toBe(2);
    expect(under.stderr).toMatch(new RegExp(`^signoff: --out ${plain}/signoff: ${plain} exists and is not a directory\n$`, "m"));
    const proc = run(["--stack", "prod", "--out", "/proc/no-such-dir/signoff"]);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/^signoff: --out \/proc\/no-such-dir\/signoff: cannot create directory \/proc\/no-such-dir: /m);
    expect(proc.stdout).toBe("");
  });

  test("the command itself: an unwritable --out is exit 2 (1 means NO-GO), no stack trace, within seconds", () => {
    const root = path.resolve(__dirname, "../..");
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      [require.resolve("ts-node/dist/bin.js"), "--swc", "scripts/signoff.ts", "--stack", "prod", "--out", "/proc/no-such-dir/x"],
      {
        cwd: root,
        encoding: "utf8",
        timeout: 60000,
      },
    );
    expect(Date.now() - t0).toBeLessThan(30000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/signoff: --out \/proc\/no-such-dir\/x: cannot create directory \/proc\/no-such-dir/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
