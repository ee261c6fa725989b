/** Durations as Docker and nginx spell them, in seconds; undefined when the text is not one. */

/** Docker durations ("15s", "1m30s", "500ms"). */
export function dockerDurationSeconds(d: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(d))) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0].length;
  }
  return consumed === d.length && consumed > 0 ? total : undefined;
}

/** nginx's time units, largest first. Months and years are refused in millisecond directives (ngx_parse_time). */
const NGINX_UNITS: readonly (readonly [string, number])[] = [
  ["w", 7 * 86400],
  ["d", 86400],
  ["h", 3600],
  ["m", 60],
  ["s", 1],
  ["ms", 0.001],
];

/**
 * Time values of nginx's millisecond directives (proxy_read_timeout and the like): "60s",
 * "1h 30m", "1h30m", "500ms", "90" (seconds). Whole numbers with a unit each, units from largest
 * to smallest and each once, a bare number only last, spaces between parts. What nginx refuses
 * at startup is refused here too; the rarer spellings nginx also takes ("10 20") are not read.
 */
export function nginxTimeSeconds(text: string): number | undefined {
  if (text === "" || /^\s/.test(text)) return undefined;
  const parts = text.trimEnd().split(/\s+|(?<=[a-zA-Z])(?=\d)/);
  let total = 0;
  let lastRank = -1;
  for (const [i, part] of parts.entries()) {
    const m = /^(\d+)(ms|[wdhms])?$/.exec(part);
    if (!m) return undefined;
    if (m[2] === undefined) {
      if (i !== parts.length - 1) return undefined;
      total += Number(m[1]);
      continue;
    }
    const rank = NGINX_UNITS.findIndex(([u]) => u === m[2]);
    if (rank <= lastRank) return undefined;
    lastRank = rank;
    total += Number(m[1]) * NGINX_UNITS[rank][1];
  }
  return total;
}
