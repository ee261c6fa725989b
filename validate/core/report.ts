/**
 * Turns check records into the verify report (evidence/verify.ts `VerifyReport`) and
 * renders it as text (people), JSON (the sign-off reads it) or JUnit XML (CI). Pure:
 * callers write the strings where they want.
 */
import junitFactory from "junit-report-builder";
import type { Provenance } from "../../evidence/provenance";
import type { VerifyReport } from "../../evidence/verify";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import type { CheckRecord } from "./types";

export const REPORT_FORMATS = ["text", "json", "junit"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportSummary {
  total: number;
  pass: number;
  fail: number;
  skip: number;
}

export function buildVerifyReport(input: {
  stack: string;
  records: readonly CheckRecord[];
  startedAt: Date;
  durationMs: number;
  provenance: Provenance;
}): VerifyReport {
  return {
    kind: "verify",
    formatVersion: EVIDENCE_FORMAT_VERSION,
    stack: input.stack,
    generatedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    checks: [...input.records],
    provenance: input.provenance,
  };
}

export function summarize(records: readonly CheckRecord[]): ReportSummary {
  const count = (s: CheckRecord["status"]) => records.filter((r) => r.status === s).length;
  return { total: records.length, pass: count("pass"), fail: count("fail"), skip: count("skip") };
}

/** Exit status for a CLI: 1 when any check failed. */
export function exitCodeFor(report: VerifyReport): 0 | 1 {
  return report.checks.some((c) => c.status === "fail") ? 1 : 0;
}

function formatMeasurements(m: CheckRecord["measurements"]): string {
  if (!m) return "";
  return Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

export function formatText(report: VerifyReport): string {
  const lines: string[] = [`Post-deploy verification of stack "${report.stack}" at ${report.generatedAt} (${report.durationMs} ms)`, ""];
  const width = Math.max(0, ...report.checks.map((c) => c.id.length));
  for (const c of report.checks) {
    lines.push(`${c.status.toUpperCase().padEnd(4)}  ${c.id.padEnd(width)}  ${c.message}`);
    const detail: string[] = [];
    if (c.status === "fail") {
      if (c.expected !== undefined) detail.push(`expected: ${c.expected}`);
      if (c.actual !== undefined) detail.push(`actual:   ${c.actual}`);
      if (c.remediation) detail.push(`fix:      ${c.remediation}`);
    }
    const m = formatMeasurements(c.measurements);
    if (m) detail.push(`measured: ${m}`);
    detail.push(`proves:   ${c.checklistIds.join(", ") || "-"}   (${c.durationMs} ms, ${c.attempts} attempt${c.attempts === 1 ? "" : "s"})`);
    for (const d of detail) lines.push(`      ${"".padEnd(width)}  ${d}`);
  }
  const s = summarize(report.checks);
  lines.push("", `${s.total} checks: ${s.pass} passed, ${s.fail} failed, ${s.skip} skipped`);
  return lines.join("\n") + "\n";
}

export function formatJson(report: VerifyReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

export function formatJunit(report: VerifyReport): string {
  const builder = junitFactory.newBuilder();
  const suite = builder
    .testSuite()
    .name(`verify ${report.stack}`)
    .timestamp(report.generatedAt)
    .time(report.durationMs / 1000);
  for (const c of report.checks) {
    const tc = suite
      .testCase()
      .className(`verify.${c.id.split(".")[0]}`)
      .name(`${c.id} ${c.title}`)
      .time(c.durationMs / 1000)
      .property("checklistIds", c.checklistIds.join(","));
    if (c.status === "fail") {
      const body = [c.expected && `expected: ${c.expected}`, c.actual && `actual: ${c.actual}`, c.remediation && `fix: ${c.remediation}`]
        .filter(Boolean)
        .join("\n");
      tc.failure(c.message, "CheckFailed");
      if (body) tc.standardError(body);
    } else if (c.status === "skip") {
      tc.skipped();
      tc.standardOutput(c.message);
    } else {
      tc.standardOutput([c.message, formatMeasurements(c.measurements)].filter(Boolean).join("\n"));
    }
  }
  return builder.build();
}

export function renderReport(report: VerifyReport, format: ReportFormat): string {
  switch (format) {
    case "text":
      return formatText(report);
    case "json":
      return formatJson(report);
    case "junit":
      return formatJunit(report);
  }
}

export const REPORT_FILE_NAMES: Record<ReportFormat, string> = { text: "verify-report.txt", json: "verify-report.json", junit: "verify-report.xml" };
