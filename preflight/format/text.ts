/** The preflight report as a terminal table: one row per checklist item, details under it. */
import type { PreflightFindings, PreflightReport } from "../../evidence/preflight";
import { CHECKLIST_ITEMS } from "../../checklist/items";

const TEXT = new Map(CHECKLIST_ITEMS.map((i) => [i.id, i.text]));
const LABEL = { pass: "pass", violated: "VIOLATED", waived: "waived", undecidable: "not decidable at preview" } as const;

const wrap = (s: string, width: number, indent: string) => {
  const words = s.split(/\s+/);
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur && (cur + " " + w).length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join("\n");
};

export function formatText(report: PreflightFindings & Partial<Pick<PreflightReport, "policyConfig" | "mutation">>, opts: { verbose?: boolean } = {}): string {
  const out: string[] = [];
  out.push(`Preflight: stack ${report.stack}, policy pack ${report.policyPack.name}@${report.policyPack.version}, ${report.resourceCount} resources`);
  if (report.policyConfig)
    out.push(
      `Policy config: ${report.policyConfig.path ?? "none (every policy at its default enforcement level)"}${report.mutation ? `; mutated: ${report.mutation}` : ""}`,
    );
  out.push("");
  const idW = Math.max(7, ...report.items.map((i) => i.itemId.length));
  const stW = 24;
  out.push(`${"ITEM".padEnd(idW)}  ${"STATUS".padEnd(stW)}  CHECKLIST ITEM (POLICIES)`);
  for (const item of report.items) {
    out.push(`${item.itemId.padEnd(idW)}  ${LABEL[item.status].padEnd(stW)}  ${TEXT.get(item.itemId) ?? ""} (${item.policies.join(", ")})`);
    const pad = " ".repeat(idW + 2);
    for (const v of item.violations) {
      const mark = v.waiver ? "~ [waived]" : `x [${v.enforcementLevel}]`;
      out.push(`${pad}${mark} ${v.policy}${v.resourceName ? ` on ${v.resourceName}` : ""}: ${wrap(v.message, 100, `${pad}    `)}`);
      if (v.waiver) out.push(`${pad}    waived until ${v.waiver.expires} by ${v.waiver.owner}: ${wrap(v.waiver.justification, 100, `${pad}         `)}`);
      else if (v.remediation) out.push(`${pad}    fix: ${wrap(v.remediation, 100, `${pad}         `)}`);
    }
    if (item.status !== "pass" || opts.verbose) for (const r of item.undecidableReasons ?? []) out.push(`${pad}? ${wrap(r, 100, `${pad}  `)}`);
  }
  const unmapped = report.violations.filter((v) => !report.items.some((i) => i.policies.includes(v.policy)));
  if (unmapped.length) {
    out.push("", "Violations of policies mapped to no checklist item:");
    for (const v of unmapped) out.push(`  x [${v.enforcementLevel}] ${v.policy}${v.resourceName ? ` on ${v.resourceName}` : ""}: ${v.message}`);
  }
  if (report.remediations?.length) {
    out.push("", "Remediated by the pack (as `pulumi up` applies them before the policies judge the resource):");
    for (const r of report.remediations) out.push(`  + ${r.policy} on ${r.resourceName}: set ${r.properties.join(", ")}`);
  }
  const count = (s: string) => report.items.filter((i) => i.status === s).length;
  const waived = count("waived") ? `${count("waived")} waived, ` : "";
  out.push("");
  out.push(
    `${report.items.length} checklist items: ${count("pass")} pass, ${count("violated")} violated, ${waived}${count("undecidable")} not decidable at preview; ` +
      `${report.mandatoryViolations} mandatory violation${report.mandatoryViolations === 1 ? "" : "s"}${report.mandatoryViolations ? " -> deploy blocked" : ""}`,
  );
  return out.join("\n") + "\n";
}
