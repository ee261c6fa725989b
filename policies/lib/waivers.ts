/**
 * Waivers: a policy's violation on one resource accepted for a while, in the policy config
 * (`"<policy>": { "waivers": [{ resource, justification, owner, expires }] }`). The pack reports
 * a waived violation at the advisory level with a `[waived until <date> by <owner>]` prefix, so
 * the engine lets the deploy through and every reader still sees it; from the day after
 * `expires` the waiver no longer applies and the violation says it expired. The zod schema is
 * the one definition: the JSON schema the engine validates the config with is made from it,
 * and the preflight reads the config back with it.
 */
import { z } from "zod";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

export const WAIVERS_KEY = "waivers";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date like 2027-01-31")
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "not a calendar date");

export const waiverSchema = z
  .object({
    /** The resource's name (e.g. mcp-prod-redis) or its URN. */
    resource: z.string().min(1),
    /** Why the violation is accepted: what a reviewer signs off. */
    justification: z.string().min(10, "say why, in at least 10 characters"),
    /** Who answers for it (a person or team, e.g. an email address). */
    owner: z.string().min(1),
    /** The last day the waiver applies (UTC). */
    expires: day,
  })
  .strict();

export type Waiver = z.infer<typeof waiverSchema>;

export const waiversSchema = z.array(waiverSchema);

// The pack judges every resource with the same config object per policy: parse each list once.
const parsedLists = new WeakMap<object, ReturnType<typeof waiversSchema.safeParse>>();
const NONE = waiversSchema.safeParse([]);

/** A policy config's `waivers` value, parsed (once per list object); absent means none. */
export function parseWaivers(raw: unknown): ReturnType<typeof waiversSchema.safeParse> {
  if (raw === undefined) return NONE;
  if (!raw || typeof raw !== "object") return waiversSchema.safeParse(raw);
  let parsed = parsedLists.get(raw);
  if (!parsed) parsedLists.set(raw, (parsed = waiversSchema.safeParse(raw)));
  return parsed;
}

/** The config schema entry every policy gets (draft 2020-12 keywords the engine's validator also reads). */
export const WAIVERS_JSON_SCHEMA: PolicyConfigJSONSchema = (() => {
  const { $schema: _, ...schema } = z.toJSONSchema(waiversSchema) as Record<string, unknown>;
  return {
    ...schema,
    default: [],
    description: "Accepted violations: per resource (name or URN), with a justification, an owner and the last day (UTC) the waiver applies.",
  } as PolicyConfigJSONSchema;
})();

/** The waiver for a resource, if any (matched on its name or its URN). */
export function waiverFor(waivers: readonly Waiver[], urn: string | undefined): Waiver | undefined {
  if (!urn) return undefined;
  const name = urn.split("::").pop();
  return waivers.find((w) => w.resource === urn || w.resource === name);
}

/** A waiver applies through the whole of its `expires` day (UTC). */
export function waiverActive(w: Pick<Waiver, "expires">, now: Date): boolean {
  return now.getTime() < Date.parse(`${w.expires}T00:00:00Z`) + 24 * 3600 * 1000;
}

const WAIVED = /^\[waived until (\d{4}-\d{2}-\d{2}) by ([^\]]+)\] /;

export function waivedMessage(w: Waiver, message: string): string {
  return `[waived until ${w.expires} by ${w.owner}] ${message}`;
}

export function expiredWaiverMessage(w: Waiver, message: string): string {
  return `${message} [waiver by ${w.owner} expired ${w.expires}: it no longer applies]`;
}

/** A waived diagnostic read back: when and by whom, and the violation itself. */
export function parseWaived(message: string): { expires: string; owner: string; message: string } | undefined {
  const m = WAIVED.exec(message);
  return m ? { expires: m[1], owner: m[2], message: message.slice(m[0].length) } : undefined;
}
