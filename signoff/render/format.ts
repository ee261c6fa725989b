/** Text pieces every renderer shares, so Markdown, HTML and JUnit say the same thing. */
import type { Verification } from "../../checklist/verification";
import type { Provenance } from "../../evidence/provenance";
import type { Evidence, ItemOutcome, ItemStatus } from "../model";

export const STATUS_LABEL: Record<ItemStatus, string> = { pass: "PASS", fail: "FAIL", waived: "WAIVED", pending: "PENDING" };

export function verificationLabel(v: Verification, owner: string): string {
  switch (v.kind) {
    case "policy":
      return `policy: ${v.policies.join(", ")}`;
    case "runtime":
      return `runtime check: ${v.checks.join(", ")}`;
    case "program":
      return `program: ${v.guarantee}`;
    case "attestation":
      return `attestation (${owner}): ${v.evidence}`;
  }
}

export function measurementsText(m: Evidence["measurements"]): string {
  if (!m) return "";
  return Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

/** Evidence as plain lines: summary, measured values, details, link. */
export function evidenceLines(e: Evidence): string[] {
  const lines = [e.summary];
  const m = measurementsText(e.measurements);
  if (m) lines.push(`measured: ${m}`);
  for (const d of e.details ?? []) lines.push(d);
  if (e.link && e.source !== "document" && e.source !== "tests") lines.push(`evidence: ${e.link}`);
  if (e.expires) lines.push(`expires: ${e.expires}`);
  return lines;
}

export function itemEvidenceText(item: ItemOutcome): string[] {
  return item.evidence.flatMap(evidenceLines);
}

export function groupBySection(items: readonly ItemOutcome[]): { section: string; subsections: { subsection: string; items: ItemOutcome[] }[] }[] {
  const out: { section: string; subsections: { subsection: string; items: ItemOutcome[] }[] }[] = [];
  for (const item of items) {
    let s = out.find((x) => x.section === item.section);
    if (!s) out.push((s = { section: item.section, subsections: [] }));
    let sub = s.subsections.find((x) => x.subsection === item.subsection);
    if (!sub) s.subsections.push((sub = { subsection: item.subsection, items: [] }));
    sub.items.push(item);
  }
  return out;
}

/** Who made a report, in one line: product, version, commit (short) and whether the tree was dirty. */
export function madeByText(p: Provenance | undefined, stack?: string): string {
  if (!p) return "—";
  const commit = p.git.commit === "unknown" ? "commit unknown" : `commit ${p.git.commit.slice(0, 12)}`;
  const dirty = p.git.dirty === "unknown" ? ", tree state unknown" : p.git.dirty ? ", dirty tree" : "";
  return `${p.product.name} ${p.product.version}, ${commit}${dirty}${stack ? `, stack ${stack}` : ""}`;
}

/** What a report says it read: `role path sha256:<12 hex>` per file. */
export function readInputsText(p: Provenance | undefined): string[] {
  return (p?.inputs ?? []).map((i) => `${i.role} ${i.path} sha256:${i.sha256.slice(0, 12)}`);
}

export const shortSha = (sha: string | undefined) => (sha ? sha.slice(0, 12) : "—");
