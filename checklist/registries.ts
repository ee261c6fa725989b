/**
 * Reads the two registries the mapping names into: the policy catalog (policies/catalog.ts,
 * metadata only — importing it must not start the pack) and the runtime check registry
 * (validate/registry.ts). Loaded by path at run time so the mapping tooling can say
 * precisely what is missing while those modules are absent or incomplete.
 */
import * as fs from "fs";
import * as path from "path";

export interface RegistryEntry {
  /** Policy name or check ID. */
  name: string;
  /** Checklist item IDs the entry claims to prove. */
  items: readonly string[];
}

export type RegistryLoad = { status: "loaded"; module: string; entries: RegistryEntry[] } | { status: "missing" | "invalid"; module: string; reason: string };

export const REPO_ROOT = path.resolve(__dirname, "..");

export const POLICY_CATALOG_MODULE = "policies/catalog.ts";
export const CHECK_REGISTRY_MODULE = "validate/registry.ts";

/** Field names tried, in order, for an entry's item IDs. */
const ITEM_FIELDS = ["items", "checklistItems", "checklistIds", "itemIds", "checklist"] as const;

function entryFrom(value: unknown, nameField: "name" | "id"): RegistryEntry | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  const name = v[nameField];
  if (typeof name !== "string") return undefined;
  for (const f of ITEM_FIELDS) {
    const items = v[f];
    if (Array.isArray(items) && items.every((i) => typeof i === "string")) return { name, items: items as string[] };
  }
  return undefined;
}

/** The longest exported array (or record) whose values all look like registry entries. */
function findEntries(mod: Record<string, unknown>, nameField: "name" | "id"): RegistryEntry[] | undefined {
  const candidates: unknown[] = [];
  for (const value of Object.values(mod)) {
    candidates.push(value);
    if (typeof value === "function" && value.length === 0 && /^(list|all|get)/i.test(value.name)) {
      try {
        candidates.push((value as () => unknown)());
      } catch {
        /* not a lister */
      }
    }
  }
  // A registry module may also export subsets (EDGE_CHECKS, …): the longest list is the whole registry.
  let best: RegistryEntry[] | undefined;
  for (const c of candidates) {
    const list = Array.isArray(c) ? c : c instanceof Map ? [...c.values()] : c && typeof c === "object" ? Object.values(c) : undefined;
    if (!list || list.length === 0) continue;
    const entries = list.map((e) => entryFrom(e, nameField));
    if (entries.every((e): e is RegistryEntry => e !== undefined) && entries.length > (best?.length ?? 0)) best = entries;
  }
  return best;
}

function load(root: string, rel: string, nameField: "name" | "id", what: string): RegistryLoad {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) return { status: "missing", module: rel, reason: `${rel} does not exist yet, so no ${what} can be resolved` };
  let mod: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file.replace(/\.ts$/, "")) as Record<string, unknown>;
  } catch (err) {
    return { status: "invalid", module: rel, reason: `${rel} failed to load: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}` };
  }
  const entries = findEntries(mod, nameField);
  if (!entries)
    return {
      status: "invalid",
      module: rel,
      reason: `${rel} exports no list of { ${nameField}, items } entries (exports: ${Object.keys(mod).join(", ") || "none"})`,
    };
  return { status: "loaded", module: rel, entries };
}

export const loadPolicyCatalog = (root = REPO_ROOT): RegistryLoad => load(root, POLICY_CATALOG_MODULE, "name", "policy name");
export const loadCheckRegistry = (root = REPO_ROOT): RegistryLoad => load(root, CHECK_REGISTRY_MODULE, "id", "runtime check ID");
