/**
 * How each checklist item is verified: the shape of the mapping in checklist/mapping.ts.
 * Every item names exactly ONE way — a CrossGuard policy, a runtime check, a guarantee
 * of the infra program proven by a named test, or a human attestation by a sign-off role.
 * tests/checklist/mapping.test.ts proves every item is mapped and every name resolves.
 */

// The roles are part of the attestations format (a signer names one): the evidence contract holds them.
import type { SignoffRole } from "../evidence/attestations";

/** A jest test: file relative to the repository root, and the exact title passed to it()/test(). */
export interface TestRef {
  file: string;
  name: string;
}

export interface PolicyVerification {
  kind: "policy";
  /** Policy names from policies/catalog.ts; the item passes when the preflight says so. */
  policies: readonly string[];
}

export interface RuntimeVerification {
  kind: "runtime";
  /** Check IDs from validate/registry.ts; the item passes when every named check passes. */
  checks: readonly string[];
}

export interface ProgramVerification {
  kind: "program";
  /** What the program (or the repository) guarantees, in one sentence. */
  guarantee: string;
  /** The tests that prove it; the item passes when all of them passed. */
  tests: readonly TestRef[];
}

export interface AttestationVerification {
  kind: "attestation";
  /** What the signer must attach (a link to it goes in the attestations file). */
  evidence: string;
  /** Why no machine can prove this item here. */
  why: string;
}

export type Verification = PolicyVerification | RuntimeVerification | ProgramVerification | AttestationVerification;
export type VerificationKind = Verification["kind"];
export const VERIFICATION_KINDS: readonly VerificationKind[] = ["policy", "runtime", "program", "attestation"];

/** Which part of a restore drill report (`npm run drill:restore`) speaks to an item. */
export type DrillPart = "database" | "configuration";

export interface ItemMapping {
  verify: Verification;
  /** The restore drill part whose result also counts for the item (a failed drill fails it). */
  drill?: DrillPart;
  /** Sign-off role whose section lists the item (and who signs it when it is an attestation). */
  owner?: SignoffRole;
  /** Repository documents that are evidence for the item (linked from the sign-off). */
  docs?: readonly string[];
}

export const isMachineVerified = (v: Verification): boolean => v.kind !== "attestation";

// Constructors keep checklist/mapping.ts one line per item.
export const policy = (...policies: string[]): PolicyVerification => ({ kind: "policy", policies });
export const runtime = (...checks: string[]): RuntimeVerification => ({ kind: "runtime", checks });
export const program = (guarantee: string, ...tests: TestRef[]): ProgramVerification => ({ kind: "program", guarantee, tests });
export const attest = (evidence: string, why: string): AttestationVerification => ({ kind: "attestation", evidence, why });
export const test = (file: string, name: string): TestRef => ({ file, name });

/** Names a verification refers to, for messages and the coverage report. */
export function verificationRefs(v: Verification): string[] {
  switch (v.kind) {
    case "policy":
      return [...v.policies];
    case "runtime":
      return [...v.checks];
    case "program":
      return v.tests.map((t) => `${t.file} › ${t.name}`);
    case "attestation":
      return [];
  }
}
