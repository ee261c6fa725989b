/**
 * Decides each item's status from the evidence, and each role's go / no-go. Pure: the
 * inputs are already-read files, `now` is passed in. The rules:
 *  - an item is `pass` only on positive evidence of its own kind (policy result from the
 *    preflight, every named check passed in the verify report, every named test passed,
 *    or a valid attestation); a missing input leaves it `pending`, never `pass`;
 *  - any other policy, check or restore drill that names the item and failed makes it `fail`
 *    (it never makes it pass);
 *  - a waiver turns a failing or pending item into `waived` until it expires; an expired
 *    waiver (or attestation) is `fail`; a rejection is `fail`;
 *  - a role is GO when every item it answers for is `pass` or `waived`.
 */
import type { CheckRecord } from "../evidence/checks";
import type { PreflightReport } from "../evidence/preflight";
import type { VerifyReport } from "../evidence/verify";
import type { ChecklistItem } from "../checklist/items";
import { SIGNOFF_ROLES } from "../evidence/attestations";
import type { ItemMapping, TestRef, Verification } from "../checklist/verification";
import type { StackConfig } from "../infra/config/load";
import type { OutputsEvidence } from "../evidence/outputs";
import type { Provenance } from "../evidence/provenance";
import type { AttestationEntry } from "../evidence/attestations";
import { isExpired, ownerOf } from "./attestations";
import type { DrillEvidence, TestResults } from "./inputs";
import {
  SIGNOFF_FORMAT_VERSION,
  type ContactRow,
  type DrillSummary,
  type Evidence,
  type InputSummary,
  type ItemOutcome,
  type ItemStatus,
  type RoleOutcome,
  type SignoffReport,
  type StatusCounts,
} from "./model";
import { rollbackPlan } from "./rollback-plan";
import { waiverActive } from "../policies/lib/waivers";

export interface SignoffInputs {
  stack: string;
  config: StackConfig;
  items: readonly ChecklistItem[];
  mapping: Readonly<Record<string, ItemMapping>>;
  checklistVersion: string;
  now: Date;
  /** The sign-off's own provenance: its commit and every file it read. */
  provenance: Provenance;
  /** SHA-256 of the stack file as read. */
  stackFileSha256?: string;
  preflight?: { file: string; sha256?: string; report: PreflightReport };
  /** Runtime reports: npm run verify, npm run host:check (same format); a check found in several counts as failed if any run failed. */
  verify?: readonly { file: string; sha256?: string; report: VerifyReport }[];
  outputs?: { file: string; sha256?: string; outputs: OutputsEvidence };
  tests?: { file: string; sha256?: string; results: TestResults };
  attestations?: { file: string; sha256?: string; entries: readonly AttestationEntry[] };
  drill?: { file: string; sha256?: string; evidence: DrillEvidence };
}

interface Verdict {
  status: ItemStatus;
  reason: string;
  evidence: Evidence[];
}

const pending = (reason: string, evidence: Evidence[] = []): Verdict => ({ status: "pending", reason, evidence });

function fromPreflight(itemId: string, policies: readonly string[], input: SignoffInputs["preflight"], now: Date): Verdict {
  if (!input) return pending("no preflight report given (npm run preflight -- --format json, then --preflight FILE)");
  const r = input.report.items.find((i) => i.itemId === itemId);
  if (!r) return pending(`the preflight report has no result for ${itemId} (policy pack ${input.report.policyPack.name} ${input.report.policyPack.version})`);
  const missing = policies.filter((p) => !r.policies.includes(p));
  const notes = missing.length ? [`mapped policies not in this preflight result: ${missing.join(", ")}`] : [];
  const by = `${r.policies.join(", ") || policies.join(", ")}`;
  if (r.status === "pass") {
    if (missing.length)
      return pending(`the preflight did not run ${missing.join(", ")} for this item`, [
        { source: "preflight", summary: `policies ran: ${by}`, details: notes },
      ]);
    return {
      status: "pass",
      reason: `no violation of ${by} across ${input.report.resourceCount} resources`,
      evidence: [
        {
          source: "preflight",
          summary: `pass: ${by} (${input.report.resourceCount} resources, ${input.report.generatedAt})`,
          details: notes.length ? notes : undefined,
        },
      ],
    };
  }
  if (r.status === "waived") {
    const waived = r.violations.filter((v) => v.waiver);
    const details = waived.map(
      (v) =>
        `${v.policy}${v.resourceName ? ` on ${v.resourceName}` : ""}: ${v.message} — waived until ${v.waiver!.expires} by ${v.waiver!.owner}: ${v.waiver!.justification}`,
    );
    // The pack judged the waiver at preview; by sign-off time it may have run out.
    const lapsed = waived.filter((v) => !waiverActive(v.waiver!, now));
    if (lapsed.length)
      return {
        status: "fail",
        reason: `policy waiver expired on ${lapsed.map((v) => v.waiver!.expires).join(", ")} (${lapsed.map((v) => v.policy).join(", ")})`,
        evidence: [{ source: "preflight", summary: `waived at preview, expired since: ${by}`, details: [...details, ...notes] }],
      };
    return {
      status: "waived",
      reason: `policy config waiver: ${waived.map((v) => `${v.policy}${v.resourceName ? ` on ${v.resourceName}` : ""} by ${v.waiver!.owner} until ${v.waiver!.expires}`).join("; ")}`,
      evidence: [{ source: "preflight", summary: `waived: ${by}`, details: [...details, ...notes] }],
    };
  }
  if (r.status === "undecidable") {
    return pending(`not decidable at preview: ${(r.undecidableReasons ?? []).join("; ") || "values unknown until deploy"}`, [
      { source: "preflight", summary: `undecidable: ${by}`, details: [...(r.undecidableReasons ?? []), ...notes] },
    ]);
  }
  const details = r.violations.map(
    (v) =>
      `${v.enforcementLevel} ${v.policy}${v.resourceName ? ` on ${v.resourceName}` : v.urn ? ` on ${v.urn}` : ""}: ${v.message}${v.remediation ? ` — fix: ${v.remediation}` : ""}`,
  );
  return {
    status: "fail",
    reason: `${r.violations.length} violation(s) of ${by}`,
    evidence: [{ source: "preflight", summary: `violated: ${by}`, details: [...details, ...notes] }],
  };
}

/** Every record of every runtime report; the worst outcome first, so one failing run is not hidden by a passing one. */
function allRecords(input: SignoffInputs["verify"]): CheckRecord[] {
  const rank = { fail: 0, skip: 1, pass: 2 } as const;
  return (input ?? []).flatMap((v) => v.report.checks).sort((a, b) => rank[a.status] - rank[b.status]);
}

function fromVerify(checks: readonly string[], input: SignoffInputs["verify"]): Verdict {
  if (!input || input.length === 0) return pending("no runtime report given (npm run verify / host:check -- --format json, then --verify FILE)");
  const records = allRecords(input);
  const evidence: Evidence[] = [];
  const failed: string[] = [];
  const open: string[] = [];
  for (const id of checks) {
    const rec = records.find((c) => c.id === id);
    if (!rec) {
      open.push(`${id} was not run`);
      evidence.push({
        source: "verify",
        summary: `${id}: in none of the runtime reports given (verify runs it unless --only; host checks come from npm run host:check)`,
      });
      continue;
    }
    const details = [
      rec.expected !== undefined ? `expected: ${rec.expected}` : "",
      rec.actual !== undefined ? `actual: ${rec.actual}` : "",
      rec.status === "fail" && rec.remediation ? `fix: ${rec.remediation}` : "",
    ].filter(Boolean);
    evidence.push({
      source: "verify",
      summary: `${rec.status} ${id}: ${rec.message}`,
      details: details.length ? details : undefined,
      measurements: rec.measurements,
    });
    if (rec.status === "fail") failed.push(id);
    else if (rec.status === "skip") open.push(`${id} skipped: ${rec.message}`);
  }
  if (failed.length) return { status: "fail", reason: `check${failed.length > 1 ? "s" : ""} failed: ${failed.join(", ")}`, evidence };
  if (open.length) return pending(open.join("; "), evidence);
  return { status: "pass", reason: `check${checks.length > 1 ? "s" : ""} passed: ${checks.join(", ")}`, evidence };
}

const sameFile = (reported: string, ref: TestRef) => reported.replace(/\\/g, "/").endsWith(`/${ref.file}`) || reported === ref.file;

function fromTests(refs: readonly TestRef[], guarantee: string, input: SignoffInputs["tests"]): Verdict {
  const summary = { source: "tests" as const, summary: `guarantee: ${guarantee}` };
  if (!input) return pending("no test results given (npx jest --json --outputFile=FILE, then --tests FILE)", [summary]);
  const evidence: Evidence[] = [summary];
  const failed: string[] = [];
  const open: string[] = [];
  for (const ref of refs) {
    const found = input.results.results.filter((r) => r.title === ref.name && sameFile(r.file, ref));
    const status =
      found.length === 0
        ? "not run"
        : found.some((r) => r.status === "failed")
          ? "failed"
          : found.every((r) => r.status === "passed")
            ? "passed"
            : found[0].status;
    evidence.push({ source: "tests", summary: `${status}: ${ref.file} › ${ref.name}`, link: ref.file });
    if (status === "failed") failed.push(ref.name);
    else if (status !== "passed") open.push(`${ref.file} › ${ref.name} ${status}`);
  }
  if (failed.length) return { status: "fail", reason: `test failed: ${failed.join("; ")}`, evidence };
  if (open.length) return pending(open.join("; "), evidence);
  return { status: "pass", reason: `proven by ${refs.length} passing test${refs.length > 1 ? "s" : ""}`, evidence };
}

function attestationEvidence(e: AttestationEntry, source: "attestation" | "waiver"): Evidence {
  return {
    source,
    summary: `${e.decision} by ${e.by} (${e.role}) on ${e.date}: ${e.justification}`,
    link: e.evidence,
    by: e.by,
    role: e.role,
    date: e.date,
    expires: e.expires,
  };
}

function machineVerdict(v: Verification, itemId: string, inputs: SignoffInputs): Verdict {
  switch (v.kind) {
    case "policy":
      return fromPreflight(itemId, v.policies, inputs.preflight, inputs.now);
    case "runtime":
      return fromVerify(v.checks, inputs.verify);
    case "program":
      return fromTests(v.tests, v.guarantee, inputs.tests);
    case "attestation":
      return pending(`awaiting attestation by the signer: ${v.evidence}`);
  }
}

/**
 * Results for the item from sources other than its mapped one (a check that also names a
 * policy item, a policy that also names a runtime item). They never make an item pass,
 * but a failure among them is not hidden: it makes the item fail.
 */
function corroborate(base: Verdict, v: Verification, itemId: string, inputs: SignoffInputs): Verdict {
  const extra: Evidence[] = [];
  const failed: string[] = [];
  if (v.kind !== "policy" && inputs.preflight) {
    const r = inputs.preflight.report.items.find((i) => i.itemId === itemId);
    if (r && r.policies.length) {
      extra.push({
        source: "preflight",
        summary: `also ${r.status}: ${r.policies.join(", ")}`,
        details: r.violations.map((x) => `${x.enforcementLevel} ${x.policy}: ${x.message}`),
      });
      if (r.status === "violated") failed.push(`policy ${r.policies.join(", ")}`);
    }
  }
  if (inputs.verify) {
    const mine = v.kind === "runtime" ? v.checks : [];
    for (const c of allRecords(inputs.verify).filter((c) => c.checklistIds.includes(itemId) && !mine.includes(c.id))) {
      extra.push({ source: "verify", summary: `also ${c.status} ${c.id}: ${c.message}`, measurements: c.measurements });
      if (c.status === "fail") failed.push(`check ${c.id}`);
    }
  }
  const drillPart = inputs.mapping[itemId]?.drill;
  const part = drillPart && inputs.drill ? inputs.drill.evidence[drillPart] : undefined;
  if (part && inputs.drill) {
    const d = inputs.drill.evidence.database;
    const measured: Record<string, number | string | boolean> = {};
    if (drillPart === "database" && d.rtoSeconds !== undefined)
      Object.assign(measured, {
        rtoSeconds: d.rtoSeconds,
        rpoSeconds: d.rpoSeconds ?? "",
        rtoObjectiveMinutes: inputs.config.dr.rtoMinutes,
        rpoObjectiveMinutes: inputs.config.dr.rpoMinutes,
      });
    extra.push({
      source: "drill",
      summary: `restore drill ${inputs.drill.evidence.generatedAt}: ${part.summary}`,
      link: inputs.drill.file,
      measurements: Object.keys(measured).length ? measured : undefined,
    });
    if (part.status !== "pass") failed.push(`restore drill (${drillPart})`);
  }
  if (failed.length === 0) return { ...base, evidence: [...base.evidence, ...extra] };
  return {
    status: "fail",
    reason: `${failed.join(", ")} failed for this item${base.status === "pass" ? "" : ` (mapped verification: ${base.status}, ${base.reason})`}`,
    evidence: [...base.evidence, ...extra],
  };
}

/** Applies an attestations-file entry on top of the machine verdict. */
function withEntry(base: Verdict, entry: AttestationEntry | undefined, now: Date): Verdict {
  if (!entry) return base;
  if (entry.decision === "reject")
    return {
      status: "fail",
      reason: `rejected by ${entry.by}: ${entry.justification}`,
      evidence: [...base.evidence, attestationEvidence(entry, "attestation")],
    };
  if (entry.decision === "attest") {
    const evidence = [attestationEvidence(entry, "attestation"), ...base.evidence];
    if (isExpired(entry, now)) return { status: "fail", reason: `attestation expired on ${entry.expires}: attest again`, evidence };
    // An attestation does not outweigh a machine result that failed for the same item.
    if (base.status === "fail") return { status: "fail", reason: `attested by ${entry.by}, but ${base.reason}`, evidence };
    return { status: "pass", reason: `attested by ${entry.by} (${entry.role}) on ${entry.date}`, evidence };
  }
  if (isExpired(entry, now))
    return {
      status: "fail",
      reason: `waiver expired on ${entry.expires} (${base.status} without it: ${base.reason})`,
      evidence: [...base.evidence, attestationEvidence(entry, "waiver")],
    };
  if (base.status === "pass")
    return {
      ...base,
      evidence: [...base.evidence, { ...attestationEvidence(entry, "waiver"), summary: `unused waiver (item passes): ${entry.justification}` }],
    };
  return {
    status: "waived",
    reason: `waived by ${entry.by} until ${entry.expires}: ${entry.justification} (${base.status}: ${base.reason})`,
    evidence: [...base.evidence, attestationEvidence(entry, "waiver")],
  };
}

export function countStatuses(items: readonly Pick<ItemOutcome, "status">[]): StatusCounts {
  const c: StatusCounts = { pass: 0, fail: 0, waived: 0, pending: 0, total: items.length };
  for (const i of items) c[i.status]++;
  return c;
}

function roleDecision(counts: StatusCounts): { decision: "GO" | "NO-GO"; why: string } {
  if (counts.fail === 0 && counts.pending === 0)
    return { decision: "GO", why: `all ${counts.total} items pass${counts.waived ? ` (${counts.waived} waived)` : ""}` };
  const parts = [counts.fail ? `${counts.fail} failing` : "", counts.pending ? `${counts.pending} pending` : ""].filter(Boolean);
  return { decision: "NO-GO", why: `${parts.join(", ")} of ${counts.total} items` };
}

export function contactRows(config: Pick<StackConfig, "contacts">): ContactRow[] {
  return SIGNOFF_ROLES.map((role) => {
    const c = config.contacts.find((x) => x.role === role);
    return c ? { role, name: c.name, phone: c.phone, email: c.email, configured: true } : { role, name: "", phone: "", email: "", configured: false };
  });
}

function drillSummary(inputs: SignoffInputs): DrillSummary | undefined {
  if (!inputs.drill) return undefined;
  const e = inputs.drill.evidence;
  const d = e.database;
  const lines = [d.summary, ...(e.configuration ? [e.configuration.summary] : [])];
  if (d.rtoSeconds !== undefined)
    lines.push(
      `measured restore time ${d.rtoSeconds.toFixed(1)} s against RTO ${inputs.config.dr.rtoMinutes} min${d.withinRto === false ? " — NOT within the objective" : ""}`,
    );
  if (d.rpoSeconds !== undefined)
    lines.push(
      `data age of the backup ${(d.rpoSeconds / 60).toFixed(1)} min against RPO ${inputs.config.dr.rpoMinutes} min${d.withinRpo === false ? " — NOT within the objective" : ""}`,
    );
  return {
    file: inputs.drill.file,
    generatedAt: e.generatedAt,
    status: e.status,
    rtoSeconds: d.rtoSeconds,
    rpoSeconds: d.rpoSeconds,
    withinRto: d.withinRto,
    withinRpo: d.withinRpo,
    lines,
  };
}

export function evaluateSignoff(inputs: SignoffInputs): SignoffReport {
  const warnings: string[] = [];
  const known = new Set(inputs.items.map((i) => i.id));
  const entries = new Map((inputs.attestations?.entries ?? []).map((e) => [e.item, e]));

  for (const c of allRecords(inputs.verify))
    for (const id of c.checklistIds) if (!known.has(id)) warnings.push(`runtime check ${c.id} names unknown item ${id}`);
  for (const r of inputs.preflight?.report.items ?? []) if (!known.has(r.itemId)) warnings.push(`preflight reports unknown item ${r.itemId}`);
  const outputsVersion = inputs.outputs?.outputs.checklistVersion;
  if (outputsVersion && outputsVersion !== inputs.checklistVersion)
    warnings.push(`stack outputs were produced for checklist ${outputsVersion}; this sign-off uses ${inputs.checklistVersion}`);
  if (inputs.outputs?.outputs.environment && inputs.outputs.outputs.environment !== inputs.config.environment)
    warnings.push(`stack outputs say environment ${inputs.outputs.outputs.environment}; the stack config says ${inputs.config.environment}`);

  const items: ItemOutcome[] = inputs.items.map((item) => {
    const m = inputs.mapping[item.id];
    if (!m) throw new Error(`checklist item ${item.id} has no verification mapping (checklist/mapping.ts)`);
    const verdict = withEntry(corroborate(machineVerdict(m.verify, item.id, inputs), m.verify, item.id, inputs), entries.get(item.id), inputs.now);
    const docs = [...(m.docs ?? [])];
    const evidence = [...verdict.evidence, ...docs.map((d): Evidence => ({ source: "document", summary: d, link: d }))];
    return {
      id: item.id,
      section: item.section,
      subsection: item.subsection,
      text: item.text,
      owner: ownerOf(item, inputs.mapping),
      verification: m.verify,
      status: verdict.status,
      reason: verdict.reason,
      evidence,
      docs,
    };
  });

  const contacts = contactRows(inputs.config);
  const roles: RoleOutcome[] = SIGNOFF_ROLES.map((role) => {
    const mine = items.filter((i) => i.owner === role);
    const counts = countStatuses(mine);
    return { role, ...roleDecision(counts), counts, itemIds: mine.map((i) => i.id), contact: contacts.find((c) => c.role === role) };
  });
  for (const c of contacts) if (!c.configured) warnings.push(`no emergency contact for the ${c.role}: add it to mcp:contacts in Pulumi.${inputs.stack}.yaml`);

  const counts = countStatuses(items);
  const machine = items.filter((i) => i.verification.kind !== "attestation").length;
  const input = (
    kind: InputSummary["kind"],
    given: { file: string; sha256?: string } | undefined,
    made: { generatedAt?: string; stack?: string; provenance?: Provenance } | undefined,
    note: string,
  ): InputSummary => ({
    kind,
    file: given?.file,
    ...(given?.sha256 ? { sha256: given.sha256 } : {}),
    generatedAt: made?.generatedAt,
    ...(made?.stack ? { stack: made.stack } : {}),
    ...(made?.provenance ? { provenance: made.provenance } : {}),
    note,
  });
  const inputsUsed: InputSummary[] = [
    input(
      "stack config",
      { file: `Pulumi.${inputs.stack}.yaml`, sha256: inputs.stackFileSha256 },
      undefined,
      `environment ${inputs.config.environment}, domain ${inputs.config.domain}`,
    ),
    input(
      "preflight",
      inputs.preflight,
      inputs.preflight?.report,
      inputs.preflight
        ? `${inputs.preflight.report.policyPack.name} ${inputs.preflight.report.policyPack.version}, policy config ${inputs.preflight.report.policyConfig.path ?? "none"}, ${inputs.preflight.report.resourceCount} resources, ${inputs.preflight.report.mandatoryViolations} mandatory violation(s)`
        : "not given: policy items are pending",
    ),
    ...(inputs.verify?.length
      ? inputs.verify.map((v) => input("verify", v, v.report, `${v.report.checks.length} checks in ${v.report.durationMs} ms`))
      : [input("verify", undefined, undefined, "not given: runtime items are pending")]),
    input(
      "tests",
      inputs.tests,
      inputs.tests?.results,
      inputs.tests ? `${inputs.tests.results.results.length} test results` : "not given: program items are pending",
    ),
    input(
      "attestations",
      inputs.attestations,
      undefined,
      inputs.attestations ? `${inputs.attestations.entries.length} entries` : "not given: attestation items are pending",
    ),
    input(
      "drill",
      inputs.drill,
      inputs.drill?.evidence,
      inputs.drill
        ? `restore drill ${inputs.drill.evidence.status}`
        : "not given: no restore drill evidence (npm run drill:restore -- --out DIR, then --drill DIR/drill-report.json)",
    ),
    input(
      "outputs",
      inputs.outputs,
      inputs.outputs ? { stack: inputs.outputs.outputs.stack } : undefined,
      inputs.outputs
        ? `public URL ${inputs.outputs.outputs.publicUrl ?? "(not set)"}; secret values are redacted from every report`
        : "not given: no stack outputs to cross-check",
    ),
  ];

  return {
    kind: "signoff",
    formatVersion: SIGNOFF_FORMAT_VERSION,
    stack: inputs.stack,
    environment: inputs.config.environment,
    domain: inputs.config.domain,
    checklistVersion: inputs.checklistVersion,
    generatedAt: inputs.now.toISOString(),
    decision: roles.every((r) => r.decision === "GO") ? "GO" : "NO-GO",
    counts,
    machineVerifiedPercent: Math.round((machine / Math.max(1, items.length)) * 1000) / 10,
    inputs: inputsUsed,
    roles,
    items,
    contacts,
    rollback: { ...rollbackPlan(inputs.config, inputs.stack), drill: drillSummary(inputs) },
    warnings,
    provenance: inputs.provenance,
  };
}
