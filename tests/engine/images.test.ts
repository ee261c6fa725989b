/**
 * The stand-in images (testing/engine/images) on a private engine hold the contract of the
 * upstream images as infra/image-facts.ts records it. Every image runs as the facts' runAs
 * user with a read-only root and the program's tmpfs mounts: its binary starts, its shell and
 * probe tools are where the facts say (and nowhere for the FROM-scratch exporter), its
 * writable paths are writable, its user and group have names, its default user is the
 * upstream one. Then the behaviours the program leans on: PostgreSQL initialising from the
 * program's own files and command line, the Nginx 1.22 bridge for `http2 on;`, Grafana's
 * /run.sh and provisioning, and the app contract with and without its database.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SignJWT } from "jose";
import type Docker from "dockerode";
import { DEFAULT_IMAGES, type ServiceName } from "../../infra/config/schema";
import { BUSYBOX_APPLETS, IMAGE_FACTS, type ImageFacts } from "../../infra/image-facts";
import { httpHealthcheck, tmpfsFor as tmpfsSpecs } from "../../infra/components/common";
import { appEnv } from "../../infra/components/app";
import { POSTGRES_ADMIN_PASSWORD_FILE, POSTGRES_CONF_PATH, PG_HBA_PATH, POSTGRES_INIT_PATH } from "../../infra/components/postgres";
import { REDIS_AUTH_CONF_PATH, REDIS_CONF_PATH } from "../../infra/components/redis";
import { GRAFANA_ADMIN_PASSWORD_FILE, grafanaEnv, renderGrafanaProvisioning, GRAFANA_DASHBOARD_UIDS } from "../../infra/render/grafana";
import { POSTGRES_PASSWORD_FILES, postgresInputFromConfig, renderPgHbaConf, renderPostgresConf, renderPostgresInitScript } from "../../infra/render/postgres";
import { redisInputFromConfig, renderRedisAuthConf, renderRedisConf } from "../../infra/render/redis";
import { PATHS } from "../../infra/topology";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { buildStackImages, importStackImages, type StackImageSet } from "../../testing/engine/images";
import { execIn, logsOf, runToCompletion, startContainer, type RunResult, type RunSpec } from "../../testing/engine/run";
import { createTestNetwork } from "../../testing/engine/test-network";
import { localStackConfig } from "../../testing/stack";
import { makeTestCertificates } from "../../testing/tools/certs";
import { makeTempDir, type TempDir } from "../../local/tempdir";

jest.setTimeout(120_000);

const config = localStackConfig({ http: 80, https: 443 });
const lines: string[] = [];
const log = (l: string) => void lines.push(l);

/** Names the runAs uid and gid resolve to; null where upstream has no passwd entry for them. */
const NAMES: Record<ServiceName, [string, string] | null> = {
  app: ["mcp", "mcp"],
  postgres: ["postgres", "postgres"],
  redis: ["redis", "redis"],
  nginx: ["nginx", "nginx"],
  prometheus: ["nobody", "nobody"],
  alertmanager: ["nobody", "nobody"],
  grafana: ["grafana", "root"],
  postgresExporter: ["nobody", "nobody"],
  // oliver006/redis_exporter sets USER 59000:59000 and adds no user: the ids stay numeric.
  redisExporter: null,
  nginxExporter: null,
  nodeExporter: ["nobody", "nobody"],
  blackboxExporter: ["nobody", "nobody"],
  backup: ["postgres", "postgres"],
};

/** How each image's program says it started: arguments after its entrypoint (or a command), and the answer. */
const VERSION: Record<ServiceName, { args?: string[]; command?: string; expect: RegExp }> = {
  app: { args: ["--version"], expect: /^mcp-gateway stand-in 1\.8\.2 \(node v\d+/m },
  postgres: { args: ["postgres", "--version"], expect: /^postgres \(PostgreSQL\) 15\.\d+/m },
  redis: { args: ["redis-server", "--version"], expect: /^Redis server v=7\.\d+/m },
  nginx: { args: ["nginx", "-v"], expect: /nginx version: nginx\/1\.22\.\d+/ },
  prometheus: { args: ["--version"], expect: /^prometheus, version 2\.\d+/m },
  alertmanager: { args: ["--version"], expect: /^alertmanager, version 0\.\d+/m },
  grafana: { args: ["--version"], expect: /^Version 11\.2\.2 \(stand-in/m },
  postgresExporter: { args: ["--version"], expect: /^postgres_exporter, version 0\.\d+/m },
  redisExporter: { args: ["--version"], expect: /Redis Metrics Exporter 1\.\d+/ },
  nginxExporter: { args: ["--version"], expect: /^NGINX Prometheus Exporter version=0\.\d+/m },
  nodeExporter: { args: ["--version"], expect: /^node_exporter, version 1\.\d+/m },
  blackboxExporter: { args: ["--version"], expect: /^blackbox_exporter, version 0\.\d+/m },
  // The entrypoint is the backup script (which needs its whole configuration): ask its tools.
  backup: {
    command: "pg_dump --version && age --version && age-keygen --version && rclone version",
    expect: /pg_dump \(PostgreSQL\) 15\.\d+[^\n]*\n1\.\d+\.\d+\n1\.\d+\.\d+\nrclone v1\.\d+/,
  },
};

/** Tools the upstream image does not have (its base lacks them): the stand-in must not either. */
const ABSENT: Record<ServiceName, string[]> = {
  app: ["bash", "curl"],
  postgres: ["curl"],
  redis: ["bash", "curl"],
  nginx: ["bash", "curl"],
  prometheus: ["bash", "curl"],
  alertmanager: ["bash", "curl"],
  grafana: [],
  postgresExporter: ["bash", "curl"],
  redisExporter: ["bash", "curl"],
  nginxExporter: [],
  nodeExporter: ["bash", "curl"],
  blackboxExporter: ["bash", "curl"],
  backup: ["curl"],
};

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function parseIds(user: string): { uid: number; gid: number } {
  if (user.startsWith("root")) return { uid: 0, gid: 0 };
  const nobody = /^nobody \((\d+)\)$/.exec(user);
  if (nobody) return { uid: Number(nobody[1]), gid: Number(nobody[1]) };
  const [uid, gid] = user.split(":").map(Number);
  return { uid, gid: gid ?? uid };
}

function toolsOf(facts: ImageFacts): string[] {
  return facts.tools.flatMap((t) => (t === "busybox" ? ["busybox", ...BUSYBOX_APPLETS] : [t]));
}

interface Probe {
  facts: ImageFacts;
  result: RunResult;
  values: Map<string, string>;
  version: string;
  defaultIds?: string;
}

/** One shell script per image: ids and names, tools on PATH, writes, and the version answer. */
function probeScript(facts: ImageFacts, entrypoint: readonly string[]): string {
  const v = VERSION[facts.service];
  const versionCmd = v.command ?? [...entrypoint, ...(v.args ?? [])].map(q).join(" ");
  const tools = [...new Set([...toolsOf(facts), ...ABSENT[facts.service]])];
  return [
    `find_exe() { old=$IFS; IFS=:; for d in $PATH; do if [ -f "$d/$1" ] && [ -x "$d/$1" ]; then IFS=$old; echo "$d/$1"; return 0; fi; done; IFS=$old; return 1; }`,
    `echo "ids=$(id -u):$(id -g)"`,
    `echo "user=$(id -un 2>/dev/null)"`,
    `echo "group=$(id -gn 2>/dev/null)"`,
    ...tools.map((t) => `echo "tool ${t}=$(find_exe ${q(t)})"`),
    ...facts.writable.map(
      (w) =>
        `if (echo probe > ${q(`${w.path}/.probe`)} && rm ${q(`${w.path}/.probe`)}) 2>/dev/null; then echo "write ${w.path}=ok"; else echo "write ${w.path}=denied"; fi`,
    ),
    // The mount itself, not a write test: a non-root user cannot write / even when it is rw.
    `echo "rootfs=$(awk '$2 == "/" { split($4, o, ","); print o[1] }' /proc/mounts)"`,
    `out=$(${versionCmd} 2>&1); echo "version_rc=$?"; printf '%s\\n' "$out" | sed 's/^/version| /'`,
  ].join("\n");
}

function parseProbe(stdout: string): { values: Map<string, string>; version: string } {
  const values = new Map<string, string>();
  const version: string[] = [];
  for (const line of stdout.split("\n")) {
    if (line.startsWith("version| ")) version.push(line.slice(9));
    else {
      const i = line.indexOf("=");
      if (i > 0) values.set(line.slice(0, i), line.slice(i + 1));
    }
  }
  return { values, version: version.join("\n") };
}

/** Mounts of the facts' writable paths: fresh named volumes, and tmpfs exactly as the program asks. */
function writableMounts(facts: ImageFacts, tag: string): Pick<RunSpec, "tmpfsMounts" | "volumes"> {
  const tmpfsMounts: ReturnType<typeof tmpfsSpecs> = [];
  const volumes: NonNullable<RunSpec["volumes"]> = [];
  for (const w of facts.writable) {
    if (w.how === "tmpfs") tmpfsMounts.push(...tmpfsSpecs([w.path]));
    else volumes.push({ name: `probe-${tag}-${w.path.replace(/\W+/g, "-").replace(/^-/, "")}`, target: w.path });
  }
  return { tmpfsMounts, volumes };
}

let engine: DockerEngine;
let set: StackImageSet;
let refs: Record<string, string>;
const probes = new Map<ServiceName, Promise<Probe>>();
let work: TempDir;

const localRef = (service: ServiceName) => refs[DEFAULT_IMAGES[service]];

async function probe(facts: ImageFacts): Promise<Probe> {
  const image = set.of(facts.service);
  if (!facts.shell) {
    const result = await runToCompletion(engine.docker, {
      image: image.localRef,
      user: facts.runAs,
      cmd: VERSION[facts.service].args,
      ...writableMounts(facts, facts.service),
    });
    return { facts, result, values: new Map(), version: `${result.stdout}${result.stderr}`.trim() };
  }
  const script = probeScript(facts, image.config.entrypoint ?? []);
  // The probe itself runs under the facts' shell: an image without it fails here, by name.
  const [result, defaults] = await Promise.all([
    runToCompletion(engine.docker, {
      image: image.localRef,
      user: facts.runAs,
      entrypoint: [facts.shell, "-c", script],
      ...writableMounts(facts, facts.service),
    }),
    // No --user: the image's own USER decides.
    runToCompletion(engine.docker, {
      image: image.localRef,
      user: "",
      entrypoint: [facts.shell, "-c", 'echo "$(id -u):$(id -g)"'],
      tmpfs: { "/tmp": "rw,size=1m" },
    }),
  ]).catch((err: Error) => {
    throw new Error(`${facts.service}: could not run ${facts.shell} in ${image.localRef}: ${err.message}`);
  });
  return { facts, result, ...parseProbe(result.stdout), defaultIds: defaults.stdout.trim() };
}

beforeAll(async () => {
  work = makeTempDir("mcp-images-test-");
  engine = await startDockerEngine({ log });
  set = await buildStackImages({ log });
  refs = await importStackImages(engine, set, { log });
  for (const facts of IMAGE_FACTS) probes.set(facts.service, probe(facts));
  // Settle every probe here, so a failing one cannot surface as an unhandled rejection first.
  await Promise.allSettled(probes.values());
}, 300_000);

afterAll(async () => {
  await engine?.stop();
  work?.remove();
  if (process.env.MCP_TEST_VERBOSE) console.log(lines.join("\n"));
});

test("every default image has a stand-in, imported under mcp-engine/", () => {
  expect(Object.keys(refs).sort()).toEqual(Object.values(DEFAULT_IMAGES).sort());
  for (const ref of Object.values(refs)) expect(ref).toMatch(/^mcp-engine\/[a-z-]+:[0-9a-f]{12}$/);
  expect(IMAGE_FACTS.map((f) => f.service).sort()).toEqual(Object.keys(DEFAULT_IMAGES).sort());
});

describe.each(IMAGE_FACTS.map((f) => [f.service, f] as const))("%s stand-in", (service, facts) => {
  test(`starts as ${facts.runAs} on a read-only root with the facts' shell, tools, writable paths and users`, async () => {
    const p = await probes.get(service)!;
    const out = `${p.result.stdout}${p.result.stderr}`;
    const image = set.of(service);
    if (facts.entrypoint[0] !== "(image default)") expect(image.config.entrypoint).toEqual(facts.entrypoint);
    expect(p.version).toMatch(VERSION[service].expect);

    if (!facts.shell) {
      // FROM scratch: nothing to run a health check with, and no user database.
      expect(p.result.code).toBe(0);
      expect(image.config.user).toBe(facts.imageUser);
      const container = await engine.docker.createContainer({ Image: image.localRef, User: facts.runAs, HostConfig: { NetworkMode: "none" } });
      try {
        for (const path of ["/bin/sh", "/bin/busybox", "/usr/bin/wget", "/etc/passwd", "/tmp"]) {
          const found = await container.getArchive({ path }).then(
            () => true,
            () => false,
          );
          expect({ path, found }).toEqual({ path, found: false });
        }
        const binary = (await container.getArchive({ path: facts.entrypoint[0] })) as unknown as import("node:stream").Readable;
        // An unread archive stream would hold the engine connection open.
        binary.destroy();
      } finally {
        await container.remove({ force: true });
      }
      await expect(runToCompletion(engine.docker, { image: image.localRef, user: facts.runAs, entrypoint: ["/bin/sh", "-c", "true"] })).rejects.toThrow(
        /no such file or directory/,
      );
      return;
    }

    expect({ code: p.result.code, out }).toEqual({ code: 0, out: expect.any(String) });
    expect(p.values.get("version_rc")).toBe("0");
    const { uid, gid } = parseIds(facts.runAs);
    expect(p.values.get("ids")).toBe(`${uid}:${gid}`);
    const names = NAMES[service];
    if (names) expect([p.values.get("user"), p.values.get("group")]).toEqual(names);
    // No passwd entry: id prints the numbers (and fails), as in the upstream image.
    else expect([p.values.get("user"), p.values.get("group")]).toEqual([String(uid), String(gid)]);
    for (const tool of toolsOf(facts)) expect({ tool, path: p.values.get(`tool ${tool}`) }).toEqual({ tool, path: expect.stringMatching(/^\//) });
    for (const tool of ABSENT[service]) expect({ tool, path: p.values.get(`tool ${tool}`) }).toEqual({ tool, path: "" });
    for (const w of facts.writable) expect({ path: w.path, write: p.values.get(`write ${w.path}`) }).toEqual({ path: w.path, write: "ok" });
    expect(p.values.get("rootfs")).toBe("ro");
    const upstream = parseIds(facts.imageUser);
    expect(p.defaultIds).toBe(`${upstream.uid}:${upstream.gid}`);
  });
});

/** A file owned by `user` with `mode`, as Docker delivers secrets and configs. */
function writeOwned(path: string, content: string, user: string, mode: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  const { uid, gid } = parseIds(user);
  chownSync(path, uid, gid);
  chmodSync(path, mode);
  return path;
}

/** Directories under the temp dir must be traversable by the container users. */
function openDirs(path: string): void {
  for (let d = path; d.startsWith(work.path); d = dirname(d)) chmodSync(d, 0o755);
}

/** The program's HTTP health check for `url`, as the engine runs it (exec form: no shell). */
function healthCommand(url: string): string[] {
  const [kind, ...argv] = httpHealthcheck(url).test;
  expect(kind).toBe("CMD");
  return argv;
}

async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, why: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await attempt().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}\n${await why()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const INIT_CHECK = `show() { psql -v ON_ERROR_STOP=1 --no-psqlrc -tAX --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "SHOW $1"; }
echo "init-check: via=$0 ssl=$(show ssl) hba_file=$(show hba_file) listen_addresses=[$(show listen_addresses)]" >&2
`;

describe("postgres, redis and two app replicas on an internal network", () => {
  const secrets = {
    admin: "admin-password-0123456789abcdef",
    app: "app-password-0123456789abcdef",
    backup: "backup-password-0123456789abcdef",
    exporter: "exporter-password-0123456789abcdef",
    redis: "redis-password-0123456789abcdef",
    jwt: "jwt-signing-key-0123456789abcdef0123",
  };
  const PG = "70:70";
  const APP = "10001:10001";
  let network: Awaited<ReturnType<typeof createTestNetwork>>;
  let postgres: Docker.Container;
  let ca: string;
  const containers: Docker.Container[] = [];

  const appSecrets = (dir: string) => [
    { source: writeOwned(join(dir, "postgres-password"), secrets.app, APP, 0o400), target: POSTGRES_PASSWORD_FILES.app },
    { source: writeOwned(join(dir, "redis-password"), secrets.redis, APP, 0o400), target: `${PATHS.secretsDir}/redis-password` },
    { source: writeOwned(join(dir, "jwt-signing-key"), secrets.jwt, APP, 0o400), target: `${PATHS.secretsDir}/jwt-signing-key` },
    { source: writeOwned(join(dir, "internal-ca.crt"), ca, APP, 0o444), target: PATHS.clientCaCert },
  ];

  beforeAll(async () => {
    network = await createTestNetwork(engine, "mcp-images-internal");
    const certs = join(work.path, "certs");
    mkdirSync(certs, { recursive: true });
    const tls = await makeTestCertificates(certs, { commonName: "postgres", dnsNames: ["postgres"], ipAddresses: [] });
    ca = readFileSync(tls.caCert, "utf8");
    const d = join(work.path, "postgres");
    const input = postgresInputFromConfig(config);
    const binds = [
      { source: writeOwned(join(d, "postgresql.conf"), renderPostgresConf(input), PG, 0o444), target: POSTGRES_CONF_PATH },
      { source: writeOwned(join(d, "pg_hba.conf"), renderPgHbaConf(input), PG, 0o444), target: PG_HBA_PATH },
      { source: writeOwned(join(d, "init.sh"), renderPostgresInitScript(input), PG, 0o555), target: POSTGRES_INIT_PATH },
      // Not executable, so the entrypoint sources it ($0 stays the entrypoint); it reports
      // what the temporary server runs with.
      { source: writeOwned(join(d, "check.sh"), INIT_CHECK, PG, 0o444), target: "/docker-entrypoint-initdb.d/20-check.sh" },
      { source: writeOwned(join(d, "server.crt"), readFileSync(tls.cert, "utf8"), PG, 0o444), target: PATHS.postgresTlsCert },
      { source: writeOwned(join(d, "ca.crt"), ca, PG, 0o444), target: PATHS.postgresCaCert },
      { source: writeOwned(join(d, "server.key"), readFileSync(tls.key, "utf8"), PG, 0o400), target: PATHS.postgresTlsKey },
      { source: writeOwned(join(d, "admin"), secrets.admin, PG, 0o400), target: POSTGRES_ADMIN_PASSWORD_FILE },
      { source: writeOwned(join(d, "app"), secrets.app, PG, 0o400), target: POSTGRES_PASSWORD_FILES.app },
      { source: writeOwned(join(d, "backup"), secrets.backup, PG, 0o400), target: POSTGRES_PASSWORD_FILES.backup },
      { source: writeOwned(join(d, "exporter"), secrets.exporter, PG, 0o400), target: POSTGRES_PASSWORD_FILES.exporter },
    ];
    openDirs(d);
    // The program's environment and command line (infra/components/postgres.ts), unchanged.
    postgres = await startContainer(engine.docker, {
      image: localRef("postgres"),
      user: PG,
      name: "postgres",
      network: { name: network.name, aliases: ["postgres"] },
      env: {
        POSTGRES_DB: config.postgres.database,
        POSTGRES_USER: "postgres",
        POSTGRES_PASSWORD_FILE: POSTGRES_ADMIN_PASSWORD_FILE,
        POSTGRES_INITDB_ARGS: "--auth-local=scram-sha-256 --auth-host=scram-sha-256 --data-checksums",
        PGDATA: "/var/lib/postgresql/data/pgdata",
      },
      cmd: ["postgres", "-c", `config_file=${POSTGRES_CONF_PATH}`, "-c", `hba_file=${PG_HBA_PATH}`],
      tmpfsMounts: tmpfsSpecs(["/tmp", "/var/run/postgresql"]),
      volumes: [{ name: "pgdata", target: "/var/lib/postgresql/data" }],
      binds,
    });
    containers.push(postgres);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(containers.map((c) => c.remove({ force: true })));
    await network?.remove().catch(() => undefined);
  });

  const psqlAdmin = (sql: string) =>
    execIn(postgres, [
      "sh",
      "-c",
      `PGPASSWORD="$(cat ${POSTGRES_ADMIN_PASSWORD_FILE})" psql -h /var/run/postgresql -U postgres -d ${config.postgres.database} -tAX -c ${q(sql)}`,
    ]);

  test("postgres initialises an empty volume from the program's files and command line, then answers pg_isready", async () => {
    const ready = `pg_isready -h /var/run/postgresql -p 5432 -U postgres -d ${config.postgres.database}`;
    // Ready means the final server (the temporary one stops again before it): its log says so.
    await waitFor(
      "PostgreSQL finished its first start",
      60_000,
      async () => {
        const logs = await logsOf(postgres, 200);
        return /init process complete/.test(logs) && /ready to accept connections[\s\S]*ready to accept connections/.test(logs) ? true : undefined;
      },
      () => logsOf(postgres),
    );
    const r = await execIn(postgres, ["sh", "-c", ready]);
    expect({ code: r.code, out: r.stdout.trim() }).toEqual({ code: 0, out: "/var/run/postgresql:5432 - accepting connections" });
    // The temporary server had the final command's -c arguments (TLS, hba_file) and no TCP.
    expect(await logsOf(postgres, 500)).toContain(`init-check: via=/usr/local/bin/docker-entrypoint.sh ssl=on hba_file=${PG_HBA_PATH} listen_addresses=[]`);
    // The temporary server ran with the same -c arguments: TLS on, the hba file from the command line.
    const settings = await psqlAdmin("SELECT current_setting('ssl') || ' ' || current_setting('hba_file') || ' ' || current_setting('data_checksums')");
    expect(settings.stdout.trim()).toBe(`on ${PG_HBA_PATH} on`);
    const roles = await psqlAdmin(
      `SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('${config.postgres.user}', '${config.postgres.backupUser}', 'mcp_exporter')`,
    );
    expect(roles.stdout.trim()).toBe([config.postgres.user, config.postgres.backupUser, "mcp_exporter"].sort().join(","));
    const pgdata = await execIn(postgres, ["stat", "-c", "%a %U:%G", "/var/lib/postgresql/data/pgdata"]);
    expect(pgdata.stdout.trim()).toBe("700 postgres:postgres");
  });

  test("postgres refuses to start when POSTGRES_PASSWORD_FILE cannot be read", async () => {
    const root = writeOwned(join(work.path, "root-owned", "admin"), secrets.admin, "0:0", 0o400);
    openDirs(dirname(root));
    const r = await runToCompletion(engine.docker, {
      image: localRef("postgres"),
      user: PG,
      env: { POSTGRES_PASSWORD_FILE: POSTGRES_ADMIN_PASSWORD_FILE },
      tmpfsMounts: tmpfsSpecs(["/tmp", "/var/run/postgresql"]),
      binds: [{ source: root, target: POSTGRES_ADMIN_PASSWORD_FILE }],
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`POSTGRES_PASSWORD_FILE names ${POSTGRES_ADMIN_PASSWORD_FILE}, which uid 70 cannot read`);
    expect(`${r.stdout}${r.stderr}`).not.toContain(secrets.admin);
  });

  test("the app answers its health path with 503 while it has no database, and names an unreadable secret file", async () => {
    const dir = join(work.path, "app-alone");
    const binds = appSecrets(dir);
    openDirs(dir);
    // Network "none": DATABASE_HOST and REDIS_HOST resolve to nothing.
    const app = await startContainer(engine.docker, { image: localRef("app"), user: APP, env: appEnv(config), tmpfsMounts: tmpfsSpecs(["/tmp"]), binds });
    containers.push(app);
    const health = await waitFor(
      "the app listened",
      20_000,
      async () => {
        const r = await execIn(app, [
          "node",
          "-e",
          `fetch("http://127.0.0.1:${config.app.port}${config.app.healthPath}").then(async (r) => console.log(r.status, await r.text()))`,
        ]);
        return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      },
      () => logsOf(app),
    );
    expect(health).toMatch(/^503 /);
    const body = JSON.parse(health.slice(4)) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe("unhealthy");
    expect(body.checks.database).not.toBe("ok");
    // The program's own health check command: it must fail on 503 (exit 1, not a crash).
    const probe = await execIn(app, healthCommand(`http://127.0.0.1:${config.app.port}${config.app.healthPath}`));
    expect({ code: probe.code, err: probe.stderr.trim() }).toEqual({ code: 1, err: "wget: server returned error: HTTP/1.1 503 Service Unavailable" });

    const broken = binds.map((b) =>
      b.target.endsWith("jwt-signing-key") ? { ...b, source: writeOwned(join(dir, "jwt-root-owned"), secrets.jwt, "0:0", 0o400) } : b,
    );
    const r = await runToCompletion(engine.docker, {
      image: localRef("app"),
      user: APP,
      env: appEnv(config),
      tmpfsMounts: tmpfsSpecs(["/tmp"]),
      binds: broken,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`JWT_SECRET_FILE names ${PATHS.secretsDir}/jwt-signing-key, which cannot be read: EACCES`);
    expect(`${r.stdout}${r.stderr}`).not.toContain(secrets.jwt);
  });

  test("two app replicas with PostgreSQL (TLS verify-full) and Redis: healthy, one migrations table, shared servers, MCP served to the public host only", async () => {
    const rd = join(work.path, "redis");
    const redisBinds = [
      { source: writeOwned(join(rd, "redis.conf"), renderRedisConf(redisInputFromConfig(config)), "999:1000", 0o444), target: REDIS_CONF_PATH },
      { source: writeOwned(join(rd, "redis-auth.conf"), renderRedisAuthConf(secrets.redis), "999:1000", 0o400), target: REDIS_AUTH_CONF_PATH },
    ];
    openDirs(rd);
    containers.push(
      await startContainer(engine.docker, {
        image: localRef("redis"),
        user: "999:1000",
        name: "redis",
        network: { name: network.name, aliases: ["redis"] },
        cmd: ["redis-server", REDIS_CONF_PATH],
        tmpfsMounts: tmpfsSpecs(["/tmp"]),
        volumes: [{ name: "redisdata", target: "/data" }],
        binds: redisBinds,
      }),
    );
    const apps: Docker.Container[] = [];
    for (const instance of ["app-0", "app-1"]) {
      const dir = join(work.path, instance);
      const binds = appSecrets(dir);
      openDirs(dir);
      const c = await startContainer(engine.docker, {
        image: localRef("app"),
        user: APP,
        name: instance,
        network: { name: network.name, aliases: [instance, "app"] },
        env: appEnv(config),
        tmpfsMounts: tmpfsSpecs(["/tmp"]),
        binds,
      });
      containers.push(c);
      apps.push(c);
    }
    const token = await new SignJWT({ sub: "images-test" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(config.app.jwtIssuer)
      .setAudience(config.app.jwtAudience)
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode(secrets.jwt));
    const call = (c: Docker.Container, method: string, path: string, body?: unknown, host = "127.0.0.1") =>
      execIn(
        c,
        [
          "node",
          "-e",
          `fetch("http://${host}:${config.app.port}${path}", { method: ${JSON.stringify(method)}, headers: { authorization: "Bearer " + process.env.T, "content-type": "application/json", accept: "application/json, text/event-stream" }, body: ${body === undefined ? "undefined" : JSON.stringify(JSON.stringify(body))} }).then(async (r) => console.log(r.status, r.headers.get("mcp-session-id") ?? "-", (await r.text()).replace(/\\n/g, " ")))`,
        ],
        { env: { T: token } },
      );
    for (const app of apps) {
      await waitFor(
        "an app replica was healthy",
        60_000,
        async () => {
          const r = await call(app, "GET", config.app.healthPath);
          return r.stdout.startsWith("200 ") ? true : undefined;
        },
        async () => `${(await call(app, "GET", config.app.healthPath)).stdout}\n${await logsOf(app)}\n${await logsOf(postgres)}`,
      );
    }
    const created = await call(apps[0], "POST", config.app.createServerPath, { name: "images-test", url: "http://example.test/mcp" });
    expect(created.stdout).toMatch(/^201 /);
    const id = (JSON.parse(created.stdout.split(" ").slice(2).join(" ")) as { id: string }).id;
    // Listed by the other replica: the servers live in PostgreSQL, not in a process.
    const listed = await call(apps[1], "GET", config.app.listServersPath, undefined, "app-1");
    expect(listed.stdout).toMatch(/^200 /);
    expect(listed.stdout).toContain(id);
    expect((await call(apps[1], "GET", config.app.authPath)).stdout).toMatch(/^200 /);
    expect(
      (
        await execIn(apps[1], ["node", "-e", `fetch("http://127.0.0.1:${config.app.port}${config.app.authPath}").then((r) => console.log(r.status))`])
      ).stdout.trim(),
    ).toBe("401");
    const migrations = await psqlAdmin(`SELECT count(*) FROM ${config.app.migrationsTable}`);
    expect(Number(migrations.stdout.trim())).toBeGreaterThanOrEqual(config.app.minMigrations);
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "images-test", version: "1" } },
    };
    // The MCP endpoint serves only the stack's public host (DNS-rebinding protection): the request
    // names it as Nginx would, which fetch cannot (it sets Host itself), so node:http sends it.
    const mcpHost = new URL(appEnv(config).PUBLIC_URL).hostname;
    const mcpCall = (c: Docker.Container, body: unknown, host: string) =>
      execIn(
        c,
        [
          "node",
          "-e",
          `const q = require("node:http").request({ host: "127.0.0.1", port: ${config.app.port}, path: ${JSON.stringify(config.app.mcpPath)}, method: "POST", headers: { host: ${JSON.stringify(host)}, authorization: "Bearer " + process.env.T, "content-type": "application/json", accept: "application/json, text/event-stream" } }, (r) => { let b = ""; r.on("data", (c) => (b += c)); r.on("end", () => console.log(r.statusCode, r.headers["mcp-session-id"] ?? "-", b.replace(/\\n/g, " "))); }); q.end(${JSON.stringify(JSON.stringify(body))});`,
        ],
        { env: { T: token } },
      );
    // The whole result on failure: a script that does not run shows its stderr, not an empty stdout.
    expect(await mcpCall(apps[0], initialize, "127.0.0.1")).toMatchObject({ code: 0, stdout: expect.stringMatching(/^403 /) });
    const mcp = await mcpCall(apps[0], initialize, mcpHost);
    expect(mcp.stdout).toMatch(/^200 [0-9a-f-]{36} /);
    expect(mcp.stdout).toContain('"protocolVersion":"2025-03-26"');
    const metrics = await call(apps[1], "GET", config.app.metricsPath);
    expect(metrics.stdout).toMatch(/mcp_registered_servers 1/);
    expect((await call(apps[0], "DELETE", `${config.app.createServerPath}/${id}`)).stdout).toMatch(/^204 /);
  });
});

test("nginx: the entrypoint serves a config with `http2 on;` (nginx >= 1.25.1) to Debian's 1.22", async () => {
  const d = join(work.path, "nginx");
  mkdirSync(d, { recursive: true });
  const tls = await makeTestCertificates(d, { commonName: "mcp.example.test", dnsNames: ["mcp.example.test"] });
  const conf = `worker_processes 1;\npid /tmp/nginx.pid;\nerror_log /dev/stderr warn;\nevents {}\nhttp {\n    include mime.types;\n    client_body_temp_path /tmp/client_temp;\n    proxy_temp_path /tmp/proxy_temp;\n    fastcgi_temp_path /tmp/fastcgi_temp;\n    uwsgi_temp_path /tmp/uwsgi_temp;\n    scgi_temp_path /tmp/scgi_temp;\n    server {\n        listen 8443 ssl default_server;\n        http2 on;\n        ssl_certificate /etc/nginx/tls/server.crt;\n        ssl_certificate_key /run/secrets/tls.key;\n        location / { return 200 "ok\\n"; }\n    }\n    server {\n        listen 8080;\n        location / { return 301 https://$host$request_uri; }\n    }\n}\n`;
  const binds = [
    { source: writeOwned(join(d, "nginx.conf"), conf, "101:101", 0o444), target: "/etc/nginx/nginx.conf" },
    { source: writeOwned(join(d, "crt"), readFileSync(tls.cert, "utf8"), "101:101", 0o444), target: PATHS.nginxTlsCert },
    { source: writeOwned(join(d, "key"), readFileSync(tls.key, "utf8"), "101:101", 0o400), target: PATHS.nginxTlsKey },
  ];
  openDirs(d);
  const spec: RunSpec = { image: localRef("nginx"), user: "101:101", tmpfsMounts: tmpfsSpecs(["/tmp"]), binds };
  const direct = await runToCompletion(engine.docker, { ...spec, entrypoint: ["nginx"], cmd: ["-t", "-c", "/etc/nginx/nginx.conf"] });
  expect(direct.code).not.toBe(0);
  expect(direct.stderr).toMatch(/unknown directive "http2"/);
  const bridged = await runToCompletion(engine.docker, {
    ...spec,
    cmd: ["sh", "-c", "/docker-entrypoint.sh nginx -t -c /etc/nginx/nginx.conf && grep -E 'listen|include|http2' /tmp/nginx-1.22-nginx.conf"],
  });
  expect({ code: bridged.code, err: bridged.stderr }).toEqual({ code: 0, err: expect.stringContaining("test is successful") });
  expect(bridged.stdout).toContain("listen 8443 ssl default_server http2;");
  expect(bridged.stdout).toMatch(/listen 8080;/);
  expect(bridged.stdout).not.toMatch(/http2 on;/);
  // Relative includes resolve against the original file's directory, not /tmp.
  expect(bridged.stdout).toContain("include /etc/nginx/mime.types;");
});

test("grafana: /run.sh reads the admin password file, the stand-in serves the program's provisioning on 3000", async () => {
  const d = join(work.path, "grafana");
  const user = "472:0";
  const password = "grafana-admin-password-0123456789";
  const binds = [{ source: writeOwned(join(d, "admin-password"), password, user, 0o400), target: GRAFANA_ADMIN_PASSWORD_FILE }];
  for (const [path, content] of Object.entries(renderGrafanaProvisioning(config)))
    binds.push({ source: writeOwned(join(d, "files", path), content, user, 0o444), target: path });
  openDirs(d);
  for (const b of binds) openDirs(dirname(b.source));
  const grafana = await startContainer(engine.docker, {
    image: localRef("grafana"),
    user,
    env: grafanaEnv(config),
    tmpfsMounts: tmpfsSpecs(["/tmp"]),
    volumes: [{ name: "grafana-data", target: "/var/lib/grafana" }],
    binds,
  });
  try {
    // The program's health check, as the container would run it.
    await waitFor(
      "Grafana's health check passed",
      20_000,
      async () => {
        const r = await execIn(grafana, healthCommand("http://127.0.0.1:3000/api/health"));
        return r.code === 0 ? true : undefined;
      },
      () => logsOf(grafana),
    );
    const health = (await execIn(grafana, ["sh", "-c", "wget -q -T 4 -O - http://127.0.0.1:3000/api/health"])).stdout;
    expect(JSON.parse(health)).toMatchObject({ database: "ok", version: "11.2.2" });
    const uid = GRAFANA_DASHBOARD_UIDS.app;
    const ok = await execIn(grafana, [
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-u",
      `${config.grafana.adminUser}:${password}`,
      `http://127.0.0.1:3000/grafana/api/dashboards/uid/${uid}`,
    ]);
    expect(ok.stdout).toBe("200");
    const denied = await execIn(grafana, [
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-u",
      `${config.grafana.adminUser}:wrong`,
      `http://127.0.0.1:3000/api/dashboards/uid/${uid}`,
    ]);
    expect(denied.stdout).toBe("401");
    const logs = await logsOf(grafana);
    expect(logs).toContain("Getting secret GF_SECURITY_ADMIN_PASSWORD from");
    expect(logs).not.toContain(password);
  } finally {
    await grafana.remove({ force: true });
  }
});
