/**
 * The backup runtime checks (validate/backup) against real backups made by the container's
 * script from a real PostgreSQL: each check passes on a healthy backup set and fails on the
 * fault it exists to catch.
 */
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import type { StackOutputs } from "../../infra/outputs-types";
import { join, resolve } from "node:path";
import { seed, startBackupFixture, readJson, type BackupFixture } from "./support";
import {
  BACKUP_CHECKS,
  backupAgeCheck,
  backupConfigRestoreCheck,
  backupEncryptedCheck,
  backupMonitoringCheck,
  backupOffsiteCheck,
  backupRestoreDrillCheck,
  backupRetentionCheck,
  backupVerifiedCheck,
  backupTargetFromStack,
  type BackupTarget,
} from "../../validate/backup";
import { runRestoreDrill } from "../../backup/drill";
import { listBackups, type BackupManifest } from "../../backup/manifest";
import { compareBundles, exportStackConfig, restoreStackConfig, runConfigRestoreDrill } from "../../backup/config-restore";
import { loadStackFileConfig } from "../../infra/config/stack-file";
import { runChecks } from "../../validate/core/runner";
import type { CheckContext } from "../../validate/core/types";
import { makeTempDir } from "../../local/tempdir";
import { freePort } from "../../local/ports";

jest.setTimeout(180_000);
const ROOT = resolve(__dirname, "../..");

let f: BackupFixture;
beforeAll(async () => {
  f = await startBackupFixture();
  await seed(f.pg, 400);
  for (let i = 0; i < 2; i++) {
    const r = await f.run(["run"]);
    if (r.code !== 0) throw new Error(r.stderr);
  }
});
afterAll(async () => {
  await f?.stop();
});

const ctx = (): CheckContext => ({ signal: new AbortController().signal, log: () => undefined });
const metricsText = () => readFileSync(join(f.textfileDir, "mcp_backup.prom"), "utf8");
function target(extra: Partial<BackupTarget> = {}): BackupTarget {
  return {
    backupDir: f.backupDir,
    readMetrics: async () => metricsText(),
    intervalSeconds: 3600,
    retention: { keepLast: 3, maxAgeDays: 7 },
    offsiteEnabled: false,
    ...extra,
  };
}
const later = (seconds: number) => () => Date.now() + seconds * 1000;

/** A copy of the backup dir to break things in. */
function copyDir(): { dir: string; remove(): void } {
  const tmp = makeTempDir("mcp-check-");
  for (const b of listBackups(f.backupDir)) {
    copyFileSync(b.ref.dataFile, join(tmp.path, `${b.ref.name}.dump.age`));
    copyFileSync(b.ref.manifestFile, join(tmp.path, `${b.ref.name}.manifest.json`));
  }
  return { dir: tmp.path, remove: () => tmp.remove() };
}

describe("backup.age", () => {
  it("passes on a fresh backup and fails once the newest is older than 1.5 x the interval", async () => {
    expect((await backupAgeCheck.run(target(), ctx())).status).toBe("pass");
    const r = await backupAgeCheck.run(target({ now: later(5401) }), ctx());
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/more than 1\.5 x the 60m interval/);
    const empty = makeTempDir("mcp-empty-");
    try {
      expect((await backupAgeCheck.run(target({ backupDir: empty.path }), ctx())).message).toMatch(/^no complete backup/);
    } finally {
      empty.remove();
    }
  });
});

describe("backup.monitoring", () => {
  it("passes when the metrics agree with the backups, fails on a failed run, missing or stale metrics", async () => {
    expect((await backupMonitoringCheck.run(target(), ctx())).status).toBe("pass");
    const missing = await backupMonitoringCheck.run(target({ readMetrics: async () => metricsText().replace(/^mcp_backup_last_run_success .*$/m, "") }), ctx());
    expect(missing).toMatchObject({ status: "fail", message: "backup metrics lack mcp_backup_last_run_success" });
    const stale = await backupMonitoringCheck.run(
      target({
        readMetrics: async () => metricsText().replace(/^(mcp_backup_last_success_timestamp_seconds) (\d+)$/m, (_m, k, v) => `${k} ${Number(v) - 60}`),
      }),
      ctx(),
    );
    expect(stale).toMatchObject({ status: "fail", message: expect.stringContaining("is older than the newest backup") });
    const unreadable = await backupMonitoringCheck.run(target({ readMetrics: () => Promise.reject(new Error("ENOENT: no such file")) }), ctx());
    expect(unreadable.message).toContain("backup metrics are not readable: ENOENT");

    // A real failed run (database unreachable) flips the metric the BackupFailed alert reads.
    const r = await f.run(["run"], { PGPORT: String(await freePort()) });
    expect(r.code).toBe(1);
    const failed = await backupMonitoringCheck.run(target(), ctx());
    expect(failed).toMatchObject({ status: "fail", message: expect.stringContaining("the last backup run failed") });
    expect((await f.run(["run"])).code).toBe(0);
    expect((await backupMonitoringCheck.run(target(), ctx())).status).toBe("pass");
  });
});

describe("backup.encrypted and backup.verified", () => {
  it("pass on real backups; fail on a plaintext dump and on a modified file", async () => {
    expect((await backupEncryptedCheck.run(target(), ctx())).status).toBe("pass");
    expect((await backupVerifiedCheck.run(target(), ctx())).status).toBe("pass");
    const copy = copyDir();
    try {
      const newest = listBackups(copy.dir)[0];
      // Replace the newest backup's data with an unencrypted pg_dump archive of the same database.
      const plain = spawnSync(join(f.pg.binDir, "pg_dump"), ["--format=custom", f.pg.connectionString("mcp")]);
      expect(plain.status).toBe(0);
      writeFileSync(newest.ref.dataFile, plain.stdout);
      const enc = await backupEncryptedCheck.run(target({ backupDir: copy.dir }), ctx());
      expect(enc.status).toBe("fail");
      expect(enc.message).toContain("does not start with the age header");
      expect(enc.message).toContain("contains a plaintext pg_dump signature");
      const ver = await backupVerifiedCheck.run(target({ backupDir: copy.dir }), ctx());
      expect(ver).toMatchObject({ status: "fail", message: expect.stringContaining("no longer matches its manifest") });
    } finally {
      copy.remove();
    }
  });
});

describe("backup.retention", () => {
  it("passes when pruned per policy, fails when a backup overdue for deletion remains", async () => {
    expect((await backupRetentionCheck.run(target(), ctx())).status).toBe("pass");
    const copy = copyDir();
    try {
      // Two extra backups 30 days old: beyond keepLast=1 and maxAgeDays=7, so overdue.
      const src = listBackups(copy.dir)[0];
      for (const n of ["mcp-old1", "mcp-old2"]) {
        const m = readJson<BackupManifest>(src.ref.manifestFile);
        m.file = `${n}.dump.age`;
        m.createdAtEpoch -= 30 * 86400;
        m.finishedAtEpoch -= 30 * 86400;
        copyFileSync(src.ref.dataFile, join(copy.dir, `${n}.dump.age`));
        writeFileSync(join(copy.dir, `${n}.manifest.json`), JSON.stringify(m));
      }
      const r = await backupRetentionCheck.run(target({ backupDir: copy.dir, retention: { keepLast: 1, maxAgeDays: 7 } }), ctx());
      expect(r).toMatchObject({
        status: "fail",
        message: expect.stringMatching(/^2 backup\(s\) should have been pruned \(keepLast=1, maxAgeDays=7\): mcp-old2, mcp-old1/),
      });
      // After the script prunes the copy, the check passes.
      const prune = await f.run(["prune"], { MCP_BACKUP_DIR: copy.dir, MCP_BACKUP_KEEP_LAST: "1", MCP_BACKUP_MAX_AGE_DAYS: "7", MCP_BACKUP_TEXTFILE_DIR: "" });
      expect(prune.code).toBe(0);
      expect(await backupRetentionCheck.run(target({ backupDir: copy.dir, retention: { keepLast: 1, maxAgeDays: 7 } }), ctx())).toMatchObject({
        status: "pass",
      });
    } finally {
      copy.remove();
    }
  });
});

describe("backup.offsite", () => {
  it("fails when off-site is disabled or has never succeeded, passes on a recent copy", async () => {
    expect((await backupOffsiteCheck.run(target(), ctx())).message).toContain("off-site copy is disabled");
    const never = await backupOffsiteCheck.run(target({ offsiteEnabled: true }), ctx());
    expect(never.message).toContain("no off-site copy has succeeded yet");
    const now = Math.floor(Date.now() / 1000);
    const withOffsite = async () => `${metricsText()}mcp_backup_offsite_last_success_timestamp_seconds ${now - 60}\n`;
    expect((await backupOffsiteCheck.run(target({ offsiteEnabled: true, readMetrics: withOffsite }), ctx())).status).toBe("pass");
    expect((await backupOffsiteCheck.run(target({ offsiteEnabled: true, readMetrics: withOffsite, now: later(5400) }), ctx())).status).toBe("fail");
  });
});

describe("backup.restore-drill", () => {
  const drill =
    (extra: Partial<Parameters<typeof runRestoreDrill>[0]> = {}) =>
    async () =>
      runRestoreDrill({ backup: listBackups(f.backupDir)[0].ref, keyMaterial: f.stackKey, connection: f.connection, ...extra });

  it("passes on a real drill, fails over the RTO target or on a wrong key, skips without a restore target", async () => {
    const ok = await backupRestoreDrillCheck.run(target({ runDrill: drill({ targets: { rtoMinutes: 60, rpoMinutes: 360 } }) }), ctx());
    expect(ok.status).toBe("pass");
    expect(ok.measurements).toMatchObject({ tables: 3, rowsRestored: 429, scratchDropped: true });
    expect(Number(ok.measurements?.rtoSeconds)).toBeGreaterThan(0);

    const slow = await backupRestoreDrillCheck.run(target({ runDrill: drill({ targets: { rtoMinutes: 0.00001, rpoMinutes: 360 } }) }), ctx());
    expect(slow).toMatchObject({ status: "fail", message: expect.stringMatching(/over the 0\.00001 min RTO/) });

    const wrong = await backupRestoreDrillCheck.run(target({ runDrill: drill({ keyMaterial: "k".repeat(64) }) }), ctx());
    expect(wrong).toMatchObject({ status: "fail", message: expect.stringContaining("restore drill failed (wrong-key)") });

    expect((await backupRestoreDrillCheck.run(target(), ctx())).status).toBe("skip");
  });
});

describe("backup.config-restore", () => {
  it("passes for the real stack configuration, fails when the restored configuration renders differently", async () => {
    const ok = await backupConfigRestoreCheck.run(target({ runConfigRestore: async () => runConfigRestoreDrill({ projectDir: ROOT, stack: "prod" }) }), ctx());
    expect(ok.status).toBe("pass");
    expect(Number(ok.measurements?.renderedFiles)).toBeGreaterThan(5);

    const work = makeTempDir("mcp-cfg-");
    try {
      const exported = exportStackConfig(ROOT, "dev");
      restoreStackConfig(exported, work.join("stack"));
      const file = work.join("stack", "Pulumi.dev.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("requestsPerSecond: 50", "requestsPerSecond: 49"));
      const differences = compareBundles(exported, exportStackConfig(work.join("stack"), "dev"));
      const r = await backupConfigRestoreCheck.run(
        target({
          runConfigRestore: async () => ({
            kind: "config-restore",
            status: "fail",
            stack: "dev",
            files: 0,
            renderedFiles: 0,
            bundleSha256: "",
            identical: false,
            differences,
            seconds: 0,
          }),
        }),
        ctx(),
      );
      expect(r.status).toBe("fail");
      expect(r.message).toContain("Pulumi.dev.yaml content");
      expect(r.message).toContain("rendered/nginx/etc/nginx/nginx.conf content");
    } finally {
      work.remove();
    }
  });
});

describe("the backup checks together", () => {
  it("run through the shared runner from a target built for the stack, with no secret in any result", async () => {
    const config = loadStackFileConfig("dev", ROOT);
    const t = backupTargetFromStack({
      stack: "dev",
      config,
      backupDir: f.backupDir,
      metricsFile: join(f.textfileDir, "mcp_backup.prom"),
      outputs: {
        backup: { interval: "24h", keepLast: 3, maxAgeDays: 3, offsiteEnabled: false, volume: "x" },
        secrets: { backupEncryptionKey: f.stackKey } as StackOutputs["secrets"],
      },
      drill: { connection: f.connection },
      projectDir: ROOT,
    });
    const records = await runChecks(BACKUP_CHECKS, t, { progress: false, secrets: [f.stackKey, f.pg.password, f.backupPassword] });
    const byId = Object.fromEntries(records.map((r) => [r.id, r.status]));
    expect(byId).toEqual({
      "backup.age": "pass",
      "backup.monitoring": "pass",
      "backup.encrypted": "pass",
      "backup.verified": "pass",
      "backup.retention": "pass",
      "backup.offsite": "fail", // dev: off-site disabled
      "backup.restore-drill": "pass",
      "backup.config-restore": "pass",
    });
    const text = JSON.stringify(records);
    for (const s of [f.stackKey, f.pg.password, f.backupPassword]) expect(text).not.toContain(s);
    for (const r of records) expect(r.checklistIds.length).toBeGreaterThan(0);
  });
});
