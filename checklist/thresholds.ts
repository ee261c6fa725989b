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
