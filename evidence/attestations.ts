/**
 * The attestations file people write for `npm run signoff -- --attestations FILE`: the
 * items no machine can prove, attested, waived or rejected by the role that answers for
 * them. This is the shape; signoff/attestations.ts checks it against the checklist.
 */
import { z } from "zod";

export const ATTESTATIONS_FORMAT_VERSION = 1;

export const SIGNOFF_ROLES = ["Technical Lead", "Operations Lead", "Security Lead", "Product Owner"] as const;
export type SignoffRole = (typeof SIGNOFF_ROLES)[number];

const isoDate = z
  .string({ error: "must be a date YYYY-MM-DD" })
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "is not a real calendar date");

export const attestationEntrySchema = z
  .object({
    item: z.string({ error: "is required (a checklist item ID)" }).min(1, "is required (a checklist item ID)"),
    decision: z.enum(["attest", "waive", "reject"], { error: 'must be "attest", "waive" or "reject"' }),
    by: z.string({ error: "is required (who signs)" }).trim().min(2, "is required (who signs)"),
    role: z.enum(SIGNOFF_ROLES, { error: `must be one of: ${SIGNOFF_ROLES.join(", ")}` }),
    date: isoDate,
    expires: isoDate,
    justification: z.string({ error: "is required" }).trim().min(10, "must say why, in at least 10 characters"),
    /** Link (URL or repository path) to the evidence; required to attest. */
    evidence: z.string().trim().min(1, "must not be empty").optional(),
  })
  .strict();
export type AttestationEntry = z.output<typeof attestationEntrySchema>;

export const attestationsFileSchema = z
  .object({
    version: z.literal(ATTESTATIONS_FORMAT_VERSION, { error: `must be ${ATTESTATIONS_FORMAT_VERSION}` }),
    /** When set, the file is refused for any other stack. */
    stack: z.string().min(1).optional(),
    /**
     * Marks the example shipped with the repository: its signers and links are made up, so the
     * sign-off refuses it. A copy keeps it until someone removes it, which is the point.
     */
    example: z.literal(true, { error: "must be true or absent" }).optional(),
    attestations: z.array(z.unknown(), { error: "must be a list of entries" }),
  })
  .strict();
