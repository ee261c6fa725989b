/** Report formats: JSON is the PreflightReport contract, JUnit and SARIF parse and carry the findings. */
import type { PreflightReport } from "../../evidence/preflight";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import { formatReport, SarifContext } from "../../preflight/format";
import type { AnalyzerInfo } from "../../preflight/harness";
import { buildReport, completeReport } from "../../preflight/report";
import { sarifAcceptanceProblems } from "../../testing/sarif/acceptance";
import { sarifSchemaErrors } from "../../testing/sarif/schema";

const info: AnalyzerInfo = {
  name: "mcp-production-checklist",
  version: "1.0.0",
  policies: [
    {
      name: "container-no-privileged",
      description: "No privileged containers.",
      enforcementLevel: "mandatory",
      kind: "resource",
      severity: "critical",
      remediation: "Remove privileged.",
      tags: ["SEC-CONTAINER-02", "group:container-security"],
    },
    {
      name: "container-deprecated-fields",
      description: "Deprecated fields.",
      enforcementLevel: "advisory",
      kind: "resource",
      severity: "low",
      remediation: "Use networksAdvanced.",
      tags: ["DEP-CORE-01"],
    },
    { name: "container-non-root-user", description: "Non-root.", enforcementLevel: "mandatory", kind: "resource", tags: ["SEC-CONTAINER-01"] },
    { name: "image-pinned", description: "Pinned.", enforcementLevel: "disabled", kind: "resource", tags: ["ROLLBACK-STEPS-01"] },
  ],
};
const urn = "urn:pulumi:prod::mcp-production-stack::docker:index/container:Container::mcp-prod-redis";
const sarif: SarifContext = {
  locations: {
    resources: { [urn]: { uri: "infra/components/service.ts", startLine: 95, startColumn: 10 } },
    stackFile: { uri: "Pulumi.prod.yaml", startLine: 11 },
    policyConfig: { uri: "policies/policy-config.prod.json", lines: { "image-pinned": 9 } },
  },
  helpUriBase: "https://github.com/acme/mcp/blob/0123abc/",
};

function sample(): PreflightReport {
  const findings = buildReport({
    stack: "prod",
    info,
    config: { "image-pinned": { enforcementLevel: "disabled", properties: {} } },
    resources: [
      { type: "pulumi:pulumi:Stack", name: "mcp-production-stack-prod" },
      { type: "docker:index/service:Service", name: "mcp-prod-redis" },
      { type: "docker:index/container:Container", name: "mcp-prod-redis-debug" },
    ],
    generatedAt: new Date("2026-11-01T00:00:00Z"),
    diagnostics: [
      {
        policyName: "container-no-privileged",
        policyPackName: info.name,
        policyPackVersion: "1.0.0",
        description: "No privileged containers.",
        message: "No privileged containers.\ncontainer mcp-prod-redis runs privileged",
        enforcementLevel: "mandatory",
        urn,
        severity: "critical",
      },
      {
        policyName: "container-deprecated-fields",
        policyPackName: info.name,
        policyPackVersion: "1.0.0",
        description: "Deprecated fields.",
        message: "Deprecated fields.\ncontainer mcp-prod-redis uses deprecated fields: links",
        enforcementLevel: "advisory",
        urn,
      },
      {
        policyName: "container-non-root-user",
        policyPackName: info.name,
        policyPackVersion: "1.0.0",
        description: "Non-root.",
        message: "[undecidable at preview] user",
        enforcementLevel: "advisory",
        urn,
      },
    ],
  });
  return completeReport(findings, {
    policyConfig: { path: "policies/policy-config.prod.json", sha256: "0".repeat(64) },
    mutation: null,
    provenance: { git: { commit: "unknown", dirty: "unknown" }, product: { name: "mcp-production-stack", version: "0.1.0" }, inputs: [] },
  });
}

test("item statuses: violated, advisory violation, undecidable, disabled policy is never a pass", () => {
  const r = sample();
  expect(r).toMatchObject({ kind: "preflight", formatVersion: EVIDENCE_FORMAT_VERSION, stack: "prod", mandatoryViolations: 1, resourceCount: 3 });
  expect(r.resources?.map((x) => x.type)).toEqual(["pulumi:pulumi:Stack", "docker:index/service:Service", "docker:index/container:Container"]);
  const status = Object.fromEntries(r.items.map((i) => [i.itemId, i.status]));
  expect(status).toEqual({ "SEC-CONTAINER-01": "undecidable", "SEC-CONTAINER-02": "violated", "DEP-CORE-01": "violated", "ROLLBACK-STEPS-01": "undecidable" });
  expect(r.items.find((i) => i.itemId === "ROLLBACK-STEPS-01")?.undecidableReasons).toEqual(["image-pinned: disabled by policy config"]);
  expect(r.violations[0]).toEqual({
    policy: "container-no-privileged",
    enforcementLevel: "mandatory",
    urn,
    resourceName: "mcp-prod-redis",
    message: "container mcp-prod-redis runs privileged",
    remediation: "Remove privileged.",
    severity: "critical",
  });
});

test("json is the report itself", () => {
  const r = sample();
  expect(JSON.parse(formatReport("json", r, info, () => sarif))).toEqual(r);
});

test("text: a row per item with details and a summary", () => {
  const t = formatReport("text", sample(), info, () => sarif);
  expect(t).toMatch(/SEC-CONTAINER-02\s+VIOLATED\s+No privileged containers \(container-no-privileged\)/);
  expect(t).toMatch(/x \[mandatory\] container-no-privileged on mcp-prod-redis: container mcp-prod-redis runs privileged/);
  expect(t).toMatch(/fix: Remove privileged\./);
  expect(t).toMatch(/SEC-CONTAINER-01\s+not decidable at preview/);
  expect(t).toMatch(/1 mandatory violation -> deploy blocked/);
});

test("junit: one test case per item; failures, skips", () => {
  const x = formatReport("junit", sample(), info, () => sarif);
  expect(x).toMatch(/^<\?xml/);
  expect((x.match(/<testcase /g) ?? []).length).toBe(4);
  expect(x).toMatch(/<failure message="\[mandatory\] container-no-privileged on mcp-prod-redis: container mcp-prod-redis runs privileged" type="mandatory"/);
  expect((x.match(/<skipped\/>/g) ?? []).length).toBe(2);
  expect(x).toMatch(/<testsuite name="preflight.prod"[^>]* tests="4" failures="2" errors="0" skipped="2"/);
});

test("sarif 2.1.0: rules with help, results with kinds, levels and physical locations", () => {
  const s = JSON.parse(formatReport("sarif", sample(), info, () => sarif));
  expect(sarifSchemaErrors(s)).toEqual([]);
  expect(sarifAcceptanceProblems(s)).toEqual([]);
  expect(s.version).toBe("2.1.0");
  const run = s.runs[0];
  expect(run.tool.driver.name).toBe("mcp-production-checklist");
  expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(info.policies.map((p) => p.name));
  const rule = run.tool.driver.rules[0];
  expect(rule.helpUri).toBe("https://github.com/acme/mcp/blob/0123abc/policies/rules/container-no-privileged.ts");
  expect(rule.help.text).toBe("No privileged containers.\n\nFix: Remove privileged.\n\nChecklist items: SEC-CONTAINER-02");
  expect(rule.defaultConfiguration).toEqual({ level: "error" });
  expect(run.tool.driver.rules[3].defaultConfiguration).toEqual({ enabled: false });
  // A result that is not a failure has no severity: level none (SARIF §3.27.10).
  const kinds = run.results.map((r: { ruleId: string; kind: string; level: string }) => `${r.ruleId}:${r.kind}:${r.level}`);
  expect(kinds).toEqual([
    "container-no-privileged:fail:error",
    "container-deprecated-fields:fail:warning",
    "container-non-root-user:open:none",
    "image-pinned:review:none",
  ]);
  const where = run.results.map((r: any) => `${r.locations[0].physicalLocation.artifactLocation.uri}:${r.locations[0].physicalLocation.region.startLine}`);
  // The resource's constructing line; the undecidable one names the resource; the disabled policy's config line.
  expect(where).toEqual([
    "infra/components/service.ts:95",
    "infra/components/service.ts:95",
    "infra/components/service.ts:95",
    "policies/policy-config.prod.json:9",
  ]);
  const first = run.results[0];
  expect(first.ruleIndex).toBe(0);
  expect(first.locations[0].logicalLocations[0]).toEqual({ fullyQualifiedName: urn, name: "mcp-prod-redis", kind: "resource" });
  expect(first.properties.checklistItems).toEqual(["SEC-CONTAINER-02"]);
});

test("sarif: a finding whose resource has no known position, and a disabled policy without a policy config, point at the stack file", () => {
  const bare: SarifContext = { locations: { resources: {}, stackFile: { uri: "Pulumi.prod.yaml", startLine: 11 } }, helpUriBase: "file:///p/" };
  const s = JSON.parse(formatReport("sarif", sample(), info, () => bare));
  expect(sarifAcceptanceProblems(s)).toEqual([]);
  const where = s.runs[0].results.map((r: any) => r.locations[0].physicalLocation);
  expect(new Set(where.map((w: any) => `${w.artifactLocation.uri}:${w.region.startLine}`))).toEqual(new Set(["Pulumi.prod.yaml:11"]));
  expect(s.runs[0].tool.driver.rules[0].helpUri).toBe("file:///p/policies/rules/container-no-privileged.ts");
});
