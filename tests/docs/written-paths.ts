/**
 * The files the documentation's shell commands tell a user to write: redirects (`> FILE`,
 * `>> FILE`, `tee FILE`) and output flags (`--out X`, `--outputFile=X`, `-o X`), read from
 * shell code blocks and from inline code that is a command. Placeholders (`DIR`, `<dir>`,
 * `$VAR`) and /dev/* are not paths and are left out.
 */
import * as fs from "fs";
import * as path from "path";

export interface WrittenPath {
  /** As written in the document (`evidence/outputs.json`, `reports/`). */
  path: string;
  /** `README.md:195` */
  where: string;
  command: string;
}

/** Words a command line starts with: inline code starting with one of them is a command. */
const COMMANDS = /^(\$ )?(npm|npx|pulumi|docker|node|sudo|jest|curl|openssl|kubectl|git|cat|age|psql|pg_dump|tar|cp|echo|printf|ssh)\b/;
const OUTPUT_FLAG = /(?:^|\s)(?:--out|--outputFile|--output|--output-file)(?:=|\s+)([^\s|;&)`'"]+)/g;
/** `>`, `>>`, `1>`, `&>` after a space (a `>` that closes a `<placeholder>` is not one), and `tee`. */
const REDIRECT = /(?:^|\s)(?:1|&)?>>?\s*([^\s|;&)`'"<>]+)|\btee(?:\s+-a)?\s+([^\s|;&)`'"]+)/g;

function isPlaceholder(p: string): boolean {
  return /^(\/dev\/|&)/.test(p) || /[<>$*{}]/.test(p) || /^[A-Z][A-Z0-9_]*(\/|$)/.test(p) || /^-/.test(p);
}

/** Shell lines of a markdown document: fenced sh/bash/shell/console/plain blocks, and inline code that is a command. */
export function shellLines(markdown: string): Array<{ line: number; text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let fence: string | undefined;
  let shell = false;
  markdown.split("\n").forEach((raw, i) => {
    const open = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (open && !fence) {
      fence = open[1];
      shell = ["", "sh", "bash", "shell", "console", "zsh"].includes(open[2]);
      return;
    }
    if (fence && raw.trim().startsWith(fence)) {
      fence = undefined;
      return;
    }
    if (fence) {
      // Comments are prose; a command after `#` on the same line is still a command (`# or: ... > file`).
      if (shell) out.push({ line: i + 1, text: raw.replace(/^\s*#\s*(or:)?/, "") });
      return;
    }
    for (const m of raw.matchAll(/`([^`]+)`/g)) if (COMMANDS.test(m[1].trim())) out.push({ line: i + 1, text: m[1] });
  });
  return out;
}

export function writtenPaths(markdown: string, file: string): WrittenPath[] {
  const found: WrittenPath[] = [];
  for (const { line, text } of shellLines(markdown)) {
    for (const m of [...text.matchAll(OUTPUT_FLAG), ...text.matchAll(REDIRECT)]) {
      const p = m[1] ?? m[2];
      if (p && !isPlaceholder(p)) found.push({ path: p, where: `${file}:${line}`, command: text.trim() });
    }
  }
  return found;
}

/** README.md, every markdown file under docs/ and the operator notes beside the code. */
export function documentationFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = path.join(dir, e.name);
      return e.isDirectory() ? walk(rel) : e.name.endsWith(".md") ? [rel] : [];
    });
  const besideCode = ["backup/README.md", "policies/README.md"].filter((f) => fs.existsSync(path.join(root, f)));
  return ["README.md", ...walk("docs"), ...besideCode];
}
