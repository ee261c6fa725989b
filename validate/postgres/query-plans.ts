/**
 * FUN-PERF-02 (database queries optimized), from PostgreSQL's own statistics
 * (pg_stat_user_tables, as the app's role sees its database): no table of SEQ_SCAN_MIN_ROWS
 * rows or more is read by sequential scans more often than through an index. A big table read
 * whole is the query plan that gets slower with every row; a small one is cheaper to scan.
 */
import { SEQ_SCAN_MIN_ROWS } from "../../checklist/thresholds";
import { fail, pass, type Check } from "../core/types";
import type { VerifyTarget } from "../target";
import { connectFailure } from "./checks";
import { pgConfig, withPg } from "./connect";

interface TableStats {
  table: string;
  rows: number;
  seq_scan: number;
  idx_scan: number;
}

export const postgresSeqScansCheck: Check<VerifyTarget> = {
  id: "postgres.seq-scans",
  title: `No table of ${SEQ_SCAN_MIN_ROWS.toLocaleString("en")} rows or more read mostly by sequential scans`,
  checklistIds: ["FUN-PERF-02", "SIGN-TECH-02"],
  needs: ["postgres"],
  async run({ postgres: p }, { signal }) {
    try {
      return await withPg(pgConfig(p, "app", true), signal, async (c) => {
        const { rows } = await c.query<TableStats>(
          `SELECT schemaname || '.' || relname AS table, n_live_tup::bigint AS rows, seq_scan::bigint AS seq_scan, coalesce(idx_scan, 0)::bigint AS idx_scan
             FROM pg_stat_user_tables WHERE n_live_tup >= $1 ORDER BY n_live_tup DESC`,
          [SEQ_SCAN_MIN_ROWS],
        );
        const stats = rows.map((r) => ({ table: r.table, rows: Number(r.rows), seq: Number(r.seq_scan), idx: Number(r.idx_scan) }));
        const scanned = stats.filter((t) => t.seq > t.idx);
        const measurements = { largeTables: stats.length, scannedMostlySequentially: scanned.length };
        if (scanned.length)
          return fail(
            `read mostly by sequential scans: ${scanned.map((t) => `${t.table} (${t.rows} rows, ${t.seq} sequential vs ${t.idx} index scans)`).join("; ")}`,
            {
              expected: `every table of ${SEQ_SCAN_MIN_ROWS} rows or more read through an index more often than scanned whole`,
              actual: scanned.map((t) => `${t.table}: seq_scan ${t.seq}, idx_scan ${t.idx}`).join("; "),
              remediation:
                "Find the queries (pg_stat_statements, or EXPLAIN of the app's queries on the table) and add the index their WHERE or JOIN clause needs.",
              measurements,
            },
          );
        return pass(
          stats.length
            ? `${stats.length} table(s) of ${SEQ_SCAN_MIN_ROWS}+ rows, all read mostly through indexes`
            : `no table of ${SEQ_SCAN_MIN_ROWS}+ rows yet`,
          { measurements },
        );
      });
    } catch (e) {
      return connectFailure(p, p.user, e);
    }
  },
};
