/**
 * FUN-PERF-03 (cache hit ratio > 80 %), from Redis' own counters: keyspace hits over lookups
 * since it started (INFO stats). Until it has served CACHE_MIN_LOOKUPS lookups the check skips
 * saying so: a fresh stack's first misses say nothing about the cache.
 */
import { CACHE_MIN_HIT_RATIO, CACHE_MIN_LOOKUPS } from "../../checklist/thresholds";
import { fail, pass, skip, type Check } from "../core/types";
import type { VerifyTarget } from "../target";
import { connectFailure, parseInfo, withRedis } from "./checks";

export const redisHitRatioCheck: Check<VerifyTarget> = {
  id: "redis.hit-ratio",
  title: `Cache hit ratio at least ${CACHE_MIN_HIT_RATIO * 100} % (Redis keyspace hits over lookups)`,
  checklistIds: ["FUN-PERF-03", "SIGN-TECH-02"],
  needs: ["redis"],
  async run({ redis }, { signal }) {
    let info: Record<string, string>;
    try {
      info = await withRedis(redis, redis.password, signal, async (c) => parseInfo(await c.info("stats")));
    } catch (e) {
      return connectFailure(redis, e);
    }
    const hits = Number(info.keyspace_hits);
    const misses = Number(info.keyspace_misses);
    if (!Number.isFinite(hits) || !Number.isFinite(misses))
      return fail("INFO stats has no keyspace_hits / keyspace_misses", { expected: "both counters", actual: Object.keys(info).join(", ").slice(0, 200) });
    const lookups = hits + misses;
    const measurements = { hits, misses, lookups };
    if (lookups < CACHE_MIN_LOOKUPS)
      return skip(`too few lookups to judge the hit ratio yet: ${lookups} of the ${CACHE_MIN_LOOKUPS} needed (run verify again after real traffic)`, {
        measurements,
      });
    const ratio = hits / lookups;
    const pct = `${(ratio * 100).toFixed(1)} %`;
    if (ratio < CACHE_MIN_HIT_RATIO)
      return fail(`cache hit ratio ${pct} (${hits} hits of ${lookups} lookups), expected at least ${CACHE_MIN_HIT_RATIO * 100} %`, {
        expected: `>= ${CACHE_MIN_HIT_RATIO * 100} %`,
        actual: pct,
        remediation:
          "Look at what the app reads before it writes (keys read once and never cached), TTLs shorter than the reuse interval, and evictions (INFO stats evicted_keys) against maxmemory.",
        measurements: { ...measurements, ratio: Number(ratio.toFixed(4)) },
      });
    return pass(`cache hit ratio ${pct} over ${lookups} lookups`, { measurements: { ...measurements, ratio: Number(ratio.toFixed(4)) } });
  },
};
