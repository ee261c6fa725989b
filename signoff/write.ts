/**
 * Writes the four sign-off files. Secret values (the stack outputs' `secrets`) are
 * redacted twice: from the report data before rendering (so an escaped or re-quoted
 * copy cannot slip through) and from each rendered file; a file that still holds a
 * secret after that is not written.
 */
import * as path from "path";
import { writeOutFiles } from "../local/out-files";
import { createRedactor, redactDeep } from "../evidence/redact";
import type { SignoffReport } from "./model";
import { renderHtml } from "./render/html";
import { renderJunit } from "./render/junit";
import { renderMarkdown } from "./render/markdown";

export const OUTPUT_FILES = { markdown: "SIGNOFF.md", html: "signoff.html", json: "signoff.json", junit: "junit.xml" } as const;

export interface RenderedSignoff {
  files: Record<(typeof OUTPUT_FILES)[keyof typeof OUTPUT_FILES], string>;
}

/** Renders every output for a report written to `outDir`, links relative to it. */
export function renderAll(report: SignoffReport, opts: { outDir: string; repoRoot: string; secrets: readonly string[] }): RenderedSignoff {
  const redact = createRedactor(opts.secrets);
  const safe = redactDeep(report, redact);
  const repoHref = (p: string) => path.relative(opts.outDir, path.join(opts.repoRoot, p)).split(path.sep).join("/");
  const files = {
    [OUTPUT_FILES.markdown]: redact(renderMarkdown(safe, { repoHref })),
    [OUTPUT_FILES.html]: redact(renderHtml(safe, { repoHref })),
    [OUTPUT_FILES.json]: redact(JSON.stringify(safe, null, 2) + "\n"),
    [OUTPUT_FILES.junit]: redact(renderJunit(safe)),
  } as RenderedSignoff["files"];
  const longEnough = opts.secrets.filter((s) => s.length >= 6);
  for (const [name, text] of Object.entries(files)) {
    if (longEnough.some((s) => text.includes(s))) throw new Error(`refusing to write ${name}: it still contains a secret value after redaction`);
  }
  return { files };
}

/** Throws OutError naming the path when `outDir` cannot be made or a file cannot be written. */
export function writeAll(rendered: RenderedSignoff, outDir: string): string[] {
  return writeOutFiles(outDir, rendered.files, { mode: 0o644 });
}
