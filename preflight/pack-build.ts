/**
 * A precompiled JavaScript copy of the policy pack, so the preflight starts it in about a
 * second instead of ~3 s of type-checked ts-node (the engine's way for a TypeScript pack).
 * Every .ts file reachable from policies/index.ts by relative import is transpiled
 * (preflight/compiled-copy.ts), with the pack's package.json and PulumiPolicy.yaml beside
 * index.js. An edit to any policy (or to infra/config helpers it imports) rebuilds.
 */
import * as path from "path";
import { compiledCopy, relativeSources } from "./compiled-copy";

export interface BuiltPack {
  /** Directory to start the pack in (cwd; holds index.js and package.json). */
  packDir: string;
  /** True when this call compiled it (false: cache hit). */
  built: boolean;
  files: number;
}

/** Every TypeScript (and JSON) file the pack entry reaches by relative import. */
export function packSources(policiesDir: string): string[] {
  return relativeSources([path.join(policiesDir, "index.ts")]);
}

export function buildPack(projectDir: string, opts: { cacheRoot?: string } = {}): BuiltPack {
  const policiesDir = path.join(projectDir, "policies");
  const copy = compiledCopy({
    projectDir,
    name: "pack",
    entries: [path.join(policiesDir, "index.ts")],
    extras: ["package.json", "PulumiPolicy.yaml"].map((f) => ({ from: path.join(policiesDir, f), to: path.join("policies", f) })),
    cacheRoot: opts.cacheRoot,
  });
  return { packDir: path.join(copy.root, "policies"), built: copy.built, files: copy.files };
}
