/** The preflight report: what `npm run preflight -- --format json` writes and the sign-off reads. */
import { z } from "zod";
import { provenanceSchema } from "./provenance";
import { EVIDENCE_FORMAT_VERSION } from "./version";

export const preflightViolationSchema = z.object({
  policy: z.string(),
  /** "mandatory" | "advisory" | "remediate" | "disabled" as the engine reports it. */
  enforcementLevel: z.string(),
  /** URN of the resource, or undefined for a stack-level violation. */
  urn: z.string().optional(),
  resourceName: z.string().optional(),
  message: z.string(),
  remediation: z.string().optional(),
  severity: z.string().optional(),
  /** A waiver in the policy config accepts this violation until `expires` (it is reported, never a pass). */
  waiver: z.object({ owner: z.string(), expires: z.string(), justification: z.string() }).optional(),
});
export type PreflightViolation = z.infer<typeof preflightViolationSchema>;

/** waived: every violation of the item is accepted by a waiver that still applies. */
export const preflightItemStatusSchema = z.enum(["pass", "violated", "waived", "undecidable"]);
export type PreflightItemStatus = z.infer<typeof preflightItemStatusSchema>;

export const preflightItemResultSchema = z.object({
  itemId: z.string(),
  status: preflightItemStatusSchema,
  /** Policies that prove this item. */
  policies: z.array(z.string()),
  violations: z.array(preflightViolationSchema),
  /** Why the item could not be decided at preview (unknown values). */
  undecidableReasons: z.array(z.string()).optional(),
});
export type PreflightItemResult = z.infer<typeof preflightItemResultSchema>;

/** A resource the preflight analyzed (every one the program registered, providers included). */
export const preflightResourceSchema = z.object({ type: z.string(), name: z.string() });
export type PreflightResource = z.infer<typeof preflightResourceSchema>;

/** What the analysis found (preflight/report.ts builds it from the pack's diagnostics). */
export const preflightFindingsSchema = z.object({
  kind: z.literal("preflight"),
  formatVersion: z.literal(EVIDENCE_FORMAT_VERSION),
  stack: z.string(),
  policyPack: z.object({ name: z.string(), version: z.string() }),
  generatedAt: z.string(),
  resourceCount: z.number(),
  /** Every resource judged, in registration order (optional: reports from before it was added lack it). */
  resources: z.array(preflightResourceSchema).optional(),
  mandatoryViolations: z.number(),
  items: z.array(preflightItemResultSchema),
  /** Every violation, including ones from policies that map to no item (waived ones too, with their waiver). */
  violations: z.array(preflightViolationSchema),
  /** Fixes the pack made itself (policies at the remediate level), as the engine would apply them before Analyze. */
  remediations: z.array(z.object({ policy: z.string(), urn: z.string(), resourceName: z.string(), properties: z.array(z.string()) })).optional(),
});
export type PreflightFindings = z.infer<typeof preflightFindingsSchema>;

export const preflightReportSchema = preflightFindingsSchema.extend({
  /** The policy pack config the pack ran with; path null: none, every policy at its own default level. */
  policyConfig: z.object({ path: z.string().nullable(), sha256: z.string().nullable() }),
  /** The mutation corpus variant applied before analysis (`--mutate`), else null: a report of a changed stack is no evidence. */
  mutation: z.string().nullable(),
  provenance: provenanceSchema,
});
export type PreflightReport = z.infer<typeof preflightReportSchema>;
