/**
 * npm run checklist:coverage — per section, how many checklist items a machine verifies
 * (policy, runtime check, program test) and how many are attested, the attested items with
 * why a human is needed, any mapping problem, and the machine-verified share as the last
 * line. Exit 1 when the mapping has problems (an unmapped item or a name that does not resolve).
 */
import * as fs from "fs";
import * as path from "path";
import { mappingProblems, otherClaims } from "../checklist/consistency";
import { computeCoverage, renderCoverage } from "../checklist/coverage";
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../checklist/items";
import { CHECKLIST_MAPPING } from "../checklist/mapping";
import { checkRegistry, policyRegistry, REPO_ROOT } from "./registries";
import { fileTestIndex } from "../checklist/test-index";

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

if (require.main === module) {
  const { text, exitCode } = main();
  process.stdout.write(text);
  process.exitCode = exitCode;
}
