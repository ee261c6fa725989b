/**
 * Local stand-ins for every default image of the stack (infra/config/schema.ts
 * DEFAULT_IMAGES), for the private test engine, which can pull nothing. Each is assembled
 * from this machine's Debian packages (binaries, the shared libraries ldd names, their data
 * files), busybox-static and, for the app and Grafana, node and this project's stand-ins,
 * and keeps the upstream image's contract as infra/image-facts.ts records it: user and
 * groups, paths with their owners and modes, entrypoint and its non-root behaviour, shell and
 * probe tools. differences.ts lists where a stand-in is not the upstream image.
 *
 *   const set = await buildStackImages({ log });          // tarballs, cached per content hash
 *   const refs = await importStackImages(engine, set);     // { "postgres:16.4-alpine3.20": "mcp-engine/postgres:<hash12>", ... }
 */
import { createReadStream, statSync } from "node:fs";
import { Readable } from "node:stream";
import { tarArchive } from "../../docker/rootfs";
import { DEFAULT_IMAGES, type ServiceName } from "../../../infra/config/schema";
import { testCa } from "../test-ca";
import type { DockerEngine } from "../../docker/engine";
import { builderSourceDigest, ensureTarball, imageHash, pruneCache, tarballPath } from "./cache";
import { dpkgVersions } from "./host";
import { buildOnlyInstructions, importChanges, type ImageConfig, type Recipe } from "./recipe";
import { alertmanagerRecipe, blackboxExporterRecipe, nodeExporterRecipe, postgresExporterRecipe, prometheusRecipe } from "./recipes/prometheus";
import { nginxExporterRecipe, redisExporterRecipe } from "./recipes/exporters";
import { appRecipe, grafanaRecipe } from "./recipes/node-apps";
import { backupRecipe } from "./recipes/backup";
import { nginxRecipe } from "./recipes/nginx";
import { postgresRecipe } from "./recipes/postgres";
import { redisRecipe } from "./recipes/redis";

export type { ImageConfig } from "./recipe";
export { IMAGE_DIFFERENCES, type ImageDifference } from "./differences";

/** One recipe per default image, in DEFAULT_IMAGES order. */
export const STACK_RECIPES: readonly Recipe[] = [
  appRecipe,
  postgresRecipe,
  redisRecipe,
  nginxRecipe,
  prometheusRecipe,
  alertmanagerRecipe,
  grafanaRecipe,
  postgresExporterRecipe,
  redisExporterRecipe,
  nginxExporterRecipe,
  nodeExporterRecipe,
  blackboxExporterRecipe,
  backupRecipe,
];

export const LOCAL_REPOSITORY_PREFIX = "mcp-engine";
export { testCa } from "../test-ca";

export interface StackImage {
  service: ServiceName;
  /** Recipe name: the local repository is mcp-engine/<name>. */
  name: string;
  /** The reference the stack uses by default (DEFAULT_IMAGES). */
  defaultRef: string;
  /** mcp-engine/<name>:<first 12 hex of hash>. */
  localRef: string;
  hash: string;
  tarball: string;
  config: ImageConfig;
  /** `docker import` changes carrying the config. */
  changes: string[];
  /** What a build FROM the import adds (STOPSIGNAL), when the config needs it. */
  buildInstructions: string[];
  /** Size of the tarball. */
  bytes: number;
  /** Whether this call built it (false: an earlier build's tarball was reused). */
  built: boolean;
  /** Time spent on this image in this call (planning, and building when built). */
  ms: number;
}

export interface StackImageSet {
  images: StackImage[];
  /** The image standing in for `service`. */
  of(service: ServiceName): StackImage;
}

export interface BuildOptions {
  log?: (line: string) => void;
  /** Build only these services' images (default: all). */
  only?: readonly ServiceName[];
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function imageSet(images: StackImage[]): StackImageSet {
  return {
    images,
    of(service) {
      const i = images.find((x) => x.service === service);
      if (!i) throw new Error(`no stand-in image for ${service} in this set (built: ${images.map((x) => x.service).join(", ")})`);
      return i;
    },
  };
}

/** Builds (or finds in the cache) the tarball of every stand-in image. */
export async function buildStackImages(options: BuildOptions = {}): Promise<StackImageSet> {
  const log = options.log ?? (() => undefined);
  // Every image's CA bundle carries it (base.ts): made once per machine.
  await testCa();
  const recipes = options.only ? STACK_RECIPES.filter((r) => options.only!.includes(r.service)) : STACK_RECIPES;
  const missing = (options.only ?? []).filter((s) => !recipes.some((r) => r.service === s));
  if (missing.length) throw new Error(`no recipe for ${missing.join(", ")}`);
  const builder = builderSourceDigest();
  const images: StackImage[] = [];
  // One at a time: each build is disk-bound, and the log then reads in order.
  for (const recipe of recipes) {
    const started = Date.now();
    let plan;
    try {
      plan = await recipe.plan({ log });
    } catch (err) {
      throw new Error(`image ${recipe.name} (stands for ${DEFAULT_IMAGES[recipe.service]}): ${(err as Error).message}`, { cause: err });
    }
    const hash = imageHash({
      name: recipe.name,
      service: recipe.service,
      builder,
      tree: plan.tree.fingerprint(),
      config: plan.config,
      packages: dpkgVersions(plan.packages),
      inputs: plan.inputs ?? {},
      arch: process.arch,
    });
    const { path, built } = await ensureTarball(hash, plan.tree);
    const image: StackImage = {
      service: recipe.service,
      name: recipe.name,
      defaultRef: DEFAULT_IMAGES[recipe.service],
      localRef: `${LOCAL_REPOSITORY_PREFIX}/${recipe.name}:${hash.slice(0, 12)}`,
      hash,
      tarball: path,
      config: plan.config,
      changes: importChanges(plan.config),
      buildInstructions: buildOnlyInstructions(plan.config),
      bytes: statSync(path).size,
      built,
      ms: Date.now() - started,
    };
    log(`image ${image.name}: ${built ? "built" : "cached"} ${image.localRef} (${mb(image.bytes)}, ${image.ms} ms)`);
    images.push(image);
  }
  if (!options.only) {
    const removed = pruneCache(new Set(images.map((i) => tarballPath(i.hash))));
    if (removed) log(`image cache: removed ${removed} tarball(s) of earlier builds`);
  }
  return imageSet(images);
}

export interface ImportOptions {
  log?: (line: string) => void;
  /** Imports at once (default 3). */
  concurrency?: number;
  /** Bound on one import (default 180 s). */
  timeoutMs?: number;
}

function drain(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let s = "";
    stream.on("data", (d: Buffer) => (s += d.toString()));
    stream.on("end", () => resolve(s));
    stream.on("error", reject);
  });
}

/** The first error an Engine API progress stream reports, if any. */
function streamError(body: string): string | undefined {
  return /"error(?:Detail)?"\s*:\s*("[^"]*"|\{[^}]*\})/.exec(body)?.[1];
}

async function importOne(engine: DockerEngine, image: StackImage, timeoutMs: number): Promise<void> {
  const [repo, tag] = image.localRef.split(":");
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const imported = await drain(
      (await engine.docker.importImage(
        createReadStream(image.tarball) as unknown as string,
        { repo, tag, changes: image.changes, abortSignal: abort.signal } as object,
      )) as NodeJS.ReadableStream,
    );
    const importError = streamError(imported);
    if (importError) throw new Error(importError);
    if (image.buildInstructions.length) {
      // FROM a local image: the classic builder pulls nothing, and no RUN means no container runs.
      const context = tarArchive([
        { path: "Dockerfile", type: "file", mode: 0o644, content: Buffer.from(`FROM ${image.localRef}\n${image.buildInstructions.join("\n")}\n`) },
      ]);
      const built = await drain(
        (await engine.docker.buildImage(
          Readable.from([context]) as unknown as string,
          { t: image.localRef, pull: false, rm: true, forcerm: true, networkmode: "none", abortSignal: abort.signal } as object,
        )) as NodeJS.ReadableStream,
      );
      const buildError = streamError(built);
      if (buildError) throw new Error(`adding ${image.buildInstructions.join(", ")}: ${buildError}`);
    }
    await engine.docker.getImage(image.localRef).inspect();
  } catch (err) {
    const why = abort.signal.aborted ? `timed out after ${timeoutMs} ms` : (err as Error).message;
    throw new Error(`docker import of ${image.tarball} as ${image.localRef} failed: ${why}\n${engine.logTail(10)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Imports every image of `set` into `engine` (skipping one it already has); returns default
 * reference -> local reference.
 */
export async function importStackImages(engine: DockerEngine, set: StackImageSet, options: ImportOptions = {}): Promise<Record<string, string>> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? 180_000;
  const queue = [...set.images];
  const worker = async () => {
    for (let image = queue.shift(); image; image = queue.shift()) {
      const present = await engine.docker
        .getImage(image.localRef)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (present) {
        log(`image ${image.name}: ${image.localRef} already in the engine`);
        continue;
      }
      const started = Date.now();
      await importOne(engine, image, timeoutMs);
      log(`image ${image.name}: imported ${image.localRef} in ${Date.now() - started} ms`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 3, set.images.length)) }, worker));
  return Object.fromEntries(set.images.map((i) => [i.defaultRef, i.localRef]));
}
