/** SIGNOFF.md: the report people read in a pull request or print and sign. Pure. */
import type { ItemOutcome, SignoffReport } from "../model";
import { groupBySection, itemEvidenceText, madeByText, readInputsText, shortSha, STATUS_LABEL, verificationLabel } from "./format";

export interface LinkOptions {
  /** Turns a repository path (docs/…, tests/…) into an href relative to the report. */
  repoHref: (repoPath: string) => string;
}

const cell = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
const code = (s: string) => "`" + s.replace(/`/g, "'") + "`";
const isUrl = (s: string) => /^https?:\/\//.test(s);

function link(target: string, text: string, opts: LinkOptions): string {
  const href = isUrl(target) ? target : opts.repoHref(target);
  return `[${text.replace(/[[\]]/g, "")}](${href.replace(/\s/g, "%20").replace(/\)/g, "%29")})`;
}

function evidenceCell(item: ItemOutcome, opts: LinkOptions): string {
  const lines = itemEvidenceText(item).filter((l) => !item.docs.includes(l));
  const docs = item.docs.map((d) => link(d, d, opts));
  const links = item.evidence.filter((e) => e.link && isUrl(e.link)).map((e) => link(e.link!, "evidence link", opts));
  return [...lines.map(cell), ...docs, ...links].join("<br>");
}

export function renderMarkdown(r: SignoffReport, opts: LinkOptions): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(`# Production sign-off: stack ${code(r.stack)} (${r.domain})`, "");
  push(
    `**Decision: ${r.decision}** — ${r.counts.pass} pass, ${r.counts.fail} fail, ${r.counts.waived} waived, ${r.counts.pending} pending of ${r.counts.total} checklist items.`,
    "",
  );
  push(
    `Generated ${r.generatedAt} for environment ${code(r.environment)}, checklist ${code(r.checklistVersion)}. ${r.machineVerifiedPercent}% of items are verified by machine (policy, runtime check or program test); the rest are attested by the role that signs.`,
    "",
  );

  push("## Sign-off by role", "");
  push("| Role | Decision | Pass | Fail | Waived | Pending | Why |", "|---|---|---|---|---|---|---|");
  for (const role of r.roles)
    push(
      `| ${role.role} | **${role.decision}** | ${role.counts.pass} | ${role.counts.fail} | ${role.counts.waived} | ${role.counts.pending} | ${cell(role.why)} |`,
    );
  push("");
  for (const role of r.roles) {
    push(`### ${role.role}: ${role.decision}`, "");
    push(`${role.why}.${role.contact?.configured ? ` Contact: ${role.contact.name}, ${role.contact.phone}, ${role.contact.email}.` : ""}`, "");
    push("| ID | Item | Status | Why |", "|---|---|---|---|");
    for (const id of role.itemIds) {
      const item = r.items.find((i) => i.id === id)!;
      push(`| ${item.id} | ${cell(item.text)} | ${STATUS_LABEL[item.status]} | ${cell(item.reason)} |`);
    }
    push("", `**${role.role} — Go / No-go:** ${role.decision} &nbsp; **Signature:** _________________ **Date:** _________`, "");
  }

  push("## Checklist", "");
  for (const s of groupBySection(r.items)) {
    push(`### ${s.section}`, "");
    for (const sub of s.subsections) {
      push(`#### ${sub.subsection}`, "");
      push("| ID | Item | Verified by | Status | Evidence |", "|---|---|---|---|---|");
      for (const item of sub.items)
        push(
          `| ${item.id} | ${cell(item.text)} | ${cell(verificationLabel(item.verification, item.owner))} | **${STATUS_LABEL[item.status]}** | ${cell(item.reason)}<br>${evidenceCell(item, opts)} |`,
        );
      push("");
    }
  }

  push("## Emergency contacts", "");
  push("| Role | Name | Phone | Email |", "|------|------|-------|-------|");
  for (const c of r.contacts)
    push(
      c.configured
        ? `| ${c.role} | ${cell(c.name)} | ${cell(c.phone)} | ${cell(c.email)} |`
        : `| ${c.role} | _not set: add it to ${code("mcp:contacts")}_ | | |`,
    );
  push("");

  push("## Rollback plan", "");
  push(
    `If critical issues are discovered. Recovery time objective ${r.rollback.rtoMinutes} min, recovery point objective ${r.rollback.rpoMinutes} min, DR drill every ${r.rollback.drillIntervalDays} days. Full procedure: ${link(r.rollback.document, r.rollback.document, opts)}.`,
    "",
  );
  const drill = r.rollback.drill;
  if (drill)
    push(`Last restore drill (${code(drill.file)}, ${drill.generatedAt}): **${drill.status.toUpperCase()}**`, "", ...drill.lines.map((l) => `- ${l}`), "");
  else push("No restore drill report was given (`npm run drill:restore -- --stack " + r.stack + " --out DIR`, then `--drill DIR/drill-report.json`).", "");
  let phase = "";
  let n = 0;
  for (const step of r.rollback.steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      push(`${++n}. **${phase}**`);
    }
    const item = r.items.find((i) => i.id === step.itemId);
    push(`   - [ ] ${step.action} (${step.itemId}${item ? `, plan ${STATUS_LABEL[item.status].toLowerCase()}` : ""})`);
    for (const c of step.commands) push(`     - ${code(c)}`);
    if (step.note) push(`     - ${step.note}`);
  }
  push("");

  push("## Inputs", "");
  push("| Input | File | SHA-256 | Generated | Made by (and what it read) | Note |", "|---|---|---|---|---|---|");
  for (const i of r.inputs)
    push(
      `| ${i.kind} | ${i.file ? code(i.file) : "—"} | ${i.sha256 ? code(shortSha(i.sha256)) : "—"} | ${i.generatedAt ?? "—"} | ${cell([madeByText(i.provenance, i.stack), ...readInputsText(i.provenance)].join("\n"))} | ${cell(i.note)} |`,
    );
  push("", `This report: ${madeByText(r.provenance, r.stack)}.`, "");
  if (r.warnings.length) {
    push("## Warnings", "");
    for (const w of r.warnings) push(`- ${w}`);
    push("");
  }
  return out.join("\n");
}
