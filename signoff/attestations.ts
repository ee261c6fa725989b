/**
 * The attestations file: people attest the items no machine can prove, waive items they
 * accept as not met (with a justification and an expiry), or reject an item. YAML or JSON,
 * validated with zod and against the checklist: one error lists every bad entry, naming
 * its index and item. Expiry is not an error here — an expired waiver counts as `fail`
 * when the report is evaluated.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { ChecklistItem } from "../checklist/items";
import type { ItemMapping } from "../checklist/verification";
import { attestationEntrySchema, attestationsFileSchema, type AttestationEntry, type SignoffRole } from "../evidence/attestations";
import { defaultOwner } from "../checklist/owners";

export interface AttestationsFile {
  file?: string;
  stack?: string;
  entries: AttestationEntry[];
}

export class AttestationError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid attestations file ${file} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "AttestationError";
  }
}

const pathOf = (p: readonly PropertyKey[]) =>
  p
    .map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`))
    .join("")
    .replace(/^\./, "");

function label(index: number, raw: unknown): string {
  const item = raw && typeof raw === "object" ? (raw as { item?: unknown }).item : undefined;
  return `attestations[${index}]${typeof item === "string" && item ? ` (${item})` : ""}`;
}

function suggest(id: string, known: readonly string[]): string {
  const prefix = id.toUpperCase().replace(/-\d+$/, "");
  const close = known.filter((k) => k.startsWith(prefix)).slice(0, 5);
  return close.length ? ` (did you mean ${close.join(", ")}?)` : "";
}

export interface ValidationContext {
  items: readonly ChecklistItem[];
  mapping: Readonly<Record<string, ItemMapping>>;
  stack: string;
  /** Dates after today are refused. */
  now: Date;
}

export const ownerOf = (item: ChecklistItem, mapping: Readonly<Record<string, ItemMapping>>): SignoffRole => mapping[item.id]?.owner ?? defaultOwner(item);

/** Validates an already-parsed document. Throws AttestationError listing every problem. */
export function validateAttestations(doc: unknown, ctx: ValidationContext, file = "<attestations>"): AttestationsFile {
  const problems: string[] = [];
  const top = attestationsFileSchema.safeParse(doc);
  if (!top.success) {
    for (const issue of top.error.issues) {
      const where = issue.path.length ? pathOf(issue.path) : "file";
      const msg =
        issue.code === "unrecognized_keys"
          ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`
          : issue.path.length === 0 && issue.code === "invalid_type"
            ? "must be a mapping with version and attestations"
            : issue.message;
      problems.push(`${where}: ${msg}`);
    }
    throw new AttestationError(file, problems);
  }
  if (top.data.example)
    problems.push(
      "example: this is the example attestations file (example: true): its entries are made up — copy it, put in your own entries and delete the example line",
    );
  if (top.data.stack !== undefined && top.data.stack !== ctx.stack) problems.push(`stack: file is for stack "${top.data.stack}", not "${ctx.stack}"`);

  const byId = new Map(ctx.items.map((i) => [i.id, i]));
  const ids = ctx.items.map((i) => i.id);
  const seen = new Map<string, number>();
  const today = ctx.now.toISOString().slice(0, 10);
  const entries: AttestationEntry[] = [];

  top.data.attestations.forEach((raw, index) => {
    const where = label(index, raw);
    const r = attestationEntrySchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const key = issue.path.length ? pathOf(issue.path) : "entry";
        const msg =
          issue.code === "unrecognized_keys"
            ? `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (allowed: ${Object.keys(attestationEntrySchema.shape).join(", ")})`
            : issue.path.length === 0 && issue.code === "invalid_type"
              ? "must be a mapping"
              : issue.message;
        problems.push(`${where}: ${key}: ${msg}`);
      }
      return;
    }
    const e = r.data;
    const item = byId.get(e.item);
    if (!item) {
      problems.push(`${where}: item: unknown checklist item ID "${e.item}"${suggest(e.item, ids)}`);
      return;
    }
    const first = seen.get(e.item);
    if (first !== undefined) problems.push(`${where}: item: ${e.item} already has an entry at attestations[${first}]`);
    else seen.set(e.item, index);

    const owner = ownerOf(item, ctx.mapping);
    if (e.role !== owner) problems.push(`${where}: role: ${e.item} is signed by the ${owner}, not the ${e.role}`);
    const kind = ctx.mapping[e.item]?.verify.kind;
    if (e.decision === "attest" && kind && kind !== "attestation")
      problems.push(
        `${where}: decision: ${e.item} is verified by ${kind === "runtime" ? "a runtime check" : kind === "policy" ? "a policy" : "the program's tests"}; a person cannot attest it — use decision: waive to accept it unmet`,
      );
    if (e.decision === "attest" && !e.evidence)
      problems.push(
        `${where}: evidence: required to attest (link to: ${ctx.mapping[e.item]?.verify.kind === "attestation" ? (ctx.mapping[e.item].verify as { evidence: string }).evidence : "the evidence"})`,
      );
    if (e.date > today) problems.push(`${where}: date: ${e.date} is in the future`);
    if (e.expires <= e.date) problems.push(`${where}: expires: ${e.expires} must be after date ${e.date}`);
    entries.push(e);
  });
  if (problems.length) throw new AttestationError(file, problems);
  return { file, stack: top.data.stack, entries };
}

/** Reads a YAML (.yaml/.yml) or JSON file and validates it. */
export function readAttestationsFile(file: string, ctx: ValidationContext): AttestationsFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new AttestationError(file, [`cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  let doc: unknown;
  try {
    doc = path.extname(file).toLowerCase() === ".json" ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (err) {
    throw new AttestationError(file, [`not valid ${path.extname(file).toLowerCase() === ".json" ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`]);
  }
  return validateAttestations(doc, ctx, file);
}

/** End of the expiry day (UTC): an entry expiring 2026-12-01 is valid through that day. */
export const expiresAt = (e: Pick<AttestationEntry, "expires">): number => Date.parse(`${e.expires}T23:59:59.999Z`);
export const isExpired = (e: Pick<AttestationEntry, "expires">, now: Date): boolean => now.getTime() > expiresAt(e);
