/**
 * The healthy local stack the runtime checks are tested against: real servers from Debian
 * packages (PostgreSQL with TLS, Redis, Nginx, Prometheus, Alertmanager) with the
 * configuration the program renders, two app replicas (each with its own MCP server built on
 * the official SDK, sessions shared through Redis) and a Grafana stand-in, all on free loopback ports under temp dirs.
 *
 * It also produces what a deploy produces: stack outputs with the stack's INTERNAL names
 * (postgres:5432, http://prometheus:9090, ...) and a Reach that maps those names to the
 * loopback servers, so the target is built by the same code the CLI uses
 * (targetFromOutputs). `stop()` stops everything and is safe to call twice; every server
 * also dies with the test process (exit hooks in testing/tools and testing/servers).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync, chmodSync, openSync, readSync, closeSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import { parseStackConfig, type StackConfig } from "../infra/config/load";
import type { StackOutputs } from "../infra/outputs-types";
import { claudeMcpAddCommand, internalEndpoints, mcpJson } from "../infra/outputs";
import { HOSTS, PORTS, resourcePrefix } from "../infra/topology";
import { nginxInputFromConfig, renderStaticFiles } from "../infra/render/nginx";
import { prometheusInputFromConfig, SCRAPE_JOBS, type PrometheusInput } from "../infra/render/prometheus";
import { alertRulesInputFromConfig, renderAlertRules } from "../infra/render/alert-rules";
import { alertmanagerInputFromConfig, renderAlertmanagerConfig } from "../infra/render/alertmanager";
import { grafanaEnv, renderGrafanaProvisioning } from "../infra/render/grafana";
import { postgresInputFromConfig, renderPgHbaConf, renderPostgresConf, renderPostgresInitScript } from "../infra/render/postgres";
import { redisInputFromConfig } from "../infra/render/redis";
import { CHECKLIST_VERSION } from "../checklist/items";
import { staticReach, type Address, type Reach } from "../validate/reach";
import { targetFromOutputs } from "../validate/target-from-outputs";
import type { VerifyTarget } from "../validate/target";
import { freePorts } from "../local/ports";
import { makeTestCertificates, type TestCertificates } from "./tools/certs";
import { runToolOk } from "../local/run";
import { allowTraversal, chownTree, makeTempDir, type TempDir } from "../local/tempdir";
import { startPostgres, type PgServer } from "../backup/scratch-postgres";
import { startRedis, type RedisServer } from "./servers/redis";
import { startNginx, type NginxCert, type NginxServer } from "./servers/nginx";
import { startPrometheus, type PrometheusServer } from "./servers/prometheus";
import { startAlertmanager, type AlertmanagerServer } from "./servers/alertmanager";
import Redis from "ioredis";
import { MemoryServerStore, redisSessionDirectory, startAppStandIn, type AppStandIn, type ServerStore } from "./stand-ins/app";
import { startGrafanaStandIn, type GrafanaStandIn } from "./stand-ins/grafana";

export const LOCAL_STACK = "verifytest";
/** Stand-ins for the app tasks' addresses on the internal network (198.18.0.0/15, never reached: the Reach maps them). */
export const LOCAL_REPLICA_HOSTS = ["198.18.200.11", "198.18.200.12", "198.18.200.13"];
export const LOCAL_DOMAIN = "mcp.verify.test";
/** Jobs the local Prometheus scrapes (the exporters have no Debian packages here). */
export const LOCAL_JOBS = [SCRAPE_JOBS.prometheus, SCRAPE_JOBS.app, SCRAPE_JOBS.alertmanager, SCRAPE_JOBS.grafana];

export interface LocalStack {
  config: StackConfig;
  outputs: StackOutputs;
  reach: Reach;
  /** The target for the healthy stack, built by targetFromOutputs. */
  target: VerifyTarget;
  /** Builds a fresh target (e.g. with different outputs for a fault). */
  buildTarget(outputs?: StackOutputs): Promise<VerifyTarget>;
  /** Every secret value the stack holds: no test output may contain one. */
  secrets: string[];
  edgeCa: string;
  /** Issues an edge certificate from the edge CA (fault injection: other names, short or past validity). */
  issueEdgeCert(options: { dnsNames: string[]; days?: number; expired?: boolean }): Promise<NginxCert>;
  /** Starts the app replicas again on their old ports after a test stopped them. */
  restartApps(): Promise<void>;
  /** PostgreSQL log lines from now on are what the auth-log check sees. */
  markPostgresLog(): void;
  /** The app replicas' stdout (audit lines), newest last. */
  appLog: string[];
  servers: {
    postgres: PgServer;
    redis: RedisServer;
    nginx: NginxServer;
    prometheus: PrometheusServer;
    alertmanager: AlertmanagerServer;
    apps: AppStandIn[];
    grafana: GrafanaStandIn;
  };
  healthyNginxCert: NginxCert;
  stop(): Promise<void>;
}

const secret = () => randomBytes(32).toString("base64url");

/** The local stack's `mcp:*` config as written in a stack file (tests of the CLI write it out). */
export function localStackRawConfig(ports: { http: number; https: number }): Record<string, unknown> {
  return {
    environment: "dev",
    domain: LOCAL_DOMAIN,
    // The harness binds Nginx to loopback itself (testing/servers/nginx.ts); swarm would bind every address.
    edge: { bindAddress: "0.0.0.0", httpPort: ports.http, httpsPort: ports.https },
    tls: { mode: "self-signed", minDaysValid: 14 },
    // A short tool-call ceiling and a probe past it, so mcp.tool-ceiling runs in seconds.
    app: { replicas: 2, toolCallTimeoutSeconds: 2, ceilingProbe: { tool: "slow", arguments: { seconds: 30 } } },
    rateLimit: { requestsPerSecond: 50, burst: 40 },
    prometheus: { retentionTime: "15d", retentionSize: "1GB", scrapeInterval: "1s", evaluationInterval: "1s" },
    alerting: {
      receivers: [
        { name: "oncall-critical", severities: ["critical"], webhookUrl: "http://127.0.0.1:9/critical" },
        { name: "ops-warnings", severities: ["warning"], webhookUrl: "http://127.0.0.1:9/warning" },
      ],
    },
    backup: { interval: "6h", retention: { keepLast: 7, maxAgeDays: 14 } },
    dr: { rtoMinutes: 60, rpoMinutes: 360 },
  };
}

export function localStackConfig(ports: { http: number; https: number }): StackConfig {
  return parseStackConfig(localStackRawConfig(ports), LOCAL_STACK);
}

/** Certificate signed by `ca` for the given names; `expired` backdates it (openssl ca). */
async function issueCert(
  dir: string,
  ca: TestCertificates,
  name: string,
  options: { dnsNames: string[]; ipAddresses?: string[]; days?: number; expired?: boolean },
): Promise<NginxCert> {
  const work = join(dir, `${name}-${randomBytes(4).toString("hex")}`);
  mkdirSync(work);
  const key = join(work, "server.key");
  const csr = join(work, "server.csr");
  const crt = join(work, "server.crt");
  const ext = join(work, "server.ext");
  const san = [...options.dnsNames.map((d) => `DNS:${d}`), ...(options.ipAddresses ?? []).map((i) => `IP:${i}`)].join(",");
  writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  await runToolOk("openssl", [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    `/CN=${options.dnsNames[0]}`,
  ]);
  if (options.expired) {
    // `openssl x509` cannot backdate; `openssl ca` takes explicit start and end dates.
    writeFileSync(join(work, "index.txt"), "");
    writeFileSync(join(work, "serial"), "1000\n");
    const cnf = join(work, "ca.cnf");
    writeFileSync(
      cnf,
      `[ca]\ndefault_ca = c\n[c]\ndatabase = ${work}/index.txt\nnew_certs_dir = ${work}\nserial = ${work}/serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncommonName = supplied\n`,
    );
    await runToolOk("openssl", [
      "ca",
      "-batch",
      "-config",
      cnf,
      "-cert",
      ca.caCert,
      "-keyfile",
      ca.caKey,
      "-in",
      csr,
      "-out",
      crt,
      "-startdate",
      "20200101000000Z",
      "-enddate",
      "20200201000000Z",
      "-extfile",
      ext,
      "-notext",
    ]);
  } else {
    await runToolOk("openssl", [
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      ca.caCert,
      "-CAkey",
      ca.caKey,
      "-CAcreateserial",
      "-out",
      crt,
      "-days",
      String(options.days ?? 30),
      "-extfile",
      ext,
    ]);
  }
  return { certPem: readFileSync(crt, "utf8"), keyPem: readFileSync(key, "utf8") };
}

async function setUpDatabase(pg: PgServer, config: StackConfig, pwDir: TempDir, passwords: { app: string; backup: string; exporter: string }): Promise<void> {
  const socketDir = join(pg.baseDir, "sock");
  statSync(socketDir); // the harness's socket dir: fail clearly if that layout ever changes
  const admin = new Client({ host: socketDir, port: pg.port, user: pg.superuser, password: pg.password, database: "postgres" });
  admin.on("error", () => undefined);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${config.postgres.database}`);
  } finally {
    await admin.end();
  }
  const input = postgresInputFromConfig(config);
  const files = { app: pwDir.join("app"), backup: pwDir.join("backup"), exporter: pwDir.join("exporter") };
  for (const k of ["app", "backup", "exporter"] as const) {
    writeFileSync(files[k], passwords[k]);
    chmodSync(files[k], 0o400);
  }
  const script = pwDir.join("init.sh");
  writeFileSync(script, renderPostgresInitScript({ ...input, passwordFiles: files }));
  allowTraversal(pwDir.path);
  const ids = (await runToolOk("id", ["-u", "postgres"])).stdout.trim();
  const gid = (await runToolOk("id", ["-g", "postgres"])).stdout.trim();
  chownTree(pwDir.path, Number(ids), Number(gid));
  // The rendered first-start script, run the way the image runs it (as postgres, over the socket).
  await runToolOk("runuser", ["-u", "postgres", "--", "sh", script], {
    env: {
      ...process.env,
      PGHOST: socketDir,
      PGPORT: String(pg.port),
      PGPASSWORD: pg.password,
      POSTGRES_USER: pg.superuser,
      POSTGRES_DB: config.postgres.database,
    },
    timeoutMs: 30_000,
  });
  // What the app's migration tool leaves behind (DEP-DB-02).
  const app = new Client({ host: socketDir, port: pg.port, user: config.postgres.user, password: passwords.app, database: config.postgres.database });
  app.on("error", () => undefined);
  await app.connect();
  try {
    await app.query(`CREATE TABLE ${config.app.migrationsTable} (version bigint PRIMARY KEY, dirty boolean NOT NULL DEFAULT false)`);
    await app.query(`INSERT INTO ${config.app.migrationsTable} (version) VALUES (20260101000000), (20260201000000)`);
  } finally {
    await app.end();
  }
}

async function prometheusSettled(url: string, jobs: readonly string[]): Promise<boolean> {
  const targets = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: { health: string; labels: { job: string } }[] };
  };
  const ams = (await (await fetch(`${url}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: unknown[] } };
  const active = targets.data.activeTargets;
  return ams.data.activeAlertmanagers.length > 0 && jobs.every((j) => active.some((t) => t.labels.job === j)) && active.every((t) => t.health === "up");
}

/** Polls `ready` every 200 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Reads a growing log file from a marked offset. */
function logFrom(file: string) {
  let offset = 0;
  return {
    mark() {
      offset = statSync(file).size;
    },
    async read(): Promise<string> {
      const size = statSync(file).size;
      if (size <= offset) return "";
      const fd = openSync(file, "r");
      try {
        const buf = Buffer.alloc(Math.min(size - offset, 8 << 20));
        readSync(fd, buf, 0, buf.length, offset);
        return buf.toString("utf8");
      } finally {
        closeSync(fd);
      }
    },
  };
}

export async function startLocalStack(log: (line: string) => void = () => undefined): Promise<LocalStack> {
  const started = Date.now();
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const all = stoppers.splice(0).reverse();
    await Promise.allSettled(all.map((s) => s()));
  };
  try {
    const [httpPort, httpsPort, statusPort, promPort, amPort] = await freePorts(5);
    const config = localStackConfig({ http: httpPort, https: httpsPort });
    const work = makeTempDir("mcp-verify-stack-");
    stoppers.push(async () => work.remove());
    const secrets = {
      postgresPassword: secret(),
      postgresBackupPassword: secret(),
      postgresExporterPassword: secret(),
      redisPassword: secret(),
      grafanaAdminPassword: secret(),
      jwtSigningKey: secret(),
      backupEncryptionKey: secret(),
    };

    mkdirSync(work.join("edge-ca"));
    mkdirSync(work.join("internal-ca"));
    const [edgeCa, internalCa] = await Promise.all([
      makeTestCertificates(work.join("edge-ca"), { commonName: LOCAL_DOMAIN, dnsNames: [LOCAL_DOMAIN], ipAddresses: [] }),
      // 127.0.0.1 too, so a run on "the internal network" (internal names = loopback) verifies as well.
      makeTestCertificates(work.join("internal-ca"), { commonName: HOSTS.postgres, dnsNames: [HOSTS.postgres], ipAddresses: ["127.0.0.1"] }),
    ]);
    const healthyNginxCert: NginxCert = { certPem: readFileSync(edgeCa.cert, "utf8"), keyPem: readFileSync(edgeCa.key, "utf8") };
    const contract = { ...config.app };

    // Independent servers first, in parallel.
    const pgP = startPostgres({
      tls: { certFile: internalCa.cert, keyFile: internalCa.key, caFile: internalCa.caCert },
      postgresqlConf: renderPostgresConf(postgresInputFromConfig(config)),
      pgHbaConf: renderPgHbaConf({ ...postgresInputFromConfig(config), clientNetworks: ["127.0.0.1/32"] }),
    });
    const redisP = startRedis(redisInputFromConfig(config), secrets.redisPassword);
    const amP = startAlertmanager(renderAlertmanagerConfig(alertmanagerInputFromConfig(config)), amPort);
    const promUrl = `http://127.0.0.1:${promPort}`;
    const grafanaP = startGrafanaStandIn({
      adminUser: config.grafana.adminUser,
      adminPassword: secrets.grafanaAdminPassword,
      provisioning: renderGrafanaProvisioning(config, { prometheusUrl: promUrl }),
      env: grafanaEnv(config),
    });
    const settled = await Promise.allSettled([pgP, redisP, amP, grafanaP]);
    for (const s of settled) if (s.status === "fulfilled") stoppers.push(() => s.value.stop());
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [pg, redis, alertmanager, grafana] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      PgServer,
      RedisServer,
      AlertmanagerServer,
      GrafanaStandIn,
    ];
    log(`base servers up in ${Date.now() - started} ms`);

    const apps: AppStandIn[] = [];
    const store: ServerStore = new MemoryServerStore();
    const publicUrl = `https://${LOCAL_DOMAIN}:${httpsPort}`;
    // MCP sessions live in the stack's Redis, as the app contract asks: any replica serves any session.
    const sessionRedis = new Redis({ host: redis.host, port: redis.port, password: secrets.redisPassword, maxRetriesPerRequest: 1, lazyConnect: true });
    sessionRedis.on("error", () => undefined);
    await sessionRedis.connect();
    stoppers.push(async () => void sessionRedis.disconnect());
    const appLog: string[] = [];
    const audit = (line: string) => {
      appLog.push(line);
      if (appLog.length > 2000) appLog.splice(0, appLog.length - 2000);
    };
    // Replicas can be stopped and started again (fault tests): the stopper sees the current ones.
    stoppers.push(async () => void (await Promise.allSettled(apps.map((a) => a.stop()))));
    const startApps = async (ports?: number[]) => {
      const instances = Array.from({ length: config.app.replicas }, (_, i) => `app.${i + 1}`);
      for (let i = 0; i < instances.length; i++) {
        const port = ports?.[i] ?? (await freePorts(1))[0];
        apps[i] = await startAppStandIn({
          contract,
          jwtSigningKey: secrets.jwtSigningKey,
          publicUrl,
          // Shorter than the tests' idle windows, so a stream's keep-alive is seen to cross Nginx.
          keepAliveMs: 1500,
          audit,
          instance: instances[i],
          store,
          sessions: redisSessionDirectory(sessionRedis, () => `127.0.0.1:${port}`),
          port,
        });
      }
    };
    await startApps();

    const pwDir = makeTempDir("mcp-verify-pw-");
    stoppers.push(async () => pwDir.remove());
    const dbP = setUpDatabase(pg, config, pwDir, {
      app: secrets.postgresPassword,
      backup: secrets.postgresBackupPassword,
      exporter: secrets.postgresExporterPassword,
    });

    const promInput: Omit<PrometheusInput, "ruleFiles"> = {
      ...prometheusInputFromConfig(config),
      alertmanagers: [`127.0.0.1:${alertmanager.port}`],
      jobs: prometheusInputFromConfig(config)
        .jobs.filter((j) => LOCAL_JOBS.includes(j.name as (typeof LOCAL_JOBS)[number]))
        .map((j) => {
          if (j.name === SCRAPE_JOBS.prometheus) return { ...j, targets: [`127.0.0.1:${promPort}`] };
          if (j.name === SCRAPE_JOBS.app) return { ...j, dns: undefined, targets: apps.map((a) => `127.0.0.1:${a.port}`) };
          if (j.name === SCRAPE_JOBS.alertmanager) return { ...j, targets: [`127.0.0.1:${alertmanager.port}`] };
          return { ...j, targets: [`127.0.0.1:${grafana.port}`] };
        }),
      probe: undefined,
    };
    const nginxInput = nginxInputFromConfig(config);
    const [prometheus, nginx] = await Promise.all([
      startPrometheus({
        input: promInput,
        rules: renderAlertRules(alertRulesInputFromConfig(config)),
        retention: { time: config.prometheus.retentionTime, size: config.prometheus.retentionSize },
        port: promPort,
      }).then((p) => {
        stoppers.push(() => p.stop());
        return p;
      }),
      startNginx({
        input: { ...nginxInput, upstreams: apps.map((a) => `127.0.0.1:${a.port}`), grafanaUpstream: `127.0.0.1:${grafana.port}` },
        cert: healthyNginxCert,
        staticFiles: renderStaticFiles(config.app.staticPath),
        ports: { http: httpPort, https: httpsPort, status: statusPort },
      }).then((n) => {
        stoppers.push(() => n.stop());
        return n;
      }),
      dbP,
    ]);
    // Settled like a deploy that has been up a few seconds: every target scraped once, Alertmanager discovered.
    await waitUntil(`Prometheus at ${prometheus.url} scraped every target and found Alertmanager`, 20_000, () => prometheusSettled(prometheus.url, LOCAL_JOBS));
    log(`stack up in ${Date.now() - started} ms`);

    const pgLog = logFrom(pg.logFile);
    pgLog.mark();
    const map: Record<string, Address> = {
      [`${HOSTS.postgres}:${PORTS.postgres}`]: { host: pg.host, port: pg.port },
      [`${HOSTS.redis}:${PORTS.redis}`]: { host: redis.host, port: redis.port },
      [`${HOSTS.prometheus}:${PORTS.prometheus}`]: { host: "127.0.0.1", port: prometheus.port },
      [`${HOSTS.alertmanager}:${PORTS.alertmanager}`]: { host: "127.0.0.1", port: alertmanager.port },
      [`${HOSTS.grafana}:${PORTS.grafana}`]: { host: "127.0.0.1", port: grafana.port },
      // Each replica by a task address of its own, as the swarm lists them.
      ...Object.fromEntries(apps.map((a, i) => [`${LOCAL_REPLICA_HOSTS[i]}:${config.app.port}`, { host: "127.0.0.1", port: a.port }])),
      [`${HOSTS.app}:${config.app.port}`]: { host: "127.0.0.1", port: apps[0].port },
    };
    const reach = staticReach(map);
    const mcpUrl = `${publicUrl}${config.app.mcpPath}`;
    const outputs: StackOutputs = {
      stack: LOCAL_STACK,
      environment: config.environment,
      domain: LOCAL_DOMAIN,
      publicUrl,
      mcpUrl,
      healthUrl: `${publicUrl}${config.app.healthPath}`,
      grafanaUrl: `${publicUrl}/grafana/`,
      resourcePrefix: resourcePrefix(LOCAL_STACK),
      networks: {
        edge: `${resourcePrefix(LOCAL_STACK)}-edge`,
        internal: `${resourcePrefix(LOCAL_STACK)}-internal`,
        egress: `${resourcePrefix(LOCAL_STACK)}-egress`,
      },
      services: [],
      internalEndpoints: internalEndpoints(config),
      appContract: {
        healthPath: contract.healthPath,
        authPath: contract.authPath,
        listServersPath: contract.listServersPath,
        createServerPath: contract.createServerPath,
        metricsPath: contract.metricsPath,
        mcpPath: contract.mcpPath,
        staticPath: contract.staticPath,
        probeTool: contract.probeTool,
        probeToolArguments: contract.probeToolArguments,
        jwtIssuer: contract.jwtIssuer,
        jwtAudience: contract.jwtAudience,
        resourceMetadataPath: contract.resourceMetadataPath,
        protocolVersions: contract.protocolVersions,
        toolCallTimeoutSeconds: contract.toolCallTimeoutSeconds,
        ...(contract.ceilingProbe ? { ceilingProbe: contract.ceilingProbe } : {}),
        migrationsTable: contract.migrationsTable,
        minMigrations: contract.minMigrations,
      },
      mcpJson: mcpJson(LOCAL_STACK, mcpUrl),
      claudeMcpAddCommand: claudeMcpAddCommand(LOCAL_STACK, mcpUrl),
      secretFingerprints: {},
      internalCaCert: readFileSync(internalCa.caCert, "utf8"),
      tls: { mode: config.tls.mode, minDaysValid: config.tls.minDaysValid },
      backup: {
        interval: config.backup.interval,
        keepLast: config.backup.retention.keepLast,
        maxAgeDays: config.backup.retention.maxAgeDays,
        offsiteEnabled: false,
        volume: `${resourcePrefix(LOCAL_STACK)}-backups`,
      },
      dr: config.dr,
      rateLimit: { requestsPerSecond: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burst },
      checklistVersion: CHECKLIST_VERSION,
      secrets: {
        postgresPassword: secrets.postgresPassword,
        postgresBackupPassword: secrets.postgresBackupPassword,
        redisPassword: secrets.redisPassword,
        grafanaAdminUser: config.grafana.adminUser,
        grafanaAdminPassword: secrets.grafanaAdminPassword,
        jwtSigningKey: secrets.jwtSigningKey,
        backupEncryptionKey: secrets.backupEncryptionKey,
      },
    };
    const edgeCaPem = readFileSync(edgeCa.caCert, "utf8");
    const buildTarget = (o: StackOutputs = outputs) =>
      targetFromOutputs(o, {
        config,
        reach,
        edgeCa: edgeCaPem,
        resolve: { [LOCAL_DOMAIN]: "127.0.0.1" },
        postgresLogs: () => pgLog.read(),
        appLogs: async () => appLog.join("\n"),
        streamIdleSeconds: 3,
        appReplicaHosts: LOCAL_REPLICA_HOSTS.slice(0, apps.length),
        healthSamples: 20,
        expect: { prometheusJobs: [...LOCAL_JOBS] },
      });
    const target = await buildTarget();
    let stopped = false;
    return {
      config,
      outputs,
      reach,
      target,
      buildTarget,
      secrets: [...Object.values(secrets), pg.password, healthyNginxCert.keyPem.trim(), readFileSync(internalCa.key, "utf8").trim()],
      edgeCa: edgeCaPem,
      issueEdgeCert: (o) => issueCert(work.path, edgeCa, "edge", o),
      markPostgresLog: () => pgLog.mark(),
      appLog,
      async restartApps() {
        const ports = apps.map((a) => a.port);
        await Promise.all(apps.map((a) => a.stop()));
        await startApps(ports);
      },
      servers: { postgres: pg, redis, nginx, prometheus, alertmanager, apps, grafana },
      healthyNginxCert,
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll();
      },
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
