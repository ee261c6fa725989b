/**
 * Backup and restore of a 100,000-row database with the container's own script
 * (infra/images/backup/mcp-backup.sh under busybox sh) and the restore drill, on a real loopback
 * PostgreSQL: backup time and throughput, encrypted size, restore time (RTO) and
 * throughput, verification time. Throughput is logical database size (pg_database_size)
 * per second, and encrypted bytes per second. The baseline: bare `pg_dump -Fc | age` of the same
 * database to the same recipient, before and after the pipeline's run (backup.vs-bare-tools).
 */
import { join } from "node:path";
import { runTool } from "../local/run";
import { startBackupFixture, DATABASE, type BackupFixture } from "../testing/servers/backup";
import { listBackups } from "../backup/manifest";
import { runRestoreDrill } from "../backup/drill";

export const ROWS = 100_000;

/** Seconds for the bare tools: the dump (as the script runs it) piped into age, nothing else. */
async function bareTools(f: BackupFixture, out: string): Promise<number> {
  const recipient = await runTool("age-keygen", ["-y", f.identityFile], { env: f.env });
  if (recipient.code !== 0) throw new Error(`age-keygen -y failed: ${recipient.stderr.trim()}`);
  const t0 = process.hrtime.bigint();
  const r = await runTool(
    "/bin/bash",
    [
      "-c",
      'set -o pipefail; pg_dump --no-password --format=custom --compress=6 "$PGDATABASE" | age --encrypt --recipient "$1" --output "$2"',
      "bash",
      recipient.stdout.trim(),
      out,
    ],
    { env: f.env, timeoutMs: 600_000 },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`bare pg_dump | age failed: ${r.stderr.trim().split("\n").pop()}`);
  return seconds;
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
         FROM generate_series(1, ${ROWS}) g;
       ANALYZE events;`,
      [],
      DATABASE,
    );
    const [{ size }] = await f.pg.query<{ size: string }>("SELECT pg_database_size(current_database()) AS size", [], DATABASE);
    const dbBytes = Number(size);

    const bare = [await bareTools(f, join(f.tmp.path, "bare-1.dump.age"))];
    const t0 = process.hrtime.bigint();
    const r = await f.run(["run"], {}, 600_000);
    const backupSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    bare.push(await bareTools(f, join(f.tmp.path, "bare-2.dump.age")));
    const bareToolsSeconds = (bare[0] + bare[1]) / 2;
    if (r.code !== 0) throw new Error(`backup failed: ${r.stderr.trim().split("\n").pop()}`);
    const [latest] = listBackups(f.backupDir);

    const report = await runRestoreDrill({ backup: latest.ref, keyMaterial: f.stackKey, connection: f.connection });
    if (report.status !== "pass") throw new Error(`restore drill failed: ${JSON.stringify(report.differences)}`);

    const mb = (bytes: number) => bytes / 1e6;
    const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
    return {
      rows: report.rowsRestored,
      databaseMB: round(mb(dbBytes)),
      encryptedBackupMB: round(mb(latest.manifest.sizeBytes)),
      compressionRatio: round(dbBytes / latest.manifest.sizeBytes),
      backupSeconds: round(backupSeconds, 3),
      bareToolsSeconds: round(bareToolsSeconds, 3),
      backupVsBareTools: round(backupSeconds / bareToolsSeconds),
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
