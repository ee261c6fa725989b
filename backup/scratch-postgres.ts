/**
 * A throw-away PostgreSQL server (Debian's postgresql package) on a free loopback port under a
 * temp dir that is always removed: the restore drill's scratch server (backup/scratch-server.ts),
 * and the real server the test harness starts for its suites.
 *
 * PostgreSQL refuses to run as root, so initdb and postgres run through
 * `runuser -u postgres --` and the temp dir is handed to that user. Rendered settings
 * (infra/render/postgres.ts) can be passed as `postgresqlConf` / `pgHbaConf`: the harness
 * appends the former and then overrides, on the command line (which wins over the file),
 * only what must point into the temp dir: port, listen address, socket dir, data/hba/ident
 * paths and, with TLS, the certificate paths.
 *
 * Cleanup: `stop()` always kills the server and removes the dir; a process-exit hook and a
 * detached watchdog (which outlives a SIGKILLed test process) do the same if a test dies.
 */
import { spawn, ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, chmodSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client, type ClientConfig, type QueryResultRow } from "pg";
import { makeTempDir, chownTree, allowTraversal, type TempDir } from "../local/tempdir";
import { freePort } from "../local/ports";
import { runTool, runToolOk } from "../local/run";
import { processAlive } from "../local/pids";

export interface PostgresTlsFiles {
  certFile: string;
  keyFile: string;
  /** CA that clients should trust; defaults to the certificate itself (self-signed). */
  caFile?: string;
}

export interface StartPostgresOptions {
  /** Superuser role created by initdb (default "postgres"). */
  superuser?: string;
  /** Superuser password (default: 24 random bytes, hex). */
  password?: string;
  /** `true`: generate a self-signed certificate for localhost/127.0.0.1 with openssl. */
  tls?: boolean | PostgresTlsFiles;
  /** Appended to postgresql.conf (e.g. renderPostgresConf output). */
  postgresqlConf?: string;
  /**
   * Replaces pg_hba.conf entirely (e.g. renderPgHbaConf output). The default allows
   * scram-sha-256 over loopback TCP and the socket.
   */
  pgHbaConf?: string;
  /** Extra `-c name=value` settings; they win over postgresqlConf. */
  settings?: Record<string, string | number | boolean>;
  /** Bound on the wait for readiness (default 30 s). */
  startTimeoutMs?: number;
  /** Directory with initdb/postgres/pg_isready (default: newest /usr/lib/postgresql/N/bin). */
  binDir?: string;
  /** OS user that runs the server (default "postgres"). */
  osUser?: string;
}

export interface PgServer {
  host: string;
  port: number;
  superuser: string;
  password: string;
  dataDir: string;
  /** The temp dir holding data, socket, TLS files and the server log. */
  baseDir: string;
  binDir: string;
  logFile: string;
  /** Present when started with TLS: paths clients can use to verify the server. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** postgresql://superuser:password@host:port/database (URL-encoded). */
  connectionString(database?: string): string;
  /** pg ClientConfig for the superuser (with `ssl` verifying against the CA when TLS is on). */
  clientConfig(database?: string): ClientConfig;
  /** One query on a fresh superuser connection. */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** Last lines of the server log (for failure messages). */
  logTail(lines?: number): string;
  /** Kills the server (immediate shutdown, then SIGKILL) and removes baseDir. Idempotent. */
  stop(): Promise<void>;
}

/** Newest installed PostgreSQL server binaries (Debian layout), or PG_BIN_DIR. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "postgres"))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL server not found under /usr/lib/postgresql: apt-get install -y postgresql (or set PG_BIN_DIR)");
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0], "bin");
}

interface Live {
  dataDir: string;
  dir: TempDir;
}
const live = new Set<Live>();
let exitHookInstalled = false;

function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous by necessity: SIGKILL the postmaster (its backends exit when they see it gone).
  process.once("exit", () => {
    for (const s of live) {
      const pid = postmasterPid(s.dataDir);
      if (pid && processAlive(pid)) process.kill(pid, "SIGKILL");
      s.dir.remove();
    }
  });
}

/**
 * A detached shell that outlives this process: if the test process dies without stop()
 * (even SIGKILL, where no exit hook runs), it stops the server and removes the dir.
 * Bounded: gives up watching after 24 h and cleans up then.
 */
function startWatchdog(dataDir: string, baseDir: string): ChildProcess {
  const script = [
    'parent="$1"; data="$2"; base="$3"; i=0',
    'while [ "$i" -lt 86400 ] && kill -0 "$parent" 2>/dev/null; do sleep 1; i=$((i+1)); done',
    'pid="$(head -n1 "$data/postmaster.pid" 2>/dev/null)"',
    'if [ -n "$pid" ]; then kill -QUIT "$pid" 2>/dev/null; j=0; while [ "$j" -lt 20 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.5; j=$((j+1)); done; kill -KILL "$pid" 2>/dev/null; fi',
    'rm -rf "$base"',
  ].join("\n");
  const child = spawn("/bin/sh", ["-c", script, "pg-watchdog", String(process.pid), dataDir, baseDir], { detached: true, stdio: "ignore" });
  child.unref();
  return child;
}

async function osUserIds(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await runToolOk("id", ["-u", user])).stdout.trim());
  const gid = Number((await runToolOk("id", ["-g", user])).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`cannot resolve OS user "${user}"`);
  return { uid, gid };
}

async function selfSignedCert(dir: string): Promise<PostgresTlsFiles> {
  const certFile = join(dir, "server.crt");
  const keyFile = join(dir, "server.key");
  await runToolOk("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
  return { certFile, keyFile, caFile: certFile };
}

const DEFAULT_HBA = [
  "# Test harness default: password (SCRAM) logins over loopback and the socket.",
  "local all all scram-sha-256",
  "host all all 127.0.0.1/32 scram-sha-256",
  "host all all ::1/128 scram-sha-256",
  "",
].join("\n");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgServer> {
  const binDir = opts.binDir ?? postgresBinDir();
  const osUser = opts.osUser ?? "postgres";
  const superuser = opts.superuser ?? "postgres";
  const password = opts.password ?? randomBytes(24).toString("hex");
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const { uid, gid } = await osUserIds(osUser);

  installExitHook();
  const dir = makeTempDir("mcp-pg-");
  const baseDir = dir.path;
  const dataDir = dir.join("data");
  const sockDir = dir.join("sock");
  const logFile = dir.join("postgres.log");
  const entry: Live = { dataDir, dir };
  live.add(entry);
  const watchdog = startWatchdog(dataDir, baseDir);
  let child: ChildProcess | undefined;
  let stopped = false;

  const logTail = (lines = 30) => {
    try {
      return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no server log)";
    }
  };

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(watchdog.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
    const pid = postmasterPid(dataDir);
    if (pid && processAlive(pid)) {
      process.kill(pid, "SIGQUIT"); // immediate shutdown: test data need no checkpoint
      for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(50);
      if (processAlive(pid)) process.kill(pid, "SIGKILL");
      for (let i = 0; i < 100 && processAlive(pid); i++) await sleep(50);
    }
    if (child && child.exitCode === null && child.signalCode === null) {
      // runuser waits for its child; give it a moment, then make sure it is gone.
      await Promise.race([new Promise((r) => child!.once("exit", r)), sleep(3000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    dir.remove();
    live.delete(entry);
  };

  try {
    allowTraversal(baseDir);
    const pwFile = dir.join("pwfile");
    writeFileSync(pwFile, password + "\n", { mode: 0o600 });
    let tls: PgServer["tls"];
    if (opts.tls) {
      const tlsDir = dir.join("tls");
      mkdirSync(tlsDir);
      const given = opts.tls === true ? await selfSignedCert(tlsDir) : opts.tls;
      const certFile = join(tlsDir, "server.crt");
      const keyFile = join(tlsDir, "server.key");
      const caFile = join(tlsDir, "ca.crt");
      if (given.certFile !== certFile) copyFileSync(given.certFile, certFile);
      if (given.keyFile !== keyFile) copyFileSync(given.keyFile, keyFile);
      copyFileSync(given.caFile ?? given.certFile, caFile);
      // The server refuses a private key readable by group or others.
      chmodSync(keyFile, 0o600);
      tls = { certFile, keyFile, caFile };
    }
    mkdirSync(sockDir);
    chownTree(baseDir, uid, gid);

    const init = await runTool(
      "runuser",
      [
        "-u",
        osUser,
        "--",
        join(binDir, "initdb"),
        "-D",
        dataDir,
        "-U",
        superuser,
        `--pwfile=${pwFile}`,
        "--auth-local=scram-sha-256",
        "--auth-host=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
      ],
      { timeoutMs: 60_000 },
    );
    rmSync(pwFile, { force: true });
    if (init.code !== 0) throw new Error(`initdb failed (exit ${init.code}):\n${(init.stdout + init.stderr).split(password).join("<password>")}`);

    if (opts.postgresqlConf)
      writeFileSync(join(dataDir, "postgresql.conf"), `\n# --- appended by the test harness ---\n${opts.postgresqlConf}\n`, { flag: "a" });
    writeFileSync(join(dataDir, "pg_hba.conf"), opts.pgHbaConf ?? DEFAULT_HBA);
    chownTree(dataDir, uid, gid);

    let port = 0;
    // A port can be taken between freePort() and the bind: retry a few times with a new one.
    for (let attempt = 1; attempt <= 3; attempt++) {
      port = await freePort();
      const settings: Record<string, string> = {
        ...Object.fromEntries(Object.entries(opts.settings ?? {}).map(([k, v]) => [k, String(v)])),
        port: String(port),
        listen_addresses: "127.0.0.1",
        unix_socket_directories: sockDir,
        data_directory: dataDir,
        hba_file: join(dataDir, "pg_hba.conf"),
        ident_file: join(dataDir, "pg_ident.conf"),
        external_pid_file: "",
        logging_collector: "off",
      };
      if (tls) Object.assign(settings, { ssl: "on", ssl_cert_file: tls.certFile, ssl_key_file: tls.keyFile, ssl_ca_file: "" });
      const args = ["-u", osUser, "--", join(binDir, "postgres"), "-D", dataDir, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
      const fd = openSync(logFile, "a");
      child = spawn("runuser", args, { stdio: ["ignore", fd, fd], detached: true });
      closeSync(fd);
      child.unref();
      const ready = await waitReady(binDir, port, child, startTimeoutMs);
      if (ready === "ready") break;
      if (ready === "exited" && /could not bind|Address already in use/i.test(logTail()) && attempt < 3) continue;
      throw new Error(
        (ready === "timeout"
          ? `PostgreSQL did not accept connections on 127.0.0.1:${port} within ${startTimeoutMs} ms.`
          : `PostgreSQL exited during startup (exit ${child.exitCode ?? child.signalCode}).`) + ` Server log (${baseDir}, now removed):\n${logTail()}`,
      );
    }

    const host = "127.0.0.1";
    const clientConfig = (database = "postgres"): ClientConfig => ({
      host,
      port,
      user: superuser,
      password,
      database,
      ...(tls ? { ssl: { ca: readFileSync(tls.caFile, "utf8"), servername: "localhost" } } : {}),
    });
    return {
      host,
      port,
      superuser,
      password,
      dataDir,
      baseDir,
      binDir,
      logFile,
      tls,
      connectionString: (database = "postgres") =>
        `postgresql://${encodeURIComponent(superuser)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`,
      clientConfig,
      async query<R extends QueryResultRow = QueryResultRow>(sql: string, params: unknown[] = [], database?: string) {
        const client = new Client(clientConfig(database));
        await client.connect();
        try {
          return (await client.query<R>(sql, params)).rows;
        } finally {
          await client.end();
        }
      },
      logTail,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** pg_isready needs no credentials: it answers as soon as the server accepts connections. */
async function waitReady(binDir: string, port: number, child: ChildProcess, timeoutMs: number): Promise<"ready" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return "exited";
    const r = await runTool(join(binDir, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-t", "1"], { timeoutMs: 3000 });
    if (r.code === 0) return "ready";
    await sleep(100);
  }
  return "timeout";
}
