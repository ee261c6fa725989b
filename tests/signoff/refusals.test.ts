/**
 * Evidence the sign-off refuses (exit 2, the file and the reason named, nothing written) and
 * the same evidence just inside each limit, accepted: age per kind, dates ahead of the clock,
 * a mutated preflight or one without the stack's policy config, verify results and outputs of
 * another stack, outputs without secrets, the example attestations file.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSignoff } from "../../signoff/build";
import {
  runSignoffCli,
  attestationsFor,
  drillReport,
  itemsOfKind,
  jestResults,
  NOW,
  outputsFixture,
  preflightReport,
  ROOT,
  secretsFixture,
  verifyReport,
} from "./fixtures";

const run = runSignoffCli;

const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "signoff-refusals-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const file = (name: string, content: unknown) => {
  const f = path.join(tmp, `${++n}-${name}`);
  fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return f;
};

/** Runs the sign-off with one input; returns what a user sees. */
function signoff(flag: string, f: string, stack = "prod") {
  const out = path.join(tmp, `out-${++n}`);
  const r = run(["--stack", stack, flag, f, "--out", out, "--now", NOW.toISOString()]);
  return { ...r, wrote: fs.existsSync(out) };
}

function expectRefused(r: ReturnType<typeof signoff>, f: string, reason: string | RegExp) {
  expect({ code: r.code, wrote: r.wrote }).toEqual({ code: 2, wrote: false });
  expect(r.stderr).toContain(f);
  if (typeof reason === "string") expect(r.stderr).toContain(reason);
  else expect(r.stderr).toMatch(reason);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

function expectAccepted(r: ReturnType<typeof signoff>) {
  expect({ code: r.code, stderr: r.stderr.split("\n").filter((l) => !/^signoff: (stack|warning)/.test(l) && l) }).toEqual({ code: 0, stderr: [] });
  expect(r.wrote).toBe(true);
}

describe("evidence older than mcp:signoff.maxEvidenceAgeHours (defaults: preflight 72, verify 24, tests 168, drill 2160)", () => {
  test.each([
    ["--preflight", "preflight", 72, (t: string) => ({ ...preflightReport(), generatedAt: t })],
    ["--verify", "verify", 24, (t: string) => ({ ...verifyReport(), generatedAt: t })],
    ["--tests", "tests", 168, (t: string) => ({ ...(jestResults() as object), startTime: Date.parse(t) })],
    ["--drill", "drill", 2160, (t: string) => ({ ...drillReport(), generatedAt: t })],
  ])("%s: refused just over the limit, accepted just under it", (flag, kind, hours, make) => {
    const old = file(`${kind}-old.json`, make(at(-(hours + 1) * HOUR)));
    expectRefused(signoff(flag, old), old, `older than mcp:signoff.maxEvidenceAgeHours.${kind} = ${hours} h`);
    expectAccepted(signoff(flag, file(`${kind}-fresh.json`, make(at(-(hours - 1) * HOUR)))));
  });

  test("jest results without startTime: their age cannot be told, refused", () => {
    const { startTime: _t, ...undated } = jestResults() as { startTime: number };
    void _t;
    const f = file("tests-undated.json", undated);
    expectRefused(signoff("--tests", f), f, "has no valid date (none): its age cannot be told");
  });

  test("the limit comes from the stack config", () => {
    const repo = fs.mkdtempSync(path.join(tmp, "repo-"));
    fs.mkdirSync(path.join(repo, "policies"));
    fs.copyFileSync(path.join(ROOT, "policies/policy-config.prod.json"), path.join(repo, "policies/policy-config.prod.json"));
    const stackFile = fs
      .readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace(/^config:\n/m, "config:\n  mcp:signoff:\n    maxEvidenceAgeHours:\n      preflight: 1\n");
    fs.writeFileSync(path.join(repo, "Pulumi.prod.yaml"), stackFile);
    const twoHours = file("preflight-2h.json", { ...preflightReport(), generatedAt: at(-2 * HOUR) });
    expect(() => buildSignoff({ stack: "prod", repoRoot: repo, preflight: twoHours, now: NOW })).toThrow(
      `older than mcp:signoff.maxEvidenceAgeHours.preflight = 1 h`,
    );
    expect(() => buildSignoff({ stack: "prod", repoRoot: ROOT, preflight: twoHours, now: NOW })).not.toThrow();
  });

  test("--now decides the age: the same file is fresh at its own time", () => {
    const f = file("preflight-then.json", { ...preflightReport(), generatedAt: "2026-01-01T00:00:00.000Z" });
    expectRefused(signoff("--preflight", f), f, "older than");
    expect(run(["--stack", "prod", "--preflight", f, "--out", path.join(tmp, "then"), "--now", "2026-01-01T01:00:00Z"]).code).toBe(0);
  });
});

describe("evidence dated after the sign-off's time (beyond mcp:signoff.clockSkewMinutes, default 5)", () => {
  test.each([
    ["--preflight", (t: string) => ({ ...preflightReport(), generatedAt: t })],
    ["--verify", (t: string) => ({ ...verifyReport(), generatedAt: t })],
    ["--drill", (t: string) => ({ ...drillReport(), generatedAt: t })],
  ])("%s: refused 6 minutes ahead, accepted 4 minutes ahead", (flag, make) => {
    const ahead = file("ahead.json", make(at(6 * 60_000)));
    expectRefused(signoff(flag, ahead), ahead, /is dated .* after the sign-off's time .* \(more than mcp:signoff\.clockSkewMinutes = 5 min\)/);
    expectAccepted(signoff(flag, file("skew.json", make(at(4 * 60_000)))));
  });
});

describe("a preflight that is no evidence of the stack as configured", () => {
  test("made with --mutate: refused naming the mutation", () => {
    const f = file("mutated.json", { ...preflightReport(), mutation: "cap-all-redis" });
    expectRefused(signoff("--preflight", f), f, "was made with --mutate cap-all-redis");
    expectAccepted(signoff("--preflight", file("unmutated.json", preflightReport())));
  });

  test("made without a policy config, with another one, or with the stack's as it was before a change: refused", () => {
    const none = file("no-config.json", { ...preflightReport(), policyConfig: { path: null, sha256: null } });
    expectRefused(signoff("--preflight", none), none, "was made without a policy config; stack prod's is policies/policy-config.prod.json");
    const other = file("other-config.json", { ...preflightReport(), policyConfig: { path: "policies/policy-config.dev.json", sha256: "0".repeat(64) } });
    expectRefused(
      signoff("--preflight", other),
      other,
      "was made with policy config policies/policy-config.dev.json, not the stack's policies/policy-config.prod.json",
    );
    const changed = file("changed-config.json", { ...preflightReport(), policyConfig: { path: "policies/policy-config.prod.json", sha256: "0".repeat(64) } });
    expectRefused(signoff("--preflight", changed), changed, "was made with a different policies/policy-config.prod.json");
    // The same config named by its absolute path (a preflight run with --policy-config from elsewhere) is the stack's.
    const abs = { ...preflightReport().policyConfig, path: path.join(ROOT, "policies/policy-config.prod.json") };
    expectAccepted(signoff("--preflight", file("abs-config.json", { ...preflightReport(), policyConfig: abs })));
  });

  test("a report that does not say which policy config it used is refused, naming the field", () => {
    const { policyConfig: _dropped, ...rest } = preflightReport();
    void _dropped;
    const f = file("unsaid-config.json", rest);
    expectRefused(signoff("--preflight", f), f, "policyConfig");
  });
});

describe("evidence of another stack", () => {
  test("verify results of another stack", () => {
    const f = file("verify-dev.json", { ...verifyReport(), stack: "dev" });
    expectRefused(signoff("--verify", f), f, `verify file ${f} is for stack "dev", not "prod"`);
  });

  test("outputs of another stack, or outputs that do not say their stack", () => {
    const secrets = secretsFixture();
    const dev = file("outputs-dev.json", { ...(outputsFixture(secrets) as object), stack: "dev" });
    expectRefused(signoff("--outputs", dev), dev, `outputs file ${dev} is for stack "dev", not "prod"`);
    const { stack: _s, ...unsaid } = outputsFixture(secrets) as { stack: string };
    void _s;
    const nostack = file("outputs-nostack.json", unsaid);
    expectRefused(signoff("--outputs", nostack), nostack, 'does not say its stack (no "stack" key)');
    const ok = signoff("--outputs", file("outputs-prod.json", outputsFixture(secrets)));
    expectAccepted(ok);
    for (const s of Object.values(secrets).filter((v) => v.length > 20)) expect(ok.stdout + ok.stderr).not.toContain(s);
  });
});

describe("outputs without the secret values: no redaction can be claimed", () => {
  test.each([
    ["{}", {}, 'holds no secret values (no "secrets")'],
    ["no secrets key", { stack: "prod", environment: "prod" }, "holds no secret values"],
    ["empty secrets", { stack: "prod", secrets: {} }, "holds no secret values"],
    ["masked (no --show-secrets)", { stack: "prod", secrets: "[secret]" }, 'has its secrets masked ("[secret]")'],
    ["masked values", { stack: "prod", secrets: { postgresPassword: "[secret]", grafanaAdminUser: "admin" } }, "has its secrets masked"],
    ["only the non-secret user name", { stack: "prod", secrets: { grafanaAdminUser: "mcp-grafana-admin" } }, "holds no secret values"],
  ])("%s: refused", (_what, doc, reason) => {
    const f = file("outputs.json", doc);
    expectRefused(signoff("--outputs", f), f, reason);
  });
});

describe("the example attestations file", () => {
  test("refused by its marker wherever it lies; a copy without the marker is accepted", () => {
    const example = path.join(ROOT, "checklist/attestations.example.yaml");
    expectRefused(signoff("--attestations", example), example, "example: this is the example attestations file (example: true)");
    const moved = path.join(tmp, "attestations.prod.yaml");
    fs.copyFileSync(example, moved);
    expectRefused(signoff("--attestations", moved), moved, "this is the example attestations file");
    const mine = file("attestations.yaml", fs.readFileSync(example, "utf8").replace(/^example: true\n/m, ""));
    expectAccepted(signoff("--attestations", mine));
    expectAccepted(signoff("--attestations", file("attestations.json", attestationsFor(itemsOfKind("attestation").map((i) => i.id)))));
  });
});
