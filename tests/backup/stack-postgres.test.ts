/**
 * The backup service as the stack deploys it, against PostgreSQL as the stack deploys it:
 * the prod config's rendered postgresql.conf, pg_hba.conf (TLS + SCRAM only) and init script
 * (read-only backup role, default_transaction_read_only, connection limit), and the backup
 * container's own environment and rendered secret files from infra/components/backup.ts —
 * only addresses and paths are swapped for loopback ones. DEP-DB-04: the backup service
 * connects (TLS verify-full) and backs up; the result restores on a scratch server.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { startPostgres, type PgServer } from "../../backup/scratch-postgres";
import { busyboxApplets, SCRIPT, randomStackKey } from "../../testing/servers/backup";
import { makeTempDir, makeTestCertificates, runTool, type TempDir, type TestCertificates } from "../../testing/tools";
import { loadStackFileConfig } from "../../infra/config/stack-file";
import { postgresInputFromConfig, renderPgHbaConf, renderPostgresConf, renderPostgresInitScript } from "../../infra/render/postgres";
import { backupSpecs, BACKUP_SECRET_FILES } from "../../infra/components/backup";
import type { SecretValues } from "../../infra/spec";
import { listBackups } from "../../backup/manifest";
import { runDrill } from "../../backup/drill-run";
import type { DrillReport } from "../../backup/drill";

jest.setTimeout(180_000);
const ROOT = join(__dirname, "../..");
const config = loadStackFileConfig("prod", ROOT);

let dir: TempDir;
let certs: TestCertificates;
let pg: PgServer;
const passwords = {
  app: randomBytes(24).toString("base64url"),
  backup: randomBytes(24).toString("base64url"),
  exporter: randomBytes(24).toString("base64url"),
};
const stackKey = randomStackKey();

beforeAll(async () => {
  dir = makeTempDir("mcp-stack-pg-");
  certs = await makeTestCertificates(dir.path, { commonName: "localhost" });
  const files = { app: dir.join("app.pw"), backup: dir.join("backup.pw"), exporter: dir.join("exporter.pw") };
  for (const k of Object.keys(files) as (keyof typeof files)[]) writeFileSync(files[k], passwords[k] + "\n", { mode: 0o600 });
  const input = { ...postgresInputFromConfig(config), passwordFiles: files };
  pg = await startPostgres({
    tls: { certFile: certs.cert, keyFile: certs.key, caFile: certs.caCert },
    postgresqlConf: renderPostgresConf(input),
    pgHbaConf: renderPgHbaConf(input),
  });
  const socket = join(pg.baseDir, "sock");
  const admin = new Client({ host: socket, port: pg.port, user: pg.superuser, password: pg.password, database: "postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${config.postgres.database}`);
  await admin.end();
  const init = await runTool("sh", ["-c", renderPostgresInitScript(input)], {
    env: {
      PATH: `${pg.binDir}:/usr/bin:/bin`,
      PGHOST: socket,
      PGPORT: String(pg.port),
      PGPASSWORD: pg.password,
      POSTGRES_USER: pg.superuser,
      POSTGRES_DB: config.postgres.database,
    },
  });
  if (init.code !== 0) throw new Error(`init script failed: ${init.stderr}`);
  // The application's data, written by the app role over TLS as in production.
  const app = new Client({
    host: "localhost",
    port: pg.port,
    user: config.postgres.user,
    password: passwords.app,
    database: config.postgres.database,
    ssl: { ca: readFileSync(certs.caCert, "utf8") },
  });
  await app.connect();
  await app.query(`CREATE TABLE servers (id serial PRIMARY KEY, name text UNIQUE NOT NULL, config jsonb);
                   INSERT INTO servers (name, config) SELECT 'server-' || g, jsonb_build_object('port', 3000 + g) FROM generate_series(1, 750) g;`);
  await app.end();
});
afterAll(async () => {
  await pg?.stop();
  dir?.remove();
});

it("the deployed backup container's environment and secret files back up the deployed PostgreSQL over verified TLS", async () => {
  const [spec] = backupSpecs(config, { stack: "prod", prefix: "mcp-prod" });
  const values = { backupEncryptionKey: stackKey, postgresBackupPassword: passwords.backup, backupOffsiteSecretKey: "unused" } as SecretValues;
  const secretFile = (path: string, name: string) => {
    const file = dir.join(name);
    writeFileSync(file, spec.secretFiles.find((s) => s.path === path)!.render(values), { mode: 0o400 });
    return file;
  };
  const backups = dir.join("backups");
  const textfile = dir.join("textfile");
  mkdirSync(backups);
  mkdirSync(textfile);
  const bin = busyboxApplets(dir.join("bin"));
  const env: Record<string, string> = {
    ...spec.env,
    // Only what differs between the container and this machine: addresses and paths.
    PGHOST: "localhost",
    PGPORT: String(pg.port),
    PGSSLROOTCERT: certs.caCert,
    PGPASSFILE: secretFile(BACKUP_SECRET_FILES.pgpass, "pgpass"),
    MCP_BACKUP_IDENTITY_FILE: secretFile(BACKUP_SECRET_FILES.identity, "identity"),
    MCP_BACKUP_DIR: backups,
    MCP_BACKUP_TEXTFILE_DIR: textfile,
    MCP_BACKUP_SHELL: join(bin, "sh"),
    MCP_BACKUP_OFFSITE: "0", // no S3 here; the off-site path is tested with a stand-in in script.test.ts
    HOME: dir.path,
    PATH: [bin, pg.binDir, "/usr/bin", "/bin"].join(":"),
  };
  expect(env.PGSSLMODE).toBe("verify-full");
  expect(env.PGUSER).toBe(config.postgres.backupUser);

  const r = await runTool(join(bin, "sh"), [SCRIPT, "run"], { env, timeoutMs: 120_000 });
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: expect.stringContaining("done,") });
  expect(r.stdout + r.stderr).not.toContain(passwords.backup);
  const [latest] = listBackups(backups);
  expect(latest.manifest.inventory.tables.map((t) => [t.name, t.rows])).toEqual([["servers", 750]]);
  // The server saw a TLS session from the backup role.
  expect(readFileSync(pg.logFile, "utf8")).toMatch(
    new RegExp(`connection authorized: user=${config.postgres.backupUser} database=${config.postgres.database}.*SSL enabled`),
  );

  // The default drill path: a local scratch server, since no stack role may CREATE DATABASE.
  const report = await runDrill({ stack: "prod", backupDir: backups, backup: "latest", keyMaterial: stackKey, targets: config.dr });
  expect(report.status).toBe("pass");
  expect((report.database as DrillReport).rowsRestored).toBe(750);

  // A wrong backup password is refused and reported, without the password.
  writeFileSync(dir.join("bad-pgpass"), `*:*:${config.postgres.database}:${config.postgres.backupUser}:wrong-${randomBytes(8).toString("hex")}\n`, {
    mode: 0o400,
  });
  const bad = await runTool(join(bin, "sh"), [SCRIPT, "run"], { env: { ...env, PGPASSFILE: dir.join("bad-pgpass") } });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain("password authentication failed");
});
