/**
 * What evidence the sign-off accepts beyond its shape: fresh enough for a go/no-go, not
 * dated ahead of the clock, made from the stack as configured (no mutation, the stack's
 * own policy config) and for this stack, and outputs that hold the secrets the reports
 * are redacted against. Each refusal is an InputError naming the file and the reason:
 * bad input (exit 2), never a NO-GO, because the report would rest on evidence it cannot trust.
 */
import * as fs from "fs";
import * as path from "path";
import type { PreflightReport } from "../evidence/preflight";
import { sha256OfFile } from "../evidence/provenance";
import { knownSecrets, MASKED_SECRET } from "../evidence/secrets";
import type { OutputsEvidence } from "../evidence/outputs";
import type { StackConfig } from "../infra/config/load";
import { InputError } from "./inputs";

export type DatedKind = keyof StackConfig["signoff"]["maxEvidenceAgeHours"];

const HOUR = 3_600_000;

/** The command that makes a fresh file of each kind (for the refusal's hint). */
const REMAKE: Record<DatedKind, (stack: string) => string> = {
  preflight: (s) => `npm run preflight -- --stack ${s} --format json --out DIR`,
  verify: (s) => `npm run verify -- --stack ${s} --format json --out DIR (or npm run host:check)`,
  tests: () => "npx jest --json --outputFile=FILE",
  drill: (s) => `npm run drill:restore -- --stack ${s} --out FILE`,
};

/** Refuses evidence made too long before `now` or dated ahead of it by more than the allowed clock skew. */
export function admitAge(kind: DatedKind, file: string, generatedAt: string | undefined, o: { config: StackConfig; stack: string; now: Date }): void {
  const made = generatedAt === undefined ? NaN : Date.parse(generatedAt);
  if (Number.isNaN(made))
    throw new InputError(`${kind} file ${file} has no valid date (${generatedAt ?? "none"}): its age cannot be told — ${REMAKE[kind](o.stack)}`);
  const { maxEvidenceAgeHours, clockSkewMinutes } = o.config.signoff;
  const ageMs = o.now.getTime() - made;
  if (-ageMs > clockSkewMinutes * 60_000)
    throw new InputError(
      `${kind} file ${file} is dated ${generatedAt}, ${hours(-ageMs)} after the sign-off's time ${o.now.toISOString()} (more than mcp:signoff.clockSkewMinutes = ${clockSkewMinutes} min): a clock is wrong or the file was edited`,
    );
  const max = maxEvidenceAgeHours[kind];
  if (ageMs > max * HOUR)
    throw new InputError(
      `${kind} file ${file} was made ${generatedAt}, ${hours(ageMs)} before the sign-off's time ${o.now.toISOString()}: older than mcp:signoff.maxEvidenceAgeHours.${kind} = ${max} h — make a fresh one: ${REMAKE[kind](o.stack)}`,
    );
}

const hours = (ms: number) => `${(ms / HOUR).toFixed(1)} h`;

/** The stack's policy config, relative to the repository: what `npm run preflight` uses by default. */
export const stackPolicyConfig = (stack: string) => `policies/policy-config.${stack}.json`;

/** Refuses a preflight of a mutated stack, or one made without the stack's policy config as it is now. */
export function admitPreflight(file: string, report: PreflightReport, o: { stack: string; repoRoot: string }): void {
  if (report.mutation !== null)
    throw new InputError(`preflight file ${file} was made with --mutate ${report.mutation}: it judged a changed stack, not Pulumi.${o.stack}.yaml`);
  const expected = stackPolicyConfig(o.stack);
  const expectedAbs = path.join(o.repoRoot, expected);
  const used = report.policyConfig.path;
  if (!fs.existsSync(expectedAbs)) {
    if (used !== null)
      throw new InputError(`preflight file ${file} was made with policy config ${used}; stack ${o.stack} has none (${expected} does not exist)`);
    return;
  }
  if (used === null) throw new InputError(`preflight file ${file} was made without a policy config; stack ${o.stack}'s is ${expected}`);
  if (used !== expected && path.resolve(o.repoRoot, used) !== expectedAbs)
    throw new InputError(`preflight file ${file} was made with policy config ${used}, not the stack's ${expected}`);
  const now = sha256OfFile(expectedAbs);
  if (report.policyConfig.sha256 !== now)
    throw new InputError(
      `preflight file ${file} was made with a different ${expected} (SHA-256 ${report.policyConfig.sha256}, the file now has ${now}): run the preflight again`,
    );
}

/** Refuses outputs of another stack, and outputs without the secret values (redaction could not be claimed). */
export function admitOutputs(file: string, outputs: OutputsEvidence, stack: string): void {
  const s = outputs.secrets;
  const masked = s === MASKED_SECRET || (s !== null && typeof s === "object" && Object.values(s).includes(MASKED_SECRET));
  if (masked)
    throw new InputError(
      `outputs file ${file} has its secrets masked ("${MASKED_SECRET}"): save it with pulumi stack output --stack ${stack} --json --show-secrets`,
    );
  if (knownSecrets(outputs).length === 0)
    throw new InputError(
      `outputs file ${file} holds no secret values (no "secrets"): without them no report can be checked free of secrets — save it with pulumi stack output --stack ${stack} --json --show-secrets`,
    );
  if (outputs.stack === undefined)
    throw new InputError(`outputs file ${file} does not say its stack (no "stack" key): it is not the output of pulumi stack output --json`);
  if (outputs.stack !== stack) throw new InputError(`outputs file ${file} is for stack "${outputs.stack}", not "${stack}"`);
}
