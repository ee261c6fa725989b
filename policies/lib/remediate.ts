/**
 * Edits for remediations: a rule's `remediate` gets a copy of the properties (define.ts) and
 * sets what is missing. A remediation only adds a missing safeguard; it never overwrites a
 * value someone chose, so a deliberate setting still reads as a violation for its owner to
 * decide on.
 */
import { isUnknown, unwrapProxy, type Props } from "./values";

/** Sets `path` in `props` (creating objects on the way) and returns `props`, or undefined when the path crosses an unknown or a non-object. */
export function setPath(props: Props, path: readonly string[], value: unknown): Props | undefined {
  let cur: Record<string, unknown> = props;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (next === undefined || next === null) cur[key] = {};
    else if (isUnknown(next) || typeof next !== "object" || Array.isArray(next)) return undefined;
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
  return props;
}

/** As setPath, only where nothing is set yet. */
export function fillPath(props: Props, path: readonly string[], value: unknown): Props | undefined {
  let cur: unknown = props;
  for (const key of path) cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[key] : undefined;
  return cur === undefined ? setPath(props, path, value) : props;
}

/**
 * A deep copy of properties as the engine's proxies hand them over: structuredClone refuses
 * proxies and class instances, and the engine reads back plain objects anyway.
 */
export function plainCopy<T>(v: T): T {
  const raw = unwrapProxy(v);
  if (Array.isArray(raw)) return raw.map(plainCopy) as T;
  if (raw && typeof raw === "object") return Object.fromEntries(Object.entries(raw).map(([k, x]) => [k, plainCopy(x)])) as T;
  return raw;
}
