/**
 * Thresholds of checklist rules that more than one layer judges (the stack schema, the policy
 * pack, the runtime checks): each lives here once, so a stack the schema accepts is one the
 * policy passes and the running edge is held to the same number.
 */

/**
 * SEC-NET-04: the smallest Strict-Transport-Security max-age, 180 days. Below it a browser
 * forgets the HTTPS-only rule between visits of an occasional user; it is also the floor
 * HSTS preload lists expect to grow from.
 */
export const HSTS_MIN_MAX_AGE_SECONDS = 180 * 86_400;

/**
 * FUN-PERF-03: the smallest cache hit ratio (keyspace hits over lookups), and the fewest lookups
 * the ratio is judged on: below that a fresh stack's handful of misses would read as a failure.
 */
export const CACHE_MIN_HIT_RATIO = 0.8;
export const CACHE_MIN_LOOKUPS = 1000;

/**
 * FUN-PERF-02: a table this large that is read by sequential scans more often than through an
 * index has queries without the index they need (a small table is cheaper to scan).
 */
export const SEQ_SCAN_MIN_ROWS = 10_000;
