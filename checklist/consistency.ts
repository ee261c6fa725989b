/**
 * Proves the mapping is whole and every name in it resolves: every item mapped exactly
 * once, every policy in the catalog and claiming the item, every check in the registry
 * and claiming the item, every test file and title present, every linked doc present.
 * Pure over its inputs; tests/checklist and `npm run checklist:coverage` both use it.
 */
import type { ChecklistItem } from "./items";
import type { TestIndex } from "./test-index";
import { SIGNOFF_ROLES } from "../evidence/attestations";
import type { ItemMapping } from "./verification";

/** A policy or a runtime check, as the mapping refers to it. */
export interface RegistryEntry {
  /** Policy name or check ID. */
  name: string;
  /** Checklist item IDs the entry claims to prove. */
  checklistIds: readonly string[];
}

/** A registry as given to the consistency check (scripts/registries.ts reads the real two). */
export type RegistryLoad = { status: "loaded"; module: string; entries: RegistryEntry[] } | { status: "missing" | "invalid"; module: string; reason: string };

export interface MappingProblem {
  /** The item concerned, when there is one. */
  itemId?: string;
  message: string;
  /**
   * `claim`: the named policy or check exists but does not list the item in its own IDs, so
   * `grep ID` would not find its code (fixed in the policy or check). Everything else is
   * `mapping`: an unmapped item or a name that does not resolve.
   */
  category: "mapping" | "claim";
}

export interface ConsistencyInputs {
  items: readonly ChecklistItem[];
  mapping: Readonly<Record<string, ItemMapping>>;
  policies: RegistryLoad;
  checks: RegistryLoad;
  tests: TestIndex;
  /** Whether a repository-relative path exists (docs links). */
  fileExists: (file: string) => boolean;
}

const list = (xs: readonly string[], max = 8) => (xs.length <= max ? xs.join(", ") : `${xs.slice(0, max).join(", ")} … (+${xs.length - max} more)`);

/** Names of the registry most like `name`, to point at a typo. */
function similar(name: string, known: readonly string[]): string[] {
  const stem = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2);
  return known.filter((k) => stem.some((w) => k.toLowerCase().includes(w))).slice(0, 4);
}

function registryProblems(
  kind: "policy" | "runtime",
  load: RegistryLoad,
  refsByItem: Map<string, readonly string[]>,
  knownItemIds: ReadonlySet<string>,
): MappingProblem[] {
  const noun = kind === "policy" ? "policy" : "check";
  if (refsByItem.size === 0 && load.status !== "loaded") return [];
  if (load.status !== "loaded") {
    const ids = [...refsByItem.keys()];
    return [
      {
        category: "mapping",
        message: `${load.reason}: ${ids.length} item(s) mapped to ${kind === "policy" ? "policies" : "runtime checks"} are unresolved (${list(ids)})`,
      },
    ];
  }
  const out: MappingProblem[] = [];
  const byName = new Map(load.entries.map((e) => [e.name, e]));
  const names = [...byName.keys()];
  const seen = new Set<string>();
  for (const e of load.entries) {
    if (seen.has(e.name)) out.push({ category: "mapping", message: `${load.module}: ${noun} "${e.name}" is listed twice` });
    seen.add(e.name);
    for (const id of e.checklistIds)
      if (!knownItemIds.has(id)) out.push({ category: "mapping", message: `${load.module}: ${noun} "${e.name}" names unknown checklist item ID "${id}"` });
  }
  for (const [itemId, refs] of refsByItem) {
    for (const ref of refs) {
      const entry = byName.get(ref);
      if (!entry) {
        const hint = similar(ref, names);
        out.push({
          itemId,
          category: "mapping",
          message: `${itemId}: ${noun} "${ref}" does not exist in ${load.module}${hint.length ? ` (similar: ${hint.join(", ")})` : ""}`,
        });
      } else if (!entry.checklistIds.includes(itemId)) {
        out.push({
          itemId,
          category: "claim",
          message: `${itemId}: ${noun} "${ref}" does not name ${itemId} in its items (it names: ${list([...entry.checklistIds]) || "none"})`,
        });
      }
    }
  }
  return out;
}

export function mappingProblems(input: ConsistencyInputs): MappingProblem[] {
  const out: MappingProblem[] = [];
  const ids = new Set(input.items.map((i) => i.id));
  const policyRefs = new Map<string, readonly string[]>();
  const checkRefs = new Map<string, readonly string[]>();

  for (const id of Object.keys(input.mapping))
    if (!ids.has(id)) out.push({ itemId: id, category: "mapping", message: `${id}: mapped in checklist/mapping.ts but not a checklist item` });

  for (const item of input.items) {
    const m = input.mapping[item.id];
    if (!m) {
      out.push({ itemId: item.id, category: "mapping", message: `${item.id}: not mapped ("${item.text}") — add it to checklist/mapping.ts` });
      continue;
    }
    if (m.owner !== undefined && !SIGNOFF_ROLES.includes(m.owner))
      out.push({ itemId: item.id, category: "mapping", message: `${item.id}: owner "${m.owner}" is not a sign-off role` });
    for (const doc of m.docs ?? [])
      if (!input.fileExists(doc)) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: linked document ${doc} does not exist` });
    const v = m.verify;
    switch (v.kind) {
      case "policy":
        if (v.policies.length === 0) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: policy mapping names no policy` });
        policyRefs.set(item.id, v.policies);
        break;
      case "runtime":
        if (v.checks.length === 0) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: runtime mapping names no check` });
        checkRefs.set(item.id, v.checks);
        break;
      case "program":
        if (!v.guarantee.trim()) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: program mapping does not say what is guaranteed` });
        if (v.tests.length === 0) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: program mapping names no test` });
        for (const t of v.tests) {
          const titles = input.tests.titles(t.file);
          if (titles === undefined) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: test file ${t.file} does not exist` });
          else if (!titles.includes(t.name))
            out.push({ itemId: item.id, category: "mapping", message: `${item.id}: ${t.file} has no test titled "${t.name}"` });
        }
        break;
      case "attestation":
        if (!v.evidence.trim()) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: attestation does not say what evidence is required` });
        if (!v.why.trim()) out.push({ itemId: item.id, category: "mapping", message: `${item.id}: attestation does not say why a human is needed` });
        break;
      default:
        out.push({ itemId: item.id, category: "mapping", message: `${item.id}: unknown verification kind "${(v as { kind: string }).kind}"` });
    }
  }
  out.push(...registryProblems("policy", input.policies, policyRefs, ids));
  out.push(...registryProblems("runtime", input.checks, checkRefs, ids));
  return out;
}

/**
 * Registry entries that claim an item the mapping verifies another way: not an error (a
 * check may add evidence for a policy item), but shown by the coverage report so a
 * machine-provable item left as an attestation stands out.
 */
export function otherClaims(input: Pick<ConsistencyInputs, "mapping" | "policies" | "checks">): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (id: string, claim: string) => out.set(id, [...(out.get(id) ?? []), claim]);
  for (const [load, kind] of [
    [input.policies, "policy"],
    [input.checks, "runtime"],
  ] as const) {
    if (load.status !== "loaded") continue;
    for (const e of load.entries)
      for (const id of e.checklistIds) {
        const v = input.mapping[id]?.verify;
        if (!v) continue;
        const named = v.kind === "policy" ? v.policies : v.kind === "runtime" ? v.checks : [];
        if (v.kind !== kind || !named.includes(e.name)) add(id, `${kind}:${e.name}`);
      }
  }
  return out;
}
