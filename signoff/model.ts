/**
 * The sign-off report as data: what signoff.json holds and what the Markdown, HTML and
 * JUnit renderers draw. Built by signoff/evaluate.ts from the evidence files.
 */
import type { SignoffRole } from "../evidence/attestations";
import type { Verification } from "../checklist/verification";
import type { Provenance } from "../evidence/provenance";

// 2: the report and each of its inputs carry their provenance (commit, product version, SHA-256 of the files read).
export const SIGNOFF_FORMAT_VERSION = 2;

export type ItemStatus = "pass" | "fail" | "waived" | "pending";
export const ITEM_STATUSES: readonly ItemStatus[] = ["pass", "fail", "waived", "pending"];

export type EvidenceSource = "preflight" | "verify" | "tests" | "attestation" | "waiver" | "document" | "outputs" | "drill";

export interface Evidence {
  source: EvidenceSource;
  /** One line: what was seen. */
  summary: string;
  /** Further lines (violations, expected/actual, remediation). */
  details?: string[];
  /** Measured values from a runtime check. */
  measurements?: Record<string, number | string | boolean>;
  /** Link (URL or repository path) to the evidence. */
  link?: string;
  /** Who attested, and when (attestations and waivers). */
  by?: string;
  role?: SignoffRole;
  date?: string;
  expires?: string;
}

export interface ItemOutcome {
  id: string;
  section: string;
  subsection: string;
  text: string;
  owner: SignoffRole;
  verification: Verification;
  status: ItemStatus;
  /** Why the item has this status, in one line. */
  reason: string;
  evidence: Evidence[];
  /** Repository documents linked as evidence. */
  docs: string[];
}

export type Decision = "GO" | "NO-GO";

export interface StatusCounts {
  pass: number;
  fail: number;
  waived: number;
  pending: number;
  total: number;
}

export interface RoleOutcome {
  role: SignoffRole;
  decision: Decision;
  /** Why: counts of what blocks, or that everything passed or is waived. */
  why: string;
  counts: StatusCounts;
  /** IDs of the items this role answers for, in checklist order. */
  itemIds: string[];
  contact?: ContactRow;
}

export interface ContactRow {
  role: SignoffRole;
  name: string;
  phone: string;
  email: string;
  /** False when mcp:contacts has no entry for the role. */
  configured: boolean;
}

export interface RollbackStep {
  itemId: string;
  phase: string;
  action: string;
  /** Commands for this stack, in order. */
  commands: string[];
  note?: string;
}

export interface DrillSummary {
  file: string;
  generatedAt: string;
  status: "pass" | "fail" | "error";
  /** Measured restore time and data age of the last drill, against the objectives. */
  rtoSeconds?: number;
  rpoSeconds?: number;
  withinRto?: boolean;
  withinRpo?: boolean;
  lines: string[];
}

export interface RollbackPlan {
  steps: RollbackStep[];
  rtoMinutes: number;
  rpoMinutes: number;
  drillIntervalDays: number;
  document: string;
  /** The restore drill report given to the sign-off, if any. */
  drill?: DrillSummary;
}

export interface InputSummary {
  kind: "stack config" | "preflight" | "verify" | "outputs" | "attestations" | "tests" | "drill";
  /** File read, or undefined when not given (its items stay pending). */
  file?: string;
  /** SHA-256 of the file as the sign-off read it. */
  sha256?: string;
  generatedAt?: string;
  /** The stack the input says it is for. */
  stack?: string;
  /** What made the input (reports carry it; attestations and jest results do not). */
  provenance?: Provenance;
  note: string;
}

export interface SignoffReport {
  kind: "signoff";
  formatVersion: typeof SIGNOFF_FORMAT_VERSION;
  stack: string;
  environment: string;
  domain: string;
  checklistVersion: string;
  generatedAt: string;
  decision: Decision;
  counts: StatusCounts;
  machineVerifiedPercent: number;
  inputs: InputSummary[];
  roles: RoleOutcome[];
  items: ItemOutcome[];
  contacts: ContactRow[];
  rollback: RollbackPlan;
  /** Non-fatal findings about the inputs (e.g. a check result for an unknown item). */
  warnings: string[];
  /** This report's own: the commit that made it and every file it read. */
  provenance: Provenance;
}
