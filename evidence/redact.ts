/**
 * Redaction of known secret values: the runner's second line of defence. Checks are
 * written never to echo a secret, but a library error message can (a connection string
 * in a driver error, a header in an HTTP error), so every string that leaves the runner
 * goes through here.
 */

export const REDACTED = "[redacted]";

/**
 * Secrets shorter than this are not redacted: replacing a 2-character string everywhere
 * would destroy the report and a value that short is no secret anyway.
 */
const MIN_SECRET_LENGTH = 6;

/** The forms a value commonly takes in an error message or URL. */
function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  out.add(encodeURIComponent(secret));
  out.add(Buffer.from(secret, "utf8").toString("base64"));
  out.add(Buffer.from(secret, "utf8").toString("base64url"));
  out.add(JSON.stringify(secret).slice(1, -1));
  return [...out].filter((v) => v.length >= MIN_SECRET_LENGTH);
}

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly (string | undefined | null)[]): Redactor {
  const needles = [...new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH).flatMap(variants))]
    // Longest first, so a secret containing another is replaced whole.
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const n of needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  };
}

function redactValue(value: unknown, redact: Redactor): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redact));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactValue(v, redact)]));
  return value;
}

/** Redacts every string inside a JSON-like value (objects, arrays), keys included; the shape stays. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  return redactValue(value, redact) as T;
}
