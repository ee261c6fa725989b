/**
 * Reads the checklist markdown into items (section, subsection, text, nesting), so a test
 * can prove checklist/items.ts and the document agree item for item. Knows the document's
 * two shapes: `### Subsection` headings, and the Rollback Plan's numbered `1. **Phase**` list.
 */

export interface MarkdownItem {
  section: string;
  subsection: string;
  text: string;
  /** Index (in the returned list) of the item this one is nested under. */
  parentIndex?: number;
  line: number;
}

export function parseChecklistMarkdown(markdown: string): MarkdownItem[] {
  const items: MarkdownItem[] = [];
  let section = "";
  let subsection = "";
  // Indentation of the last top-level item of the current list, to spot nested ones.
  let baseIndent: number | undefined;
  let lastTopIndex: number | undefined;
  markdown.split(/\r?\n/).forEach((raw, i) => {
    const h2 = /^## (.+?)\s*$/.exec(raw);
    const h3 = /^### (.+?)\s*$/.exec(raw);
    const phase = /^\s*\d+\.\s+\*\*(.+?)\*\*\s*$/.exec(raw);
    const item = /^(\s*)- \[ \] (.+?)\s*$/.exec(raw);
    if (h2) {
      section = h2[1];
      subsection = "";
      baseIndent = undefined;
    } else if (h3) {
      subsection = h3[1];
      baseIndent = undefined;
    } else if (phase) {
      subsection = phase[1];
      baseIndent = undefined;
    } else if (item) {
      const indent = item[1].length;
      if (baseIndent === undefined) baseIndent = indent;
      const nested = indent > baseIndent;
      items.push({ section, subsection, text: item[2], line: i + 1, parentIndex: nested ? lastTopIndex : undefined });
      if (!nested) lastTopIndex = items.length - 1;
    }
  });
  return items;
}
