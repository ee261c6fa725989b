/**
 * infra/images/backup/mcp-backup.sh's own behaviour, run under busybox sh against a real PostgreSQL:
 * retention exactly per policy, metrics for the alert rules (checked by promtool), the
 * scheduler, the health check, failures that leave nothing half-written, configuration
 * errors, and the off-site copy (through a recording stand-in for rclone).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { DATABASE, makeExecutable, seed, startBackupFixture, type BackupFixture } from "./support";
import { parseTextfileMetrics, listBackups, METRIC_LAST_RUN_SUCCESS, METRIC_LAST_SUCCESS } from "../../backup/manifest";
import { fileSha256, runRestoreDrill } from "../../backup/drill";
import { findExecutable, runTool } from "../../local/run";
import { freePort } from "../../local/ports";
import { makeTempDir } from "../../local/tempdir";

jest.setTimeout(180_000);

let f: BackupFixture;
beforeAll(async () => {
  f = await startBackupFixture();
  await seed(f.pg, 300);
});
afterAll(async () => {
  await f?.stop();
});

const metrics = () => parseTextfileMetrics(readFileSync(join(f.textfileDir, "mcp_backup.prom"), "utf8"));
const state = (name: string) => readFileSync(join(f.backupDir, ".state", name), "utf8").trim();
const leftovers = () => readdirSync(f.backupDir).filter((n) => n.endsWith(".partial") || n.startsWith(".work-") || n === ".lock");

describe("retention", () => {
  const DAY = 86400;
  const NOW = 1_800_000_000;
  const plan = async (keepLast: number, maxAgeDays: number, ages: number[]) => {
    const input = ages.map((age, i) => `${NOW - age} b${i}`).join("\n") + "\n";
    const r = await runTool(
      join(f.busyboxDir, "sh"),
      [join(__dirname, "../../infra/images/backup/mcp-backup.sh"), "plan-retention", String(NOW), String(keepLast), String(maxAgeDays)],
      {
        env: { PATH: f.env.PATH },
        input,
      },
    );
    expect(r.code).toBe(0);
    return r.stdout.split("\n").filter(Boolean).sort();
  };

  it("deletes exactly the backups beyond the newest keepLast that are older than maxAgeDays", async () => {
    // b0..b5 at 0, 1, 2, 8, 9 and 10 days: the newest 3 stay; of the rest, all are > 7 days old.
    expect(await plan(3, 7, [0, 1 * DAY, 2 * DAY, 8 * DAY, 9 * DAY, 10 * DAY])).toEqual(["b3", "b4", "b5"]);
    // Backups within maxAgeDays survive even beyond keepLast.
    expect(await plan(2, 7, [0, DAY, 2 * DAY, 3 * DAY, 6 * DAY])).toEqual([]);
    // The newest keepLast survive even when all are old.
    expect(await plan(3, 7, [8 * DAY, 9 * DAY, 10 * DAY, 11 * DAY])).toEqual(["b3"]);
    // Boundary: exactly maxAgeDays old is kept, one second more is deleted.
    expect(await plan(1, 7, [0, 7 * DAY, 7 * DAY + 1])).toEqual(["b2"]);
    // Input order does not matter; a future-dated backup counts as newest.
    expect(await plan(1, 1, [5 * DAY, -DAY, 3 * DAY])).toEqual(["b0", "b2"]);
    expect(await plan(1, 1, [])).toEqual([]);
  });

  it("prunes files on disk exactly per policy, including incomplete backups, and counts what it kept", async () => {
    const dir = makeTempDir("mcp-prune-");
    try {
      const ages = { a: 0, b: 2 * DAY, c: 5 * DAY, d: 8 * DAY, e: 30 * DAY };
      for (const [n, age] of Object.entries(ages)) {
        writeFileSync(join(dir.path, `mcp-${n}.dump.age`), "x");
        writeFileSync(
          join(dir.path, `mcp-${n}.manifest.json`),
          `{\n  "formatVersion": 1,\n  "createdAtEpoch": ${NOW - age},\n  "file": "mcp-${n}.dump.age"\n}\n`,
        );
      }
      // Incomplete backups (no manifest): an old one goes, a recent one stays.
      for (const [n, age] of [
        ["old", 9 * DAY],
        ["new", DAY],
      ] as const) {
        const p = join(dir.path, `mcp-orphan-${n}.dump.age`);
        writeFileSync(p, "x");
        utimesSync(p, NOW - age, NOW - age);
      }
      const r = await f.run(["prune"], {
        MCP_BACKUP_DIR: dir.path,
        MCP_BACKUP_KEEP_LAST: "2",
        MCP_BACKUP_MAX_AGE_DAYS: "4",
        MCP_BACKUP_NOW: String(NOW),
        MCP_BACKUP_TEXTFILE_DIR: "",
      });
      expect(r.code).toBe(0);
      expect(
        readdirSync(dir.path)
          .filter((n) => !n.startsWith("."))
          .sort(),
      ).toEqual(["mcp-a.dump.age", "mcp-a.manifest.json", "mcp-b.dump.age", "mcp-b.manifest.json", "mcp-orphan-new.dump.age"]);
      expect(r.stderr).toContain("retention: 3 deleted, 2 kept (keepLast=2, maxAgeDays=4)");
      expect(readFileSync(join(dir.path, ".state", "kept_count"), "utf8").trim()).toBe("2");
    } finally {
      dir.remove();
    }
  });
});

describe("a backup run", () => {
  it("publishes metrics the alert rules read, in a format promtool accepts", async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const r = await f.run(["run"]);
    expect(r.code).toBe(0);
    const m = metrics();
    expect(m[METRIC_LAST_RUN_SUCCESS]).toBe(1);
    expect(m[METRIC_LAST_SUCCESS]).toBeGreaterThanOrEqual(t0);
    expect(m[METRIC_LAST_SUCCESS]).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(m.mcp_backup_last_size_bytes).toBe(listBackups(f.backupDir)[0].manifest.sizeBytes);
    expect(m.mcp_backup_interval_seconds).toBe(3600);
    expect(statSync(join(f.textfileDir, "mcp_backup.prom")).mode & 0o777).toBe(0o644);
    const promtool = findExecutable("promtool");
    if (!promtool) throw new Error("promtool not found: apt-get install -y prometheus");
    const lint = await runTool(promtool, ["check", "metrics"], { input: readFileSync(join(f.textfileDir, "mcp_backup.prom"), "utf8") });
    expect({ code: lint.code, out: lint.stdout + lint.stderr }).toEqual({ code: 0, out: "" });
    expect(leftovers()).toEqual([]);
    // Backups and manifests are private to the backup user.
    const latest = listBackups(f.backupDir)[0].ref;
    expect(statSync(latest.dataFile).mode & 0o777).toBe(0o600);
    expect(statSync(latest.manifestFile).mode & 0o777).toBe(0o600);
  });

  it("is healthy after a success and unhealthy once 1.5 x the interval has passed", async () => {
    const ok = await f.run(["health"]);
    expect({ code: ok.code, out: ok.stdout }).toEqual({ code: 0, out: expect.stringMatching(/^healthy/) });
    const late = await f.run(["health"], { MCP_BACKUP_NOW: String(Math.floor(Date.now() / 1000) + 5401) });
    expect({ code: late.code, out: late.stdout }).toEqual({ code: 1, out: expect.stringContaining("more than 1.5 x interval (5400s)") });
  });

  it("fails cleanly when the database is unreachable: exit 1, nothing half-written, metrics say so, last success kept", async () => {
    const lastSuccess = metrics()[METRIC_LAST_SUCCESS];
    const backupsBefore = listBackups(f.backupDir).length;
    const port = await freePort();
    const r = await f.run(["run"], { PGPORT: String(port) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`cannot read database mcp at 127\\.0\\.0\\.1:${port} as mcp_backup`));
    expect(leftovers()).toEqual([]);
    expect(listBackups(f.backupDir).length).toBe(backupsBefore);
    expect(metrics()[METRIC_LAST_RUN_SUCCESS]).toBe(0);
    expect(metrics()[METRIC_LAST_SUCCESS]).toBe(lastSuccess);
    expect(state("status")).toMatch(/^failed \d+ cannot read database/);
    const health = await f.run(["health"]);
    expect(health.code).toBe(1);
    // Nothing secret in the logs.
    expect(r.stderr + r.stdout).not.toContain(f.backupPassword);
  });

  it("refuses to start a second run while one holds the lock, and clears a stale lock", async () => {
    mkdirSync(join(f.backupDir, ".lock"));
    try {
      writeFileSync(join(f.backupDir, ".lock", "pid"), String(process.pid)); // a live process
      const busy = await f.run(["run"]);
      expect(busy.code).toBe(75);
      expect(busy.stderr).toContain(`another backup run (pid ${process.pid}) holds`);
      writeFileSync(join(f.backupDir, ".lock", "pid"), "2147480000"); // no such process
      const stale = await f.run(["run"]);
      expect(stale.code).toBe(0);
      expect(stale.stderr).toContain("removing stale lock");
      expect(existsSync(join(f.backupDir, ".lock"))).toBe(false);
    } finally {
      rmSync(join(f.backupDir, ".lock"), { recursive: true, force: true });
    }
  });

  it("counts rows in the very snapshot it dumps, even while the application writes", async () => {
    await f.pg.query("CREATE TABLE IF NOT EXISTS busy (id bigserial PRIMARY KEY, v text)", [], DATABASE);
    await f.pg.query("INSERT INTO busy (v) SELECT md5(g::text) FROM generate_series(1, 50000) g", [], DATABASE);
    const writer = new Client(f.pg.clientConfig(DATABASE));
    await writer.connect();
    let running = true;
    let inserted = 0;
    const writing = (async () => {
      // Bounded: stops when the backup ends, at 20,000 statements or after 60 s.
      const deadline = Date.now() + 60_000;
      while (running && inserted < 20_000 && Date.now() < deadline) {
        await writer.query("INSERT INTO busy (v) VALUES ('during backup')");
        inserted++;
      }
    })();
    try {
      const r = await f.run(["run"]);
      expect(r.code).toBe(0);
    } finally {
      running = false;
      await writing;
      await writer.end();
    }
    expect(inserted).toBeGreaterThan(0);
    const report = await runRestoreDrill({ backup: listBackups(f.backupDir)[0].ref, keyMaterial: f.stackKey, connection: f.connection });
    expect(report.differences).toEqual([]);
    expect(report.status).toBe("pass");
  });
});

describe("verified while written: a stream that does not read back is never published", () => {
  // Stand-ins that wrap the real tools and damage the stream they pass on, each exiting 0 as if
  // all went well: only the read-back running on the written bytes can notice.
  let bin: string;
  beforeAll(() => {
    bin = f.tmp.join("damaging-tools");
    mkdirSync(bin);
    const node = JSON.stringify(process.execPath);
    const realAge = findExecutable("age");
    if (!realAge) throw new Error("age not found: apt-get install -y age");
    // age --encrypt whose output has one bit flipped mid-stream; --decrypt untouched.
    makeExecutable(
      join(bin, "age"),
      `#!/bin/sh
case "$1" in
  --encrypt) ${JSON.stringify(realAge)} "$@" | ${node} -e 'let n = 0; process.stdin.on("data", (b) => { if (n <= 300 && 300 < n + b.length) b[300 - n] ^= 0x04; n += b.length; process.stdout.write(b); })' ;;
  *) exec ${JSON.stringify(realAge)} "$@" ;;
esac
`,
    );
    mkdirSync(join(bin, "truncating"));
    // pg_dump whose archive stops after 4 KiB, then reports success.
    makeExecutable(
      join(bin, "truncating", "pg_dump"),
      `#!/bin/sh
${JSON.stringify(join(f.pg.binDir, "pg_dump"))} "$@" | ${node} -e 'let n = 0; process.stdin.on("data", (b) => { const keep = b.subarray(0, Math.max(0, 4096 - n)); n += b.length; if (keep.length) process.stdout.write(keep); })'
exit 0
`,
    );
  });

  const refused = async (path: string, message: string) => {
    const before = listBackups(f.backupDir).map((b) => b.ref.name);
    const r = await f.run(["run"], { PATH: `${path}:${f.env.PATH}` });
    expect({ code: r.code, message: r.stderr.includes(message) }).toEqual({ code: 1, message: true });
    expect(listBackups(f.backupDir).map((b) => b.ref.name)).toEqual(before);
    expect(leftovers()).toEqual([]);
    expect(metrics()[METRIC_LAST_RUN_SUCCESS]).toBe(0);
    expect(state("status")).toMatch(/^failed \d+ verification failed/);
  };

  it("refuses a backup whose encrypted bytes were altered on the way to the file (age authentication)", async () => {
    await refused(bin, "verification failed: the encrypted backup does not decrypt with the configured key");
  });

  it("refuses a backup whose archive is truncated (pg_restore reads every entry)", async () => {
    await refused(join(bin, "truncating"), "verification failed: pg_restore cannot read the decrypted archive");
  });

  it("records the SHA-256 and size of the bytes on disk, and the next good run succeeds", async () => {
    const r = await f.run(["run"]);
    expect(r.code).toBe(0);
    const [latest] = listBackups(f.backupDir);
    expect(await fileSha256(latest.ref.dataFile)).toEqual({ sha256: latest.manifest.sha256, size: latest.manifest.sizeBytes });
    expect(r.stderr).toContain("verified while written");
  });
});

describe("the scheduler", () => {
  it("runs a backup each interval (bounded by MCP_BACKUP_MAX_RUNS) and exits cleanly", async () => {
    const dir = makeTempDir("mcp-daemon-");
    try {
      const t0 = Date.now();
      const r = await f.run(["daemon"], { MCP_BACKUP_DIR: dir.path, MCP_BACKUP_INTERVAL_SECONDS: "2", MCP_BACKUP_MAX_RUNS: "2" }, 60_000);
      expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 0, timedOut: false });
      expect(r.stderr).toContain("scheduler started: every 2s");
      const backups = listBackups(dir.path);
      expect(backups).toHaveLength(2);
      // The second run waited for the interval after the first success.
      expect(backups[0].manifest.startedAtEpoch - backups[1].manifest.finishedAtEpoch).toBeGreaterThanOrEqual(1);
      expect(Date.now() - t0).toBeLessThan(60_000);
      // The scheduler recorded itself; it has exited now, so the service health check fails.
      const pid = Number(readFileSync(join(dir.path, ".state", "daemon_pid"), "utf8").trim());
      expect(pid).toBeGreaterThan(1);
      const dead = await f.run(["live"], { MCP_BACKUP_DIR: dir.path });
      expect({ code: dead.code, out: dead.stdout }).toEqual({ code: 1, out: `not live: scheduler (pid ${pid}) is not running\n` });
    } finally {
      dir.remove();
    }
  });

  it("is live while the scheduler runs, before any backup exists (a first off-site copy must not hold up a deploy)", async () => {
    const dir = makeTempDir("mcp-live-");
    try {
      const none = await f.run(["live"], { MCP_BACKUP_DIR: dir.path });
      expect({ code: none.code, out: none.stdout }).toEqual({ code: 1, out: "not live: the scheduler has not started\n" });
      // A running process as the scheduler: this test's own.
      mkdirSync(join(dir.path, ".state"), { recursive: true });
      writeFileSync(join(dir.path, ".state", "daemon_pid"), `${process.pid}\n`);
      const live = await f.run(["live"], { MCP_BACKUP_DIR: dir.path });
      expect({ code: live.code, out: live.stdout }).toEqual({ code: 0, out: `live: scheduler pid ${process.pid}, last run none yet\n` });
      expect(listBackups(dir.path)).toHaveLength(0);
      const badKey = await f.run(["live"], { MCP_BACKUP_DIR: dir.path, MCP_BACKUP_IDENTITY_FILE: join(dir.path, "absent") });
      expect(badKey.code).not.toBe(0);
    } finally {
      dir.remove();
    }
  });
});

describe("configuration and environment errors", () => {
  it("names every bad setting and exits 64 before touching anything", async () => {
    const r = await f.run(["run"], { MCP_BACKUP_INTERVAL_SECONDS: undefined, MCP_BACKUP_KEEP_LAST: "0", MCP_BACKUP_MAX_AGE_DAYS: "x" });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('MCP_BACKUP_INTERVAL_SECONDS="" must be a whole number of seconds >= 1');
    expect(r.stderr).toContain('MCP_BACKUP_KEEP_LAST="0" must be a whole number >= 1');
    expect(r.stderr).toContain('MCP_BACKUP_MAX_AGE_DAYS="x" must be a whole number of days >= 1');
  });

  it("requires every off-site setting when off-site is on", async () => {
    const r = await f.run(["check-config"], { MCP_BACKUP_OFFSITE: "1" });
    expect(r.code).toBe(64);
    for (const v of [
      "MCP_BACKUP_OFFSITE_ENDPOINT",
      "MCP_BACKUP_OFFSITE_BUCKET",
      "MCP_BACKUP_OFFSITE_REGION",
      "MCP_BACKUP_OFFSITE_ACCESS_KEY_ID",
      "MCP_BACKUP_OFFSITE_SECRET_KEY_FILE",
    ]) {
      expect(r.stderr).toContain(`${v} is required when MCP_BACKUP_OFFSITE=1`);
    }
  });

  it("exits 69 naming the missing tools", async () => {
    const r = await f.run(["run"], { PATH: [f.busyboxDir, f.pg.binDir].join(":") });
    expect(r.code).toBe(69);
    expect(r.stderr).toContain("required tools not found on PATH: age age-keygen");
  });

  it("rejects a key file that is not an age identity", async () => {
    const bad = f.tmp.join("bad-identity");
    writeFileSync(bad, "not a key\n", { mode: 0o400 });
    const r = await f.run(["check-config"], { MCP_BACKUP_IDENTITY_FILE: bad });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("does not hold a valid age identity");
    expect(r.stderr).not.toContain("not a key");
  });

  it("reports the configuration it would run with", async () => {
    const r = await f.run(["check-config"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^configuration ok: database mcp at 127\.0\.0\.1, every 3600s, keepLast=3, maxAgeDays=7, off-site=0, recipient age1[0-9a-z]{58}$/m,
    );
  });
});

describe("off-site copy (rclone, replaced by a recording stand-in: no S3 endpoint is reachable here)", () => {
  const SECRET = "offsite-secret-" + Math.random().toString(36).slice(2);
  let bin: string;
  let bucket: string;
  let log: string;
  let offsiteEnv: Record<string, string>;
  beforeAll(() => {
    bin = f.tmp.join("fake-rclone");
    bucket = f.tmp.join("fake-bucket");
    log = f.tmp.join("rclone.log");
    mkdirSync(bin);
    mkdirSync(bucket);
    writeFileSync(f.tmp.join("offsite-secret"), SECRET, { mode: 0o400 });
    // Records its arguments and whether it got the secret key through its environment; emulates
    // copyto/deletefile against a directory standing in for the bucket.
    makeExecutable(
      join(bin, "rclone"),
      `#!/bin/sh
echo "ARGS $*" >> "$FAKE_RCLONE_LOG"
[ "$RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY" = "$(cat "$FAKE_SECRET_FILE")" ] && echo "SECRET_OK" >> "$FAKE_RCLONE_LOG"
echo "ENV $RCLONE_CONFIG_OFFSITE_TYPE $RCLONE_CONFIG_OFFSITE_PROVIDER $RCLONE_CONFIG_OFFSITE_ENDPOINT $RCLONE_CONFIG_OFFSITE_REGION $RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID" >> "$FAKE_RCLONE_LOG"
[ "\${FAKE_RCLONE_FAIL:-0}" = 1 ] && { echo "simulated S3 outage" >&2; exit 5; }
while [ $# -gt 0 ]; do
  case "$1" in
    copyto) mkdir -p "$(dirname "$FAKE_BUCKET/\${3#offsite:}")"; cp "$2" "$FAKE_BUCKET/\${3#offsite:}"; exit $? ;;
    deletefile) rm "$FAKE_BUCKET/\${2#offsite:}"; exit $? ;;
  esac
  shift
done
exit 2
`,
    );
    offsiteEnv = {
      PATH: `${bin}:${f.env.PATH}`,
      MCP_BACKUP_OFFSITE: "1",
      MCP_BACKUP_OFFSITE_ENDPOINT: "https://s3.example.test",
      MCP_BACKUP_OFFSITE_BUCKET: "mcp-backups",
      MCP_BACKUP_OFFSITE_REGION: "eu-central-1",
      MCP_BACKUP_OFFSITE_PREFIX: "mcp/prod/",
      MCP_BACKUP_OFFSITE_ACCESS_KEY_ID: "AKIATESTKEY",
      MCP_BACKUP_OFFSITE_SECRET_KEY_FILE: f.tmp.join("offsite-secret"),
      FAKE_RCLONE_LOG: log,
      FAKE_SECRET_FILE: f.tmp.join("offsite-secret"),
      FAKE_BUCKET: bucket,
    };
  });

  it("copies the backup and its manifest byte for byte, passing the secret key only through rclone's environment", async () => {
    const r = await f.run(["run"], offsiteEnv);
    expect(r.code).toBe(0);
    const latest = listBackups(f.backupDir)[0].ref;
    const remote = join(bucket, "mcp-backups", "mcp", "prod");
    expect(readFileSync(join(remote, `${latest.name}.dump.age`)).equals(readFileSync(latest.dataFile))).toBe(true);
    expect(readFileSync(join(remote, `${latest.name}.manifest.json`), "utf8")).toBe(readFileSync(latest.manifestFile, "utf8"));
    const calls = readFileSync(log, "utf8");
    expect(calls).toContain(
      `ARGS --config /dev/null --retries 3 --low-level-retries 3 --contimeout 15s --timeout 60s --s3-no-check-bucket copyto ${latest.dataFile} offsite:mcp-backups/mcp/prod/${latest.name}.dump.age`,
    );
    expect(calls).toContain("SECRET_OK");
    expect(calls).toContain("ENV s3 Other https://s3.example.test eu-central-1 AKIATESTKEY");
    expect(calls).not.toContain(SECRET);
    const m = metrics();
    expect(m.mcp_backup_offsite_enabled).toBe(1);
    expect(m.mcp_backup_offsite_last_success_timestamp_seconds).toBeGreaterThan(0);
    expect(r.stderr + r.stdout + readFileSync(join(f.textfileDir, "mcp_backup.prom"), "utf8")).not.toContain(SECRET);
  });

  it("deletes the off-site copies of the backups retention deletes", async () => {
    const dir = makeTempDir("mcp-prune-offsite-");
    try {
      const NOW = 1_800_000_000;
      const remote = join(bucket, "mcp-backups", "mcp", "prod");
      mkdirSync(remote, { recursive: true });
      for (const [n, ageDays] of [
        ["new", 0],
        ["old", 30],
      ] as const) {
        for (const target of [dir.path, remote]) {
          writeFileSync(join(target, `mcp-${n}.dump.age`), "x");
          writeFileSync(join(target, `mcp-${n}.manifest.json`), `{\n  "createdAtEpoch": ${NOW - ageDays * 86400},\n}\n`);
        }
      }
      const r = await f.run(["prune"], {
        ...offsiteEnv,
        MCP_BACKUP_DIR: dir.path,
        MCP_BACKUP_KEEP_LAST: "1",
        MCP_BACKUP_MAX_AGE_DAYS: "7",
        MCP_BACKUP_NOW: String(NOW),
        MCP_BACKUP_TEXTFILE_DIR: "",
      });
      expect(r.code).toBe(0);
      expect(
        readdirSync(remote)
          .filter((n) => n.startsWith("mcp-new") || n.startsWith("mcp-old"))
          .sort(),
      ).toEqual(["mcp-new.dump.age", "mcp-new.manifest.json"]);
      expect(readFileSync(log, "utf8")).toContain("deletefile offsite:mcp-backups/mcp/prod/mcp-old.dump.age");
    } finally {
      dir.remove();
    }
  });

  it("fails the run when the off-site copy fails, and keeps the local backup", async () => {
    const before = listBackups(f.backupDir).length;
    const r = await f.run(["run"], { ...offsiteEnv, FAKE_RCLONE_FAIL: "1" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("off-site copy of mcp-");
    expect(r.stderr).not.toContain(SECRET);
    expect(listBackups(f.backupDir).length).toBe(before + 1);
    expect(metrics()[METRIC_LAST_RUN_SUCCESS]).toBe(0);
  });
});
