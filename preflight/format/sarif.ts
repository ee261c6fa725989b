/**
 * The preflight report as SARIF 2.1.0, in the shape GitHub code scanning accepts: one rule
 * per policy (help text, help URI), one `fail` result per violation (error for mandatory,
 * warning for advisory), and for an item the preflight cannot decide a result of kind
 * `open` (a value unknown at preview) or `review` (its policy is disabled), whose level
 * is then `none` (SARIF §3.27.9-3.27.10). Every result has a physical location
 * (sarif-locations.ts) beside the resource URN as its logical location.
 */
import { createHash } from "crypto";
import type { PreflightFindings } from "../../evidence/preflight";
import type { AnalyzerInfo } from "../harness";
import { reasonParts } from "../report";
import { ruleHelpUri } from "./help-uri";
import type { SarifLocations, SarifRegion } from "./sarif-locations";

/** The `id` of the OASIS schema the tests validate against (testing/sarif/). */
export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

export interface SarifContext {
  locations: SarifLocations;
  /** Absolute URI the policies' rule files are resolved against (help-uri.ts). */
  helpUriBase: string;
}

const CHECKLIST_ID = /^[A-Z]+-[A-Z]+-\d+$/;

export function formatSarif(report: PreflightFindings, info: AnalyzerInfo, ctx: SarifContext): string {
  const rules = info.policies.map((p) => {
    const items = p.tags.filter((t) => CHECKLIST_ID.test(t));
    const fix = p.remediation ?? "";
    return {
      id: p.name,
      name: p.name,
      shortDescription: { text: p.description },
      fullDescription: { text: items.length ? `${p.description} (checklist ${items.join(", ")})` : p.description },
      help: {
        text: [p.description, fix && `Fix: ${fix}`, items.length && `Checklist items: ${items.join(", ")}`].filter(Boolean).join("\n\n"),
        markdown: [`**${p.description}**`, fix && `Fix: ${fix}`, items.length && `Checklist items: ${items.map((i) => `\`${i}\``).join(", ")}`]
          .filter(Boolean)
          .join("\n\n"),
      },
      helpUri: ruleHelpUri(ctx.helpUriBase, p.name),
      // A disabled policy keeps its rule (results may still name it) but is off by default.
      defaultConfiguration: p.enforcementLevel === "disabled" ? { enabled: false } : { level: p.enforcementLevel === "mandatory" ? "error" : "warning" },
      properties: { tags: p.tags, severity: p.severity, checklistItems: items },
    };
  });
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const { locations } = ctx;
  const byName = regionsByName(locations.resources, report.resources ?? []);
  const located = (region: SarifRegion, urn?: string) => [
    {
      physicalLocation: {
        artifactLocation: { uri: region.uri, uriBaseId: "%SRCROOT%" },
        region: { startLine: region.startLine, ...(region.startColumn ? { startColumn: region.startColumn } : {}) },
      },
      ...(urn ? { logicalLocations: [{ fullyQualifiedName: urn, name: urn.split("::").pop(), kind: "resource" }] } : {}),
    },
  ];
  const rule = (policy: string) => (ruleIndex.has(policy) ? { ruleId: policy, ruleIndex: ruleIndex.get(policy) } : { ruleId: policy });

  const results: object[] = report.violations.map((v) => ({
    ...rule(v.policy),
    kind: "fail",
    level: v.enforcementLevel === "mandatory" ? "error" : "warning",
    message: { text: v.remediation ? `${v.message} Fix: ${v.remediation}` : v.message },
    locations: located((v.urn && locations.resources[v.urn]) || locations.stackFile, v.urn),
    partialFingerprints: fingerprint(v.policy, v.urn ?? "", v.message),
    // SARIF §3.35: an accepted exception is a suppression of the result, not the absence of it.
    ...(v.waiver
      ? { suppressions: [{ kind: "external", status: "accepted", justification: `${v.waiver.justification} (${v.waiver.owner}, until ${v.waiver.expires})` }] }
      : {}),
    properties: {
      enforcementLevel: v.enforcementLevel,
      severity: v.severity,
      checklistItems: report.items.filter((i) => i.policies.includes(v.policy)).map((i) => i.itemId),
    },
  }));
  for (const item of report.items.filter((i) => i.status === "undecidable"))
    for (const reason of item.undecidableReasons ?? []) {
      const r = reasonParts(reason);
      const configLine = r.disabled ? locations.policyConfig?.lines[r.policy] : undefined;
      const where = r.disabled
        ? configLine && locations.policyConfig
          ? { uri: locations.policyConfig.uri, startLine: configLine }
          : locations.stackFile
        : (r.resourceName && byName.get(r.resourceName)) || locations.stackFile;
      results.push({
        ...rule(r.policy),
        kind: r.disabled ? "review" : "open",
        level: "none",
        message: { text: r.disabled ? `${item.itemId} not checked: ${reason}` : `${item.itemId} not decidable at preview: ${reason}` },
        locations: located(where),
        partialFingerprints: fingerprint(r.policy, item.itemId, reason),
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

/** Regions by resource name, for the reasons that name a resource rather than a URN; a name two resources share says nothing. */
function regionsByName(byUrn: Readonly<Record<string, SarifRegion>>, resources: readonly { name: string }[]): Map<string, SarifRegion> {
  const count = new Map<string, number>();
  for (const r of resources) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  const out = new Map<string, SarifRegion>();
  for (const [urn, region] of Object.entries(byUrn)) {
    const name = urn.split("::").pop()!;
    if ((count.get(name) ?? 1) === 1) out.set(name, region);
  }
  return out;
}

/**
 * Many resources share their constructing line (one factory builds every service), and code
 * scanning would merge same-rule results on one line into one alert: the resource and the
 * message tell them apart, and stay the same from run to run.
 */
function fingerprint(...parts: string[]): Record<string, string> {
  return { "mcpPreflightFinding/v1": createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32) };
}
