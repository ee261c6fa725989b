/** Report formats of `npm run preflight --format`. */
import type { PreflightReport } from "../../evidence/preflight";
import type { AnalyzerInfo } from "../harness";
import type { SarifContext } from "./sarif";
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
    // Loaded when asked for: the preflight starts its pack sooner for every format it does not print.
    case "junit":
      return (require("./junit") as typeof import("./junit")).formatJunit(report);
    case "sarif":
      return (require("./sarif") as typeof import("./sarif")).formatSarif(report, info, sarif());
  }
}
