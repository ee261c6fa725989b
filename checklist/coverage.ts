/**
 * Coverage of the checklist by verification kind: per section, how many items a machine
 * proves (policy, runtime check, program test) and how many a person attests, and why.
 * Pure: computes and renders; scripts/checklist-coverage.ts does the I/O.
 */
import type { ChecklistItem } from "./items";
import { defaultOwner } from "./owners";
import type { MappingProblem } from "./consistency";
import type { ItemMapping, VerificationKind } from "./verification";

export interface SectionCoverage {
  section: string;
  total: number;
  byKind: Record<VerificationKind, number>;
  machine: number;
}

export interface AttestedItem {
  id: string;
  section: string;
  text: string;
  signer: string;
  why: string;
  evidence: string;
  /** Policies or checks that also name the item (a sign it could be machine-verified). */
  claimedBy: string[];
}

export interface Coverage {
  sections: SectionCoverage[];
  total: SectionCoverage;
  attested: AttestedItem[];
  /** Share of items verified by a machine, in percent with one decimal. */
  machinePercent: number;
}

const emptyKinds = (): Record<VerificationKind, number> => ({ policy: 0, runtime: 0, program: 0, attestation: 0 });

export function computeCoverage(
  items: readonly ChecklistItem[],
  mapping: Readonly<Record<string, ItemMapping>>,
  claims: ReadonlyMap<string, string[]> = new Map(),
): Coverage {
  const sections: SectionCoverage[] = [];
  const total: SectionCoverage = { section: "Total", total: 0, byKind: emptyKinds(), machine: 0 };
  const attested: AttestedItem[] = [];
  for (const item of items) {
    let s = sections.find((x) => x.section === item.section);
    if (!s) sections.push((s = { section: item.section, total: 0, byKind: emptyKinds(), machine: 0 }));
    const m = mapping[item.id];
    s.total++;
    total.total++;
    if (!m) continue; // unmapped: counted in total, in no kind (the consistency check reports it)
    s.byKind[m.verify.kind]++;
    total.byKind[m.verify.kind]++;
    if (m.verify.kind === "attestation") {
      attested.push({
        id: item.id,
        section: item.section,
        text: item.text,
        signer: m.owner ?? defaultOwner(item),
        why: m.verify.why,
        evidence: m.verify.evidence,
        claimedBy: claims.get(item.id) ?? [],
      });
    } else {
      s.machine++;
      total.machine++;
    }
  }
  return { sections, total, attested, machinePercent: Math.round((total.machine / Math.max(1, total.total)) * 1000) / 10 };
}

const pct = (n: number, d: number) => `${((n / Math.max(1, d)) * 100).toFixed(1)} %`;

export function renderCoverage(c: Coverage, opts: { checklistVersion: string; problems: readonly MappingProblem[] }): string {
  const lines: string[] = [];
  lines.push(`Checklist coverage (checklist ${opts.checklistVersion}, ${c.total.total} items)`, "");
  const w = Math.max(...c.sections.map((s) => s.section.length), 7);
  const row = (s: SectionCoverage) =>
    `${s.section.padEnd(w)}  ${String(s.total).padStart(5)}  ${String(s.byKind.policy).padStart(6)}  ${String(s.byKind.runtime).padStart(7)}  ${String(s.byKind.program).padStart(7)}  ${String(s.machine).padStart(7)}  ${String(s.byKind.attestation).padStart(8)}  ${pct(s.machine, s.total).padStart(7)}`;
  lines.push(
    `${"Section".padEnd(w)}  ${"Items".padStart(5)}  ${"Policy".padStart(6)}  ${"Runtime".padStart(7)}  ${"Program".padStart(7)}  ${"Machine".padStart(7)}  ${"Attested".padStart(8)}  ${"Machine".padStart(7)}`,
  );
  lines.push("-".repeat(w + 62));
  for (const s of c.sections) lines.push(row(s));
  lines.push("-".repeat(w + 62), row(c.total), "");

  lines.push(`Attested items (${c.attested.length}): why a human is needed`);
  for (const a of c.attested) {
    lines.push(`  ${a.id}  ${a.text}  [signed by ${a.signer}]`);
    lines.push(`      why:      ${a.why}`);
    lines.push(`      evidence: ${a.evidence}`);
    if (a.claimedBy.length) lines.push(`      also named by: ${a.claimedBy.join(", ")} (corroborating evidence in the sign-off)`);
  }
  lines.push("");
  if (opts.problems.length) {
    lines.push(`Mapping problems (${opts.problems.length}): fix checklist/mapping.ts or the registries`);
    for (const p of opts.problems) lines.push(`  - ${p.message}`);
    lines.push("");
  }
  lines.push(`Machine-verified: ${c.total.machine}/${c.total.total} items (${pct(c.total.machine, c.total.total)})`);
  return lines.join("\n") + "\n";
}
