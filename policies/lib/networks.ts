/** The stack's Docker networks by every name a workload may use for them (Docker name, ID, Pulumi name). */
import type { ResourceView } from "./define";
import { T } from "./docker";
import { namesOf } from "./swarm-objects";
import { asBool, get } from "./values";

export interface NetworkInfo {
  r: ResourceView;
  /** undefined when unknown at preview. */
  internal: boolean | undefined;
}

export function networkIndex(resources: readonly ResourceView[]): Map<string, NetworkInfo> {
  const index = new Map<string, NetworkInfo>();
  for (const r of resources.filter((x) => x.type === T.network)) {
    const internal = asBool(get(r.props, "internal"));
    const entry = { r, internal: internal.known ? (internal.value ?? false) : undefined };
    for (const n of namesOf(r)) index.set(n, entry);
  }
  return index;
}
