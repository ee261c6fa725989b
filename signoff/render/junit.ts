/**
 * junit.xml: one test case per checklist item, one suite per section, written with
 * junit-report-builder so CI dashboards show the sign-off like a test run. `fail` is a
 * failure, `pending` is skipped, `pass` and `waived` pass (a waiver is stated in the
 * case's properties and output). Pure: returns the XML.
 */
import junitFactory from "junit-report-builder";
import type { SignoffReport } from "../model";
import { groupBySection, itemEvidenceText, verificationLabel } from "./format";

export function renderJunit(r: SignoffReport): string {
  const builder = junitFactory.newBuilder().name(`signoff ${r.stack}`);
  for (const s of groupBySection(r.items)) {
    const suite = builder.testSuite().name(`${r.stack} · ${s.section}`).timestamp(r.generatedAt).property("decision", r.decision);
    for (const sub of s.subsections) {
      for (const item of sub.items) {
        const tc = suite
          .testCase()
          .className(`signoff.${s.section} / ${sub.subsection}`)
          .name(`${item.id} ${item.text}`)
          .property("status", item.status)
          .property("owner", item.owner)
          .property("verifiedBy", verificationLabel(item.verification, item.owner));
        const evidence = [item.reason, ...itemEvidenceText(item)].join("\n");
        if (item.status === "fail") tc.failure(item.reason, "checklist").standardOutput(evidence);
        else if (item.status === "pending") tc.skipped().standardOutput(evidence);
        else tc.standardOutput(item.status === "waived" ? `WAIVED: ${evidence}` : evidence);
      }
    }
  }
  return builder.build();
}
