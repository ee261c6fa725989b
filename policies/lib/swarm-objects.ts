/**
 * The stack's Docker configs and secrets, found the way a service references them: by Docker
 * name, by ID (in a resource's outputs once the engine knows it) or by Pulumi name. Only stack
 * policies see other resources, so only they can resolve what a service mounts.
 */
import type { ResourceView } from "./define";
import { T } from "./docker";
import { get, isUnknown } from "./values";

export interface SwarmObjectIndex {
  configs: Map<string, ResourceView>;
  secrets: Map<string, ResourceView>;
}

/** Every name a resource answers to: Docker name, ID (outputs), Pulumi name. */
export function namesOf(r: ResourceView): string[] {
  const out = [r.name];
  for (const key of ["name", "id"]) {
    const v = get(r.props, key);
    if (typeof v === "string" && v !== "" && !isUnknown(v)) out.push(v);
  }
  return out;
}

export function swarmObjectIndex(resources: readonly ResourceView[]): SwarmObjectIndex {
  const index: SwarmObjectIndex = { configs: new Map(), secrets: new Map() };
  for (const r of resources) {
    const map = r.type === T.serviceConfig ? index.configs : r.type === T.secret ? index.secrets : undefined;
    if (map) for (const n of namesOf(r)) map.set(n, r);
  }
  return index;
}

/** Content of a config or secret resource: `data` is base64 (the provider sends it as is), `dataRaw` plain. */
export function swarmObjectContent(r: ResourceView): { content: string | undefined; unknown: boolean } {
  const raw = get(r.props, "dataRaw");
  const data = get(r.props, "data");
  if (isUnknown(raw) || isUnknown(data)) return { content: undefined, unknown: true };
  if (typeof raw === "string") return { content: raw, unknown: false };
  if (typeof data === "string") return { content: Buffer.from(data, "base64").toString("utf8"), unknown: false };
  return { content: undefined, unknown: false };
}
