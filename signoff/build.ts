/**
 * Reads every input the sign-off joins (the I/O edge) and hands them to the pure
 * evaluator. Errors name the file and what is wrong with it.
 */
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../checklist/items";
import { CHECKLIST_MAPPING } from "../checklist/mapping";
import { ConfigError, type StackConfig } from "../infra/config/load";
import { collectProvenance, sha256OfFile, type InputRole } from "../evidence/provenance";
import { loadStackFileConfig, stackFilePath } from "../infra/config/stack-file";
import { admitAge, admitOutputs, admitPreflight } from "./admit";
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
  const read: { role: InputRole; file: string }[] = [{ role: "stack file", file: stackFilePath(o.stack, o.repoRoot) }];
  const hashed = (role: InputRole, file: string) => {
    read.push({ role, file });
    return { file, sha256: sha256OfFile(file) };
  };
  const inputs: Omit<SignoffInputs, "provenance"> = {
    stack: o.stack,
    config,
    items: CHECKLIST_ITEMS,
    mapping: CHECKLIST_MAPPING,
    checklistVersion: CHECKLIST_VERSION,
    now,
    stackFileSha256: sha256OfFile(stackFilePath(o.stack, o.repoRoot)),
  };
  // Each file is parsed first: a missing or malformed one is refused with its own message before it is hashed.
  const when = { config, stack: o.stack, now };
  if (o.preflight) {
    const report = readPreflight(o.preflight, o.stack);
    admitAge("preflight", o.preflight, report.generatedAt, when);
    admitPreflight(o.preflight, report, { stack: o.stack, repoRoot: o.repoRoot });
    inputs.preflight = { report, ...hashed("preflight", o.preflight) };
  }
  if (o.verify?.length)
    inputs.verify = o.verify.map((file) => {
      const report = readVerify(file, o.stack);
      admitAge("verify", file, report.generatedAt, when);
      return { report, ...hashed("verify", file) };
    });
  if (o.outputs) {
    const outputs = readOutputs(o.outputs);
    admitOutputs(o.outputs, outputs, o.stack);
    inputs.outputs = { outputs, ...hashed("outputs", o.outputs) };
  }
  if (o.drill) {
    const evidence = readDrill(o.drill, o.stack);
    admitAge("drill", o.drill, evidence.generatedAt, when);
    inputs.drill = { evidence, ...hashed("drill", o.drill) };
  }
  if (o.tests) {
    const results = readTestResults(o.tests);
    admitAge("tests", o.tests, results.generatedAt, when);
    inputs.tests = { results, ...hashed("tests", o.tests) };
  }
  if (o.attestations) {
    const a = readAttestationsFile(o.attestations, { items: CHECKLIST_ITEMS, mapping: CHECKLIST_MAPPING, stack: o.stack, now });
    inputs.attestations = { entries: a.entries, ...hashed("attestations", o.attestations) };
  }
  const provenance = collectProvenance({ projectDir: o.repoRoot, inputs: read });
  return { report: evaluateSignoff({ ...inputs, provenance }), secrets: secretValues(inputs.outputs?.outputs) };
}
