/**
 * Evidence file formats: what `npm run preflight --format json` and `npm run verify
 * --format json` write, and what `npm run signoff` reads. Versioned so old files are
 * refused with a clear message instead of being misread.
 */
// 2: check records name their checklist items `checklistIds` (was `items`), as policies do.
export const EVIDENCE_FORMAT_VERSION = 2;

// A runtime check's outcome: what the checks return (validate/core) and the verify report holds.
export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  status: CheckStatus;
  /** One line, human readable: what was checked and what was seen. */
  message: string;
  expected?: string;
  actual?: string;
  /** How to fix it; shown on failure. */
  remediation?: string;
  /** Measured values for the sign-off evidence (latency p50/p95 in ms, counts, ages). */
  measurements?: Record<string, number | string | boolean>;
}

/** Outcome as recorded by the runner (adds identity and timing). */
export interface CheckRecord extends CheckResult {
  id: string;
  title: string;
  /** Checklist item IDs the check proves. */
  checklistIds: readonly string[];
  durationMs: number;
  attempts: number;
}

export type PreflightItemStatus = "pass" | "violated" | "undecidable";

export interface PreflightViolation {
  policy: string;
  /** "mandatory" | "advisory" | "remediate" | "disabled" as the engine reports it. */
  enforcementLevel: string;
  /** URN of the resource, or undefined for a stack-level violation. */
  urn?: string;
  resourceName?: string;
  message: string;
  remediation?: string;
  severity?: string;
}

export interface PreflightItemResult {
  itemId: string;
  status: PreflightItemStatus;
  /** Policies that prove this item. */
  policies: string[];
  violations: PreflightViolation[];
  /** Why the item could not be decided at preview (unknown values). */
  undecidableReasons?: string[];
}

/** A resource the preflight analyzed (every one the program registered, providers included). */
export interface PreflightResource {
  type: string;
  name: string;
}

export interface PreflightReport {
  kind: "preflight";
  formatVersion: typeof EVIDENCE_FORMAT_VERSION;
  stack: string;
  policyPack: { name: string; version: string };
  generatedAt: string;
  resourceCount: number;
  /** Every resource judged, in registration order (optional: reports from before it was added lack it). */
  resources?: PreflightResource[];
  mandatoryViolations: number;
  items: PreflightItemResult[];
  /** Every violation, including ones from policies that map to no item. */
  violations: PreflightViolation[];
}

export interface VerifyReport {
  kind: "verify";
  formatVersion: typeof EVIDENCE_FORMAT_VERSION;
  stack: string;
  generatedAt: string;
  durationMs: number;
  checks: CheckRecord[];
}
