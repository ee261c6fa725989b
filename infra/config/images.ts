/**
 * Docker image references: parsing and the pinning rule shared by config validation
 * and the policy pack (one definition of "pinned").
 */
export interface ImageRef {
  /** Registry host, or undefined for Docker Hub. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const REF =
  /^(?:(?<registry>[a-zA-Z0-9.-]+(?::\d+)?|localhost(?::\d+)?)\/)?(?<repo>[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

export function parseImageRef(ref: string): ImageRef | undefined {
  const m = REF.exec(ref);
  if (!m?.groups) return undefined;
  let registry: string | undefined = m.groups.registry;
  let repository = m.groups.repo;
  // "library/redis" style: a first segment without a dot or port is a Docker Hub namespace.
  if (registry && !/[.:]/.test(registry) && registry !== "localhost") {
    repository = `${registry}/${repository}`;
    registry = undefined;
  }
  return { registry, repository, tag: m.groups.tag, digest: m.groups.digest };
}

/** Why a reference is not acceptably pinned, or undefined when it is. */
export function imageRefProblem(ref: string): string | undefined {
  const parsed = parseImageRef(ref);
  if (!parsed) return `"${ref}" is not a valid image reference`;
  if (!parsed.tag && !parsed.digest) return `"${ref}" has no tag: pin a version (e.g. ${ref}:1.2.3)`;
  if (parsed.tag === "latest") return `"${ref}" uses :latest: pin a version`;
  return undefined;
}

/** Registry host an image is pulled from (docker.io when none is given). */
export function imageRegistry(ref: string): string {
  return parseImageRef(ref)?.registry ?? "docker.io";
}
