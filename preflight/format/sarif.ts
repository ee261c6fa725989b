/**
 * The preflight report as SARIF 2.1.0: one rule per policy, one result per violation
 * (error for mandatory, warning for advisory) and a note per undecidable item, located
 * logically at the resource URN.
 */
import type { PreflightReport } from "../../checklist/evidence";
import type { AnalyzerInfo } from "../harness";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export function formatSarif(report: PreflightReport, info: AnalyzerInfo): string {
  const rules = info.policies.map((p) => ({
    id: p.name,
    name: p.name,
    shortDescription: { text: p.description },
    help: { text: p.remediation ?? p.description },
    defaultConfiguration: { level: p.enforcementLevel === "mandatory" ? "error" : p.enforcementLevel === "disabled" ? "none" : "warning" },
    properties: { tags: p.tags, severity: p.severity, checklistItems: p.tags.filter((t) => /^[A-Z]+-[A-Z]+-\d+$/.test(t)) },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const location = (urn: string | undefined) =>
    urn ? [{ logicalLocations: [{ fullyQualifiedName: urn, name: urn.split("::").pop(), kind: "resource" }] }] : undefined;
  const results: object[] = report.violations.map((v) => ({
    ruleId: v.policy,
    ruleIndex: ruleIndex.get(v.policy),
    level: v.enforcementLevel === "mandatory" ? "error" : "warning",
    message: { text: v.remediation ? `${v.message} Fix: ${v.remediation}` : v.message },
    ...(location(v.urn) ? { locations: location(v.urn) } : {}),
    properties: {
      enforcementLevel: v.enforcementLevel,
      severity: v.severity,
      checklistItems: report.items.filter((i) => i.policies.includes(v.policy)).map((i) => i.itemId),
    },
  }));
  for (const item of report.items.filter((i) => i.status === "undecidable"))
    for (const reason of item.undecidableReasons ?? []) {
      const policy = reason.split(/[: ]/)[0];
      results.push({
        ruleId: policy,
        ruleIndex: ruleIndex.get(policy),
        level: "note",
        kind: "review",
        message: { text: `${item.itemId} not decidable at preview: ${reason}` },
        properties: { checklistItems: [item.itemId] },
      });
    }
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.policyPack.name,
            version: report.policyPack.version,
            informationUri: "https://www.pulumi.com/docs/using-pulumi/crossguard/",
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            endTimeUtc: report.generatedAt,
            properties: { stack: report.stack, resourceCount: report.resourceCount, mandatoryViolations: report.mandatoryViolations },
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + "\n";
}
