/**
 * npm run checklist:coverage — per section, how many checklist items a machine verifies
 * (policy, runtime check, program test) and how many are attested, the attested items with
 * why a human is needed, any mapping problem, and the machine-verified share as the last
 * line. Exit 1 when the mapping has problems (an unmapped item or a name that does not resolve),
 * 2 on a usage error (it takes no options besides --help).
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { mappingProblems, otherClaims } from "../checklist/consistency";
import { computeCoverage, renderCoverage } from "../checklist/coverage";
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../checklist/items";
import { CHECKLIST_MAPPING } from "../checklist/mapping";
import { checkRegistry, policyRegistry, REPO_ROOT } from "./registries";
import { fileTestIndex } from "../checklist/test-index";
import { parseCli } from "./cli";

export function main(root = REPO_ROOT): { text: string; exitCode: number } {
  const policies = policyRegistry();
  const checks = checkRegistry();
  const problems = mappingProblems({
    items: CHECKLIST_ITEMS,
    mapping: CHECKLIST_MAPPING,
    policies,
    checks,
    tests: fileTestIndex(root),
    fileExists: (f) => fs.existsSync(path.join(root, f)),
  });
  const coverage = computeCoverage(CHECKLIST_ITEMS, CHECKLIST_MAPPING, otherClaims({ mapping: CHECKLIST_MAPPING, policies, checks }));
  return { text: renderCoverage(coverage, { checklistVersion: CHECKLIST_VERSION, problems }), exitCode: problems.length ? 1 : 0 };
}

/** The command line: --help answers 0, anything else it does not know is a usage error (2). */
export function cli(argv: string[]): number {
  const program = new Command()
    .name("checklist:coverage")
    .description("Per checklist section: items verified by policy, runtime check, program test or attestation; exit 1 on a mapping problem")
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  const parsed = parseCli(program, argv);
  if ("exitCode" in parsed) return parsed.exitCode;
  const { text, exitCode } = main();
  process.stdout.write(text);
  return exitCode;
}

if (require.main === module) process.exitCode = cli(process.argv.slice(2));
