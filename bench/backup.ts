/**
 * The backup at 1,000,000 rows against the bare tools it is built on, on a real loopback
 * PostgreSQL: `mcp-backup.sh run` (infra/images/backup/mcp-backup.sh under busybox sh, as in the
 * container: snapshot, row counts, dump, encryption, read-back, checksum, manifest, retention,
 * metrics) and, in the same session, plain `pg_dump -Fc | age --encrypt` to a file with the same
 * compression and recipient. `vs-bare-tools` is the median of paired runs (the two alternate
 * which goes first, so a drifting machine load falls on both), target <= 1.25. Then the restore
 * drill on the newest backup: restore time (RTO), throughput, verification time. Throughput is
 * logical database size (pg_database_size) per second.
 */
import { join } from "node:path";
import { startBackupFixture, DATABASE, type BackupFixture } from "../testing/servers/backup";
import { listBackups } from "../backup/manifest";
import { runRestoreDrill } from "../backup/drill";
import { runTool } from "../local/run";
import { ageIdentityFromStackKey, ageRecipientOf } from "../infra/render/backup-keys";
import { median } from "./stats";

export const ROWS = 1_000_000;
/** Paired runs; each pair is one backup and one bare dump (2 x 2.5 to 10 s at 1M rows here, with the load). */
export const PAIRS = 7;
export const TARGET_VS_BARE_TOOLS = 1.25;

const BARE_TOOLS = 'pg_dump --no-password --format=custom --compress=6 "$PGDATABASE" | age --encrypt --recipient "$BENCH_RECIPIENT" --output "$BENCH_OUT"';

async function timed(what: string, run: () => Promise<{ code: number | null; stderr: string }>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await run();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr.trim().split("\n").pop()}`);
  return seconds;
}

function bareTools(f: BackupFixture, recipient: string): Promise<number> {
  const env = { ...f.env, BENCH_RECIPIENT: recipient, BENCH_OUT: f.tmp.join("bare.dump.age") };
  return timed("pg_dump | age", () => runTool(join(f.busyboxDir, "sh"), ["-c", `${BARE_TOOLS} && rm -f "$BENCH_OUT"`], { env, timeoutMs: 600_000 }));
}

function backupRun(f: BackupFixture): Promise<number> {
  return timed("backup", () => f.run(["run"], {}, 600_000));
}

export async function run(): Promise<Record<string, number | string>> {
  const f = await startBackupFixture();
  try {
    await f.pg.query(
      `CREATE TABLE events (id bigserial PRIMARY KEY, account int NOT NULL, kind text NOT NULL, payload jsonb NOT NULL, created timestamptz NOT NULL DEFAULT now());
       CREATE INDEX events_account_idx ON events (account);
       INSERT INTO events (account, kind, payload)
         SELECT g % 997, (ARRAY['tool_call','resource_read','prompt','login'])[1 + g % 4],
                jsonb_build_object('n', g, 'server', 'mcp-' || (g % 50), 'args', md5(g::text), 'ok', g % 13 <> 0)
         FROM generate_series(1, ${ROWS}) g;`,
      [],
      DATABASE,
    );
    // Hint bits and the visibility map set now, so no timed run pays for the first read of fresh rows.
    await f.pg.query("VACUUM (FREEZE, ANALYZE) events", [], DATABASE);
    const [{ size }] = await f.pg.query<{ size: string }>("SELECT pg_database_size(current_database()) AS size", [], DATABASE);
    const dbBytes = Number(size);
    const recipient = ageRecipientOf(ageIdentityFromStackKey(f.stackKey));

    await bareTools(f, recipient); // warm-up: page cache and server buffers
    const backup: number[] = [];
    const bare: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      let b: number;
      let t: number;
      if (i % 2 === 0) {
        t = await bareTools(f, recipient);
        b = await backupRun(f);
      } else {
        b = await backupRun(f);
        t = await bareTools(f, recipient);
      }
      backup.push(b);
      bare.push(t);
      ratios.push(b / t);
    }
    const [latest] = listBackups(f.backupDir);

    const report = await runRestoreDrill({ backup: latest.ref, keyMaterial: f.stackKey, connection: f.connection });
    if (report.status !== "pass") throw new Error(`restore drill failed: ${JSON.stringify(report.differences)}`);

    const mb = (bytes: number) => bytes / 1e6;
    const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
    const backupSeconds = median(backup);
    return {
      rows: report.rowsRestored,
      databaseMB: round(mb(dbBytes)),
      encryptedBackupMB: round(mb(latest.manifest.sizeBytes)),
      compressionRatio: round(dbBytes / latest.manifest.sizeBytes),
      backupSeconds: round(backupSeconds, 3),
      bareToolsSeconds: round(median(bare), 3),
      "vs-bare-tools": round(median(ratios), 3),
      "vs-bare-tools.target": TARGET_VS_BARE_TOOLS,
      backupRunsSeconds: backup.map((s) => s.toFixed(2)).join(" "),
      bareToolsRunsSeconds: bare.map((s) => s.toFixed(2)).join(" "),
      backupMBps: round(mb(dbBytes) / backupSeconds),
      backupEncryptedMBps: round(mb(latest.manifest.sizeBytes) / backupSeconds),
      restoreRtoSeconds: report.rtoSeconds,
      restoreMBps: round(mb(dbBytes) / report.rtoSeconds),
      restoreVerifySeconds: report.verifySeconds,
      drillTotalSeconds: report.totalSeconds,
      pgDump: latest.manifest.pgDumpVersion,
    };
  } finally {
    await f.stop();
  }
}
