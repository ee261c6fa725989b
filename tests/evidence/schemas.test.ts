/**
 * The evidence contract's schemas against what the commands really write: the verify report
 * from the runner and its JSON renderer, the attestations example, and wrong shapes refused
 * with the field named. (The preflight and drill CLIs' own files are parsed in
 * tests/preflight/cli.test.ts and tests/backup/drill-cli.test.ts.)
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { attestationEntrySchema, attestationsFileSchema } from "../../evidence/attestations";
import { drillRunReportSchema } from "../../evidence/drill";
import { preflightReportSchema } from "../../evidence/preflight";
import { collectProvenance } from "../../evidence/provenance";
import { verifyReportSchema } from "../../evidence/verify";
import { buildVerifyReport, formatJson } from "../../validate/core/report";
import { runChecks } from "../../validate/core/runner";
import { fail, pass, skip, type Check } from "../../validate/core/types";
import { drillReport, preflightReport } from "../signoff/fixtures";

const ROOT = path.resolve(__dirname, "../..");

// What verify records: the real git state and package.json, and the stack file it read.
const provenance = () => collectProvenance({ projectDir: ROOT, inputs: [{ role: "stack file", file: "Pulumi.prod.yaml" }] });

const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join("."));

describe("the verify report", () => {
  const checks: Check<null>[] = [
    { id: "probe.ok", title: "passes", checklistIds: ["FUN-PERF-01"], run: async () => pass("fine", { measurements: { p95Ms: 12, cached: true } }) },
    { id: "probe.bad", title: "fails", checklistIds: ["SEC-TLS-01"], run: async () => fail("broken", { expected: "a", actual: "b", remediation: "fix it" }) },
    { id: "probe.na", title: "skips", checklistIds: [], run: async () => skip("not here") },
    {
      id: "probe.throws",
      title: "throws",
      checklistIds: [],
      run: async () => {
        throw new Error("boom");
      },
    },
  ];

  test("what the runner records and formatJson writes parses", async () => {
    const records = await runChecks(checks, null, { progress: false });
    const written = formatJson(buildVerifyReport({ stack: "prod", records, startedAt: new Date(), durationMs: 5, provenance: provenance() }));
    const r = verifyReportSchema.safeParse(JSON.parse(written));
    expect(paths(r)).toEqual([]);
    expect(r.data?.checks.map((c) => c.status)).toEqual(["pass", "fail", "skip", "fail"]);
  });

  test("a check with an unknown status or without checklistIds is refused, naming the field", async () => {
    const records = await runChecks(checks, null, { progress: false });
    const doc = JSON.parse(formatJson(buildVerifyReport({ stack: "prod", records, startedAt: new Date(), durationMs: 5, provenance: provenance() })));
    doc.checks[1].status = "broken";
    delete doc.checks[2].checklistIds;
    expect(paths(verifyReportSchema.safeParse(doc))).toEqual(["checks.1.status", "checks.2.checklistIds"]);
  });
});

describe("the preflight and drill reports", () => {
  test("a wrong item status and a missing policy pack are refused, naming the field", () => {
    const doc = JSON.parse(JSON.stringify(preflightReport()));
    doc.items[0].status = "ok";
    delete doc.policyPack;
    expect(paths(preflightReportSchema.safeParse(doc)).sort()).toEqual(["items.0.status", "policyPack"]);
    expect(paths(preflightReportSchema.safeParse(preflightReport()))).toEqual([]);
  });

  test("a drill report with a non-boolean identical is refused, naming the field", () => {
    expect(paths(drillRunReportSchema.safeParse(drillReport()))).toEqual([]);
    const doc = JSON.parse(JSON.stringify(drillReport()));
    doc.configuration.identical = "yes";
    expect(paths(drillRunReportSchema.safeParse(doc))).toContain("configuration.identical");
  });
});

describe("the attestations file", () => {
  test("the example file parses, entry by entry", () => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "checklist/attestations.example.yaml"), "utf8"));
    const file = attestationsFileSchema.parse(doc);
    expect(file.attestations.length).toBeGreaterThan(0);
    for (const e of file.attestations) expect(paths(attestationEntrySchema.safeParse(e))).toEqual([]);
  });

  test("an entry with an unknown role is refused, naming the field", () => {
    const e = {
      item: "PRE-INFRA-06",
      decision: "attest",
      by: "Sam",
      role: "Janitor",
      date: "2026-11-20",
      expires: "2027-01-01",
      justification: "long enough here",
    };
    expect(paths(attestationEntrySchema.safeParse(e))).toEqual(["role"]);
  });
});
