/**
 * Reads and checks the evidence files the sign-off joins: the preflight and verify reports
 * (checklist/evidence.ts), the stack outputs (infra/outputs-types.ts) and jest's JSON
 * results (for items the program guarantees). A file for another stack, of another kind
 * or another format version is refused with a message naming the file and the field.
 */
import * as fs from "fs";
import { z } from "zod";
import { EVIDENCE_FORMAT_VERSION, type PreflightReport, type VerifyReport } from "../checklist/evidence";
import type { StackOutputs } from "../infra/outputs-types";

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const scalar = z.union([z.number(), z.string(), z.boolean()]);

const violation = z.looseObject({
  policy: z.string(),
  enforcementLevel: z.string(),
  urn: z.string().optional(),
  resourceName: z.string().optional(),
  message: z.string(),
  remediation: z.string().optional(),
  severity: z.string().optional(),
});

const preflightSchema = z.looseObject({
  kind: z.literal("preflight"),
  formatVersion: z.literal(EVIDENCE_FORMAT_VERSION),
  stack: z.string(),
  policyPack: z.looseObject({ name: z.string(), version: z.string() }),
  generatedAt: z.string(),
  resourceCount: z.number(),
  mandatoryViolations: z.number(),
  items: z.array(
    z.looseObject({
      itemId: z.string(),
      status: z.enum(["pass", "violated", "undecidable"]),
      policies: z.array(z.string()),
      violations: z.array(violation),
      undecidableReasons: z.array(z.string()).optional(),
    }),
  ),
  violations: z.array(violation),
});

const verifySchema = z.looseObject({
  kind: z.literal("verify"),
  formatVersion: z.literal(EVIDENCE_FORMAT_VERSION),
  stack: z.string(),
  generatedAt: z.string(),
  durationMs: z.number(),
  checks: z.array(
    z.looseObject({
      id: z.string(),
      title: z.string(),
      checklistIds: z.array(z.string()),
      status: z.enum(["pass", "fail", "skip"]),
      message: z.string(),
      expected: z.string().optional(),
      actual: z.string().optional(),
      remediation: z.string().optional(),
      measurements: z.record(z.string(), scalar).optional(),
      durationMs: z.number(),
      attempts: z.number(),
    }),
  ),
});

/** Only the parts the sign-off reads are required; the rest of StackOutputs is optional. */
const outputsSchema = z.looseObject({
  stack: z.string().optional(),
  environment: z.string().optional(),
  publicUrl: z.string().optional(),
  checklistVersion: z.string().optional(),
  secrets: z.record(z.string(), z.unknown()).optional(),
  secretFingerprints: z.record(z.string(), z.string()).optional(),
});

const jestSchema = z.looseObject({
  testResults: z.array(
    z.looseObject({
      name: z.string(),
      assertionResults: z.array(z.looseObject({ title: z.string(), status: z.string(), ancestorTitles: z.array(z.string()).optional() })),
    }),
  ),
  startTime: z.number().optional(),
});

const drillError = z.looseObject({ status: z.literal("error"), code: z.string(), message: z.string() });
const drillSchema = z.looseObject({
  kind: z.literal("restore-drill-run"),
  formatVersion: z.literal(1),
  stack: z.string(),
  generatedAt: z.string(),
  status: z.enum(["pass", "fail", "error"]),
  database: z.union([
    drillError,
    z.looseObject({
      status: z.enum(["pass", "fail"]),
      rtoSeconds: z.number(),
      rpoSeconds: z.number(),
      tables: z.number(),
      rowsExpected: z.number(),
      rowsRestored: z.number(),
      backup: z.looseObject({ file: z.string(), createdAt: z.string() }),
      differences: z.array(z.unknown()),
      targets: z.looseObject({ withinRto: z.boolean(), withinRpo: z.boolean() }).optional(),
    }),
  ]),
  configuration: z
    .union([drillError, z.looseObject({ status: z.enum(["pass", "fail"]), identical: z.boolean(), files: z.number(), differences: z.array(z.unknown()) })])
    .optional(),
});

/** What the sign-off keeps of a restore drill report (npm run drill:restore). */
export interface DrillEvidence {
  generatedAt: string;
  status: "pass" | "fail" | "error";
  database: { status: "pass" | "fail" | "error"; summary: string; rtoSeconds?: number; rpoSeconds?: number; withinRto?: boolean; withinRpo?: boolean };
  configuration?: { status: "pass" | "fail" | "error"; summary: string };
}

export function readDrill(file: string, stack: string): DrillEvidence {
  const doc = readJson(file, "drill");
  const r = drillSchema.safeParse(doc);
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
  return { generatedAt: r.data.generatedAt, status: r.data.status, database, configuration };
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
      `${what} file ${file} has format version ${v}; this sign-off reads version ${EVIDENCE_FORMAT_VERSION} — regenerate it with npm run ${what}`,
    );
}

export function readPreflight(file: string, stack: string): PreflightReport {
  const doc = readJson(file, "preflight");
  checkVersion(doc, file, "preflight");
  const r = preflightSchema.safeParse(doc);
  if (!r.success) throw describeIssues(r.error, file, "preflight", doc);
  checkStack(r.data.stack, stack, file, "preflight");
  return r.data as unknown as PreflightReport;
}

export function readVerify(file: string, stack: string): VerifyReport {
  const doc = readJson(file, "verify");
  checkVersion(doc, file, "verify");
  const r = verifySchema.safeParse(doc);
  if (!r.success) throw describeIssues(r.error, file, "verify", doc);
  checkStack(r.data.stack, stack, file, "verify");
  return r.data as unknown as VerifyReport;
}

export function readOutputs(file: string, stack: string): Partial<StackOutputs> {
  const doc = readJson(file, "outputs");
  const r = outputsSchema.safeParse(doc);
  if (!r.success) throw describeIssues(r.error, file, "outputs", doc);
  checkStack(r.data.stack, stack, file, "outputs");
  return r.data as Partial<StackOutputs>;
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

/** Every string value under the outputs' `secrets`, the values no report may contain. */
export function secretValues(outputs: Partial<StackOutputs> | undefined): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(outputs?.secrets);
  return out;
}
