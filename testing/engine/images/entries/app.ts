/**
 * The program of the app image (stand-in for ghcr.io/mcp-platform/mcp-gateway): the app
 * contract served by testing/stand-ins/app.ts, configured from the environment
 * infra/components/app.ts appEnv() sets, with what a real gateway does around it:
 *
 * - secrets only from the files the *_FILE variables name (a missing or unreadable file
 *   ends the start, naming the variable, never the content);
 * - PostgreSQL over TLS (DATABASE_SSLMODE, verify-full by default, against
 *   DATABASE_SSLROOTCERT) and Redis with the password from its file;
 * - at start, like a migration tool: the migrations table (MIGRATIONS_TABLE, default from the
 *   app contract) and the servers table, under an advisory lock so replicas do not race;
 * - registered servers in PostgreSQL, so every replica lists the same ones;
 * - health 200 only while PostgreSQL and Redis both answer (and migrations are done);
 * - the MCP endpoint of testing/stand-ins/mcp-server.ts (the official SDK's server) in this
 *   process, sessions shared with the other replicas through Redis, one audit line per
 *   tools/call on stdout.
 *
 * Bundled by esbuild into the image (recipes/app.ts); __APP_CONTRACT_DEFAULTS__ and
 * __APP_VERSION__ are filled in at bundle time.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { Pool, type PoolConfig } from "pg";
import Redis from "ioredis";
import {
  redisSessionDirectory,
  startAppStandIn,
  type AppContractSettings,
  type HealthReport,
  type ServerEntry,
  type ServerStore,
} from "../../../stand-ins/app";

declare const __APP_CONTRACT_DEFAULTS__: AppContractSettings & { port: number; migrationsTable: string };
declare const __APP_VERSION__: string;

const DEFAULTS = __APP_CONTRACT_DEFAULTS__;
const instance = process.env.INSTANCE_ID ?? "app";

function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
  const line =
    process.env.LOG_FORMAT === "json"
      ? JSON.stringify({ time: new Date().toISOString(), level, instance, msg, ...fields })
      : `${new Date().toISOString()} ${level} ${msg}${Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ""}`;
  process.stderr.write(`${line}\n`);
}

function fail(msg: string): never {
  log("error", msg);
  process.exit(1);
}

function setting(name: string, fallback?: string): string {
  const v = process.env[name];
  if (v !== undefined && v !== "") return v;
  if (fallback !== undefined) return fallback;
  return fail(`${name} is not set`);
}

function intSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = setting(name, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name}=${raw} must be a whole number in ${min}..${max}`);
  return n;
}

/** The content of the file `name` points at; the start fails naming the variable and path. */
function secretFromFile(name: string): string {
  const path = setting(name);
  let value: string;
  try {
    value = readFileSync(path, "utf8");
  } catch (err) {
    return fail(`${name} names ${path}, which cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  value = value.replace(/\r?\n$/, "");
  if (!value) fail(`${name} names ${path}, which is empty`);
  return value;
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });

function tlsFor(host: string): PoolConfig["ssl"] {
  const mode = setting("DATABASE_SSLMODE", "verify-full");
  if (mode === "disable") return false;
  if (mode === "require") return { rejectUnauthorized: false };
  if (mode !== "verify-ca" && mode !== "verify-full") fail(`DATABASE_SSLMODE=${mode} is not one of disable, require, verify-ca, verify-full`);
  const caPath = setting("DATABASE_SSLROOTCERT");
  let ca: string;
  try {
    ca = readFileSync(caPath, "utf8");
  } catch (err) {
    return fail(`DATABASE_SSLROOTCERT names ${caPath}, which cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return {
    ca,
    rejectUnauthorized: true,
    ...(isIP(host) ? {} : { servername: host }),
    // verify-ca trusts the chain but not the name, as libpq does.
    ...(mode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
  };
}

const SERVERS_TABLE = "mcp_servers";
/** Applied in order, each once; the version is what the migrations table records. */
const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 20260101000000,
    sql: `CREATE TABLE IF NOT EXISTS ${SERVERS_TABLE} (id uuid PRIMARY KEY, name text NOT NULL, url text NOT NULL, transport text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  },
  { version: 20260201000000, sql: `CREATE INDEX IF NOT EXISTS ${SERVERS_TABLE}_created_at ON ${SERVERS_TABLE} (created_at)` },
];
/** Advisory lock key the replicas serialise their migrations on. */
const MIGRATION_LOCK = 727_001;

async function migrate(pool: Pool, table: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (version bigint PRIMARY KEY, dirty boolean NOT NULL DEFAULT false)`);
    const done = new Set((await client.query<{ version: string }>(`SELECT version FROM ${table}`)).rows.map((r) => Number(r.version)));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${table} (version) VALUES ($1)`, [m.version]);
      applied++;
    }
    await client.query("COMMIT");
    return applied;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function postgresStore(pool: Pool): ServerStore {
  const row = (r: { id: string; name: string; url: string; transport: string; created_at: Date }): ServerEntry => ({
    id: r.id,
    name: r.name,
    url: r.url,
    transport: r.transport,
    createdAt: r.created_at.toISOString(),
  });
  return {
    async list() {
      return (await pool.query(`SELECT id, name, url, transport, created_at FROM ${SERVERS_TABLE} ORDER BY created_at, id`)).rows.map(row);
    },
    async add(e) {
      await pool.query(`INSERT INTO ${SERVERS_TABLE} (id, name, url, transport, created_at) VALUES ($1, $2, $3, $4, $5)`, [
        e.id,
        e.name,
        e.url,
        e.transport,
        e.createdAt,
      ]);
    },
    async remove(id) {
      // Not a uuid: it cannot be one of ours (and must not reach the cast as an error).
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return false;
      return ((await pool.query(`DELETE FROM ${SERVERS_TABLE} WHERE id = $1`, [id])).rowCount ?? 0) > 0;
    },
    async count() {
      return Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${SERVERS_TABLE}`)).rows[0].n);
    },
  };
}

async function main(): Promise<void> {
  if (process.argv.includes("--version")) {
    process.stdout.write(`mcp-gateway stand-in ${__APP_VERSION__} (node ${process.version})\n`);
    return;
  }
  const migrationsTable = setting("MIGRATIONS_TABLE", DEFAULTS.migrationsTable);
  if (!/^[a-z_][a-z0-9_]*$/.test(migrationsTable)) fail(`MIGRATIONS_TABLE=${migrationsTable} must match ^[a-z_][a-z0-9_]*$`);
  const contract: AppContractSettings = {
    healthPath: setting("HEALTH_PATH", DEFAULTS.healthPath),
    authPath: setting("AUTH_PATH", DEFAULTS.authPath),
    listServersPath: setting("LIST_SERVERS_PATH", DEFAULTS.listServersPath),
    createServerPath: setting("CREATE_SERVER_PATH", DEFAULTS.createServerPath),
    metricsPath: setting("METRICS_PATH", DEFAULTS.metricsPath),
    mcpPath: setting("MCP_PATH", DEFAULTS.mcpPath),
    jwtIssuer: setting("JWT_ISSUER", DEFAULTS.jwtIssuer),
    jwtAudience: setting("JWT_AUDIENCE", DEFAULTS.jwtAudience),
    resourceMetadataPath: setting("RESOURCE_METADATA_PATH", DEFAULTS.resourceMetadataPath),
    protocolVersions: setting("MCP_PROTOCOL_VERSIONS", DEFAULTS.protocolVersions.join(","))
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean),
    toolCallTimeoutSeconds: intSetting("TOOL_CALL_TIMEOUT_SECONDS", DEFAULTS.toolCallTimeoutSeconds, 1, 3600),
  };
  const port = intSetting("PORT", DEFAULTS.port, 1, 65535);
  const publicUrl = setting("PUBLIC_URL");
  if (!/^https?:\/\/[^/]+$/.test(publicUrl)) fail(`PUBLIC_URL=${publicUrl} must be a scheme and host, e.g. https://mcp.example.com`);

  const jwtSigningKey = secretFromFile("JWT_SECRET_FILE");
  const dbHost = setting("DATABASE_HOST");
  const pool = new Pool({
    host: dbHost,
    port: intSetting("DATABASE_PORT", 5432, 1, 65535),
    database: setting("DATABASE_NAME"),
    user: setting("DATABASE_USER"),
    password: secretFromFile("DATABASE_PASSWORD_FILE"),
    ssl: tlsFor(dbHost),
    max: intSetting("DATABASE_POOL_MAX", 10, 1, 1000),
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    query_timeout: 5000,
    application_name: `mcp-gateway ${instance}`,
  });
  let lastDbError = "";
  pool.on("error", (err) => {
    // An idle connection dropped (server restart): the pool opens a new one on demand.
    if (err.message !== lastDbError) log("warn", "database connection lost", { error: err.message });
    lastDbError = err.message;
  });
  const redis = new Redis({
    host: setting("REDIS_HOST"),
    port: intSetting("REDIS_PORT", 6379, 1, 65535),
    password: secretFromFile("REDIS_PASSWORD_FILE"),
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    // Fail fast while disconnected: health must say so at once instead of queueing.
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
  let lastRedisError = "";
  redis.on("error", (err: Error) => {
    if (err.message !== lastRedisError) log("warn", "redis unavailable", { error: err.message });
    lastRedisError = err.message;
  });
  redis.on("ready", () => {
    if (lastRedisError) log("info", "redis connected");
    lastRedisError = "";
  });

  let migrated = false;
  const health = async (): Promise<HealthReport> => {
    const [db, cache] = await Promise.allSettled([withTimeout(pool.query("SELECT 1"), 2000, "PostgreSQL"), withTimeout(redis.ping(), 2000, "Redis")]);
    const checks: Record<string, string> = {
      database: db.status === "fulfilled" ? "ok" : (db.reason as Error).message,
      cache:
        cache.status === "fulfilled" && cache.value === "PONG"
          ? "ok"
          : cache.status === "rejected"
            ? (cache.reason as Error).message
            : `unexpected answer ${String(cache.value)}`,
      migrations: migrated ? "ok" : "pending",
    };
    return { ok: Object.values(checks).every((v) => v === "ok"), checks };
  };

  let stopping = false;

  const app = await startAppStandIn({
    contract,
    jwtSigningKey,
    publicUrl,
    instance,
    store: postgresStore(pool),
    sessions: redisSessionDirectory(redis, () => {
      // This replica's address on the stack network: the one its Redis connection leaves from, which the other replicas reach too.
      const addr = (redis as unknown as { stream?: { localAddress?: string } }).stream?.localAddress;
      return addr ? `${addr}:${port}` : undefined;
    }),
    health,
    host: "0.0.0.0",
    port,
  });
  // Test-only: the stand-in's fault switches (testing/stand-ins/app.ts AppFaults), so a check is seen to fail on the real engine.
  const faults = process.env.STAND_IN_FAULTS;
  if (faults) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(faults);
    } catch {
      fail("STAND_IN_FAULTS is not JSON");
    }
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (!(k in app.faults) || typeof v !== typeof (app.faults as unknown as Record<string, unknown>)[k])
        fail(`STAND_IN_FAULTS: unknown fault or wrong type: ${k}`);
      (app.faults as unknown as Record<string, unknown>)[k] = v;
    }
    log("warn", "fault switches on", { faults: Object.keys(parsed as object) });
  }
  log("info", "listening", { port, mcpPath: contract.mcpPath, healthPath: contract.healthPath });

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("info", "shutting down", { signal });
    const hard = setTimeout(() => process.exit(0), 5000);
    hard.unref();
    void Promise.allSettled([app.stop(), pool.end(), redis.quit()]).then(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  // Migrations wait for the database like a migration tool would, for a bounded time; past
  // it the process exits and the orchestrator starts it again.
  const deadline = Date.now() + intSetting("MIGRATIONS_WAIT_SECONDS", 600, 1, 86_400) * 1000;
  for (let attempt = 1; !stopping; attempt++) {
    try {
      const applied = await migrate(pool, migrationsTable);
      migrated = true;
      log("info", "migrations complete", { table: migrationsTable, applied });
      break;
    } catch (err) {
      if (Date.now() > deadline) fail(`migrations did not run before the deadline: ${(err as Error).message}`);
      if (attempt === 1 || attempt % 10 === 0) log("warn", "database not ready for migrations, retrying", { attempt, error: (err as Error).message });
      await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5000)));
    }
  }
}

main().catch((err: Error) => fail(`start failed: ${err.message}`));
