/** Report formats: JSON is the PreflightReport contract, JUnit and SARIF parse and carry the findings. */
import { EVIDENCE_FORMAT_VERSION, PreflightReport } from "../../checklist/evidence";
import { formatReport } from "../../preflight/format";
import type { AnalyzerInfo } from "../../preflight/harness";
import { buildReport } from "../../preflight/report";

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

function sample(): PreflightReport {
  return buildReport({
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
  expect(JSON.parse(formatReport("json", r, info))).toEqual(r);
});

test("text: a row per item with details and a summary", () => {
  const t = formatReport("text", sample(), info);
  expect(t).toMatch(/SEC-CONTAINER-02\s+VIOLATED\s+No privileged containers \(container-no-privileged\)/);
  expect(t).toMatch(/x \[mandatory\] container-no-privileged on mcp-prod-redis: container mcp-prod-redis runs privileged/);
  expect(t).toMatch(/fix: Remove privileged\./);
  expect(t).toMatch(/SEC-CONTAINER-01\s+not decidable at preview/);
  expect(t).toMatch(/1 mandatory violation -> deploy blocked/);
});

test("junit: one test case per item; failures, skips", () => {
  const x = formatReport("junit", sample(), info);
  expect(x).toMatch(/^<\?xml/);
  expect((x.match(/<testcase /g) ?? []).length).toBe(4);
  expect(x).toMatch(/<failure message="\[mandatory\] container-no-privileged on mcp-prod-redis: container mcp-prod-redis runs privileged" type="mandatory"/);
  expect((x.match(/<skipped\/>/g) ?? []).length).toBe(2);
  expect(x).toMatch(/<testsuite name="preflight.prod"[^>]* tests="4" failures="2" errors="0" skipped="2"/);
});

test("sarif 2.1.0: rules, results with levels and logical locations", () => {
  const s = JSON.parse(formatReport("sarif", sample(), info));
  expect(s.version).toBe("2.1.0");
  expect(s.$schema).toMatch(/sarif-2\.1\.0/);
  const run = s.runs[0];
  expect(run.tool.driver.name).toBe("mcp-production-checklist");
  expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(info.policies.map((p) => p.name));
  const levels = run.results.map((r: { ruleId: string; level: string }) => `${r.ruleId}:${r.level}`);
  expect(levels).toEqual(["container-no-privileged:error", "container-deprecated-fields:warning", "container-non-root-user:note", "image-pinned:note"]);
  const first = run.results[0];
  expect(first.ruleIndex).toBe(0);
  expect(first.locations[0].logicalLocations[0]).toEqual({ fullyQualifiedName: urn, name: "mcp-prod-redis", kind: "resource" });
  expect(first.properties.checklistItems).toEqual(["SEC-CONTAINER-02"]);
});
