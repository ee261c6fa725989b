/**
 * Reads and checks the evidence files the sign-off joins: the preflight, verify and drill
 * reports and the stack outputs (schemas in evidence/) and jest's JSON
 * results (for items the program guarantees). A file for another stack, of another kind
 * or another format version is refused with a message naming the file and the field.
 */
import * as fs from "fs";
import { z } from "zod";
import { drillRunReportSchema } from "../evidence/drill";
import { outputsEvidenceSchema, type OutputsEvidence } from "../evidence/outputs";
import type { Provenance } from "../evidence/provenance";
import { preflightReportSchema, type PreflightReport } from "../evidence/preflight";
import { EVIDENCE_FORMAT_VERSION } from "../evidence/version";
import { verifyReportSchema, type VerifyReport } from "../evidence/verify";

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const jestSchema = z.looseObject({
  testResults: z.array(
    z.looseObject({
      name: z.string(),
      assertionResults: z.array(z.looseObject({ title: z.string(), status: z.string(), ancestorTitles: z.array(z.string()).optional() })),
    }),
  ),
  startTime: z.number().optional(),
});

/** What the sign-off keeps of a restore drill report (npm run drill:restore). */
export interface DrillEvidence {
  stack: string;
  generatedAt: string;
  provenance: Provenance;
  status: "pass" | "fail" | "error";
  database: { status: "pass" | "fail" | "error"; summary: string; rtoSeconds?: number; rpoSeconds?: number; withinRto?: boolean; withinRpo?: boolean };
  configuration?: { status: "pass" | "fail" | "error"; summary: string };
}

export function readDrill(file: string, stack: string): DrillEvidence {
  const doc = readJson(file, "drill");
  checkVersion(doc, file, "drill");
  const r = drillRunReportSchema.safeParse(doc);
  if (!r.success)
    throw new InputError(
      `drill file ${file} is not a restore drill report (write it with: npm run drill:restore -- --stack ${stack} --out DIR, then --drill DIR/drill-report.json):\n  - ${r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`)
        .join("\n  - ")}`,
    );
  checkStack(r.data.stack, stack, file, "drill");
  const d = r.data.database;
  const database: DrillEvidence["database"] =
    d.status === "error"
      ? { status: "error", summary: `database drill error (${d.code}): ${d.message}` }
      : {
          status: d.status,
          summary: `database restore ${d.status}: ${d.rowsRestored}/${d.rowsExpected} rows in ${d.tables} tables from ${d.backup.file} (${d.backup.createdAt}), ${d.differences.length} difference(s)`,
          rtoSeconds: d.rtoSeconds,
          rpoSeconds: d.rpoSeconds,
          withinRto: d.targets?.withinRto,
          withinRpo: d.targets?.withinRpo,
        };
  const c = r.data.configuration;
  const configuration: DrillEvidence["configuration"] =
    c === undefined
      ? undefined
      : c.status === "error"
        ? { status: "error", summary: `configuration restore error (${c.code}): ${c.message}` }
        : {
            status: c.status,
            summary: `configuration restore ${c.status}: ${c.files} files, ${c.identical ? "identical after restore" : `${c.differences.length} difference(s)`}`,
          };
  return { stack: r.data.stack, generatedAt: r.data.generatedAt, provenance: r.data.provenance, status: r.data.status, database, configuration };
}

export interface TestResult {
  /** Absolute or repository path of the test file, as jest reported it. */
  file: string;
  title: string;
  /** passed | failed | pending | skipped | todo | disabled */
  status: string;
}

export interface TestResults {
  generatedAt?: string;
  results: TestResult[];
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what} file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function describeIssues(error: z.ZodError, file: string, what: string, doc: unknown): InputError {
  const kind = doc && typeof doc === "object" ? (doc as { kind?: unknown }).kind : undefined;
  const first = error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join(".") : "(top level)"}: ${i.message}`);
  const hint =
    what === "preflight" || what === "verify"
      ? kind !== undefined && kind !== what
        ? ` — this is a "${String(kind)}" report, pass it to --${String(kind)}`
        : ` (write it with: npm run ${what} -- --stack <stack> --format json)`
      : "";
  return new InputError(
    `${what} file ${file} is not a valid ${what} report${hint}:\n  - ${first.join("\n  - ")}${error.issues.length > 5 ? `\n  - … ${error.issues.length - 5} more` : ""}`,
  );
}

function checkStack(found: string | undefined, stack: string, file: string, what: string): void {
  if (found !== undefined && found !== stack) throw new InputError(`${what} file ${file} is for stack "${found}", not "${stack}"`);
}

function checkVersion(doc: unknown, file: string, what: string): void {
  const v = doc && typeof doc === "object" ? (doc as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof v === "number" && v !== EVIDENCE_FORMAT_VERSION)
    throw new InputError(
      `${what} file ${file} has format version ${v}; this sign-off reads version ${EVIDENCE_FORMAT_VERSION} — regenerate it with npm run ${what === "drill" ? "drill:restore" : what}`,
    );
}

export function readPreflight(file: string, stack: string): PreflightReport {
  const doc = readJson(file, "preflight");
  checkVersion(doc, file, "preflight");
  const r = preflightReportSchema.safeParse(doc);
  if (!r.success) throw describeIssues(r.error, file, "preflight", doc);
  checkStack(r.data.stack, stack, file, "preflight");
  return r.data;
}

export function readVerify(file: string, stack: string): VerifyReport {
  const doc = readJson(file, "verify");
  checkVersion(doc, file, "verify");
  const r = verifyReportSchema.safeParse(doc);
  if (!r.success) throw describeIssues(r.error, file, "verify", doc);
  checkStack(r.data.stack, stack, file, "verify");
  return r.data;
}

export function readOutputs(file: string): OutputsEvidence {
  const doc = readJson(file, "outputs");
  const r = outputsEvidenceSchema.safeParse(doc);
  if (!r.success) throw describeIssues(r.error, file, "outputs", doc);
  // Whose outputs they are, and whether they hold the secrets, is admit.ts's to judge.
  return r.data;
}

export function readTestResults(file: string): TestResults {
  const doc = readJson(file, "tests");
  const r = jestSchema.safeParse(doc);
  if (!r.success)
    throw new InputError(
      `tests file ${file} is not jest JSON output (write it with: npx jest --json --outputFile=${file}):\n  - ${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("\n  - ")}`,
    );
  const results = r.data.testResults.flatMap((f) => f.assertionResults.map((a) => ({ file: f.name, title: a.title, status: a.status })));
  return { generatedAt: r.data.startTime ? new Date(r.data.startTime).toISOString() : undefined, results };
}
