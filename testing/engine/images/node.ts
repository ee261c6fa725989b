/**
 * Node inside an image: the binary of the node running the build (process.execPath) with
 * its shared libraries, and esbuild bundles of the stand-in entries so an image carries
 * one file per program instead of a node_modules tree.
 */
import { build } from "esbuild";
import type { ImageTree } from "./tree";

export const NODE_MAJOR = process.versions.node.split(".")[0];

export function addNode(tree: ImageTree, imagePath: string): void {
  tree.binary(process.execPath, imagePath, { mode: 0o755 });
}

export interface BundleOptions {
  entry: string;
  format: "cjs" | "esm";
  /** Code placed before the bundle (runs first). */
  banner?: string;
  /** Compile-time constants (esbuild `define`: identifier -> JS expression). */
  define?: Record<string, string>;
  /** Optional modules a dependency tries to load and copes without (e.g. pg-native). */
  external?: string[];
}

/** One self-contained JS file for node (the version running the build). */
export async function bundle(options: BundleOptions): Promise<Buffer> {
  const r = await build({
    entryPoints: [options.entry],
    bundle: true,
    platform: "node",
    target: `node${NODE_MAJOR}`,
    format: options.format,
    write: false,
    minify: false,
    legalComments: "inline",
    sourcemap: false,
    logLevel: "silent",
    banner: options.banner ? { js: options.banner } : undefined,
    define: options.define,
    external: options.external,
  }).catch((err: Error) => {
    throw new Error(`esbuild could not bundle ${options.entry}: ${err.message}`);
  });
  if (r.outputFiles.length !== 1) throw new Error(`esbuild produced ${r.outputFiles.length} files for ${options.entry}, expected 1`);
  return Buffer.from(r.outputFiles[0].contents);
}
