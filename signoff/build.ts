/**
 * Reads every input the sign-off joins (the I/O edge) and hands them to the pure
 * evaluator. Errors name the file and what is wrong with it.
 */
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../checklist/items";
import { CHECKLIST_MAPPING } from "../checklist/mapping";
import { ConfigError, type StackConfig } from "../infra/config/load";
import { loadStackFileConfig } from "../infra/config/stack-file";
import { readAttestationsFile } from "./attestations";
import { evaluateSignoff, type SignoffInputs } from "./evaluate";
import { secretValues } from "../evidence/secrets";
import { InputError, readDrill, readOutputs, readPreflight, readTestResults, readVerify } from "./inputs";
import type { SignoffReport } from "./model";

export interface SignoffOptions {
  stack: string;
  repoRoot: string;
  preflight?: string;
  verify?: readonly string[];
  attestations?: string;
  outputs?: string;
  tests?: string;
  drill?: string;
  now?: Date;
}

export interface BuiltSignoff {
  report: SignoffReport;
  /** Values no output may contain. */
  secrets: string[];
}

export function buildSignoff(o: SignoffOptions): BuiltSignoff {
  const now = o.now ?? new Date();
  let config: StackConfig;
  try {
    config = loadStackFileConfig(o.stack, o.repoRoot);
  } catch (err) {
    // A missing or unreadable stack file is bad input like any other; ConfigError already lists every bad key.
    if (err instanceof ConfigError) throw err;
    throw new InputError(err instanceof Error ? err.message : String(err));
  }
  const inputs: SignoffInputs = { stack: o.stack, config, items: CHECKLIST_ITEMS, mapping: CHECKLIST_MAPPING, checklistVersion: CHECKLIST_VERSION, now };
  if (o.preflight) inputs.preflight = { file: o.preflight, report: readPreflight(o.preflight, o.stack) };
  if (o.verify?.length) inputs.verify = o.verify.map((file) => ({ file, report: readVerify(file, o.stack) }));
  if (o.outputs) inputs.outputs = { file: o.outputs, outputs: readOutputs(o.outputs, o.stack) };
  if (o.drill) inputs.drill = { file: o.drill, evidence: readDrill(o.drill, o.stack) };
  if (o.tests) inputs.tests = { file: o.tests, results: readTestResults(o.tests) };
  if (o.attestations) {
    const a = readAttestationsFile(o.attestations, { items: CHECKLIST_ITEMS, mapping: CHECKLIST_MAPPING, stack: o.stack, now });
    inputs.attestations = { file: o.attestations, entries: a.entries };
  }
  return { report: evaluateSignoff(inputs), secrets: secretValues(inputs.outputs?.outputs) };
}
