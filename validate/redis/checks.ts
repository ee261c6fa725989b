/**
 * Redis with `ioredis`: unauthenticated access refused (DEP-CACHE-01), set/get/expire
 * work (DEP-CACHE-02/03), persistence healthy (DEP-CACHE-03), memory under maxmemory
 * with the configured eviction policy (DEP-CACHE-04).
 */
import { randomUUID } from "node:crypto";
import Redis, { type RedisOptions } from "ioredis";
import { fail, pass, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import type { RedisTarget, VerifyTarget } from "../target";

function options(r: RedisTarget, password: string | undefined): RedisOptions {
  return {
    host: r.host,
    port: r.port,
    password,
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 2500,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
    connectionName: "mcp-post-deploy-verify",
  };
}

export async function withRedis<T>(r: RedisTarget, password: string | undefined, signal: AbortSignal, body: (c: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(options(r, password));
  // ioredis reports AUTH and connection failures as 'error' events and then only says the
  // connection is closed; the event carries the cause worth reporting (WRONGPASS, ECONNREFUSED).
  let cause: Error | undefined;
  client.on("error", (e: Error) => (cause ??= e));
  const onAbort = () => client.disconnect();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    return await body(client);
  } catch (e) {
    throw cause && !/NOAUTH/.test(String((e as Error).message)) ? cause : e;
  } finally {
    signal.removeEventListener("abort", onAbort);
    client.disconnect();
  }
}

/** INFO output as key -> value. */
export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export function connectFailure(r: RedisTarget, err: unknown) {
  const msg = errorMessage(err);
  const auth = /WRONGPASS|NOAUTH|invalid password/i.test(msg);
  return fail(`Redis ${r.host}:${r.port}: ${msg}`, {
    cause: err,
    expected: "an authenticated connection",
    actual: msg,
    remediation: auth
      ? "The password does not match the stack's redisPassword secret (requirepass / ACL in redis.conf)."
      : "Check that Redis is running and listens on the internal network.",
  });
}

export const redisAuthCheck: Check<VerifyTarget> = {
  id: "redis.auth",
  title: "Redis refuses unauthenticated clients and accepts the stack's password",
  checklistIds: ["DEP-CACHE-01"],
  needs: ["redis"],
  retries: 3,
  retryDelayMs: 300,
  async run({ redis }, { signal }) {
    let anonymous: string;
    try {
      anonymous = await withRedis(redis, undefined, signal, async (c) => String(await c.ping()));
    } catch (e) {
      anonymous = errorMessage(e);
    }
    if (!/NOAUTH|Authentication required/i.test(anonymous)) {
      if (anonymous === "PONG")
        return fail("Redis answered PING without a password", {
          expected: "NOAUTH Authentication required",
          actual: "PONG",
          remediation: "Set requirepass in redis.conf (infra/render/redis.ts).",
        });
      return connectFailure(redis, new Error(anonymous));
    }
    try {
      const pong = await withRedis(redis, redis.password, signal, async (c) => c.ping());
      return pass(`unauthenticated PING refused (NOAUTH); authenticated PING -> ${pong}`);
    } catch (e) {
      return connectFailure(redis, e);
    }
  },
};

export const redisOperationsCheck: Check<VerifyTarget> = {
  id: "redis.operations",
  title: "SET/GET/EXPIRE work",
  checklistIds: ["DEP-CACHE-02", "DEP-CACHE-03"],
  needs: ["redis"],
  retries: 2,
  async run({ redis }, { signal }) {
    try {
      return await withRedis(redis, redis.password, signal, async (c) => {
        const key = `mcp:verify:${randomUUID()}`;
        const value = randomUUID();
        try {
          await c.set(key, value, "EX", 30);
          const got = await c.get(key);
          const ttl = await c.ttl(key);
          if (got !== value)
            return fail("GET did not return the value just SET", { expected: "the value written", actual: got === null ? "nil" : "a different value" });
          if (ttl <= 0 || ttl > 30) return fail(`TTL of a key set with EX 30 is ${ttl}`, { expected: "1..30", actual: String(ttl) });
          // A short expiry must actually remove the key (sessions depend on it).
          await c.set(`${key}:short`, "1", "PX", 100);
          await new Promise((r) => setTimeout(r, 180));
          const expired = await c.exists(`${key}:short`);
          if (expired !== 0)
            return fail("a key set with PX 100 still exists after 180 ms", {
              expected: "expired",
              actual: "still present",
              remediation: "Check the server clock and hz setting.",
            });
          return pass(`SET/GET round trip, TTL ${ttl}s, 100 ms expiry honoured`, { measurements: { ttl } });
        } finally {
          await c.del(key, `${key}:short`).catch(() => undefined);
        }
      });
    } catch (e) {
      return connectFailure(redis, e);
    }
  },
};

export const redisPersistenceCheck: Check<VerifyTarget> = {
  id: "redis.persistence",
  title: "Persistence enabled and healthy",
  checklistIds: ["DEP-CACHE-03"],
  needs: ["redis"],
  retries: 2,
  async run({ redis }, { signal }) {
    try {
      const info = await withRedis(redis, redis.password, signal, async (c) => parseInfo(await c.info("persistence")));
      const aof = info.aof_enabled === "1";
      const measurements = {
        aofEnabled: aof,
        rdbLastBgsaveStatus: info.rdb_last_bgsave_status ?? "",
        aofLastWriteStatus: info.aof_last_write_status ?? "",
        loading: info.loading === "1",
      };
      const problems: string[] = [];
      if (info.loading === "1") problems.push("still loading the dataset");
      if (info.rdb_last_bgsave_status && info.rdb_last_bgsave_status !== "ok") problems.push(`rdb_last_bgsave_status:${info.rdb_last_bgsave_status}`);
      if (aof && info.aof_last_write_status !== "ok") problems.push(`aof_last_write_status:${info.aof_last_write_status}`);
      if (aof && info.aof_last_bgrewrite_status && info.aof_last_bgrewrite_status !== "ok")
        problems.push(`aof_last_bgrewrite_status:${info.aof_last_bgrewrite_status}`);
      if (!aof) problems.push("aof_enabled:0");
      if (problems.length > 0) {
        return fail(`Redis persistence unhealthy: ${problems.join(", ")}`, {
          expected: "aof_enabled:1, aof_last_write_status:ok, rdb_last_bgsave_status:ok",
          actual: problems.join(", "),
          remediation: "Enable appendonly in redis.conf and check the data volume is writable and not full.",
          measurements,
        });
      }
      return pass(`AOF on, last write ok; last RDB save ${info.rdb_last_bgsave_status ?? "n/a"}`, { measurements });
    } catch (e) {
      return connectFailure(redis, e);
    }
  },
};

export const redisMemoryCheck: Check<VerifyTarget> = {
  id: "redis.memory",
  title: "Memory under maxmemory with the configured eviction policy",
  checklistIds: ["DEP-CACHE-04"],
  needs: ["redis"],
  retries: 2,
  async run({ redis }, { signal }) {
    try {
      const info = await withRedis(redis, redis.password, signal, async (c) => parseInfo(await c.info("memory")));
      const used = Number(info.used_memory);
      const max = Number(info.maxmemory);
      const policy = info.maxmemory_policy ?? "";
      const usedPercent = max > 0 ? Math.round((used / max) * 1000) / 10 : NaN;
      const measurements = { usedBytes: used, maxmemoryBytes: max, usedPercent: Number.isNaN(usedPercent) ? "n/a" : usedPercent, policy };
      if (!(max > 0))
        return fail("maxmemory is not set", {
          expected: "maxmemory > 0 (mcp:redis.maxmemoryMb)",
          actual: String(info.maxmemory),
          remediation: "Set maxmemory below the container's memory limit.",
          measurements,
        });
      if (policy !== redis.maxmemoryPolicy)
        return fail(`maxmemory-policy is ${policy}`, {
          expected: redis.maxmemoryPolicy,
          actual: policy,
          remediation: "Set maxmemory-policy as mcp:redis.maxmemoryPolicy says.",
          measurements,
        });
      if (usedPercent >= redis.maxMemoryPercent)
        return fail(`Redis uses ${usedPercent}% of maxmemory`, {
          expected: `below ${redis.maxMemoryPercent}%`,
          actual: `${usedPercent}%`,
          remediation: "Raise mcp:redis.maxmemoryMb or look for keys without TTL.",
          measurements,
        });
      return pass(`${usedPercent}% of maxmemory used (${Math.round(used / 1024)} KiB of ${Math.round(max / 1048576)} MiB), policy ${policy}`, { measurements });
    } catch (e) {
      return connectFailure(redis, e);
    }
  },
};
