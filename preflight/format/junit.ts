/** The preflight report as JUnit XML (junit-report-builder): one test case per checklist item. */
import builderDefault from "junit-report-builder";
import type { PreflightFindings } from "../../evidence/preflight";
import { CHECKLIST_ITEMS } from "../../checklist/items";

const TEXT = new Map(CHECKLIST_ITEMS.map((i) => [i.id, i.text]));

export function formatJunit(report: PreflightFindings): string {
  const builder = builderDefault.newBuilder();
  const suite = builder
    .testSuite()
    .name(`preflight.${report.stack}`)
    .property("policyPack", `${report.policyPack.name}@${report.policyPack.version}`)
    .timestamp(report.generatedAt);
  for (const item of report.items) {
    const tc = suite
      .testCase()
      .className(`preflight.${report.stack}.${item.itemId.split("-")[0]}`)
      .name(`${item.itemId} ${TEXT.get(item.itemId) ?? ""}`.trim());
    if (item.status === "violated") {
      const mandatory = item.violations.some((v) => v.enforcementLevel === "mandatory");
      tc.failure(
        item.violations.map((v) => `[${v.enforcementLevel}] ${v.policy}${v.resourceName ? ` on ${v.resourceName}` : ""}: ${v.message}`).join("\n"),
        mandatory ? "mandatory" : "advisory",
      );
      tc.standardOutput(item.violations.map((v) => `${v.policy}: ${v.remediation ?? ""}`).join("\n"));
    } else if (item.status === "waived") {
      // Skipped, not passed: a waiver accepts the violation, it does not make it go away.
      tc.skipped();
      tc.standardOutput(
        item.violations.map((v) => `${v.policy}: waived until ${v.waiver?.expires} by ${v.waiver?.owner}: ${v.waiver?.justification}`).join("\n"),
      );
    } else if (item.status === "undecidable") {
      tc.skipped();
      tc.standardOutput((item.undecidableReasons ?? []).join("\n"));
    }
  }
  return builder.build();
}
