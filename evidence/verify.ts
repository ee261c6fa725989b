/** The verify report: what `npm run verify` and `npm run host:check` write with `--format json`. */
import { z } from "zod";
import { checkRecordSchema } from "./checks";
import { provenanceSchema } from "./provenance";
import { EVIDENCE_FORMAT_VERSION } from "./version";

export const verifyReportSchema = z.object({
  kind: z.literal("verify"),
  formatVersion: z.literal(EVIDENCE_FORMAT_VERSION),
  stack: z.string(),
  generatedAt: z.string(),
  durationMs: z.number(),
  checks: z.array(checkRecordSchema),
  provenance: provenanceSchema,
});
export type VerifyReport = z.infer<typeof verifyReportSchema>;
