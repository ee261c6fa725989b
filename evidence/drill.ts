/**
 * The restore drill report: what `npm run drill:restore` prints and writes with `--out`
 * (backup/drill-run.ts builds it), made of the database restore (backup/drill.ts) and the
 * configuration restore (backup/config-restore.ts).
 */
import { z } from "zod";
import { provenanceSchema } from "./provenance";
import { EVIDENCE_FORMAT_VERSION } from "./version";

export const tableDifferenceSchema = z.object({
  table: z.string(),
  problem: z.enum(["missing", "unexpected", "rows", "columns", "indexes", "constraints"]),
  expected: z.union([z.string(), z.number()]).optional(),
  actual: z.union([z.string(), z.number()]).optional(),
});
export type TableDifference = z.infer<typeof tableDifferenceSchema>;

export const databaseDrillSchema = z.object({
  kind: z.literal("restore-drill"),
  formatVersion: z.literal(1),
  status: z.enum(["pass", "fail"]),
  startedAt: z.string(),
  finishedAt: z.string(),
  backup: z.object({
    file: z.string(),
    createdAt: z.string(),
    sizeBytes: z.number(),
    sha256: z.string(),
    sha256Verified: z.boolean(),
    recipient: z.string(),
    pgDumpVersion: z.string(),
  }),
  scratchDatabase: z.string(),
  scratchDropped: z.boolean(),
  tables: z.number(),
  rowsExpected: z.number(),
  rowsRestored: z.number(),
  differences: z.array(tableDifferenceSchema),
  /** Measured restore time: decrypt + pg_restore until the database is usable. */
  rtoSeconds: z.number(),
  /** Data age: drill start minus the backup's snapshot time. */
  rpoSeconds: z.number(),
  verifySeconds: z.number(),
  totalSeconds: z.number(),
  /** Encrypted bytes restored per second. */
  restoreMBps: z.number(),
  targets: z.object({ rtoMinutes: z.number(), rpoMinutes: z.number(), withinRto: z.boolean(), withinRpo: z.boolean() }).optional(),
});
export type DrillReport = z.infer<typeof databaseDrillSchema>;

export const configDifferenceSchema = z.object({ path: z.string(), problem: z.enum(["missing", "unexpected", "content"]) });
export type ConfigDifference = z.infer<typeof configDifferenceSchema>;

export const configRestoreSchema = z.object({
  kind: z.literal("config-restore"),
  status: z.enum(["pass", "fail"]),
  stack: z.string(),
  files: z.number(),
  renderedFiles: z.number(),
  /** SHA-256 over the sorted (path, sha256) list: one value to compare exports. */
  bundleSha256: z.string(),
  identical: z.boolean(),
  differences: z.array(configDifferenceSchema),
  seconds: z.number(),
});
export type ConfigRestoreReport = z.infer<typeof configRestoreSchema>;

/** A part that could not run; `code` is stable (BackupError codes), `message` says why. */
export const drillErrorSchema = z.object({ status: z.literal("error"), code: z.string(), message: z.string() });
export type DrillError = z.infer<typeof drillErrorSchema>;

/** What a drill run found (backup/drill-run.ts); the CLI adds the provenance. */
export const drillRunFindingsSchema = z.object({
  kind: z.literal("restore-drill-run"),
  formatVersion: z.literal(EVIDENCE_FORMAT_VERSION),
  stack: z.string(),
  generatedAt: z.string(),
  status: z.enum(["pass", "fail", "error"]),
  // By status, so a wrong field inside a part is named (a plain union reports only the part).
  database: z.discriminatedUnion("status", [databaseDrillSchema, drillErrorSchema]),
  configuration: z.discriminatedUnion("status", [configRestoreSchema, drillErrorSchema]).optional(),
});
export type DrillRunFindings = z.infer<typeof drillRunFindingsSchema>;

export const drillRunReportSchema = drillRunFindingsSchema.extend({ provenance: provenanceSchema });
export type DrillRunReport = z.infer<typeof drillRunReportSchema>;
