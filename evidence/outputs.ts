/**
 * What the evidence contract reads of the stack outputs (`pulumi stack output --json
 * --show-secrets`, shape in infra/outputs-types.ts): whose stack they are and its secrets,
 * to redact them. The rest of the outputs is the runtime checks' business
 * (validate/outputs.ts checks all of it).
 */
import { z } from "zod";

export const outputsEvidenceSchema = z.object({
  stack: z.string().optional(),
  environment: z.string().optional(),
  publicUrl: z.string().optional(),
  checklistVersion: z.string().optional(),
  // Any shape: masked ("[secret]") or missing secrets are refused by name, not as a type error.
  secrets: z.unknown().optional(),
  secretFingerprints: z.record(z.string(), z.string()).optional(),
});
export type OutputsEvidence = z.infer<typeof outputsEvidenceSchema>;
