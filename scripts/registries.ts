/**
 * The two registries the checklist mapping names into, read from their modules: the policy
 * catalog (policies/catalog.ts, metadata only, so importing it does not start the pack) and
 * the runtime check list (validate/registry.ts). Both name their items `checklistIds`.
 */
import * as path from "path";
import type { RegistryLoad } from "../checklist/consistency";
import { POLICY_CATALOG } from "../policies/catalog";
import { VERIFY_CHECKS } from "../validate/registry";

export const REPO_ROOT = path.resolve(__dirname, "..");

export const policyRegistry = (): RegistryLoad => ({
  status: "loaded",
  module: "policies/catalog.ts",
  entries: POLICY_CATALOG.map((p) => ({ name: p.name, checklistIds: p.checklistIds })),
});

export const checkRegistry = (): RegistryLoad => ({
  status: "loaded",
  module: "validate/registry.ts",
  entries: VERIFY_CHECKS.map((c) => ({ name: c.id, checklistIds: c.checklistIds })),
});
