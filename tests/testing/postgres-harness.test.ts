/**
 * The PostgreSQL test harness itself: a real server starts, needs its password, speaks TLS
 * when asked, takes rendered conf/hba content, and is gone (process and dir) after stop()
 * or after the test process dies without calling it.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { startPostgres, type PgServer } from "../../backup/scratch-postgres";
import { makeTempDir } from "../../local/tempdir";
import { processAlive } from "../../local/pids";

jest.setTimeout(90_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startPostgres", () => {
  let pg: PgServer | undefined;
  afterEach(async () => {
    await pg?.stop();
    pg = undefined;
  });

  it("starts a real server that demands the superuser password, and stop() removes everything", async () => {
    pg = await startPostgres();
    const [row] = await pg.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    expect(Number(row.v)).toBeGreaterThanOrEqual(150000);

    const wrong = new Client({ ...pg.clientConfig(), password: "not-the-password" });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);

    const postmaster = Number(readFileSync(join(pg.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const baseDir = pg.baseDir;
    const port = pg.port;
    await pg.stop();
    expect(processAlive(postmaster)).toBe(false);
    expect(existsSync(baseDir)).toBe(false);
    const after = new Client({ host: "127.0.0.1", port, user: "postgres", password: "x", connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow(/ECONNREFUSED/);
    await pg.stop(); // idempotent
  });

  it("serves TLS with a generated certificate that clients can verify", async () => {
    pg = await startPostgres({ tls: true });
    expect(pg.tls).toBeDefined();
    const client = new Client(pg.clientConfig());
    await client.connect();
    try {
      const { rows } = await client.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      expect(rows[0].ssl).toBe(true);
      expect(rows[0].version).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await client.end();
    }
  });

  it("applies extra postgresql.conf content and a replacement pg_hba.conf", async () => {
    pg = await startPostgres({
      tls: true,
      postgresqlConf: "work_mem = '7MB'\nlog_connections = on\n",
      pgHbaConf: "hostssl all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 reject\n",
    });
    const [row] = await pg.query<{ w: string }>("SELECT current_setting('work_mem') AS w");
    expect(row.w).toBe("7MB");
    const plain = new Client({ ...pg.clientConfig(), ssl: false });
    await expect(plain.connect()).rejects.toThrow(/pg_hba\.conf rejects connection|no encryption/);
  });

  it("fails with the server log when a setting is invalid, and leaves no dir behind", async () => {
    const error = await startPostgres({ settings: { shared_buffers: "not-a-size" }, startTimeoutMs: 15_000 }).then(
      () => new Error("started"),
      (e: Error) => e,
    );
    expect(error.message).toMatch(/exited during startup[\s\S]*shared_buffers/);
    const dir = /Server log \((\/[^,]+), now removed\)/.exec(error.message)?.[1];
    expect(dir).toContain("mcp-pg-");
    expect(existsSync(dir!)).toBe(false);
  });

  it("kills the server and removes its dir when the test process dies without stop()", async () => {
    const work = makeTempDir("mcp-pg-crash-");
    try {
      const script = join(work.path, "crash.ts");
      writeFileSync(
        script,
        `import { startPostgres } from ${JSON.stringify(join(__dirname, "../../backup/scratch-postgres"))};
         import { readFileSync } from "node:fs";
         startPostgres().then((pg) => {
           const pid = Number(readFileSync(pg.dataDir + "/postmaster.pid", "utf8").split("\\n")[0]);
           process.stdout.write(JSON.stringify({ pid, baseDir: pg.baseDir }) + "\\n", () => process.kill(process.pid, "SIGKILL"));
         });`,
      );
      const child = spawn(join(__dirname, "../../node_modules/.bin/ts-node"), ["--swc", script], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const signal = await new Promise((r) => child.on("exit", (_code, sig) => r(sig)));
      expect({ signal, err }).toEqual({ signal: "SIGKILL", err: "" });
      const { pid, baseDir } = JSON.parse(out.trim()) as { pid: number; baseDir: string };
      expect(pid).toBeGreaterThan(1);
      // The watchdog polls once a second and then gives the server up to 10 s to stop.
      for (let i = 0; i < 150 && (processAlive(pid) || existsSync(baseDir)); i++) await sleep(100);
      expect(processAlive(pid)).toBe(false);
      expect(existsSync(baseDir)).toBe(false);
    } finally {
      work.remove();
    }
  });
});
