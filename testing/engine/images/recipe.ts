/**
 * What a recipe produces (a planned root filesystem plus the image config the upstream
 * Dockerfile sets) and how that config travels to the engine: as Dockerfile instructions in
 * the `changes` parameter of `docker import`, and, for the one instruction Docker 20.10's
 * import refuses (STOPSIGNAL: "stopsignal is not a valid change command"), in a one-line
 * build FROM the imported image, which adds no layer.
 */
import type { ServiceName } from "../../../infra/config/schema";
import type { ImageTree } from "./tree";

export interface ImageConfig {
  /** USER; absent means root, as in an upstream image that sets none. */
  user?: string;
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  /** ENV, in order; PATH belongs here: an imported image has no environment of its own. */
  env: Readonly<Record<string, string>>;
  workdir?: string;
  volumes?: readonly string[];
  expose?: readonly string[];
  stopSignal?: string;
  labels?: Readonly<Record<string, string>>;
}

export interface ImagePlan {
  tree: ImageTree;
  config: ImageConfig;
  /** Debian packages the tree draws from; their versions are part of the image's hash. */
  packages: readonly string[];
  /** Other inputs that decide the content (e.g. node's version), for the hash. */
  inputs?: Readonly<Record<string, string>>;
}

export interface RecipeContext {
  log: (line: string) => void;
}

export interface Recipe {
  /** Short name: the local reference is mcp-engine/<name>:<hash12>. */
  name: string;
  /** The service whose default image (DEFAULT_IMAGES) this stands in for. */
  service: ServiceName;
  plan(ctx: RecipeContext): Promise<ImagePlan>;
}

const json = (v: unknown) => JSON.stringify(v);

function envValue(v: string): string {
  // Dockerfile ENV key=value: quote so spaces and quotes survive the instruction parser.
  return json(v);
}

/** The config as `docker import --change` instructions (Docker 20.10 accepts each of these). */
export function importChanges(config: ImageConfig): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config.env)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`ENV name ${k} is not a valid variable name`);
    out.push(`ENV ${k}=${envValue(v)}`);
  }
  for (const [k, v] of Object.entries(config.labels ?? {})) out.push(`LABEL ${json(k)}=${json(v)}`);
  if (config.user) out.push(`USER ${config.user}`);
  if (config.workdir) out.push(`WORKDIR ${config.workdir}`);
  for (const p of config.expose ?? []) out.push(`EXPOSE ${p}`);
  if (config.volumes?.length) out.push(`VOLUME ${json(config.volumes)}`);
  // Exec form: no shell is implied, which matters for the image that has none.
  if (config.entrypoint) out.push(`ENTRYPOINT ${json(config.entrypoint)}`);
  if (config.cmd) out.push(`CMD ${json(config.cmd)}`);
  return out;
}

/** Instructions an import cannot carry, for a build FROM the imported image (empty: none needed). */
export function buildOnlyInstructions(config: ImageConfig): string[] {
  if (config.stopSignal && !/^SIG[A-Z0-9]+$/.test(config.stopSignal)) throw new Error(`STOPSIGNAL ${config.stopSignal} is not a signal name`);
  return config.stopSignal ? [`STOPSIGNAL ${config.stopSignal}`] : [];
}
