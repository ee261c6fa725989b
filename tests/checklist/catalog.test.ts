import * as fs from "fs";
import * as path from "path";
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../../checklist/items";
import { parseChecklistMarkdown } from "../../checklist/markdown";

const ROOT = path.resolve(__dirname, "../..");
const LOCAL_COPY = path.join(ROOT, "checklist/production-deployment-checklist.md");
// The shared original, when this tree sits beside it (it does on the team's machines).
const SHARED = path.resolve(ROOT, "../shared/checklist/production-deployment-checklist.md");

describe("checklist catalog", () => {
  const md = parseChecklistMarkdown(fs.readFileSync(LOCAL_COPY, "utf8"));

  test("the markdown has 171 items and so does the catalog", () => {
    expect(md).toHaveLength(171);
    expect(CHECKLIST_ITEMS).toHaveLength(171);
    expect(CHECKLIST_VERSION).toMatch(/-171$/);
  });

  test("catalog and markdown agree item for item: same text, section, subsection and order", () => {
    const diffs = CHECKLIST_ITEMS.flatMap((item, i) => {
      const m = md[i];
      if (!m) return [`${item.id}: no markdown item at position ${i + 1}`];
      const out: string[] = [];
      if (m.text !== item.text) out.push(`${item.id}: text "${item.text}" vs markdown line ${m.line} "${m.text}"`);
      if (m.section !== item.section) out.push(`${item.id}: section "${item.section}" vs "${m.section}"`);
      if (m.subsection !== item.subsection) out.push(`${item.id}: subsection "${item.subsection}" vs "${m.subsection}"`);
      const parent = m.parentIndex === undefined ? undefined : CHECKLIST_ITEMS[m.parentIndex]?.id;
      if (parent !== item.parent) out.push(`${item.id}: parent ${item.parent ?? "none"} vs markdown ${parent ?? "none"}`);
      return out;
    });
    expect(diffs).toEqual([]);
  });

  test("IDs are unique, well-formed and numbered in order within each subsection", () => {
    const ids = CHECKLIST_ITEMS.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    const bad = ids.filter((id) => !/^[A-Z]+(-[A-Z0-9]+)+-\d{2}$/.test(id));
    expect(bad).toEqual([]);
    const bySub = new Map<string, string[]>();
    for (const i of CHECKLIST_ITEMS) bySub.set(`${i.section}/${i.subsection}`, [...(bySub.get(`${i.section}/${i.subsection}`) ?? []), i.id]);
    for (const [sub, list] of bySub) {
      const prefixes = new Set(list.map((id) => id.replace(/-\d{2}$/, "")));
      expect({ sub, prefixes: prefixes.size }).toEqual({ sub, prefixes: 1 });
      expect(list.map((id) => Number(id.slice(-2)))).toEqual(list.map((_, n) => n + 1));
    }
  });

  test("the parser sees nesting and numbered phases (and so would see a changed document)", () => {
    const sample = ["## A", "### B", "- [ ] one", "  - [ ] one.a", "- [ ] two", "## Rollback Plan", "1. **Phase**", "   - [ ] step"].join("\n");
    expect(parseChecklistMarkdown(sample)).toEqual([
      { section: "A", subsection: "B", text: "one", line: 3, parentIndex: undefined },
      { section: "A", subsection: "B", text: "one.a", line: 4, parentIndex: 0 },
      { section: "A", subsection: "B", text: "two", line: 5, parentIndex: undefined },
      { section: "Rollback Plan", subsection: "Phase", text: "step", line: 8, parentIndex: undefined },
    ]);
  });

  (fs.existsSync(SHARED) ? test : test.skip)("the local copy is identical to the shared checklist", () => {
    expect(fs.readFileSync(LOCAL_COPY, "utf8")).toBe(fs.readFileSync(SHARED, "utf8"));
  });
});
