/**
 * Finds the test titles a jest file declares, by reading its source: the mapping names a
 * test by file and exact title, and this is how that name is proven to exist without
 * running the suite. Only string-literal titles count; a template with `${}` cannot be
 * named from the mapping.
 */
import * as fs from "fs";
import * as path from "path";

// it("..."), test('...'), it.concurrent(`...`), test.each(table)("...") — titles with no interpolation.
const TITLE =
  /\b(?:it|test)(?:\.(?:concurrent|only|failing))?(?:\.each\s*(?:\([^)]*\)|`[^`]*`))?\s*\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\$]|\\.|\$(?!\{))*)`)/g;

const unescape = (s: string) => s.replace(/\\(.)/g, "$1");

export function testTitles(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(TITLE)) out.push(unescape(m[1] ?? m[2] ?? m[3]));
  return out;
}

export interface TestIndex {
  /** Titles per repository-relative file, or undefined when the file does not exist. */
  titles(file: string): readonly string[] | undefined;
}

export function fileTestIndex(root: string): TestIndex {
  const cache = new Map<string, string[] | undefined>();
  return {
    titles(file) {
      if (!cache.has(file)) {
        const abs = path.join(root, file);
        cache.set(file, fs.existsSync(abs) ? testTitles(fs.readFileSync(abs, "utf8")) : undefined);
      }
      return cache.get(file);
    },
  };
}
