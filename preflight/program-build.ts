/**
 * The Pulumi program precompiled for the preflight (program/main.ts, the config reader, everything
 * they import), cached by content like the pack (preflight/compiled-copy.ts), so a run pays
 * neither a per-file transpile nor a source-mapped stack on every promise the SDK makes. Each file
 * has its source map beside it: the SDK records where a resource was constructed from the stack,
 * which in the copy names the copy; `originalPosition` turns that back into the project's file.
 */
import * as fs from "fs";
import { SourceMap } from "module";
import * as path from "path";
import { fileURLToPath, pathToFileURL } from "url";
import type { StackConfig } from "../infra/config/load";
import { compiledCopy, compiledPath } from "./compiled-copy";

/** Where the program constructed a resource, as the SDK records it at registration (file URI, 1-based line and column). */
export interface SourcePosition {
  uri: string;
  line: number;
  column: number;
}

export interface CompiledProgram {
  root: string;
  built: boolean;
  main(config: StackConfig, stack: string): unknown;
  loadStackConfig(): StackConfig;
  /** A position in the compiled copy as the position in the project's TypeScript file; any other position as it is. */
  originalPosition(pos: SourcePosition): SourcePosition;
}

const ENTRIES = ["program/main.ts", "infra/config/pulumi-config.ts"];
export function loadCompiledProgram(projectDir: string, opts: { cacheRoot?: string } = {}): CompiledProgram {
  const copy = compiledCopy({
    projectDir,
    name: "program",
    entries: ENTRIES.map((e) => path.join(projectDir, e)),
    sourceMaps: true,
    cacheRoot: opts.cacheRoot,
  });
  const load = (rel: string) => require(path.join(copy.root, compiledPath(rel)));
  // Loaded when run, as a project's program always was: the config is validated (and refused) first.
  const main = (c: StackConfig, s: string) => (load(ENTRIES[0]) as { main(c: StackConfig, s: string): unknown }).main(c, s);
  const { loadStackConfig } = load(ENTRIES[1]) as { loadStackConfig(): StackConfig };
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      const text = fs.existsSync(`${file}.map`) ? fs.readFileSync(`${file}.map`, "utf8") : undefined;
      maps.set(file, text ? new SourceMap(JSON.parse(text)) : undefined);
    }
    return maps.get(file);
  };
  const prefix = copy.root + path.sep;
  return {
    root: copy.root,
    built: copy.built,
    main,
    loadStackConfig,
    originalPosition(pos) {
      const file = pos.uri.startsWith("file:") ? fileURLToPath(pos.uri) : pos.uri;
      if (!file.startsWith(prefix)) return pos;
      const origin = mapOf(file)?.findOrigin(pos.line, pos.column);
      if (!origin || !("lineNumber" in origin)) return pos;
      const source = path.join(projectDir, path.relative(copy.root, file).replace(/\.js$/, ".ts"));
      return { uri: pathToFileURL(source).toString(), line: origin.lineNumber, column: origin.columnNumber };
    },
  };
}
