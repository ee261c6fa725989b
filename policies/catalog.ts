/**
 * The pack's policies as metadata only: name, description, checklist IDs, severity,
 * remediation, default enforcement level, config schema. For the sign-off and the
 * checklist mapping; importing it does not start the pack or load the Pulumi runtime.
 */
import { ALL_POLICIES } from "./pack";
import { PACK_NAME, PolicyMeta } from "./lib/define";

export { PACK_NAME };
export type { PolicyMeta, PolicyGroup, Severity } from "./lib/define";

/** Version served to the engine (policies/package.json). */
export const PACK_VERSION: string = (require("./package.json") as { version: string }).version;

export const POLICY_CATALOG: readonly PolicyMeta[] = ALL_POLICIES.map((p) => p.meta);

export function policyByName(name: string): PolicyMeta | undefined {
  return POLICY_CATALOG.find((p) => p.name === name);
}

/** Policy names that prove a checklist item. */
export function policiesForItem(itemId: string): string[] {
  return POLICY_CATALOG.filter((p) => p.checklistIds.includes(itemId)).map((p) => p.name);
}

/** Every checklist item some policy proves, in first-mention order. */
export function coveredItems(): string[] {
  return [...new Set(POLICY_CATALOG.flatMap((p) => p.checklistIds))];
}
