/**
 * redis.hit-ratio (FUN-PERF-03) and postgres.seq-scans (FUN-PERF-02) on the real Redis and
 * PostgreSQL of the loopback stack, with the traffic each judges made here: a cold cache skips
 * saying how many lookups it still needs, a warm one passes, a cache that mostly misses fails
 * with the ratio; a big table read by sequential scans fails naming it, and passes once the
 * queries go through an index.
 */
import Redis from "ioredis";
import { CACHE_MIN_LOOKUPS, SEQ_SCAN_MIN_ROWS } from "../../checklist/thresholds";
import { runChecks } from "../../validate/core/runner";
import { pgConfig, withPg } from "../../validate/postgres/connect";
import { postgresSeqScansCheck } from "../../validate/postgres/query-plans";
import { redisHitRatioCheck } from "../../validate/redis/hit-ratio";
import { startLocalStack, type LocalStack } from "../../testing/stack";

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const one = async (check: typeof redisHitRatioCheck) => (await runChecks([check], stack.target, { secrets: stack.secrets, progress: false }))[0];

async function redisLookups(hits: number, misses: number): Promise<void> {
  const r = stack.target.redis;
  const c = new Redis({ host: r.host, port: r.port, password: r.password, lazyConnect: true, maxRetriesPerRequest: 0 });
  await c.connect();
  try {
    await c.config("RESETSTAT");
    await c.set("perf:hit", "1");
    const p = c.pipeline();
    for (let i = 0; i < hits; i++) p.get("perf:hit");
    for (let i = 0; i < misses; i++) p.get(`perf:miss:${i}`);
    await p.exec();
  } finally {
    c.disconnect();
  }
}

describe("redis.hit-ratio", () => {
  test("a cold cache: skipped, saying how many lookups it has and needs", async () => {
    await redisLookups(10, 5);
    const r = await one(redisHitRatioCheck);
    expect(r.status).toBe("skip");
    expect(r.message).toBe(`too few lookups to judge the hit ratio yet: 15 of the ${CACHE_MIN_LOOKUPS} needed (run verify again after real traffic)`);
  });
  test("90 % hits: pass", async () => {
    await redisLookups(1800, 200);
    const r = await one(redisHitRatioCheck);
    expect([r.status, r.message]).toEqual(["pass", "cache hit ratio 90.0 % over 2000 lookups"]);
  });
  test("50 % hits: fail with the ratio and the counts", async () => {
    await redisLookups(1000, 1000);
    const r = await one(redisHitRatioCheck);
    expect([r.status, r.message]).toEqual(["fail", "cache hit ratio 50.0 % (1000 hits of 2000 lookups), expected at least 80 %"]);
  });
});

describe("postgres.seq-scans", () => {
  const sql = (q: string) => withPg(pgConfig(stack.target.postgres, "app", true), AbortSignal.timeout(30_000), (c) => c.query(q));

  test("no big table: pass; a big table scanned whole fails naming it; through an index it passes", async () => {
    expect(await one(postgresSeqScansCheck)).toMatchObject({ status: "pass", message: `no table of ${SEQ_SCAN_MIN_ROWS}+ rows yet` });
    await sql(`CREATE TABLE perf_orders (id bigint, customer int, total numeric)`);
    await sql(`INSERT INTO perf_orders SELECT g, g % 500, g * 1.5 FROM generate_series(1, ${SEQ_SCAN_MIN_ROWS * 2}) g`);
    await sql(`ANALYZE perf_orders`);
    for (let i = 0; i < 5; i++) await sql(`SELECT count(*) FROM perf_orders WHERE customer = ${i}`);
    // The statistics collector reports on its own schedule; ask it to flush this backend's counters.
    await sql(`SELECT pg_stat_force_next_flush()`).catch(() => undefined);
    const scanned = await one(postgresSeqScansCheck);
    expect(scanned.status).toBe("fail");
    expect(scanned.message).toMatch(/read mostly by sequential scans: public\.perf_orders \(20000 rows, \d+ sequential vs 0 index scans\)/);

    await sql(`CREATE INDEX perf_orders_customer ON perf_orders (customer)`);
    await sql(`ANALYZE perf_orders`);
    for (let i = 0; i < 30; i++) await sql(`SELECT count(*) FROM perf_orders WHERE customer = ${i}`);
    expect(await one(postgresSeqScansCheck)).toMatchObject({ status: "pass", message: "1 table(s) of 10000+ rows, all read mostly through indexes" });
  }, 60_000);
});
