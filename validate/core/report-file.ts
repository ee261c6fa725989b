/**
 * A report verify is given as a file (an image scan, a restore drill), read and held to its
 * schema: every refusal names the file, what it should have been, and the first fields that
 * are wrong, so the caller can fix the right file before anything connects.
 */
import { readFileSync } from "node:fs";
import type { z } from "zod";

export function readReportFile<S extends z.ZodType>(file: string, what: { name: string; expected: string }, schema: S): z.output<S> {
  let doc: unknown;
  let why = "";
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  // Thrown outside the catch: the read or parse error's text is the whole story.
  if (why) throw new Error(`${what.name} ${file} is not readable JSON: ${why}`);
  const r = schema.safeParse(doc);
  if (!r.success)
    throw new Error(
      `${what.name} ${file} is not ${what.expected}: ${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`)
        .join("; ")}`,
    );
  return r.data;
}
