/**
 * Resource properties as the engine hands them to a policy: plain JSON where a value that is
 * not known at preview is one of @pulumi/policy's sentinel strings (proxy.js). Rules read
 * properties through these helpers so an unknown is noticed and reported as "undecidable"
 * instead of throwing out of the rule or, worse, reading as absent and passing.
 */

/** The sentinels of @pulumi/policy/proxy.js (the engine's unknown encodings). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(v: unknown): boolean {
  return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}

/** Key @pulumi/policy's proxy answers with the raw target object. */
const PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * The plain object behind @pulumi/policy's unknown-checking proxy. Reading through the proxy
 * throws on the first unknown; rules want to see every unknown and report each one.
 */
export function unwrapProxy<T>(v: T): T {
  if (v && typeof v === "object") {
    const target = (v as Record<string, unknown>)[PROXY_TARGET];
    if (target && typeof target === "object") return target as T;
  }
  return v;
}

export type Props = Record<string, unknown>;

/** Property path reader: `get(props, "capabilities", "drops")`. Unknown anywhere on the path stays unknown. */
export function get(props: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = props;
  for (const key of path) {
    if (cur === undefined || cur === null || isUnknown(cur)) return cur;
    if (typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

export type Known<T> = { known: true; value: T } | { known: false };

export const UNKNOWN: { known: false } = { known: false };
export const known = <T>(value: T): Known<T> => ({ known: true, value });

export function asString(v: unknown): Known<string | undefined> {
  if (isUnknown(v)) return UNKNOWN;
  if (v === undefined || v === null) return known(undefined);
  return known(typeof v === "string" ? v : String(v));
}

export function asNumber(v: unknown): Known<number | undefined> {
  if (isUnknown(v)) return UNKNOWN;
  if (v === undefined || v === null || v === "") return known(undefined);
  const n = typeof v === "number" ? v : Number(v);
  return known(Number.isFinite(n) ? n : undefined);
}

export function asBool(v: unknown): Known<boolean | undefined> {
  if (isUnknown(v)) return UNKNOWN;
  if (v === undefined || v === null) return known(undefined);
  if (typeof v === "boolean") return known(v);
  if (typeof v === "string") return known(/^(true|1|yes|on)$/i.test(v.trim()));
  return known(Boolean(v));
}

/** An array input; `null`/absent reads as empty. Elements may still be unknown. */
export function asArray(v: unknown): Known<unknown[]> {
  if (isUnknown(v)) return UNKNOWN;
  if (v === undefined || v === null) return known([]);
  return known(Array.isArray(v) ? v : [v]);
}

export function asRecord(v: unknown): Known<Record<string, unknown>> {
  if (isUnknown(v)) return UNKNOWN;
  if (v === undefined || v === null || typeof v !== "object" || Array.isArray(v)) return known({});
  return known(v as Record<string, unknown>);
}
