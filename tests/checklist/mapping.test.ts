import * as fs from "fs";
import * as path from "path";
import { mappingProblems, otherClaims, type ConsistencyInputs, type RegistryLoad } from "../../checklist/consistency";
import { CHECKLIST_ITEMS, type ChecklistItem } from "../../checklist/items";
import { CHECKLIST_MAPPING } from "../../checklist/mapping";
import { defaultOwner, SUBSECTION_OWNERS, subsectionKey } from "../../checklist/owners";
import { checkRegistry, policyRegistry } from "../../scripts/registries";
import { fileTestIndex, testTitles, type TestIndex } from "../../checklist/test-index";
import { attest, policy, program, runtime, test as testRef, type ItemMapping } from "../../checklist/verification";

import { POLICY_CATALOG } from "../../policies/catalog";
import { VERIFY_CHECKS } from "../../validate/registry";

const ROOT = path.resolve(__dirname, "../..");

describe("the checklist mapping of this repository", () => {
  const policies = policyRegistry();
  const checks = checkRegistry();
  const problems = mappingProblems({
    items: CHECKLIST_ITEMS,
    mapping: CHECKLIST_MAPPING,
    policies,
    checks,
    tests: fileTestIndex(ROOT),
    fileExists: (f) => fs.existsSync(path.join(ROOT, f)),
  });

  test("every item is mapped to exactly one kind of verification", () => {
    const unmapped = CHECKLIST_ITEMS.filter((i) => !CHECKLIST_MAPPING[i.id]).map((i) => i.id);
    const unknown = Object.keys(CHECKLIST_MAPPING).filter((id) => !CHECKLIST_ITEMS.some((i) => i.id === id));
    expect({ unmapped, unknown }).toEqual({ unmapped: [], unknown: [] });
    for (const [id, m] of Object.entries(CHECKLIST_MAPPING))
      expect({ id, kind: ["policy", "runtime", "program", "attestation"].includes(m.verify.kind) }).toEqual({ id, kind: true });
  });

  test("the policy catalog loads (policies/catalog.ts)", () => {
    expect(policies.status === "loaded" ? "loaded" : policies.reason).toBe("loaded");
  });

  test("the runtime check registry loads (validate/registry.ts)", () => {
    expect(checks.status === "loaded" ? "loaded" : checks.reason).toBe("loaded");
  });

  test("every policy, check, test and document the mapping names exists", () => {
    // Printed whole so the failure says exactly what to fix.
    expect(problems.filter((p) => p.category === "mapping").map((p) => p.message)).toEqual([]);
  });

  test("every policy and check the mapping names lists the item among its own IDs (so grep ID finds its code)", () => {
    expect(problems.filter((p) => p.category === "claim").map((p) => p.message)).toEqual([]);
  });

  test("at least 75 % of the items are machine-verified", () => {
    const machine = CHECKLIST_ITEMS.filter((i) => CHECKLIST_MAPPING[i.id] && CHECKLIST_MAPPING[i.id].verify.kind !== "attestation").length;
    expect(machine / CHECKLIST_ITEMS.length).toBeGreaterThanOrEqual(0.75);
  });

  test("every subsection has a sign-off owner and every role owns items", () => {
    const keys = [...new Set(CHECKLIST_ITEMS.map(subsectionKey))];
    expect(keys.filter((k) => !SUBSECTION_OWNERS[k])).toEqual([]);
    expect(Object.keys(SUBSECTION_OWNERS).filter((k) => !keys.includes(k))).toEqual([]);
    const owners = new Set(CHECKLIST_ITEMS.map((i) => CHECKLIST_MAPPING[i.id]?.owner ?? defaultOwner(i)));
    expect([...owners].sort()).toEqual(["Operations Lead", "Product Owner", "Security Lead", "Technical Lead"]);
  });

  test("the sign-off items are signed by their own role", () => {
    const wrong = CHECKLIST_ITEMS.filter((i) => i.section === "Sign-off").filter((i) => (CHECKLIST_MAPPING[i.id]?.owner ?? defaultOwner(i)) !== i.subsection);
    expect(wrong.map((i) => i.id)).toEqual([]);
  });
});

describe("mappingProblems", () => {
  const items: ChecklistItem[] = [
    { id: "T-A-01", section: "T", subsection: "A", text: "policy item" },
    { id: "T-A-02", section: "T", subsection: "A", text: "runtime item" },
    { id: "T-A-03", section: "T", subsection: "A", text: "program item" },
    { id: "T-A-04", section: "T", subsection: "A", text: "human item" },
  ];
  const good: Record<string, ItemMapping> = {
    "T-A-01": { verify: policy("no-root") },
    "T-A-02": { verify: runtime("edge.tls") },
    "T-A-03": { verify: program("docs exist", testRef("tests/x.test.ts", "proves it")), docs: ["docs/a.md"] },
    "T-A-04": { verify: attest("a signed record", "people only") },
  };
  const loaded = (entries: { name: string; items: string[] }[]): RegistryLoad => ({
    status: "loaded",
    module: "reg.ts",
    entries: entries.map((e) => ({ name: e.name, checklistIds: e.items })),
  });
  const tests: TestIndex = { titles: (f) => (f === "tests/x.test.ts" ? ["proves it"] : undefined) };
  const base: ConsistencyInputs = {
    items,
    mapping: good,
    policies: loaded([{ name: "no-root", items: ["T-A-01"] }]),
    checks: loaded([{ name: "edge.tls", items: ["T-A-02"] }]),
    tests,
    fileExists: (f) => f === "docs/a.md",
  };
  const messages = (over: Partial<ConsistencyInputs>) => mappingProblems({ ...base, ...over }).map((p) => p.message);

  test("a whole, resolving mapping has no problem", () => {
    expect(messages({})).toEqual([]);
  });

  test("an unmapped item is reported", () => {
    const { ["T-A-04"]: _, ...rest } = good;
    expect(messages({ mapping: rest })).toEqual(['T-A-04: not mapped ("human item") — add it to checklist/mapping.ts']);
  });

  test("a mapping for an ID that is not in the checklist is reported", () => {
    expect(messages({ mapping: { ...good, "T-Z-09": { verify: runtime("edge.tls") } } })).toContain(
      "T-Z-09: mapped in checklist/mapping.ts but not a checklist item",
    );
  });

  test("a policy that does not exist is reported, with similar names", () => {
    expect(messages({ mapping: { ...good, "T-A-01": { verify: policy("no-rooot") } } })).toEqual(['T-A-01: policy "no-rooot" does not exist in reg.ts']);
    expect(messages({ mapping: { ...good, "T-A-01": { verify: policy("root-user") } } })).toEqual([
      'T-A-01: policy "root-user" does not exist in reg.ts (similar: no-root)',
    ]);
  });

  test("a check that exists but does not claim the item is reported", () => {
    expect(messages({ checks: loaded([{ name: "edge.tls", items: ["T-A-01"] }]) })).toEqual([
      'T-A-02: check "edge.tls" does not name T-A-02 in its items (it names: T-A-01)',
    ]);
  });

  test("a registry entry naming an unknown item ID is reported", () => {
    expect(messages({ checks: loaded([{ name: "edge.tls", items: ["T-A-02", "NOPE-01"] }]) })).toEqual([
      'reg.ts: check "edge.tls" names unknown checklist item ID "NOPE-01"',
    ]);
  });

  test("a missing registry is reported with the items it leaves unresolved", () => {
    expect(messages({ policies: { status: "missing", module: "policies/catalog.ts", reason: "policies/catalog.ts does not exist yet" } })).toEqual([
      "policies/catalog.ts does not exist yet: 1 item(s) mapped to policies are unresolved (T-A-01)",
    ]);
  });

  test("a missing test file, a missing test title and a missing document are reported", () => {
    expect(messages({ mapping: { ...good, "T-A-03": { verify: program("x", testRef("tests/y.test.ts", "proves it")) } } })).toEqual([
      "T-A-03: test file tests/y.test.ts does not exist",
    ]);
    expect(messages({ mapping: { ...good, "T-A-03": { verify: program("x", testRef("tests/x.test.ts", "proves that")) } } })).toEqual([
      'T-A-03: tests/x.test.ts has no test titled "proves that"',
    ]);
    expect(messages({ fileExists: () => false })).toEqual(["T-A-03: linked document docs/a.md does not exist"]);
  });

  test("empty mappings are reported", () => {
    const empty = { "T-A-01": { verify: policy() }, "T-A-02": { verify: runtime() }, "T-A-03": { verify: program(" ") }, "T-A-04": { verify: attest("", "") } };
    expect(messages({ mapping: empty })).toEqual([
      "T-A-01: policy mapping names no policy",
      "T-A-02: runtime mapping names no check",
      "T-A-03: program mapping does not say what is guaranteed",
      "T-A-03: program mapping names no test",
      "T-A-04: attestation does not say what evidence is required",
      "T-A-04: attestation does not say why a human is needed",
    ]);
  });

  test("otherClaims lists registry entries naming an item mapped another way", () => {
    const claims = otherClaims({
      mapping: good,
      policies: loaded([{ name: "no-root", items: ["T-A-01", "T-A-04"] }]),
      checks: loaded([{ name: "edge.tls", items: ["T-A-02"] }]),
    });
    expect([...claims]).toEqual([["T-A-04", ["policy:no-root"]]]);
  });
});

describe("test titles are read from source", () => {
  test("literal titles of it/test in every quoting style, not interpolated ones", () => {
    const src = [
      `it("double \\"quoted\\"", () => {});`,
      `test('single', async () => {});`,
      "test(`template`, () => {});",
      "it(`with ${x}`, () => {});",
      `test.each([[1]])("each title", () => {});`,
      `it.concurrent("concurrent", () => {});`,
      `describe("not a test", () => {});`,
    ].join("\n");
    expect(testTitles(src)).toEqual(['double "quoted"', "single", "template", "each title", "concurrent"]);
  });

  test("this file's own titles are found by the file index", () => {
    const titles = fileTestIndex(ROOT).titles("tests/checklist/mapping.test.ts");
    expect(titles).toContain("this file's own titles are found by the file index");
    expect(fileTestIndex(ROOT).titles("tests/checklist/none.test.ts")).toBeUndefined();
  });
});

describe("the registries", () => {
  test("hold every policy of the catalog and every runtime check, with the IDs each names", () => {
    const policies = policyRegistry();
    const checks = checkRegistry();
    if (policies.status !== "loaded" || checks.status !== "loaded") throw new Error("registries not loaded");
    expect(policies.entries.map((e) => e.name)).toEqual(POLICY_CATALOG.map((p) => p.name));
    expect(checks.entries.map((e) => e.name)).toEqual(VERIFY_CHECKS.map((c) => c.id));
    expect(policies.entries.find((e) => e.name === "nginx-tls")?.checklistIds).toContain("SEC-NET-03");
    expect(checks.entries.find((e) => e.name === "edge.tls-chain")?.checklistIds).toContain("PRE-SEC-01");
  });
});
