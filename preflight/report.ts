/**
 * Analyzer diagnostics -> the PreflightReport (evidence/preflight.ts) the sign-off reads:
 * one entry per checklist item a policy proves, pass / violated / waived / undecidable. Pure.
 *
 * A diagnostic is "undecidable" when it is advisory and says so (the pack's
 * "[undecidable at preview]" prefix, or @pulumi/policy's own "can't run policy ... during
 * preview"); with a policy's unknownValues=fail it arrives at the policy's level and counts
 * as a violation. An item whose policies are disabled is undecidable too: never a pass.
 */
import { CHECKLIST_ITEMS } from "../checklist/items";
import type { PreflightFindings, PreflightItemResult, PreflightReport, PreflightResource, PreflightViolation } from "../evidence/preflight";
import type { Provenance } from "../evidence/provenance";
import { EVIDENCE_FORMAT_VERSION } from "../evidence/version";
import { UNDECIDABLE_PREFIX } from "../policies/lib/define";
import { parseWaived, parseWaivers, waiverFor, WAIVERS_KEY, type Waiver } from "../policies/lib/waivers";
import type { AnalyzerInfo, Diagnostic, PolicyConfigEntry } from "./harness";

const ITEM_IDS = new Set(CHECKLIST_ITEMS.map((i) => i.id));
const ITEM_ORDER = new Map(CHECKLIST_ITEMS.map((i, n) => [i.id, n]));

/** An item's reason when one of its policies is switched off (`<policy>: disabled by policy config`). */
export const DISABLED_REASON = "disabled by policy config";

export interface ReportInput {
  stack: string;
  info: AnalyzerInfo;
  config: Record<string, PolicyConfigEntry>;
  diagnostics: Diagnostic[];
  /** What the pack remediated before Analyze (policies at the remediate level). */
  remediations?: NonNullable<PreflightFindings["remediations"]>;
  /** What was analyzed: the report lists each one and counts them. */
  resources: readonly PreflightResource[];
  generatedAt?: Date;
}

export function isUndecidable(d: Diagnostic): boolean {
  const msg = stripDescription(d);
  return d.enforcementLevel === "advisory" && (msg.startsWith(UNDECIDABLE_PREFIX) || /^can't run (policy|remediation) /.test(d.message));
}

/** @pulumi/policy prefixes a string violation with the policy description and a newline. */
export function stripDescription(d: Diagnostic): string {
  return d.description && d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message;
}

/** An undecidable reason read back: `<policy>[ on <resource name>]: <what>` (the format buildReport writes). */
export function reasonParts(reason: string): { policy: string; resourceName?: string; what: string; disabled: boolean } {
  const m = /^([^\s:]+)(?: on (.+?))?: ([\s\S]*)$/.exec(reason);
  if (!m) return { policy: reason.split(/[: ]/)[0], what: reason, disabled: false };
  return { policy: m[1], ...(m[2] ? { resourceName: m[2] } : {}), what: m[3], disabled: !m[2] && m[3] === DISABLED_REASON };
}

export function resourceNameOf(urn: string | undefined): string | undefined {
  return urn ? urn.split("::").pop() : undefined;
}

/** Checklist IDs a policy proves, read from the tags it reports in GetAnalyzerInfo. */
export function itemsOfPolicy(tags: readonly string[]): string[] {
  return tags.filter((t) => ITEM_IDS.has(t));
}

export function buildReport(input: ReportInput): PreflightFindings {
  const { info, config, diagnostics } = input;
  const policyInfo = new Map(info.policies.map((p) => [p.name, p]));
  const violations: PreflightViolation[] = [];
  const undecidable = new Map<string, string[]>();
  // Stable order and no duplicates (a policy can report the same thing on inputs and outputs).
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const key = `${d.policyName}\0${d.urn ?? ""}\0${d.enforcementLevel}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const message = stripDescription(d);
    if (isUndecidable(d)) {
      const list = undecidable.get(d.policyName) ?? [];
      list.push(`${d.policyName}${d.urn ? ` on ${resourceNameOf(d.urn)}` : ""}: ${message.replace(UNDECIDABLE_PREFIX, "").trim()}`);
      undecidable.set(d.policyName, list);
      continue;
    }
    const p = policyInfo.get(d.policyName);
    // A waived violation arrives advisory with the pack's prefix; the justification is in the config the preflight sent.
    const waived = d.enforcementLevel === "advisory" ? parseWaived(message) : undefined;
    const waiver = waived && waiverFor(configWaivers(config, d.policyName), d.urn);
    violations.push({
      policy: d.policyName,
      enforcementLevel: d.enforcementLevel,
      urn: d.urn,
      resourceName: resourceNameOf(d.urn),
      message: waived ? waived.message : message,
      remediation: p?.remediation,
      severity: d.severity ?? p?.severity,
      ...(waived ? { waiver: { owner: waived.owner, expires: waived.expires, justification: waiver?.justification ?? "" } } : {}),
    });
  }

  const policiesByItem = new Map<string, string[]>();
  for (const p of info.policies) for (const id of itemsOfPolicy(p.tags)) policiesByItem.set(id, [...(policiesByItem.get(id) ?? []), p.name]);

  const items: PreflightItemResult[] = [...policiesByItem.entries()]
    .sort(([a], [b]) => (ITEM_ORDER.get(a) ?? 0) - (ITEM_ORDER.get(b) ?? 0))
    .map(([itemId, policies]) => {
      const v = violations.filter((x) => policies.includes(x.policy));
      const reasons = policies.flatMap((p) => undecidable.get(p) ?? []);
      for (const p of policies) if (config[p]?.enforcementLevel === "disabled") reasons.push(`${p}: ${DISABLED_REASON}`);
      const status = v.some((x) => !x.waiver) ? "violated" : v.length ? "waived" : reasons.length ? "undecidable" : "pass";
      return { itemId, status, policies, violations: v, ...(reasons.length ? { undecidableReasons: reasons } : {}) };
    });

  return {
    kind: "preflight",
    formatVersion: EVIDENCE_FORMAT_VERSION,
    stack: input.stack,
    policyPack: { name: info.name, version: info.version },
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    resourceCount: input.resources.length,
    resources: input.resources.map((r) => ({ type: r.type, name: r.name })),
    mandatoryViolations: violations.filter((v) => v.enforcementLevel === "mandatory").length,
    items,
    violations,
    ...(input.remediations?.length ? { remediations: input.remediations } : {}),
  };
}

function configWaivers(config: Record<string, PolicyConfigEntry>, policy: string): Waiver[] {
  const parsed = parseWaivers(config[policy]?.properties?.[WAIVERS_KEY]);
  return parsed.success ? parsed.data : [];
}

/** The findings with what they were made from: the report the sign-off reads. */
export function completeReport(
  findings: PreflightFindings,
  made: { policyConfig: PreflightReport["policyConfig"]; mutation: string | null; provenance: Provenance },
): PreflightReport {
  return { ...findings, policyConfig: made.policyConfig, mutation: made.mutation, provenance: made.provenance };
}

/** 1 when any mandatory violation (or, with failOnUndecidable, any undecidable item). */
export function exitCodeFor(report: PreflightFindings, opts: { failOnUndecidable?: boolean } = {}): number {
  if (report.mandatoryViolations > 0) return 1;
  if (opts.failOnUndecidable && report.items.some((i) => i.status === "undecidable")) return 1;
  return 0;
}
