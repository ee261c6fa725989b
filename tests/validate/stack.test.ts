/**
 * The runtime checks against REAL servers: the local stack (testing/stack.ts) of
 * PostgreSQL, Redis, Nginx, Prometheus and Alertmanager from Debian packages with the
 * rendered configuration, the reference MCP server, two app replicas and a Grafana
 * stand-in. Every check passes on the healthy stack and fails, with the right message,
 * under an injected fault. Reversible faults are undone in `finally`; stopped services
 * come last. No secret may appear in anything the checks, the CLI or the hooks print.
 *
 * Time bound: every check has its own timeout, every test and the setup have jest
 * timeouts below, and afterAll stops every server (process exit hooks do it too).
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { parse, stringify } from "yaml";
import { startLocalStack, waitUntil, LOCAL_DOMAIN, LOCAL_REPLICA_HOSTS, LOCAL_STACK, localStackRawConfig, type LocalStack } from "../../testing/stack";
import { freePort } from "../../local/ports";
import { runChecks } from "../../validate/core/runner";
import { collectProvenance } from "../../evidence/provenance";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import { verifyReportSchema } from "../../evidence/verify";
import { buildVerifyReport, formatJson, formatJunit, formatText } from "../../validate/core/report";
import type { CheckRecord } from "../../validate/core/types";
import { OPT_IN_CHECKS, TRAFFIC_CHECKS, VERIFY_CHECKS } from "../../validate/registry";
import { VERIFY_PROBES } from "../../validate/dependencies";
import { HSTS_MIN_MAX_AGE_SECONDS } from "../../checklist/thresholds";
import type { VerifyTarget } from "../../validate/target";
import type { StackOutputs } from "../../infra/outputs-types";
import { runServiceVerification, verifyHookFunction } from "../../validate/hooks";
import { parseVerifyArgs, verify } from "../../scripts/verify";

jest.setTimeout(45_000);

let stack: LocalStack;
/** Everything printed or reported during the suite; searched for secrets at the end. */
const transcript: string[] = [];
/** Wrong credentials used by fault tests: they must not be printed either. */
const injected: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

async function run(ids: string[], target: VerifyTarget = stack.target): Promise<Record<string, CheckRecord>> {
  const checks = VERIFY_CHECKS.filter((c) => ids.includes(c.id));
  expect(checks.map((c) => c.id).sort()).toEqual([...ids].sort());
  const records = await runChecks(checks, target, { secrets: target.secrets, probes: VERIFY_PROBES, progress: (l) => transcript.push(l) });
  transcript.push(JSON.stringify(records));
  return Object.fromEntries(records.map((r) => [r.id, r]));
}

/** A target built by targetFromOutputs from changed outputs (secrets included in redaction). */
async function withOutputs(change: (o: StackOutputs) => void): Promise<VerifyTarget> {
  const o = structuredClone(stack.outputs);
  change(o);
  return stack.buildTarget(o);
}

const wrong = (label: string) => {
  const v = `${label}-${randomBytes(18).toString("base64url")}`;
  injected.push(v);
  return v;
};

const failed = (r: CheckRecord, pattern: RegExp) => {
  expect(r.status).toBe("fail");
  expect(r.message).toMatch(pattern);
};

describe("healthy stack", () => {
  it("passes every check; container, host and backup checks skip without a Docker engine", async () => {
    const started = new Date();
    const records = await runChecks(VERIFY_CHECKS, stack.target, { secrets: stack.target.secrets, probes: VERIFY_PROBES, progress: (l) => transcript.push(l) });
    const provenance = collectProvenance({ projectDir: process.cwd(), inputs: [] });
    const report = buildVerifyReport({ stack: LOCAL_STACK, records, startedAt: started, durationMs: Date.now() - started.getTime(), provenance });
    transcript.push(formatText(report), formatJson(report), formatJunit(report));
    const bad = records.filter((r) =>
      /^(docker|host|backup)\./.test(r.id) || r.id in OPT_IN_CHECKS || r.id in TRAFFIC_CHECKS ? r.status !== "skip" : r.status !== "pass",
    );
    expect(bad.map((r) => `${r.id}: ${r.status} ${r.message}`)).toEqual([]);
    const latency = records.find((r) => r.id === "edge.health-latency")!;
    expect(latency.measurements).toEqual(expect.objectContaining({ samples: 20, p50Ms: expect.any(Number), p95Ms: expect.any(Number) }));
    expect(stack.servers.apps[0].servers()).toEqual([]);
  }, 60_000);
});

describe("edge faults", () => {
  const nginx = () => stack.servers.nginx;
  const restoreNginx = () => nginx().restart({ cert: stack.healthyNginxCert, transform: undefined });

  it("fails edge.tls-chain for a certificate of another host", async () => {
    try {
      await nginx().restart({ cert: await stack.issueEdgeCert({ dnsNames: ["other.verify.test"] }) });
      const r = (await run(["edge.tls-chain"]))["edge.tls-chain"];
      failed(r, /does not cover mcp\.verify\.test/);
      expect(r.actual).toContain("DNS:other.verify.test");
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.tls-chain for an expired certificate", async () => {
    try {
      await nginx().restart({ cert: await stack.issueEdgeCert({ dnsNames: [LOCAL_DOMAIN], expired: true }) });
      failed((await run(["edge.tls-chain"]))["edge.tls-chain"], /has expired/);
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.tls-chain for a certificate expiring within minDaysValid", async () => {
    try {
      await nginx().restart({ cert: await stack.issueEdgeCert({ dnsNames: [LOCAL_DOMAIN], days: 5 }) });
      const r = (await run(["edge.tls-chain"]))["edge.tls-chain"];
      failed(r, /expires in [45] days/);
      expect(r.expected).toContain("14 days");
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.tls-chain for a chain the client does not trust", async () => {
    const t = stack.target;
    failed((await run(["edge.tls-chain"], { ...t, edge: { ...t.edge, http: { ...t.edge.http, ca: undefined } } }))["edge.tls-chain"], /not trusted/);
  });

  it("fails edge.tls-legacy-refused when TLS 1.0/1.1 are enabled", async () => {
    try {
      await nginx().restart({
        transform: (c) =>
          c
            .replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;")
            .replace(/ssl_ciphers [^;]+;/, "ssl_ciphers DEFAULT@SECLEVEL=0;"),
      });
      failed((await run(["edge.tls-legacy-refused"]))["edge.tls-legacy-refused"], /accepts TLSv1 and TLSv1\.1/);
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.http-redirect when port 80 serves content instead of redirecting", async () => {
    try {
      await nginx().restart({ transform: (c) => c.replace(/return 301 https:\/\/\$host[^;]*;/, 'return 200 "plain http\\n";') });
      const r = (await run(["edge.http-redirect"]))["edge.http-redirect"];
      failed(r, /answered 200 without Location/);
      expect(r.expected).toMatch(/^301 -> https:\/\/mcp\.verify\.test:\d+\/verify-redirect-probe/);
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.hsts when the header is removed", async () => {
    try {
      await nginx().restart({ transform: (c) => c.replace(/^\s*add_header Strict-Transport-Security.*$/m, "") });
      failed((await run(["edge.hsts"]))["edge.hsts"], /no Strict-Transport-Security header/);
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.hsts for a max-age below the checklist's minimum, whatever the stack configures", async () => {
    expect(stack.target.edge.hstsMinMaxAgeSeconds).toBe(HSTS_MIN_MAX_AGE_SECONDS);
    try {
      await nginx().restart({ transform: (c) => c.replace(/max-age=\d+/, `max-age=${HSTS_MIN_MAX_AGE_SECONDS - 1}`) });
      const r = (await run(["edge.hsts"]))["edge.hsts"];
      failed(r, new RegExp(`HSTS max-age ${HSTS_MIN_MAX_AGE_SECONDS - 1} is below ${HSTS_MIN_MAX_AGE_SECONDS}`));
      expect(r.attempts).toBe(1);
      await nginx().restart({ transform: (c) => c.replace(/max-age=\d+/, `max-age=${HSTS_MIN_MAX_AGE_SECONDS}`) });
      expect((await run(["edge.hsts"]))["edge.hsts"].status).toBe("pass");
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.rate-limit when the limit is removed", async () => {
    try {
      await nginx().restart({ transform: (c) => c.replace(/^\s*limit_req zone=.*$/gm, "") });
      const r = (await run(["edge.rate-limit"]))["edge.rate-limit"];
      failed(r, /got no 429/);
      expect(r.measurements?.status429).toBe(0);
    } finally {
      await restoreNginx();
    }
  });

  it("limits the health path as the renderer says: a burst there gets 429, and none once its limit_req is removed", async () => {
    const t = stack.target;
    const onHealth = { ...t, edge: { ...t.edge, rateLimit: { ...t.edge.rateLimit, path: t.edge.healthPath } } };
    expect((await run(["edge.rate-limit"], onHealth))["edge.rate-limit"].status).toBe("pass");
    try {
      const healthLocation = new RegExp(`(location = ${t.edge.healthPath.replace(/[/.]/g, "\\$&")} \\{\\s*)limit_req zone=[^;]*;`);
      await nginx().restart({ transform: (c) => c.replace(healthLocation, "$1") });
      failed((await run(["edge.rate-limit"], onHealth))["edge.rate-limit"], /got no 429/);
    } finally {
      await restoreNginx();
    }
  });

  it("fails edge.static-file when the file is gone", async () => {
    const file = join(nginx().dir, "html", "static", "robots.txt");
    const content = readFileSync(file, "utf8");
    try {
      unlinkSync(file);
      failed((await run(["edge.static-file"]))["edge.static-file"], /answered 404/);
    } finally {
      writeFileSync(file, content);
    }
  });

  it("fails edge.health-latency when health answers take > 500 ms, within a bounded time", async () => {
    const started = Date.now();
    try {
      for (const a of stack.servers.apps) a.faults.healthDelayMs = 600;
      const r = (await run(["edge.health-latency"]))["edge.health-latency"];
      failed(r, /health p95 is \d+ ms/);
      expect(Number(r.measurements?.p95Ms)).toBeGreaterThanOrEqual(500);
      // Stops as soon as the p95 is certain to be over: 2 slow samples, not 20.
      expect(r.measurements?.samples).toBe(2);
    } finally {
      for (const a of stack.servers.apps) a.faults.healthDelayMs = 0;
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("fails edge.proxy-pass and app.health while the app replicas are down, passes once they are back", async () => {
    await Promise.all(stack.servers.apps.map((a) => a.stop()));
    try {
      const r = await run(["edge.proxy-pass", "app.health"]);
      failed(r["edge.proxy-pass"], /Nginx answered 502 .*could not reach the app upstream/);
      failed(r["app.health"], /^app unreachable: replica 1 of 2: 127\.0\.0\.1:\d+: connect ECONNREFUSED.*; replica 2 of 2: /);
    } finally {
      await stack.restartApps();
      // Nginx keeps failed upstreams out for fail_timeout (10 s); a fresh start forgets that.
      await stack.servers.nginx.restart();
    }
    const back = await run(["edge.proxy-pass", "app.health"]);
    expect([back["edge.proxy-pass"].status, back["app.health"].status]).toEqual(["pass", "pass"]);
  });
});

describe("app and MCP faults", () => {
  it("fails app.auth when the app accepts any token", async () => {
    try {
      for (const a of stack.servers.apps) a.faults.acceptAnyToken = true;
      const r = (await run(["app.auth"]))["app.auth"];
      failed(r, /answered 200 to a JWT with a wrong signature/);
    } finally {
      for (const a of stack.servers.apps) a.faults.acceptAnyToken = false;
    }
  });

  it("fails the authenticated API checks with a JWT key the app does not use", async () => {
    const t = await withOutputs((o) => (o.secrets.jwtSigningKey = wrong("jwt")));
    const r = await run(["app.auth", "app.servers-list", "app.servers-create"], t);
    failed(r["app.auth"], /with a valid JWT answered 401/);
    failed(r["app.servers-list"], /answered 401/);
    failed(r["app.servers-create"], /answered 401/);
  });

  it("fails app.metrics on malformed exposition", async () => {
    try {
      stack.servers.apps[1].faults.brokenMetrics = true;
      failed((await run(["app.metrics"]))["app.metrics"], /app-1|127\.0\.0\.1:\d+\/metrics: line 2: (invalid value|label)/);
    } finally {
      stack.servers.apps[1].faults.brokenMetrics = false;
    }
  });

  it("fails mcp.tool-call when the probe tool returns an error", async () => {
    const t = await withOutputs((o) => (o.appContract.probeToolArguments = {}));
    const r = (await run(["mcp.tool-call"], t))["mcp.tool-call"];
    failed(r, /tools\/call echo returned isError: .*Input validation error/);
  });

  it("fails mcp.tools-list when the probe tool is not offered", async () => {
    const t = await withOutputs((o) => (o.appContract.probeTool = "no-such-tool"));
    failed((await run(["mcp.tools-list"], t))["mcp.tools-list"], /no tool "no-such-tool"/);
  });

  it("fails mcp.claude-config for an invalid or mismatched .mcp.json", async () => {
    const invalid = await withOutputs((o) => ((o.mcpJson.mcpServers[`mcp-${LOCAL_STACK}`] as unknown as { type: string }).type = "stdio"));
    failed((await run(["mcp.claude-config"], invalid))["mcp.claude-config"], /not valid Claude Code config: mcpServers\.mcp-verifytest\.type/);
    const elsewhere = await withOutputs((o) => (o.mcpJson.mcpServers[`mcp-${LOCAL_STACK}`].url = "https://elsewhere.verify.test/mcp"));
    failed((await run(["mcp.claude-config"], elsewhere))["mcp.claude-config"], /points at https:\/\/elsewhere\.verify\.test\/mcp/);
  });
});

describe("PostgreSQL, Redis and monitoring faults", () => {
  it("fails postgres.tls on a wrong password, and postgres.auth-log then reports the failure", async () => {
    stack.markPostgresLog();
    const t = await withOutputs((o) => (o.secrets.postgresPassword = wrong("pg")));
    const r = (await run(["postgres.tls"], t))["postgres.tls"];
    failed(r, /password authentication failed for user "mcp_app"/);
    expect(r.remediation).toMatch(/password does not match/);
    failed(
      (await run(["postgres.auth-log"]))["postgres.auth-log"],
      /authentication failures? in the PostgreSQL log: password authentication failed for user "mcp_app"/,
    );
    stack.markPostgresLog();
    expect((await run(["postgres.auth-log"]))["postgres.auth-log"].status).toBe("pass");
  });

  it("fails postgres.backup-role on a wrong backup password", async () => {
    const t = await withOutputs((o) => (o.secrets.postgresBackupPassword = wrong("pgbackup")));
    failed((await run(["postgres.backup-role"], t))["postgres.backup-role"], /as mcp_backup: password authentication failed/);
    stack.markPostgresLog();
  });

  it("fails postgres.migrations when too few are applied or the table is missing", async () => {
    const few = await withOutputs((o) => (o.appContract.minMigrations = 5));
    failed((await run(["postgres.migrations"], few))["postgres.migrations"], /has 2 migrations/);
    const missing = await withOutputs((o) => (o.appContract.migrationsTable = "no_such_migrations"));
    failed((await run(["postgres.migrations"], missing))["postgres.migrations"], /no_such_migrations does not exist/);
  });

  it("fails postgres.connections when usage crosses the headroom threshold", async () => {
    const t = stack.target;
    failed(
      (await run(["postgres.connections"], { ...t, postgres: { ...t.postgres, maxConnectionsPercent: 0.1 } }))["postgres.connections"],
      /usable connections in use/,
    );
  });

  it("fails the Redis checks on a wrong password", async () => {
    const t = await withOutputs((o) => (o.secrets.redisPassword = wrong("redis")));
    const r = await run(["redis.auth", "redis.operations"], t);
    failed(r["redis.auth"], /WRONGPASS/);
    expect(r["redis.auth"].remediation).toMatch(/does not match the stack's redisPassword/);
    failed(r["redis.operations"], /WRONGPASS/);
  });

  it("fails redis.persistence with AOF off and redis.memory with another eviction policy", async () => {
    const client = new Redis({
      host: stack.servers.redis.host,
      port: stack.servers.redis.port,
      password: stack.outputs.secrets.redisPassword,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    await client.connect();
    try {
      await client.config("SET", "appendonly", "no");
      failed((await run(["redis.persistence"]))["redis.persistence"], /aof_enabled:0/);
    } finally {
      await client.config("SET", "appendonly", "yes");
      client.disconnect();
    }
    const t = stack.target;
    failed((await run(["redis.memory"], { ...t, redis: { ...t.redis, maxmemoryPolicy: "allkeys-lfu" } }))["redis.memory"], /maxmemory-policy is allkeys-lru/);
  });

  it("fails prometheus.targets while a target is down", async () => {
    const prom = stack.servers.prometheus;
    const before = prom.current();
    const deadPort = await freePort();
    try {
      await prom.reload({
        input: { ...before.input, jobs: [...before.input.jobs, { name: "verify-dead", targets: [`127.0.0.1:${deadPort}`], service: "dead" }] },
      });
      // Prometheus applies new targets on its discovery tick (up to 5 s after a reload).
      await waitUntil("the dead target is scraped", 15_000, async () => {
        const body = (await (await fetch(`${prom.url}/api/v1/targets?state=active`)).json()) as {
          data: { activeTargets: { labels: { job: string }; health: string }[] };
        };
        return body.data.activeTargets.some((t) => t.labels.job === "verify-dead" && t.health === "down");
      });
      const r = (await run(["prometheus.targets"]))["prometheus.targets"];
      failed(r, new RegExp(`verify-dead/127\\.0\\.0\\.1:${deadPort} down \\(.*connection refused`));
      // A target that is down is Prometheus' answer, not a state that settles: reported on the first attempt.
      expect(r.attempts).toBe(1);
      expect(r.durationMs).toBeLessThan(1000);
    } finally {
      await prom.reload({ input: before.input });
    }
  });

  it("fails prometheus.rules on a rule that breaks at evaluation", async () => {
    const prom = stack.servers.prometheus;
    const before = prom.current();
    const doc = parse(before.rules) as { groups: unknown[] };
    doc.groups.push({ name: "verify-broken", rules: [{ alert: "VerifyBroken", expr: "up / on() up", labels: { severity: "warning" } }] });
    try {
      await prom.reload({ rules: stringify(doc) });
      await waitUntil("the broken rule is evaluated", 15_000, async () => {
        const body = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { health: string }[] }[] } };
        return body.data.groups.some((g) => g.name === "verify-broken" && g.rules.every((x) => x.health === "err"));
      });
      const r = (await run(["prometheus.rules"]))["prometheus.rules"];
      failed(r, /verify-broken\/VerifyBroken health err/);
      expect(r.attempts).toBe(1);
      expect(r.durationMs).toBeLessThan(1000);
    } finally {
      await prom.reload({ rules: before.rules });
    }
  });

  it("fails prometheus.retention and alertmanager.receivers when the stack differs from what is expected", async () => {
    const t = stack.target;
    const r = await run(["prometheus.retention", "alertmanager.receivers"], {
      ...t,
      prometheus: { ...t.prometheus, retention: { time: "30d", size: "1GB" } },
      alertmanager: { ...t.alertmanager, expectedReceivers: [...t.alertmanager.expectedReceivers, "pager-missing"] },
    });
    failed(r["prometheus.retention"], /retention is "15d or 1GiB"/);
    failed(r["alertmanager.receivers"], /receivers missing: pager-missing/);
  });

  it("fails the Grafana checks on a wrong password, a failing database and a missing dashboard", async () => {
    const bad = await withOutputs((o) => (o.secrets.grafanaAdminPassword = wrong("grafana")));
    const r = await run(["grafana.datasource", "grafana.dashboards"], bad);
    failed(r["grafana.datasource"], /refused the admin credentials \(401\)/);
    failed(r["grafana.dashboards"], /401/);
    const t = stack.target;
    failed(
      (await run(["grafana.dashboards"], { ...t, grafana: { ...t.grafana, dashboardUids: [...t.grafana.dashboardUids, "no-such-dashboard"] } }))[
        "grafana.dashboards"
      ],
      /no-such-dashboard: 404/,
    );
    try {
      stack.servers.grafana.faults.databaseDown = true;
      failed((await run(["grafana.health"]))["grafana.health"], /answered 503 database=failing/);
    } finally {
      stack.servers.grafana.faults.databaseDown = false;
    }
  });
});

describe("deploy hooks (hook functions called directly)", () => {
  const options = (outputs: StackOutputs = stack.outputs) => ({
    config: stack.config,
    outputs: async () => outputs,
    reach: stack.reach,
    edgeCa: stack.edgeCa,
    resolve: { [LOCAL_DOMAIN]: "127.0.0.1" },
    expect: { prometheusJobs: ["prometheus", "mcp-app", "alertmanager", "grafana"] },
    settleMs: 0,
    log: (l: string) => transcript.push(l),
  });

  it("the redis and app hooks pass on the healthy stack; the app hook checks every replica of the service", async () => {
    await expect(
      verifyHookFunction("redis", options())({ urn: "urn", id: "id", name: "redis", type: "docker:index/service:Service" }),
    ).resolves.toBeUndefined();
    const records = await runServiceVerification("app", { ...options(), appReplicaHosts: LOCAL_REPLICA_HOSTS.slice(0, stack.servers.apps.length) });
    expect(records.find((r) => r.id === "app.health")?.measurements).toEqual(
      expect.objectContaining({ replicas: stack.servers.apps.length, healthy: stack.servers.apps.length }),
    );
  });

  it("the redis hook throws a redacted summary when Redis rejects the stack's password", async () => {
    const o = structuredClone(stack.outputs);
    o.secrets.redisPassword = wrong("hook-redis");
    const hook = verifyHookFunction("redis", options(o));
    const error = await Promise.resolve(hook({ urn: "urn", id: "id", name: "redis", type: "docker:index/service:Service" })).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/post-deploy verification of redis failed[\s\S]*redis\.auth: .*WRONGPASS/);
    transcript.push(error!.message);
  });
});

describe("npm run verify (the CLI)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mcp-verify-cli-"));
    const raw = localStackRawConfig({ http: stack.config.edge.httpPort, https: stack.config.edge.httpsPort });
    writeFileSync(join(dir, `Pulumi.${LOCAL_STACK}.yaml`), stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`mcp:${k}`, v])) }));
    // As seen from inside the stack network: internal names are the loopback servers, so --direct works.
    const o = structuredClone(stack.outputs);
    const s = stack.servers;
    o.internalEndpoints = {
      ...o.internalEndpoints,
      postgres: { ...o.internalEndpoints.postgres, host: "127.0.0.1", port: s.postgres.port },
      redis: { host: "127.0.0.1", port: s.redis.port },
      prometheus: s.prometheus.url,
      alertmanager: s.alertmanager.url,
      grafana: s.grafana.url,
      // On the network itself each replica is one address of tasks.<app>: here, one replica on loopback.
      app: { host: "127.0.0.1", tasksHost: "localhost", port: s.apps[0].port, replicas: 1 },
    };
    writeFileSync(join(dir, "outputs.json"), JSON.stringify(o));
    writeFileSync(join(dir, "edge-ca.pem"), stack.edgeCa);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const options = { ...parseVerifyArgs(args), cwd: dir };
    const code = await verify(options, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    transcript.push(stdout, stderr);
    return { code, stdout, stderr };
  }

  const common = ["--stack", LOCAL_STACK, "--outputs", "outputs.json", "--direct", "--ca", "edge-ca.pem", "--resolve", `${LOCAL_DOMAIN}:127.0.0.1`];

  it("exits 0 and writes text, JSON and JUnit reports when the checks pass", async () => {
    const r = await cli([
      ...common,
      "--only",
      "edge.tls-chain,app.*,mcp.*,postgres.*,redis.*,alertmanager.*,grafana.*",
      "--format",
      "json",
      "--out",
      "reports",
    ]);
    expect(r.stderr).toMatch(/\[verify\] \[\d+\/\d+\] PASS postgres\.tls/);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ kind: "verify", formatVersion: EVIDENCE_FORMAT_VERSION, stack: LOCAL_STACK });
    expect(verifyReportSchema.safeParse(report).error?.issues ?? []).toEqual([]);
    expect(report.provenance.inputs.map((i: { role: string; path: string }) => `${i.role} ${i.path}`)).toEqual([
      `stack file Pulumi.${LOCAL_STACK}.yaml`,
      "outputs outputs.json",
    ]);
    expect(report.checks.length).toBeGreaterThanOrEqual(20);
    for (const f of ["verify-report.txt", "verify-report.json", "verify-report.xml"]) expect(existsSync(join(dir, "reports", f))).toBe(true);
    expect(readFileSync(join(dir, "reports", "verify-report.xml"), "utf8")).toMatch(/<testcase classname="verify\.postgres" name="postgres\.tls/);
  }, 60_000);

  it("exits 1 when a check fails: the exporters the config declares are not scraped here", async () => {
    const r = await cli([...common, "--only", "prometheus.targets"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+prometheus\.targets\s+.*job postgres-exporter has no targets/);
  }, 30_000);

  it("exits 2 naming the key when the outputs file is malformed, and names unknown check ids", async () => {
    const o = JSON.parse(readFileSync(join(dir, "outputs.json"), "utf8"));
    delete o.internalEndpoints.redis;
    o.rateLimit.requestsPerSecond = "fast";
    writeFileSync(join(dir, "bad.json"), JSON.stringify(o));
    const bad = await cli(["--stack", LOCAL_STACK, "--outputs", "bad.json", "--direct"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/internalEndpoints\.redis/);
    expect(bad.stderr).toMatch(/rateLimit\.requestsPerSecond/);
    const unknown = await cli([...common, "--only", "edge.nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown check id "edge\.nope"/);
    const badSkip = await cli([...common, "--skip", "edge.nope=because"]);
    expect(badSkip.code).toBe(2);
    expect(badSkip.stderr).toMatch(/--skip names unknown check id\(s\): edge\.nope/);
  });

  it("records a check that cannot apply here as skipped with the reason given, without running it", async () => {
    const r = await cli([
      ...common,
      "--only",
      "prometheus.targets,redis.auth",
      "--skip",
      "prometheus.targets=no exporters on this machine",
      "--format",
      "json",
    ]);
    const report = JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string; attempts: number }[] };
    expect(report.checks.map((c) => [c.id, c.status, c.message, c.attempts])).toEqual([
      ["redis.auth", "pass", expect.any(String), 1],
      ["prometheus.targets", "skip", "not applicable here: no exporters on this machine", 0],
    ]);
    expect(r.code).toBe(0);
  });
});

/** Reported by the first check that needs the service; every other one skipped, naming it and the cause. */
const reportedOnce = (r: Record<string, CheckRecord>, ids: string[], cause: RegExp) => {
  const [first, ...rest] = ids;
  failed(r[first], cause);
  expect(r[first].attempts).toBe(0);
  const [, dependency, why] = /^(\w+) unreachable: (.*)$/.exec(r[first].message)!;
  for (const id of rest) expect(`${id}: ${r[id].status} ${r[id].message}`).toBe(`${id}: skip skipped: ${dependency} unreachable, reported by ${first}: ${why}`);
};

describe("services that hang or do not resolve", () => {
  it("names a frozen Redis (SIGSTOP: connects, never answers), its address and the time waited, within the probe bound", async () => {
    const redis = stack.servers.redis;
    process.kill(redis.pid, "SIGSTOP");
    try {
      const started = Date.now();
      const r = await run(["redis.auth", "redis.operations", "redis.persistence", "redis.memory", "postgres.tls", "alertmanager.ready"]);
      const elapsed = Date.now() - started;
      reportedOnce(
        r,
        ["redis.auth", "redis.operations", "redis.persistence", "redis.memory"],
        new RegExp(`redis unreachable: 127\\.0\\.0\\.1:${redis.port} accepted the connection but did not answer within 2000 ms`),
      );
      for (const id of ["postgres.tls", "alertmanager.ready"]) expect(r[id].status).toBe("pass");
      expect(elapsed).toBeLessThan(3500);
    } finally {
      process.kill(redis.pid, "SIGCONT");
    }
    expect((await run(["redis.auth"]))["redis.auth"].status).toBe("pass");
  });

  it("names the app replica whose listener accepts and never replies", async () => {
    const held: import("node:net").Socket[] = [];
    const silent = createServer((s) => void held.push(s));
    const port = await freePort();
    await new Promise<void>((ok) => silent.listen(port, "127.0.0.1", ok));
    try {
      const t = stack.target;
      const target = { ...t, app: { ...t.app, replicaUrls: [t.app.replicaUrls[0], `http://127.0.0.1:${port}`] } };
      const started = Date.now();
      const r = await run(["app.health", "app.metrics"], target);
      reportedOnce(
        r,
        ["app.health", "app.metrics"],
        new RegExp(`replica 2 of 2: 127\\.0\\.0\\.1:${port} accepted the connection but did not answer within 2000 ms`),
      );
      expect(r["app.health"].message).not.toMatch(/replica 1 of 2/);
      expect(Date.now() - started).toBeLessThan(3500);
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((ok) => silent.close(ok));
    }
  });

  it("reports a public name that does not resolve once, at once, without retries or a rate-limit burst", async () => {
    const target = await withOutputs((o) => {
      o.domain = "mcp.verify.invalid";
      o.publicUrl = "https://mcp.verify.invalid";
    });
    const edge = VERIFY_CHECKS.filter((c) => c.needs?.includes("edge")).map((c) => c.id);
    const started = Date.now();
    const r = await run(edge, { ...target, edge: { ...target.edge, http: { ...target.edge.http, resolve: {} } } });
    expect(Date.now() - started).toBeLessThan(2500);
    reportedOnce(r, edge, /edge unreachable: mcp\.verify\.invalid:\d+: getaddrinfo (ENOTFOUND|EAI_AGAIN) mcp\.verify\.invalid/);
    expect(r["edge.rate-limit"].measurements).toBeUndefined();
  });
});

describe("stopped services (last: these do not come back)", () => {
  it("reports a stopped Redis once, at once, while the other checks complete", async () => {
    await stack.servers.redis.stop();
    const started = Date.now();
    const r = await run(["redis.auth", "redis.operations", "redis.persistence", "redis.memory", "postgres.tls", "alertmanager.ready", "grafana.health"]);
    const elapsed = Date.now() - started;
    reportedOnce(r, ["redis.auth", "redis.operations", "redis.persistence", "redis.memory"], /redis unreachable: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(r["redis.auth"].remediation).toMatch(/Check that Redis is running/);
    for (const id of ["postgres.tls", "alertmanager.ready", "grafana.health"]) expect(r[id].status).toBe("pass");
    expect(elapsed).toBeLessThan(2000);
  });

  it("reports a stopped Alertmanager, Prometheus and PostgreSQL", async () => {
    await Promise.all([stack.servers.alertmanager.stop(), stack.servers.prometheus.stop(), stack.servers.postgres.stop()]);
    const r = await run(["alertmanager.ready", "prometheus.targets", "grafana.datasource", "postgres.tls"]);
    failed(r["alertmanager.ready"], /alertmanager unreachable: .*ECONNREFUSED/);
    // Grafana answers, but the datasource it checks is the stopped Prometheus: one cause, reported once.
    reportedOnce(r, ["prometheus.targets", "grafana.datasource"], /prometheus unreachable: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    failed(r["postgres.tls"], /postgres unreachable: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  }, 60_000);

  it("reports a stopped Nginx once, on the first edge check", async () => {
    await stack.servers.nginx.stop();
    const r = await run(["edge.tls-chain", "edge.http-redirect", "edge.proxy-pass"]);
    reportedOnce(r, ["edge.tls-chain", "edge.http-redirect", "edge.proxy-pass"], /edge unreachable: 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
  });
});

describe("secrets", () => {
  it("no secret value appears in any report, message, progress line, CLI output or hook error", () => {
    const all = transcript.join("\n");
    expect(all.length).toBeGreaterThan(10_000);
    const leaked = [...stack.secrets, ...injected].filter((s) => all.includes(s));
    expect(leaked.map((s) => s.slice(0, 4) + "…")).toEqual([]);
    // The redactor was exercised: wrong passwords and keys are redacted, not merely absent.
    expect(injected.length).toBeGreaterThan(3);
  });
});

export {};
