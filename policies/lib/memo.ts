/**
 * Parse results keyed by the text parsed. Several policies read the same rendered file
 * (nginx.conf, rule files) on every Analyze call; parsing once per distinct text keeps the
 * pack fast. Bounded, and callers only read the results.
 */
export function memoByText<T>(fn: (text: string) => T, max = 32): (text: string) => T {
  const cache = new Map<string, { ok: true; value: T } | { ok: false; error: unknown }>();
  return (text: string) => {
    let hit = cache.get(text);
    if (!hit) {
      try {
        hit = { ok: true, value: fn(text) };
      } catch (error) {
        hit = { ok: false, error };
      }
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(text, hit);
    }
    if (!hit.ok) throw hit.error;
    return hit.value;
  };
}
