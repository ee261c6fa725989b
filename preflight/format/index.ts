/** Report formats of `npm run preflight --format`. */
import type { PreflightReport } from "../../evidence/preflight";
import type { AnalyzerInfo } from "../harness";
import { formatJunit } from "./junit";
import { formatSarif, SarifContext } from "./sarif";
import { formatText } from "./text";

export const FORMATS = ["text", "json", "junit", "sarif"] as const;
export type Format = (typeof FORMATS)[number];

export const FILE_NAMES: Record<Format, string> = { text: "preflight.txt", json: "preflight.json", junit: "preflight.junit.xml", sarif: "preflight.sarif" };

export type { SarifContext };

/** `sarif` says where results point and where rule help lives (only the SARIF format reads it). */
/** `sarif` is called only for the SARIF format: its context reads the project's files. */
export function formatReport(format: Format, report: PreflightReport, info: AnalyzerInfo, sarif: () => SarifContext): string {
  switch (format) {
    case "text":
      return formatText(report);
    case "json":
      return JSON.stringify(report, null, 2) + "\n";
    case "junit":
      return formatJunit(report);
    case "sarif":
      return formatSarif(report, info, sarif());
  }
}
