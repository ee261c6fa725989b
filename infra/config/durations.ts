/** Prometheus-style durations ("15s", "6h", "30d") as seconds. */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

export function durationSeconds(d: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(d);
  if (!m) throw new Error(`invalid duration "${d}"`);
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}
