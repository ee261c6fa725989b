/**
 * infra/images/backup/mcp-backup.sh (the container's code, run here under busybox sh) against a real
 * PostgreSQL: back up, destroy, restore, compare; encryption; tamper detection; the drill's
 * clear errors; a failed drill leaves nothing behind.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contentChecksums, DATABASE, readJson, seed, startBackupFixture, type BackupFixture, randomStackKey } from "./support";
import { backupRefFor, listBackups, readManifest, resolveBackup, type BackupManifest, BackupError } from "../../backup/manifest";
import { decryptAndRestore, runRestoreDrill, SCRATCH_PREFIX, fileSha256, type DrillConnection } from "../../backup/drill";
import { ageIdentityFromStackKey } from "../../infra/render/backup-keys";
import { makeTempDir } from "../../local/tempdir";

jest.setTimeout(180_000);

let f: BackupFixture;
const CANARY = `drill-canary-${Date.now()}`;

beforeAll(async () => {
  f = await startBackupFixture();
  await seed(f.pg, 2000, CANARY);
});
afterAll(async () => {
  await f?.stop();
});

async function backupNow(): Promise<{ dataFile: string; manifest: BackupManifest }> {
  const before = new Set(readdirSync(f.backupDir));
  const r = await f.run(["run"]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("done,") });
  const created = readdirSync(f.backupDir).filter((n) => n.endsWith(".dump.age") && !before.has(n));
  expect(created).toHaveLength(1);
  const ref = backupRefFor(join(f.backupDir, created[0]));
  return { dataFile: ref.dataFile, manifest: readManifest(ref) };
}

async function scratchDatabases(): Promise<string[]> {
  const rows = await f.pg.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${SCRATCH_PREFIX}%`]);
  return rows.map((r) => r.datname);
}

/** Copies a backup pair into a fresh dir, so one test's tampering cannot touch another's. */
function copyBackup(dataFile: string, into: string): string {
  const ref = backupRefFor(dataFile);
  const target = join(into, `${ref.name}.dump.age`);
  writeFileSync(target, readFileSync(ref.dataFile));
  writeFileSync(join(into, `${ref.name}.manifest.json`), readFileSync(ref.manifestFile));
  return target;
}

describe("backup and restore with real PostgreSQL", () => {
  it("writes data, backs up, destroys the data, restores it: zero rows lost and content checksums equal", async () => {
    const before = await contentChecksums(f.pg, DATABASE);
    expect(Object.keys(before).sort()).toEqual(["audit.events", "public.customers", "public.items"]);
    const { dataFile, manifest } = await backupNow();

    // The manifest's checksum is the file's, and its row counts are the database's.
    expect(await fileSha256(dataFile)).toEqual({ sha256: manifest.sha256, size: manifest.sizeBytes });
    expect(manifest.inventory.tables.map((t) => [`${t.schema}.${t.name}`, t.rows])).toEqual([
      ["audit.events", 25],
      ["public.customers", 4],
      ["public.items", 2000],
    ]);
    expect(manifest.verified).toBe(true);

    // Destroy, then recover from nothing but the backup file and the key.
    await f.pg.query("DROP TABLE items; DROP TABLE customers; DROP SCHEMA audit CASCADE;", [], DATABASE);
    expect(await contentChecksums(f.pg, DATABASE)).toEqual({});
    await f.pg.query("CREATE DATABASE mcp_recovered");
    const work = makeTempDir("mcp-restore-");
    try {
      await decryptAndRestore({
        ref: backupRefFor(dataFile),
        identity: ageIdentityFromStackKey(f.stackKey),
        connection: f.connection,
        database: "mcp_recovered",
        workDir: work.path,
      });
    } finally {
      work.remove();
    }
    expect(await contentChecksums(f.pg, "mcp_recovered")).toEqual(before);

    // Put the original database back for the other tests.
    await f.pg.query("DROP DATABASE mcp WITH (FORCE)");
    await f.pg.query("ALTER DATABASE mcp_recovered RENAME TO mcp");
    await f.pg.query("GRANT CONNECT ON DATABASE mcp TO mcp_backup");
  });

  it("runs the restore drill: checksum verified, schema and row counts equal, RTO/RPO reported, scratch database dropped", async () => {
    const { dataFile, manifest } = await backupNow();
    const lines: string[] = [];
    const report = await runRestoreDrill({
      backup: resolveBackup(f.backupDir, "latest"),
      keyMaterial: f.stackKey,
      connection: f.connection,
      targets: { rtoMinutes: 60, rpoMinutes: 360 },
      log: (l) => lines.push(l),
    });
    expect(report.backup.file).toBe(manifest.file);
    expect(resolveBackup(f.backupDir, "latest").dataFile).toBe(dataFile);
    expect(report.status).toBe("pass");
    expect(report.differences).toEqual([]);
    expect(report.rowsRestored).toBe(report.rowsExpected);
    expect(report.rowsExpected).toBe(2029);
    expect(report.backup.sha256Verified).toBe(true);
    expect(report.rtoSeconds).toBeGreaterThan(0);
    expect(report.rpoSeconds).toBeGreaterThanOrEqual(0);
    expect(report.targets).toEqual({ rtoMinutes: 60, rpoMinutes: 360, withinRto: true, withinRpo: true });
    expect(report.scratchDropped).toBe(true);
    expect(await scratchDatabases()).toEqual([]);
    // Nothing secret in what the drill says.
    expect(JSON.stringify(report) + lines.join("\n")).not.toContain(f.stackKey);
    expect(JSON.stringify(report) + lines.join("\n")).not.toContain(f.pg.password);
  });

  it("reports a row-count difference as a failed drill and still drops the scratch database", async () => {
    const work = makeTempDir("mcp-drill-rows-");
    try {
      const { dataFile } = await backupNow();
      const copy = copyBackup(dataFile, work.path);
      const manifestPath = backupRefFor(copy).manifestFile;
      const m = readJson<BackupManifest>(manifestPath);
      m.inventory.tables.find((t) => t.name === "items")!.rows += 1; // the manifest promises one row more
      writeFileSync(manifestPath, JSON.stringify(m));
      const report = await runRestoreDrill({ backup: backupRefFor(copy), keyMaterial: f.stackKey, connection: f.connection });
      expect(report.status).toBe("fail");
      expect(report.differences).toEqual([{ table: "public.items", problem: "rows", expected: 2001, actual: 2000 }]);
      expect(await scratchDatabases()).toEqual([]);
    } finally {
      work.remove();
    }
  });

  it("encrypts: the file holds no plaintext table names or rows, and does not decrypt with another key", async () => {
    const { dataFile } = await backupNow();
    const encrypted = readFileSync(dataFile);
    expect(encrypted.subarray(0, 22).toString()).toBe("age-encryption.org/v1\n");
    expect(encrypted.toString("latin1")).toMatch(/^age-encryption\.org\/v1\n-> X25519 /);

    // The same bytes decrypted are a pg_dump archive whose table of contents names the tables
    // in plain text, and whose restore script contains the canary row: encryption is what hides them.
    const identity = ageIdentityFromStackKey(f.stackKey);
    const work = makeTempDir("mcp-plain-");
    try {
      writeFileSync(work.join("id"), identity, { mode: 0o600 });
      const archive = spawnSync("age", ["--decrypt", "--identity", work.join("id"), dataFile]);
      expect(archive.status).toBe(0);
      expect(archive.stdout.subarray(0, 5).toString()).toBe("PGDMP");
      expect(archive.stdout.toString("latin1")).toContain("CREATE TABLE public.customers");
      const sql = spawnSync(join(f.pg.binDir, "pg_restore"), ["--file=-"], { input: archive.stdout });
      expect(sql.stdout.toString()).toContain(CANARY);

      const raw = encrypted.toString("latin1");
      for (const plain of ["customers", "items", "CREATE TABLE", CANARY, "alice", "PGDMP"]) expect(raw).not.toContain(plain);

      // Another stack's key: age refuses, and the drill says so before touching the database.
      writeFileSync(work.join("other"), ageIdentityFromStackKey(randomStackKey()), { mode: 0o600 });
      const other = spawnSync("age", ["--decrypt", "--identity", work.join("other"), dataFile]);
      expect(other.status).not.toBe(0);
      expect(other.stdout.length).toBe(0);
      expect(other.stderr.toString()).toMatch(/no identity matched/);
    } finally {
      work.remove();
    }
    const drill = runRestoreDrill({ backup: backupRefFor(dataFile), keyMaterial: randomStackKey(), connection: f.connection });
    await expect(drill).rejects.toMatchObject({ code: "wrong-key", message: expect.stringMatching(/^wrong key: .* was encrypted to age1/) });
    expect(await scratchDatabases()).toEqual([]);
  });

  describe("drill errors are clear and leave nothing behind", () => {
    let backup: string;
    let work: ReturnType<typeof makeTempDir>;
    let drillTmp: ReturnType<typeof makeTempDir>;
    beforeAll(async () => {
      backup = (await backupNow()).dataFile;
    });
    beforeEach(() => {
      work = makeTempDir("mcp-drill-err-");
      drillTmp = makeTempDir("mcp-drill-work-");
    });
    afterEach(async () => {
      // Proof for every case: no scratch database and no temp files (keys, passwords) remain.
      expect(await scratchDatabases()).toEqual([]);
      expect(readdirSync(drillTmp.path)).toEqual([]);
      work.remove();
      drillTmp.remove();
    });
    const drill = (dataFile: string, extra: { keyMaterial?: string; connection?: DrillConnection } = {}) =>
      runRestoreDrill({
        backup: backupRefFor(dataFile),
        keyMaterial: extra.keyMaterial ?? f.stackKey,
        connection: extra.connection ?? f.connection,
        workRoot: drillTmp.path,
      });

    it("detects a truncated backup (checksum mismatch)", async () => {
      const copy = copyBackup(backup, work.path);
      truncateSync(copy, statSync(copy).size - 100);
      await expect(drill(copy)).rejects.toMatchObject({
        code: "checksum-mismatch",
        message: expect.stringMatching(/truncated or was modified: the manifest records \d+ bytes/),
      });
    });

    it("detects an edited byte (checksum mismatch)", async () => {
      const copy = copyBackup(backup, work.path);
      const bytes = readFileSync(copy);
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      writeFileSync(copy, bytes);
      await expect(drill(copy)).rejects.toMatchObject({ code: "checksum-mismatch" });
    });

    it("detects tampering even when the manifest checksum was forged too (age authentication)", async () => {
      const copy = copyBackup(backup, work.path);
      const bytes = readFileSync(copy);
      bytes[bytes.length - 40] ^= 0x80;
      writeFileSync(copy, bytes);
      const manifestPath = backupRefFor(copy).manifestFile;
      const m = readJson<BackupManifest>(manifestPath);
      m.sha256 = (await fileSha256(copy)).sha256;
      writeFileSync(manifestPath, JSON.stringify(m));
      await expect(drill(copy)).rejects.toMatchObject({ code: "decrypt-failed", message: expect.stringContaining("failed authentication") });
    });

    it("refuses a backup without its manifest", async () => {
      const copy = copyBackup(backup, work.path);
      rmSync(backupRefFor(copy).manifestFile);
      await expect(drill(copy)).rejects.toMatchObject({ code: "missing-manifest", message: expect.stringContaining("no manifest for") });
      expect(() => resolveBackup(work.path, "latest")).toThrow(/no complete backup/);
    });

    it("refuses the wrong key", async () => {
      await expect(drill(backup, { keyMaterial: randomStackKey() })).rejects.toMatchObject({ code: "wrong-key" });
    });

    it("names the unreachable database", async () => {
      const { freePort } = await import("../../local/ports");
      const port = await freePort();
      await expect(drill(backup, { connection: { ...f.connection, port, connectTimeoutMs: 3000 } })).rejects.toMatchObject({
        code: "database-unreachable",
        message: expect.stringMatching(new RegExp(`cannot connect to PostgreSQL at 127\\.0\\.0\\.1:${port}`)),
      });
    });

    it("cleans up when the drill is cancelled (Ctrl-C) during the restore", async () => {
      const controller = new AbortController();
      controller.abort();
      const cancelled = runRestoreDrill({
        backup: backupRefFor(backup),
        keyMaterial: f.stackKey,
        connection: f.connection,
        workRoot: drillTmp.path,
        signal: controller.signal,
      });
      await expect(cancelled).rejects.toMatchObject({ code: "restore-failed", message: "restore cancelled" });
    });

    it("fails a restore that breaks after the scratch database exists, and still drops it", async () => {
      // A correctly encrypted, correctly checksummed file that is not a pg_dump archive:
      // decryption succeeds, pg_restore fails inside the freshly created scratch database.
      const ref = backupRefFor(backup);
      const m = readManifest(ref);
      const forged = join(work.path, "mcp-forged.dump.age");
      const enc = spawnSync("age", ["--encrypt", "--recipient", m.recipient, "--output", forged], { input: "this is not a pg_dump archive\n".repeat(100) });
      expect(enc.status).toBe(0);
      const sum = await fileSha256(forged);
      writeFileSync(
        join(work.path, "mcp-forged.manifest.json"),
        JSON.stringify({ ...m, file: "mcp-forged.dump.age", sha256: sum.sha256, sizeBytes: sum.size }),
      );
      await expect(drill(forged)).rejects.toMatchObject({ code: "restore-failed", message: expect.stringContaining('pg_restore into "mcp_drill_') });
    });
  });

  it("lists complete backups newest first", async () => {
    const all = listBackups(f.backupDir);
    expect(all.length).toBeGreaterThanOrEqual(2);
    const epochs = all.map((b) => b.manifest.createdAtEpoch);
    expect([...epochs].sort((a, b) => b - a)).toEqual(epochs);
    expect(() => readManifest(backupRefFor(join(f.backupDir, "nope.dump.age")))).toThrow(BackupError);
    expect(existsSync(f.backupDir)).toBe(true);
  });
});
