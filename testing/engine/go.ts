/**
 * The few Go standard-library behaviours the Docker provider's mapping depends on, so the
 * applier parses exactly what the provider parses (and fails where it fails):
 *
 * - `time.ParseDuration` (every duration field of the service: healthcheck, restart policy,
 *   update/rollback config, stop grace period, converge config);
 * - `base64.StdEncoding.DecodeString` (secret and config `data`): padded standard alphabet,
 *   NOT the URL-safe one the schema's description names, `\r`/`\n` skipped;
 * - the swarm API's JSON encoding of `time.Duration` (int64 nanoseconds).
 */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's time.ParseDuration: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or "0". Returns nanoseconds, or
 * undefined where Go returns an error (the provider mostly ignores that error and uses 0).
 */
export function parseGoDuration(s: string): number | undefined {
  if (s === "0" || s === "+0" || s === "-0") return 0;
  const m = /^([-+]?)(.+)$/.exec(s);
  if (!m || m[2] === "") return undefined;
  const sign = m[1] === "-" ? -1 : 1;
  let rest = m[2];
  let total = 0;
  // Bounded: every pass consumes at least one character of the string.
  while (rest.length > 0) {
    const part = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(rest);
    if (!part) return undefined;
    const [whole, int, frac, unit] = part;
    // Go requires a digit before or after the dot ("." alone is invalid).
    if (int === "" && (frac === undefined || frac === "")) return undefined;
    const ns = UNIT_NS[unit];
    if (ns === undefined) return undefined;
    total += Number(`${int || "0"}.${frac || "0"}`) * ns;
    rest = rest.slice(whole.length);
  }
  return sign * Math.round(total);
}

/** The provider's `x, _ = time.ParseDuration(v)`: an unparsable (or empty) string becomes 0. */
export function goDurationOrZero(s: string): number {
  return parseGoDuration(s) ?? 0;
}

/**
 * Go's base64.StdEncoding.DecodeString: standard alphabet with `=` padding required; carriage
 * returns and newlines are ignored; anything else (URL-safe `-`/`_`, missing padding, spaces)
 * is an error. Returns undefined on error.
 */
export function decodeGoStdBase64(s: string): Buffer | undefined {
  const clean = s.replace(/[\r\n]/g, "");
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) return undefined;
  return Buffer.from(clean, "base64");
}

/** Go's `strconv.ParseFloat(v, 64)` as the provider uses it (`value, _ :=`): 0 on error. */
export function goParseFloatOrZero(s: string): number {
  const t = s.trim() === s ? s : "";
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?(?:inf|infinity|nan)$/i.test(t)) return 0;
  const n = Number(t.replace(/^([-+]?)inf(inity)?$/i, "$1Infinity"));
  return Number.isNaN(n) && !/nan/i.test(t) ? 0 : n;
}
