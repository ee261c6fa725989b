/**
 * A runtime check's outcome: what the checks return (validate/core) and the verify report
 * holds, one record per check.
 */
import { z } from "zod";

export const checkStatusSchema = z.enum(["pass", "fail", "skip"]);
export type CheckStatus = z.infer<typeof checkStatusSchema>;

export const checkResultSchema = z.object({
  status: checkStatusSchema,
  /** One line, human readable: what was checked and what was seen. */
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  /** How to fix it; shown on failure. */
  remediation: z.string().optional(),
  /** Measured values for the sign-off evidence (latency p50/p95 in ms, counts, ages). */
  measurements: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

/** Outcome as recorded by the runner (adds identity and timing). */
export const checkRecordSchema = checkResultSchema.extend({
  id: z.string(),
  title: z.string(),
  /** Checklist item IDs the check proves. */
  checklistIds: z.array(z.string()).readonly(),
  durationMs: z.number(),
  attempts: z.number(),
});
export type CheckRecord = z.infer<typeof checkRecordSchema>;
