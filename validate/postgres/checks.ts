/**
 * PostgreSQL over TLS with `pg`: the connection is encrypted (pg_stat_ssl) and plain
 * connections are refused (SEC-DATA-01, DEP-DB-01), migrations are applied (DEP-DB-02),
 * concurrent connections work with headroom under max_connections (DEP-DB-03), the
 * backup role connects (DEP-DB-04), and the server log shows no authentication failures
 * (DEP-DB-05).
 */
import { escapeIdentifier } from "pg";
import { fail, pass, skip, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import type { VerifyTarget } from "../target";
import { pgConfig, withPg } from "./connect";

const where = (p: VerifyTarget["postgres"]) => `${p.servername} (${p.host}:${p.port})`;

export function connectFailure(p: VerifyTarget["postgres"], user: string, err: unknown) {
  const msg = errorMessage(err);
  const auth = /password authentication failed|authentication failed/i.test(msg);
  return fail(`cannot connect to PostgreSQL ${where(p)} as ${user}: ${msg}`, {
    cause: err,
    expected: `a TLS connection as ${user} to database ${p.database}`,
    actual: msg,
    remediation: auth
      ? "The password does not match: the stack's secret and the database role disagree (re-run pulumi up, or reset the role's password from the secret file)."
      : "Check that PostgreSQL is running, listens on the internal network and has ssl=on with the stack's certificate.",
  });
}

export const postgresTlsCheck: Check<VerifyTarget> = {
  id: "postgres.tls",
  title: "PostgreSQL connections are TLS-encrypted; plain connections are refused",
  checklistIds: ["SEC-DATA-01", "DEP-DB-01"],
  needs: ["postgres"],
  retries: 3,
  retryDelayMs: 300,
  async run({ postgres: p }, { signal }) {
    let row: { ssl: boolean; version: string | null; cipher: string | null };
    try {
      row = await withPg(
        pgConfig(p, "app", true),
        signal,
        async (c) => (await c.query("SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0],
      );
    } catch (e) {
      return connectFailure(p, p.user, e);
    }
    if (!row?.ssl)
      return fail("pg_stat_ssl shows this connection unencrypted", {
        expected: "ssl = true",
        actual: JSON.stringify(row ?? null),
        remediation: "Set ssl=on with the stack's server certificate.",
      });
    let plainAccepted = false;
    let plainError = "";
    try {
      await withPg(pgConfig(p, "app", false), signal, async (c) => c.query("SELECT 1"));
      plainAccepted = true;
    } catch (e) {
      plainError = errorMessage(e);
    }
    const measurements = { tlsVersion: row.version ?? "", cipher: row.cipher ?? "", plainRefused: !plainAccepted };
    if (plainAccepted) {
      return fail("PostgreSQL accepts unencrypted connections", {
        expected: "pg_hba.conf allows only hostssl",
        actual: "a plain connection succeeded",
        remediation: "Use hostssl (not host) lines in pg_hba.conf (infra/render/postgres.ts).",
        measurements,
      });
    }
    return pass(`TLS ${row.version} (${row.cipher}) per pg_stat_ssl; plain connection refused (${plainError.slice(0, 80)})`, { measurements });
  },
};

export const postgresMigrationsCheck: Check<VerifyTarget> = {
  id: "postgres.migrations",
  title: "Database migrations applied",
  checklistIds: ["DEP-DB-02"],
  needs: ["postgres"],
  retries: 2,
  async run({ postgres: p }, { signal }) {
    try {
      return await withPg(pgConfig(p, "app", true), signal, async (c) => {
        const table = p.migrationsTable;
        const exists = (await c.query("SELECT to_regclass($1) IS NOT NULL AS present", [table])).rows[0]?.present;
        if (!exists)
          return fail(`migrations table ${table} does not exist`, {
            expected: `table ${table} with at least ${p.minMigrations} rows`,
            actual: "no such table",
            remediation: "Run the app's migrations (or set mcp:app.migrationsTable to the table your migration tool writes).",
          });
        const count = Number((await c.query(`SELECT count(*)::int AS n FROM ${escapeIdentifier(table)}`)).rows[0].n);
        // golang-migrate and friends mark a failed run with dirty=true.
        const hasDirty = (await c.query("SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = 'dirty'", [table])).rowCount! > 0;
        const dirty = hasDirty ? Number((await c.query(`SELECT count(*)::int AS n FROM ${escapeIdentifier(table)} WHERE dirty`)).rows[0].n) : 0;
        const measurements = { migrations: count, dirty };
        if (count < p.minMigrations)
          return fail(`${table} has ${count} migrations`, {
            expected: `at least ${p.minMigrations} (mcp:app.minMigrations)`,
            actual: String(count),
            remediation: "Run the app's migrations.",
            measurements,
          });
        if (dirty > 0)
          return fail(`${table} has ${dirty} dirty migration(s)`, {
            expected: "no dirty migrations",
            actual: String(dirty),
            remediation: "A migration failed half-way: fix it and re-run.",
            measurements,
          });
        return pass(`${count} migrations applied in ${table}`, { measurements });
      });
    } catch (e) {
      return connectFailure(p, p.user, e);
    }
  },
};

/** Connections opened at once to show concurrent connections work (the app's pool does the same). */
const CONCURRENT = 5;

export const postgresConnectionsCheck: Check<VerifyTarget> = {
  id: "postgres.connections",
  title: "Concurrent connections work with headroom under max_connections",
  checklistIds: ["DEP-DB-03"],
  needs: ["postgres"],
  retries: 2,
  async run({ postgres: p }, { signal }) {
    try {
      const opened = await Promise.all(
        Array.from({ length: CONCURRENT }, () =>
          withPg(pgConfig(p, "app", true), signal, async (c) => (await c.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number),
        ),
      );
      if (new Set(opened).size !== CONCURRENT)
        return fail("concurrent connections shared a backend", { expected: `${CONCURRENT} distinct backends`, actual: String(new Set(opened).size) });
      return await withPg(pgConfig(p, "app", true), signal, async (c) => {
        const r = (
          await c.query(
            "SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved, (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used",
          )
        ).rows[0] as { max: number; reserved: number; used: number };
        const usable = Math.max(1, r.max - r.reserved);
        const usedPercent = Math.round((r.used / usable) * 1000) / 10;
        const measurements = { maxConnections: r.max, reserved: r.reserved, inUse: r.used, usedPercent };
        if (usedPercent >= p.maxConnectionsPercent) {
          return fail(`${r.used} of ${usable} usable connections in use (${usedPercent}%)`, {
            expected: `below ${p.maxConnectionsPercent}% of max_connections`,
            actual: `${usedPercent}%`,
            remediation: "Lower the app's pool size per replica or raise mcp:postgres.maxConnections.",
            measurements,
          });
        }
        return pass(`${CONCURRENT} concurrent connections OK; ${r.used}/${usable} in use (${usedPercent}%)`, { measurements });
      });
    } catch (e) {
      return connectFailure(p, p.user, e);
    }
  },
};

export const postgresBackupRoleCheck: Check<VerifyTarget> = {
  id: "postgres.backup-role",
  title: "The backup role can connect over TLS",
  checklistIds: ["DEP-DB-04"],
  needs: ["postgres"],
  retries: 2,
  async run({ postgres: p }, { signal }) {
    try {
      return await withPg(pgConfig(p, "backup", true), signal, async (c) => {
        const r = (await c.query("SELECT current_user AS who, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).rows[0] as { who: string; ssl: boolean };
        return pass(`${r.who} connected to ${p.database} (ssl ${r.ssl ? "on" : "off"})`, { measurements: { ssl: r.ssl } });
      });
    } catch (e) {
      return connectFailure(p, p.backupUser, e);
    }
  },
};

const AUTH_FAILURE = /(?:password|md5|scram|ident|peer|cert) authentication failed for user "[^"]*"|FATAL:\s+role "[^"]*" does not exist/g;

export const postgresAuthLogCheck: Check<VerifyTarget> = {
  id: "postgres.auth-log",
  title: "No authentication failures in the PostgreSQL log",
  checklistIds: ["DEP-DB-05"],
  retries: 1,
  async run({ postgres: p }, { signal }) {
    if (!p.logs) return skip("no log source for PostgreSQL (needs the Docker API)");
    let text: string;
    try {
      text = await p.logs(signal);
    } catch (e) {
      return fail(`could not read the PostgreSQL log: ${errorMessage(e)}`, {
        cause: e,
        expected: "the container log",
        actual: errorMessage(e),
        remediation: "Give the verifier access to the Docker API (DOCKER_HOST).",
      });
    }
    const hits = text.match(AUTH_FAILURE) ?? [];
    if (hits.length > 0) {
      const distinct = [...new Set(hits)];
      return fail(`${hits.length} authentication failure${hits.length === 1 ? "" : "s"} in the PostgreSQL log: ${distinct.slice(0, 3).join("; ")}`, {
        expected: "no authentication failures",
        actual: distinct.slice(0, 5).join("; "),
        remediation: "A client uses a wrong password or role: compare each service's secret file with the stack's secrets, and look for unknown clients.",
        measurements: { failures: hits.length },
      });
    }
    return pass(`no authentication failures in ${text.split("\n").length} log lines`, { measurements: { failures: 0 } });
  },
};
