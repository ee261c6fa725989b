/**
 * HA-DR-02 "Regular DR drills scheduled": the restore drill reports (`npm run drill:restore --
 * --out DIR` writes DIR/drill-report.json) show drills held at the interval the stack sets
 * (mcp:dr.drillIntervalDays): the newest no older than it, and no two consecutive ones further
 * apart. A report whose drill could not run (status error) is no drill held.
 */
import { drillRunReportSchema, type DrillRunReport } from "../../evidence/drill";
import type { CheckResult } from "../../evidence/checks";
import { fail, pass, type Check } from "../core/types";
import { readReportFile } from "../core/report-file";

export interface DrillIntervalTarget {
  intervalDays: number;
  reports: readonly { file: string; report: DrillRunReport }[];
}

const DAY_MS = 86_400_000;
const day = (iso: string) => iso.slice(0, 10);

/** Reads one drill report; throws naming the file and field, or the stack it belongs to. */
export function readDrillReport(file: string, stack: string): DrillRunReport {
  const report = readReportFile(
    file,
    { name: "drill report", expected: `a restore drill report (npm run drill:restore -- --stack ${stack} --out DIR writes DIR/drill-report.json)` },
    drillRunReportSchema,
  );
  if (report.stack !== stack) throw new Error(`drill report ${file} is for stack "${report.stack}", not "${stack}"`);
  return report;
}

export function judgeDrillInterval(t: DrillIntervalTarget, now: Date): CheckResult {
  const held = t.reports.filter((r) => r.report.status !== "error").sort((a, b) => Date.parse(a.report.generatedAt) - Date.parse(b.report.generatedAt));
  const errors = t.reports.length - held.length;
  const expected = `a restore drill at least every ${t.intervalDays} days (mcp:dr.drillIntervalDays), the last one within that`;
  const remediation = `Run npm run drill:restore -- --stack <stack> --out DIR on the schedule in docs/disaster-recovery.md and pass every report with --drill-report.`;
  if (held.length === 0)
    return fail(`none of the ${t.reports.length} drill report(s) given is a drill that ran (${errors} could not run)`, {
      expected,
      actual: `${errors} error report(s)`,
      remediation,
    });
  const last = held[held.length - 1];
  const ageDays = Math.floor((now.getTime() - Date.parse(last.report.generatedAt)) / DAY_MS);
  const gaps = held.slice(1).map((r, i) => ({
    from: held[i].report.generatedAt,
    to: r.report.generatedAt,
    days: Math.floor((Date.parse(r.report.generatedAt) - Date.parse(held[i].report.generatedAt)) / DAY_MS),
  }));
  const longest = gaps.reduce((m, g) => Math.max(m, g.days), 0);
  const measurements = { drills: held.length, lastDrillAgeDays: ageDays, longestGapDays: longest, intervalDays: t.intervalDays };
  const problems = [
    ...(ageDays > t.intervalDays ? [`the last restore drill ran ${ageDays} days ago (${day(last.report.generatedAt)}, ${last.file})`] : []),
    ...gaps.filter((g) => g.days > t.intervalDays).map((g) => `${g.days} days passed between the drills of ${day(g.from)} and ${day(g.to)}`),
  ];
  if (problems.length)
    return fail(`${problems.join("; ")}: drills must be at most ${t.intervalDays} days apart (mcp:dr.drillIntervalDays)`, {
      expected,
      actual: problems.join("; "),
      remediation,
      measurements,
    });
  return pass(
    `last restore drill ${ageDays} day(s) ago (${day(last.report.generatedAt)}, ${last.report.status}), ${held.length} drill(s)${held.length > 1 ? ` at most ${longest} days apart` : ""}, within the ${t.intervalDays}-day interval`,
    { measurements },
  );
}

export const drillIntervalCheck: Check<DrillIntervalTarget> = {
  id: "backup.drill-interval",
  title: "Restore drills are held at the interval mcp:dr.drillIntervalDays sets",
  checklistIds: ["HA-DR-02"],
  run: (t) => Promise.resolve(judgeDrillInterval(t, new Date())),
};
