/** The stack's Docker networks by every name a container may use for them. */
import type { ResourceView } from "./define";
import { T } from "./docker";
import { asBool, get, isUnknown } from "./values";

export interface NetworkInfo {
  r: ResourceView;
  /** undefined when unknown at preview. */
  internal: boolean | undefined;
}

export function networkIndex(resources: readonly ResourceView[]): Map<string, NetworkInfo> {
  const index = new Map<string, NetworkInfo>();
  for (const r of resources.filter((x) => x.type === T.network)) {
    const internal = asBool(get(r.props, "internal"));
    const entry = { r, internal: internal.known ? internal.value ?? false : undefined };
    const name = get(r.props, "name");
    if (typeof name === "string" && !isUnknown(name)) index.set(name, entry);
    index.set(r.name, entry);
  }
  return index;
}
