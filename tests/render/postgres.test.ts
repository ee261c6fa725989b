/**
 * PostgreSQL settings, pg_hba.conf and the init script on a real PostgreSQL (Debian's,
 * via backup/scratch-postgres.ts): non-TLS connections are refused, SCRAM over TLS works
 * for the app role, the backup role reads but cannot write, the exporter sees statistics
 * only, the superuser cannot log in over TCP, and no password reaches a log or output.
 * Broken variants: a bad setting keeps the server from starting; a missing password file
 * stops the init script with a message naming the file.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, ClientConfig } from "pg";
import {
  POSTGRES_EXPORTER_ROLE,
  PostgresInput,
  postgresInputFromConfig,
  renderPgHbaConf,
  renderPostgresConf,
  renderPostgresInitScript,
} from "../../infra/render/postgres";
import { PATHS } from "../../infra/topology";
import { startPostgres, PgServer } from "../../backup/scratch-postgres";
import { makeTempDir, makeTestCertificates, runTool, TempDir, TestCertificates } from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

describe.each(STACKS)("rendered PostgreSQL files for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const input = postgresInputFromConfig(config);

  test("postgresql.conf: TLS >= 1.2, SCRAM, connection logging, sizes from config", () => {
    const conf = renderPostgresConf(input);
    for (const line of [
      "ssl = on",
      `ssl_cert_file = '${PATHS.postgresTlsCert}'`,
      `ssl_key_file = '${PATHS.postgresTlsKey}'`,
      `ssl_ca_file = '${PATHS.postgresCaCert}'`,
      "ssl_min_protocol_version = 'TLSv1.2'",
      "password_encryption = 'scram-sha-256'",
      "log_connections = on",
      "log_disconnections = on",
      "log_statement = 'none'",
      `max_connections = ${config.postgres.maxConnections}`,
      `shared_buffers = ${config.postgres.sharedBuffersMb}MB`,
      "listen_addresses = '*'",
    ])
      expect(conf.split("\n")).toContain(line);
    expect(conf).toMatch(/^log_line_prefix = '.*%u@%d.*'$/m);
  });

  test("pg_hba.conf: TLS + SCRAM for the stack's roles only; no trust, md5, password or plain host lines", () => {
    const hba = renderPgHbaConf(input);
    const rows = hba
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(["local", "hostnossl", "hostssl"]);
    expect(rows.find((r) => r[0] === "hostnossl")!.at(-1)).toBe("reject");
    expect(rows.find((r) => r[0] === "hostssl")).toEqual([
      "hostssl",
      "all",
      `${config.postgres.user},${config.postgres.backupUser},${POSTGRES_EXPORTER_ROLE}`,
      "samenet",
      "scram-sha-256",
    ]);
    expect(hba).not.toMatch(/\b(trust|md5|password|ident)\s*$/m);
    expect(hba).not.toMatch(/^host\s/m);
  });

  test("the init script reads passwords from files and never from the environment", () => {
    const script = renderPostgresInitScript(input);
    expect(script).toContain("\\set app_password `cat '/run/secrets/postgres-password'`");
    expect(script).not.toMatch(/PASSWORD\s*=|_PASSWORD\b(?!_FILE)|\$\{?\w*PASS/);
    expect(script).toContain(`GRANT pg_read_all_data TO ${config.postgres.backupUser};`);
    expect(script).toContain(`GRANT pg_monitor TO ${POSTGRES_EXPORTER_ROLE};`);
  });
});

test("bad input is refused naming the field", () => {
  const input = postgresInputFromConfig(loadStackFile("prod"));
  expect(() => renderPgHbaConf({ ...input, roles: { ...input.roles, backup: "Robert'); DROP" } })).toThrow(/roles\.backup "Robert'\); DROP" must match/);
  expect(() => renderPostgresInitScript({ ...input, passwordFiles: { ...input.passwordFiles, app: "relative/path" } })).toThrow(
    /passwordFiles\.app "relative\/path"/,
  );
});

describe("a real PostgreSQL with the rendered configuration and init script", () => {
  const config = loadStackFile("prod");
  const passwords = {
    app: randomBytes(24).toString("base64url"),
    backup: randomBytes(24).toString("base64url"),
    exporter: randomBytes(24).toString("base64url"),
  };
  let dir: TempDir;
  let certs: TestCertificates;
  let pg: PgServer | undefined;
  let input: PostgresInput;
  let initOutput = "";

  /** The harness puts the server's socket here; the superuser may only use the socket. */
  const socketDir = () => join(pg!.baseDir, "sock");
  const runInit = (script: string) =>
    runTool("sh", ["-c", script], {
      env: {
        PATH: `${pg!.binDir}:/usr/bin:/bin`,
        PGHOST: socketDir(),
        PGPORT: String(pg!.port),
        PGPASSWORD: pg!.password,
        POSTGRES_USER: pg!.superuser,
        POSTGRES_DB: config.postgres.database,
      },
    });
  const tlsClient = (user: string, password: string, extra: Partial<ClientConfig> = {}): ClientConfig => ({
    host: "127.0.0.1",
    port: pg!.port,
    user,
    password,
    database: config.postgres.database,
    ssl: { ca: readFileSync(certs.caCert, "utf8"), servername: "localhost" },
    connectionTimeoutMillis: 5_000,
    ...extra,
  });
  async function withClient<T>(cfg: ClientConfig, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = new Client(cfg);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  }
  const connectError = async (cfg: ClientConfig) => {
    const c = new Client(cfg);
    try {
      await c.connect();
      await c.end();
      return "connected";
    } catch (e) {
      return (e as Error).message;
    }
  };

  beforeAll(async () => {
    dir = makeTempDir("pg-render-");
    certs = await makeTestCertificates(dir.path, { commonName: "localhost" });
    const files = { app: dir.join("app.pw"), backup: dir.join("backup.pw"), exporter: dir.join("exporter.pw") };
    for (const k of Object.keys(files) as (keyof typeof files)[]) writeFileSync(files[k], passwords[k] + "\n", { mode: 0o600 });
    input = { ...postgresInputFromConfig(config), passwordFiles: files };
    pg = await startPostgres({
      tls: { certFile: certs.cert, keyFile: certs.key, caFile: certs.caCert },
      postgresqlConf: renderPostgresConf(input),
      pgHbaConf: renderPgHbaConf(input),
    });
    // What the image's entrypoint does before running init scripts: create POSTGRES_DB.
    await withClient({ host: socketDir(), port: pg.port, user: pg.superuser, password: pg.password, database: "postgres" }, (c) =>
      c.query(`CREATE DATABASE ${config.postgres.database}`),
    );
    const first = await runInit(renderPostgresInitScript(input));
    initOutput = first.stdout + first.stderr;
    if (first.code !== 0) throw new Error(`init script failed (exit ${first.code}):\n${initOutput}\n${pg.logTail()}`);
    // Idempotent: a second run (e.g. after a password rotation) succeeds too.
    const second = await runInit(renderPostgresInitScript(input));
    initOutput += second.stdout + second.stderr;
    if (second.code !== 0) throw new Error(`second init run failed:\n${second.stdout}${second.stderr}`);
  });

  afterAll(async () => {
    await pg?.stop();
    dir?.remove();
  });

  test("the settings are live: TLS, SCRAM, connection logging", async () => {
    // Some of these are visible to superusers only: read them over the socket.
    const rows = await withClient({ host: socketDir(), port: pg!.port, user: pg!.superuser, password: pg!.password, database: "postgres" }, (c) =>
      c.query(
        "SELECT name, setting FROM pg_settings WHERE name IN ('ssl','ssl_min_protocol_version','password_encryption','log_connections','log_disconnections','max_connections')",
      ),
    );
    expect(Object.fromEntries(rows.rows.map((r) => [r.name, r.setting]))).toEqual({
      ssl: "on",
      ssl_min_protocol_version: "TLSv1.2",
      password_encryption: "scram-sha-256",
      log_connections: "on",
      log_disconnections: "on",
      max_connections: String(config.postgres.maxConnections),
    });
  });

  test("a connection without TLS is refused", async () => {
    const message = await connectError({ ...tlsClient(config.postgres.user, passwords.app), ssl: false });
    expect(message).toMatch(/pg_hba\.conf rejects connection .* no encryption/);
  });

  test("the app role logs in with SCRAM over TLS, owns the database and can write", async () => {
    const result = await withClient(tlsClient(config.postgres.user, passwords.app), async (c) => {
      const ssl = await c.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      await c.query("CREATE TABLE render_probe (id int PRIMARY KEY, note text)");
      await c.query("INSERT INTO render_probe VALUES (1, 'written by app')");
      return ssl.rows[0];
    });
    expect(result.ssl).toBe(true);
    expect(result.version).toMatch(/^TLSv1\.[23]$/);
    const verifiers = await withClient({ host: socketDir(), port: pg!.port, user: pg!.superuser, password: pg!.password, database: "postgres" }, (c) =>
      c.query("SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$%' AS scram, rolsuper FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname", [
        [config.postgres.user, config.postgres.backupUser, POSTGRES_EXPORTER_ROLE],
      ]),
    );
    expect(verifiers.rows).toHaveLength(3);
    for (const r of verifiers.rows)
      expect({ role: r.rolname, scram: r.scram, superuser: r.rolsuper }).toEqual({ role: r.rolname, scram: true, superuser: false });
  });

  test("a wrong password is refused", async () => {
    expect(await connectError(tlsClient(config.postgres.user, "not-the-password"))).toMatch(/password authentication failed/);
  });

  test("the backup role reads everything and cannot write, even with read-only turned off", async () => {
    await withClient(tlsClient(config.postgres.user, passwords.app), (c) => c.query("INSERT INTO render_probe VALUES (2, 'second') ON CONFLICT DO NOTHING"));
    const outcome = await withClient(tlsClient(config.postgres.backupUser, passwords.backup), async (c) => {
      const read = await c.query("SELECT count(*)::int AS n FROM render_probe");
      const readOnlyWrite = await c.query("INSERT INTO render_probe VALUES (3, 'x')").then(
        () => "wrote",
        (e: Error) => e.message,
      );
      await c.query("SET default_transaction_read_only = off");
      const privilegedWrite = await c.query("INSERT INTO render_probe VALUES (3, 'x')").then(
        () => "wrote",
        (e: Error) => e.message,
      );
      return { rows: read.rows[0].n, readOnlyWrite, privilegedWrite };
    });
    expect(outcome).toEqual({
      rows: 2,
      readOnlyWrite: expect.stringMatching(/read-only transaction/),
      privilegedWrite: expect.stringMatching(/permission denied for table render_probe/),
    });
  });

  test("the exporter role sees statistics but not data", async () => {
    const outcome = await withClient(tlsClient(POSTGRES_EXPORTER_ROLE, passwords.exporter), async (c) => {
      const stats = await c.query("SELECT count(*)::int AS n FROM pg_stat_database");
      const data = await c.query("SELECT * FROM render_probe").then(
        () => "read",
        (e: Error) => e.message,
      );
      return { stats: stats.rows[0].n > 0, data };
    });
    expect(outcome).toEqual({ stats: true, data: expect.stringMatching(/permission denied/) });
  });

  test("the superuser cannot log in over TCP, even with TLS and the right password", async () => {
    expect(await connectError(tlsClient(pg!.superuser, pg!.password, { database: "postgres" }))).toMatch(/no pg_hba\.conf entry/);
  });

  test("no password appears in the init output or the server log", () => {
    const log = readFileSync(pg!.logFile, "utf8");
    expect(log).toMatch(/connection authorized: user=/); // log_connections is on, so the log is not empty
    for (const secret of Object.values(passwords)) {
      expect(initOutput.includes(secret)).toBe(false);
      expect(log.includes(secret)).toBe(false);
    }
  });

  test("broken variant: a missing password file stops the init script, naming the file", async () => {
    const broken = renderPostgresInitScript({ ...input, passwordFiles: { ...input.passwordFiles, exporter: dir.join("absent.pw") } });
    const r = await runInit(broken);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`password file ${dir.join("absent.pw")} is missing`);
  });

  test("broken variant: the init script refuses an app role that is a superuser", async () => {
    const r = await runInit(renderPostgresInitScript({ ...input, roles: { ...input.roles, app: pg!.superuser } }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/app role postgres is a superuser/);
  });
});

test("broken variant: PostgreSQL refuses to start with an invalid rendered setting", async () => {
  const dir = makeTempDir("pg-broken-");
  try {
    const certs = await makeTestCertificates(dir.path);
    const input = postgresInputFromConfig(loadStackFile("prod"));
    const conf = renderPostgresConf(input).replace("ssl_min_protocol_version = 'TLSv1.2'", "ssl_min_protocol_version = 'TLSv9'");
    await expect(
      startPostgres({
        tls: { certFile: certs.cert, keyFile: certs.key, caFile: certs.caCert },
        postgresqlConf: conf,
        pgHbaConf: renderPgHbaConf(input),
        startTimeoutMs: 15_000,
      }),
    ).rejects.toThrow(/ssl_min_protocol_version/);
  } finally {
    dir.remove();
  }
});
