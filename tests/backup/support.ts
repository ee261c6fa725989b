/**
 * Shared helpers for the backup tests: the fixture (testing/servers/backup.ts), seed data
 * with awkward values, and content checksums to prove zero rows lost.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import type { PgServer } from "../../backup/scratch-postgres";
import { DATABASE } from "../../testing/servers/backup";

export * from "../../testing/servers/backup";

/**
 * Tables with awkward content: newlines, tabs, backslashes, quotes, unicode, NULLs,
 * bytea, jsonb, a foreign key, a unique index and a sequence. `rows` rows in `items`.
 */
export async function seed(pg: PgServer, rows = 500, canary = "canary-value"): Promise<void> {
  await pg.query(
    `CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, note text, created timestamptz NOT NULL DEFAULT now());
     CREATE UNIQUE INDEX customers_name_idx ON customers (name);
     CREATE TABLE items (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), payload jsonb, blob bytea, price numeric(12,2) CHECK (price >= 0), label text);
     CREATE INDEX items_customer_idx ON items (customer_id);
     CREATE SCHEMA audit;
     CREATE TABLE audit.events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, what text);
     INSERT INTO customers (name, note) VALUES
       ('alice', E'line1\\nline2\\ttab'), ('bob', NULL), ('carol', 'quote '' and backslash \\ and ünïcødé ✓'), ('${canary}', 'the canary row');
     INSERT INTO items (customer_id, payload, blob, price, label)
       SELECT 1 + (g % 4), jsonb_build_object('n', g, 's', repeat('x', g % 17)), decode(md5(g::text), 'hex'), (g % 1000) / 10.0,
              CASE WHEN g % 7 = 0 THEN NULL ELSE 'label ' || g END
       FROM generate_series(1, ${rows}) g;
     INSERT INTO audit.events (what) SELECT 'event ' || g FROM generate_series(1, 25) g;`,
    [],
    DATABASE,
  );
}

/** Order-independent checksum of every table's content, per table. */
export async function contentChecksums(pg: PgServer, database: string): Promise<Record<string, string>> {
  const tables = await pg.query<{ t: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1`,
    [],
    database,
  );
  const out: Record<string, string> = {};
  for (const { t } of tables) {
    const [r] = await pg.query<{ sum: string; n: string }>(
      `SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS sum, count(*) AS n FROM ${t} x`,
      [],
      database,
    );
    out[t] = `${r.n}:${r.sum}`;
  }
  return out;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export function makeExecutable(path: string, content: string): void {
  writeFileSync(path, content);
  chmodSync(path, 0o755);
}
