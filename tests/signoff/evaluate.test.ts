import type { VerifyReport } from "../../evidence/verify";
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../../checklist/items";
import { CHECKLIST_MAPPING } from "../../checklist/mapping";
import { loadStackFileConfig } from "../../infra/config/stack-file";
import { validateAttestations } from "../../signoff/attestations";
import { evaluateSignoff, type SignoffInputs } from "../../signoff/evaluate";
import { readDrill } from "../../signoff/inputs";
import type { ItemOutcome } from "../../signoff/model";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { attestationsFor, drillReport, itemsOfKind, jestResults, NOW, preflightReport, PROVENANCE, ROOT, verifyReport } from "./fixtures";
import { readTestResults } from "../../signoff/inputs";

const config = loadStackFileConfig("prod", ROOT);
const base: SignoffInputs = {
  stack: "prod",
  config,
  items: CHECKLIST_ITEMS,
  mapping: CHECKLIST_MAPPING,
  checklistVersion: CHECKLIST_VERSION,
  now: NOW,
  provenance: PROVENANCE,
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "evaluate-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function testsInput(over?: Parameters<typeof jestResults>[0]) {
  const file = path.join(tmp, `tests-${Math.random()}.json`);
  fs.writeFileSync(file, JSON.stringify(jestResults(over)));
  return { file, results: readTestResults(file) };
}
const attestations = (ids: readonly string[], over: Parameters<typeof attestationsFor>[1] = {}, now = NOW) => ({
  file: "att.yaml",
  entries: validateAttestations(attestationsFor(ids, over), { ...base, now }).entries,
});
const allHuman = itemsOfKind("attestation").map((i) => i.id);
const full = (): SignoffInputs => ({
  ...base,
  preflight: { file: "p.json", report: preflightReport() },
  verify: [{ file: "v.json", report: verifyReport() }],
  tests: testsInput(),
  attestations: attestations(allHuman),
});
const item = (r: ReturnType<typeof evaluateSignoff>, id: string): ItemOutcome => r.items.find((i) => i.id === id)!;

describe("sign-off evaluation", () => {
  test("with no inputs every item is pending, none passes, every role is NO-GO", () => {
    const r = evaluateSignoff(base);
    expect(r.counts).toEqual({ pass: 0, fail: 0, waived: 0, pending: 171, total: 171 });
    expect(r.roles.map((x) => x.decision)).toEqual(["NO-GO", "NO-GO", "NO-GO", "NO-GO"]);
    expect(r.decision).toBe("NO-GO");
    expect(item(r, "SIGN-SEC-04").reason).toMatch(/^awaiting attestation/);
  });

  test("with every kind of evidence present and passing, every item passes and the decision is GO", () => {
    const r = evaluateSignoff(full());
    expect(r.items.filter((i) => i.status !== "pass").map((i) => `${i.id}: ${i.reason}`)).toEqual([]);
    expect(r.decision).toBe("GO");
    expect(r.roles.every((x) => x.decision === "GO")).toBe(true);
    expect(r.roles.reduce((n, x) => n + x.itemIds.length, 0)).toBe(171);
  });

  test("a missing input leaves exactly its kind's items pending", () => {
    const { verify: _v, ...noVerify } = full();
    const r = evaluateSignoff(noVerify);
    const pendingIds = r.items.filter((i) => i.status === "pending").map((i) => i.id);
    expect(pendingIds).toEqual(itemsOfKind("runtime").map((i) => i.id));
    expect(r.decision).toBe("NO-GO");
  });

  test("policy evidence: violated is fail with the violation, undecidable is pending", () => {
    const [violated, undecidable] = itemsOfKind("policy").map((i) => i.id);
    const report = preflightReport((id) =>
      id === violated
        ? {
            status: "violated",
            violations: [
              {
                policy: "x",
                enforcementLevel: "mandatory",
                resourceName: "mcp-prod-redis",
                message: "privileged is true",
                remediation: "set privileged: false",
              },
            ],
          }
        : id === undecidable
          ? { status: "undecidable", undecidableReasons: ["image id unknown at preview"] }
          : {},
    );
    const r = evaluateSignoff({ ...full(), preflight: { file: "p.json", report } });
    expect(item(r, violated)).toMatchObject({ status: "fail" });
    expect(item(r, violated).evidence[0].details).toEqual(["mandatory x on mcp-prod-redis: privileged is true — fix: set privileged: false"]);
    expect(item(r, undecidable)).toMatchObject({ status: "pending", reason: "not decidable at preview: image id unknown at preview" });
  });

  test("policy evidence: a waived item is waived with who, until when and why; after its expiry it fails", () => {
    const [id] = itemsOfKind("policy").map((i) => i.id);
    const waiver = { owner: "platform-team@example.com", expires: "2026-12-31", justification: "Redis needs SYS_RESOURCE until TICKET-42" };
    const report = preflightReport((x) =>
      x === id
        ? {
            status: "waived",
            violations: [{ policy: "x", enforcementLevel: "advisory", resourceName: "mcp-prod-redis", message: "adds SYS_RESOURCE", waiver }],
          }
        : {},
    );
    const r = evaluateSignoff({ ...full(), preflight: { file: "p.json", report } });
    expect(item(r, id)).toMatchObject({ status: "waived", reason: "policy config waiver: x on mcp-prod-redis by platform-team@example.com until 2026-12-31" });
    expect(item(r, id).evidence[0].details).toEqual([
      "x on mcp-prod-redis: adds SYS_RESOURCE — waived until 2026-12-31 by platform-team@example.com: Redis needs SYS_RESOURCE until TICKET-42",
    ]);
    const later = evaluateSignoff({ ...full(), now: new Date("2027-01-01T00:00:00Z"), preflight: { file: "p.json", report } });
    expect(item(later, id)).toMatchObject({ status: "fail", reason: "policy waiver expired on 2026-12-31 (x)" });
  });

  test("runtime evidence: a failed check fails, a skipped or absent one is pending, measurements are kept", () => {
    const r = evaluateSignoff({
      ...full(),
      verify: [
        {
          file: "v.json",
          report: verifyReport((id) =>
            id === "edge.health-latency"
              ? { measurements: { p50Ms: 21, p95Ms: 48 } }
              : id === "docker.user"
                ? { status: "fail", message: "mcp-prod-redis runs as root", expected: "non-root", actual: "0:0", remediation: "set user" }
                : id === "docker.limits"
                  ? { status: "skip", message: "no Docker API access" }
                  : {},
          ),
        },
      ],
    });
    expect(item(r, "SEC-CONTAINER-01")).toMatchObject({ status: "fail", reason: "check failed: docker.user" });
    expect(item(r, "SEC-CONTAINER-01").evidence[0].details).toEqual(["expected: non-root", "actual: 0:0", "fix: set user"]);
    expect(item(r, "SEC-CONTAINER-03")).toMatchObject({ status: "pending", reason: "docker.limits skipped: no Docker API access" });
    expect(item(r, "FUN-PERF-01").evidence[0].measurements).toEqual({ p50Ms: 21, p95Ms: 48 });
    const without: VerifyReport = { ...verifyReport(), checks: verifyReport().checks.filter((c) => c.id !== "docker.ports") };
    expect(item(evaluateSignoff({ ...full(), verify: [{ file: "v.json", report: without }] }), "SEC-NET-01").status).toBe("pending");
  });

  test("a check failing in one of several runtime reports fails the item", () => {
    const failing = verifyReport((id) => (id === "docker.running" ? { status: "fail", message: "mcp-prod-backup exited" } : {}));
    const r = evaluateSignoff({
      ...full(),
      verify: [
        { file: "a.json", report: verifyReport() },
        { file: "b.json", report: failing },
      ],
    });
    expect(item(r, "DEP-CORE-01").status).toBe("fail");
  });

  test("program evidence: a failed named test fails the item, one not in the results is pending", () => {
    const r = evaluateSignoff({
      ...full(),
      tests: testsInput((file, title) => (title.startsWith("DOC-TECH-03") ? "failed" : title.startsWith("DOC-TECH-04") ? "skipped" : undefined)),
    });
    expect(item(r, "DOC-TECH-03")).toMatchObject({ status: "fail" });
    expect(item(r, "DOC-TECH-04")).toMatchObject({ status: "pending" });
  });

  test("another source that names the item and failed makes it fail", () => {
    const policyItem = itemsOfKind("policy")[0].id;
    const v = verifyReport();
    v.checks.push({
      id: "extra.check",
      title: "extra",
      checklistIds: [policyItem],
      status: "fail",
      message: "seen broken at runtime",
      durationMs: 1,
      attempts: 1,
    });
    const r = evaluateSignoff({ ...full(), verify: [{ file: "v.json", report: v }] });
    expect(item(r, policyItem)).toMatchObject({ status: "fail", reason: "check extra.check failed for this item" });
  });

  test("waivers: a valid waiver turns fail into waived, an expired one is fail, an unused one leaves pass", () => {
    const policyItem = itemsOfKind("policy")[0].id;
    const violated = preflightReport((id) =>
      id === policyItem ? { status: "violated", violations: [{ policy: "p", enforcementLevel: "advisory", message: "m" }] } : {},
    );
    const inputs = (expires: string) => ({
      ...full(),
      preflight: { file: "p.json", report: violated },
      attestations: attestations([...allHuman, policyItem], { [policyItem]: { expires } }),
    });
    const waived = evaluateSignoff(inputs("2026-12-31"));
    expect(item(waived, policyItem)).toMatchObject({ status: "waived" });
    expect(item(waived, policyItem).reason).toMatch(/^waived by Pat Example until 2026-12-31: .* \(fail: 1 violation\(s\) of /);
    expect(waived.decision).toBe("GO");
    const expired = evaluateSignoff({ ...inputs("2026-11-24") });
    expect(item(expired, policyItem)).toMatchObject({ status: "fail" });
    expect(item(expired, policyItem).reason).toMatch(/^waiver expired on 2026-11-24/);
    const unused = evaluateSignoff({ ...full(), attestations: attestations([...allHuman, policyItem]) });
    expect(item(unused, policyItem).status).toBe("pass");
  });

  test("attestations: valid is pass with who and when, expired or rejected is fail", () => {
    const id = "SIGN-SEC-04";
    const ok = evaluateSignoff(full());
    expect(item(ok, id)).toMatchObject({ status: "pass", reason: "attested by Pat Example (Security Lead) on 2026-11-20" });
    expect(item(ok, id).evidence[0]).toMatchObject({
      source: "attestation",
      by: "Pat Example",
      date: "2026-11-20",
      link: `https://evidence.example.com/${id}`,
    });
    const expired = evaluateSignoff({ ...full(), now: new Date("2027-03-01T00:00:00Z") });
    expect(item(expired, id)).toMatchObject({ status: "fail", reason: "attestation expired on 2027-02-20: attest again" });
    const rejected = evaluateSignoff({
      ...full(),
      attestations: attestations(allHuman, { [id]: { decision: "reject", justification: "Scan found 3 critical CVEs in redis" } }),
    });
    expect(item(rejected, id)).toMatchObject({ status: "fail", reason: "rejected by Pat Example: Scan found 3 critical CVEs in redis" });
    const security = rejected.roles.find((x) => x.role === "Security Lead")!;
    expect(security).toMatchObject({ decision: "NO-GO", why: `1 failing of ${security.itemIds.length} items` });
    expect(security.itemIds).toContain(id);
  });

  test("contacts and the rollback plan come from the stack config", () => {
    const withContacts = { ...config, contacts: [{ role: "Operations Lead" as const, name: "Sam Rivera", phone: "+1 555 0100", email: "sam@example.com" }] };
    const r = evaluateSignoff({ ...base, config: withContacts });
    expect(r.contacts.map((c) => [c.role, c.configured])).toEqual([
      ["Technical Lead", false],
      ["Operations Lead", true],
      ["Security Lead", false],
      ["Product Owner", false],
    ]);
    expect(r.roles[1].contact).toMatchObject({ name: "Sam Rivera" });
    expect(r.warnings).toContain("no emergency contact for the Technical Lead: add it to mcp:contacts in Pulumi.prod.yaml");
    expect(r.rollback).toMatchObject({ rtoMinutes: config.dr.rtoMinutes, rpoMinutes: config.dr.rpoMinutes, document: "docs/rollback.md" });
    expect(r.rollback.steps).toHaveLength(11);
  });

  test("a restore drill report is evidence for the recovery items; a failed drill fails them", () => {
    const write = (status: "pass" | "fail") => {
      const file = path.join(tmp, `drill-${status}.json`);
      fs.writeFileSync(file, JSON.stringify(drillReport(status)));
      return { file, evidence: readDrill(file, "prod") };
    };
    const ok = evaluateSignoff({ ...full(), drill: write("pass") });
    expect(item(ok, "BAK-RECOVERY-04").evidence.find((e) => e.source === "drill")?.measurements).toEqual({
      rtoSeconds: 4.2,
      rpoSeconds: 5400,
      rtoObjectiveMinutes: 60,
      rpoObjectiveMinutes: 360,
    });
    expect(ok.rollback.drill?.lines).toContain("measured restore time 4.2 s against RTO 60 min");
    const bad = evaluateSignoff({ ...full(), drill: write("fail") });
    expect(["BAK-RECOVERY-01", "BAK-RECOVERY-04"].map((id) => item(bad, id).status)).toEqual(["fail", "fail"]);
    expect(item(bad, "BAK-RECOVERY-02").status).toBe(item(ok, "BAK-RECOVERY-02").status); // the configuration part passed
  });
});
