/**
 * `npm run drill:restore` (scripts/drill-restore.ts) end to end: a backup made by the
 * container's script from a real PostgreSQL is restored by the CLI into a server it is
 * pointed at (plain and TLS verify-full) or into a local scratch server it starts itself;
 * the JSON report carries RTO/RPO and the configuration restore; errors exit 2 naming the
 * problem, and no secret reaches the output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { main } from "../../scripts/drill-restore";
import { seed, startBackupFixture, type BackupFixture } from "./support";
import { startPostgres } from "../../backup/scratch-postgres";
import type { DrillRunReport } from "../../backup/drill-run";
import { drillRunReportSchema } from "../../evidence/drill";
import { sha256OfFile } from "../../evidence/provenance";
import type { DrillReport } from "../../backup/drill";
import { freePort } from "../../local/ports";
import { readDrillReport } from "../../validate/backup/drill-interval";
import { checkById, DRILL_REPORTS_EXTRA } from "../../validate/registry";
import { runChecks } from "../../validate/core/runner";
import type { VerifyTarget } from "../../validate/target";

jest.setTimeout(180_000);
const ROOT = resolve(__dirname, "../..");

let f: BackupFixture;
let keyFile: string;
let pwFile: string;
beforeAll(async () => {
  f = await startBackupFixture();
  await seed(f.pg, 250);
  const r = await f.run(["run"]);
  if (r.code !== 0) throw new Error(r.stderr);
  keyFile = f.tmp.join("stack-key");
  writeFileSync(keyFile, f.stackKey + "\n", { mode: 0o600 });
  pwFile = f.tmp.join("pg-password");
  writeFileSync(pwFile, f.pg.password, { mode: 0o600 });
});
afterAll(async () => {
  await f?.stop();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

const base = () => ["--stack", "prod", "--project-dir", ROOT, "--backup-dir", f.backupDir, "--key-file", keyFile];
const target = (port = f.pg.port) => [
  "--pg-host",
  "127.0.0.1",
  "--pg-port",
  String(port),
  "--pg-user",
  f.pg.superuser,
  "--pg-password-file",
  pwFile,
  "--pg-sslmode",
  "disable",
];

function expectNoSecrets(out: string): void {
  for (const s of [f.stackKey, f.pg.password, f.backupPassword]) expect(out).not.toContain(s);
}

describe("npm run drill:restore", () => {
  it("restores the latest backup into the named server and prints the sign-off JSON", async () => {
    const r = await cli([...base(), ...target()]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("database: pass; 3 tables, 279/279 rows") });
    const report = JSON.parse(r.stdout) as DrillRunReport;
    expect(report).toMatchObject({ kind: "restore-drill-run", stack: "prod", status: "pass" });
    expect(drillRunReportSchema.safeParse(report).error?.issues ?? []).toEqual([]);
    expect(report.provenance.inputs).toEqual([{ role: "stack file", path: "Pulumi.prod.yaml", sha256: sha256OfFile(resolve(ROOT, "Pulumi.prod.yaml")) }]);
    const db = report.database as DrillReport;
    expect(db).toMatchObject({
      status: "pass",
      scratchDropped: true,
      differences: [],
      rowsRestored: 279,
      targets: { rtoMinutes: 60, rpoMinutes: 360, withinRto: true, withinRpo: true },
    });
    expect(db.rtoSeconds).toBeGreaterThan(0);
    expect(report.configuration).toMatchObject({ kind: "config-restore", status: "pass", identical: true });
    expectNoSecrets(r.stdout + r.stderr);
  });

  it("starts, uses and removes its own scratch server when no --pg-host is given", async () => {
    const out = f.tmp.join("reports", "drill-report.json");
    const r = await cli([...base(), "--no-config-restore", "--out", f.tmp.join("reports")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("starting a scratch PostgreSQL server");
    expect(r.stderr).toContain("scratch server stopped and removed");
    const report = JSON.parse(readFileSync(out, "utf8")) as DrillRunReport;
    expect(drillRunReportSchema.safeParse(report).error?.issues ?? []).toEqual([]);
    expect(report.database.status).toBe("pass");
    expect(report.configuration).toBeUndefined();
    expectNoSecrets(r.stdout + r.stderr);
  });

  it("HA-DR-02: backup.drill-interval passes on the report just written and fails on drills further apart than mcp:dr.drillIntervalDays", async () => {
    const dir = f.tmp.join("interval");
    const r = await cli([...base(), "--no-config-restore", "--out", dir]);
    expect(r.code).toBe(0);
    const file = `${dir}/drill-report.json`;
    const real = readDrillReport(file, "prod");
    /** The same report as if written `daysAgo` days ago (what a report of an earlier drill holds). */
    const earlier = (daysAgo: number, name: string) => {
      const copy = f.tmp.join(name);
      writeFileSync(copy, JSON.stringify({ ...real, generatedAt: new Date(Date.parse(real.generatedAt) - daysAgo * 86_400_000).toISOString() }));
      return copy;
    };
    const interval = async (files: string[]) => {
      const reports = files.map((x) => ({ file: x, report: readDrillReport(x, "prod") }));
      const target = { extra: { [DRILL_REPORTS_EXTRA]: { intervalDays: 90, reports } } } as unknown as VerifyTarget;
      const [rec] = await runChecks([checkById("backup.drill-interval")], target, { secrets: [], progress: false });
      return rec;
    };
    const today = real.generatedAt.slice(0, 10);
    const fresh = await interval([file, earlier(80, "q3.json"), earlier(160, "q2.json")]);
    expect(`${fresh.status} ${fresh.message}`).toBe(
      `pass last restore drill 0 day(s) ago (${today}, pass), 3 drill(s) at most 80 days apart, within the 90-day interval`,
    );
    const stale = await interval([earlier(120, "old.json")]);
    expect(`${stale.status} ${stale.message}`).toMatch(
      /^fail the last restore drill ran 120 days ago \(\d{4}-\d\d-\d\d, .*old\.json\): drills must be at most 90 days apart \(mcp:dr\.drillIntervalDays\)$/,
    );
    const gap = await interval([file, earlier(130, "gap.json")]);
    expect(gap.status).toBe("fail");
    expect(gap.message).toMatch(/^130 days passed between the drills of \d{4}-\d\d-\d\d and \d{4}-\d\d-\d\d: drills must be at most 90 days apart/);
    expect(() => readDrillReport(file, "staging")).toThrow(`drill report ${file} is for stack "prod", not "staging"`);
    writeFileSync(f.tmp.join("verify.json"), JSON.stringify({ kind: "verify", stack: "prod" }));
    expect(() => readDrillReport(f.tmp.join("verify.json"), "prod")).toThrow(
      /is not a restore drill report \(npm run drill:restore -- --stack prod --out DIR writes DIR\/drill-report\.json\): kind: /,
    );
  });

  it("restores over TLS with certificate verification (verify-full)", async () => {
    const tlsServer = await startPostgres({ tls: true, pgHbaConf: "hostssl all all 127.0.0.1/32 scram-sha-256\n" });
    try {
      const pw = f.tmp.join("tls-password");
      writeFileSync(pw, tlsServer.password, { mode: 0o600 });
      const args = [
        ...base(),
        "--no-config-restore",
        "--pg-host",
        "localhost",
        "--pg-port",
        String(tlsServer.port),
        "--pg-user",
        tlsServer.superuser,
        "--pg-password-file",
        pw,
        "--pg-sslmode",
        "verify-full",
        "--pg-ca",
        tlsServer.tls!.caFile,
      ];
      const r = await cli(args);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("database: pass") });
      // Without TLS the same server refuses: the drill really used TLS.
      const plain = await cli([
        ...base(),
        "--no-config-restore",
        "--pg-host",
        "localhost",
        "--pg-port",
        String(tlsServer.port),
        "--pg-user",
        tlsServer.superuser,
        "--pg-password-file",
        pw,
        "--pg-sslmode",
        "disable",
      ]);
      expect(plain.code).toBe(2);
      expect((JSON.parse(plain.stdout) as DrillRunReport).database).toMatchObject({ status: "error", code: "database-unreachable" });
    } finally {
      await tlsServer.stop();
    }
  });

  it("exits 2 with a clear error for a wrong key, an unreachable database, a missing backup or a missing key", async () => {
    const other = f.tmp.join("other-key");
    writeFileSync(other, "z".repeat(64), { mode: 0o600 });
    const wrong = await cli(["--stack", "prod", "--project-dir", ROOT, "--backup-dir", f.backupDir, "--key-file", other, ...target(), "--no-config-restore"]);
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stdout).database).toMatchObject({ status: "error", code: "wrong-key" });
    expect(wrong.stderr).toContain("database: wrong key:");

    const port = await freePort();
    const down = await cli([...base(), ...target(port), "--no-config-restore"]);
    expect(down.code).toBe(2);
    expect(JSON.parse(down.stdout).database).toMatchObject({ code: "database-unreachable", message: expect.stringContaining(`127.0.0.1:${port}`) });

    const missing = await cli([...base(), ...target(), "--backup", "mcp-19990101T000000Z.dump.age", "--no-config-restore"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).database).toMatchObject({ code: "missing-backup" });

    const nokey = await cli(["--stack", "prod", "--project-dir", ROOT, "--backup-dir", f.backupDir, ...target()]);
    expect(nokey).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("the backup key is needed: --key-file FILE") });

    const badStack = await cli(["--stack", "nope", "--project-dir", ROOT, "--key-file", keyFile]);
    expect(badStack).toMatchObject({ code: 2, stderr: expect.stringContaining("no stack file Pulumi.nope.yaml") });

    const badFlag = await cli([...base(), "--pg-user", "x"]);
    expect(badFlag).toMatchObject({ code: 2, stderr: expect.stringContaining("--pg-user needs --pg-host") });
    const devOutputs = f.tmp.join("dev-outputs.json");
    writeFileSync(devOutputs, JSON.stringify({ stack: "dev", secrets: { backupEncryptionKey: f.stackKey } }), { mode: 0o600 });
    const otherStack = await cli(["--stack", "prod", "--project-dir", ROOT, "--backup-dir", f.backupDir, "--outputs", devOutputs, ...target()]);
    expect(otherStack).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining(`--outputs ${devOutputs} is for stack "dev", not --stack prod`) });
    for (const r of [wrong, down, missing, nokey, otherStack]) expectNoSecrets(r.stdout + r.stderr);
  });
});
