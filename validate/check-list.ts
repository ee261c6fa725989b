/**
 * `npm run verify -- --list`: every runtime check with its id, the checklist items it proves,
 * what it needs and what it checks, as a table or JSON. Pure; the registry is the only source.
 */
import type { Check } from "./core/types";
import { OPT_IN_CHECKS, TRAFFIC_CHECKS } from "./registry";

export interface CheckListEntry {
  id: string;
  checklistIds: string[];
  title: string;
  needs: string[];
  /** Why the check may skip on a healthy stack (opt-in, needs traffic), if it may. */
  note?: string;
}

export function checkList(checks: readonly Check<unknown>[]): CheckListEntry[] {
  return checks.map((c) => {
    const note = OPT_IN_CHECKS[c.id] ?? TRAFFIC_CHECKS[c.id];
    return { id: c.id, checklistIds: [...c.checklistIds], title: c.title, needs: [...(c.needs ?? [])], ...(note ? { note } : {}) };
  });
}

export function renderCheckList(checks: readonly Check<unknown>[], format: "text" | "json"): string {
  const entries = checkList(checks);
  if (format === "json") return JSON.stringify(entries, null, 2) + "\n";
  const idW = Math.max(...entries.map((e) => e.id.length), 5);
  const itemW = Math.max(...entries.map((e) => e.checklistIds.join(",").length), 5);
  const lines = entries.map((e) => `${e.id.padEnd(idW)}  ${e.checklistIds.join(",").padEnd(itemW)}  ${e.title}${e.note ? ` (${e.note})` : ""}`);
  return [`${"CHECK".padEnd(idW)}  ${"ITEMS".padEnd(itemW)}  WHAT IT CHECKS`, ...lines, "", `${entries.length} checks`].join("\n") + "\n";
}
