/**
 * The prod stack deployed for real on this machine's private swarm engine and proven with the
 * product's own checks: every service converges, secrets appear only as Docker secret files,
 * `npm run verify` passes every check that applies (reaching internal services through task
 * containers, as in production) and `npm run signoff` reads its report; then faults on the
 * real engine, each caught by the right check and recovered from: a secret rotated through a
 * rolling update, PostgreSQL rows surviving a task restart, a backup restored with no row
 * lost, a killed task restarted, an update to a broken image rolled back by the swarm, a broken
 * configuration refused at preview and, forced onto the engine, rolled back.
 *
 * What this machine forces to differ from the prod stack is printed first (testing/engine/
 * differences.ts and testing/engine/stack.ts, one line each). Run alone: `npm run e2e:engine`.
 */
import { randomBytes } from "node:crypto";
import { connect as tcpConnect } from "node:net";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";
import Redis from "ioredis";
import { stringify } from "yaml";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord } from "../../validate/core/types";
import { checkById, OPT_IN_CHECKS, TRAFFIC_CHECKS, VERIFY_CHECKS } from "../../validate/registry";
import { parseVerifyArgs, verify } from "../../scripts/verify";
import { main as signoff } from "../../scripts/signoff";
import { evaluateInProcess } from "../../preflight/inprocess";
import { listBackups } from "../../backup/manifest";
import { dockerVolumeDir } from "../../validate/backup";
import { demuxDockerLog } from "../../validate/reach/docker-logs";
import { mountsUnder, processesOf } from "../../testing/docker/reaper";
import { NOT_APPLICABLE_HERE } from "../../testing/engine/differences";
import { SKIPPED_ON_HARDENED } from "../../testing/docker/hardened";
import { deployEngineStack, type EngineStack } from "../../testing/engine/stack";
import { StackOperationError } from "../../testing/engine/apply";
import { importUnhealthyImage, updateThatRollsBack } from "../../testing/engine/faults";
import { makeTempDir, type TempDir } from "../../testing/tools";

jest.setTimeout(20 * 60_000);

const ROOT = join(__dirname, "..", "..");
const T0 = Date.now();
const transcript: string[] = [];
/** Progress on stderr as it happens (this suite takes minutes), everything kept for the leak check. */
const log = (line: string) => {
  transcript.push(line);
  process.stderr.write(`[e2e ${((Date.now() - T0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
};

let stack: EngineStack;
let work: TempDir;
const summary = { services: 0, converged: 0, passed: 0, failed: 0, rollbacks: 0, rollbacksOk: 0 };
const timings: Record<string, number> = {};

/** Checks that may skip on this machine, each with the reason it gives. */
const ALLOWED_SKIPS: Record<string, string> = { ...NOT_APPLICABLE_HERE, ...SKIPPED_ON_HARDENED, ...OPT_IN_CHECKS, ...TRAFFIC_CHECKS };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs checks against the deployed stack through the product's own connection (exec tunnels, the edge forwarder). */
async function check(ids: readonly string[]): Promise<Record<string, CheckRecord>> {
  const c = await stack.connect({ log: () => undefined });
  try {
    const records = await runChecks(ids.map(checkById), c.target, {
      secrets: stack.secrets(),
      progress: (l) => transcript.push(l),
      notApplicable: NOT_APPLICABLE_HERE,
    });
    return Object.fromEntries(records.map((r) => [r.id, r]));
  } finally {
    await c.close();
  }
}

const failing = (rs: Record<string, CheckRecord>) =>
  Object.values(rs)
    .filter((r) => r.status === "fail")
    .map((r) => `${r.id}: ${r.message}`);

/** The last lines of a service's task containers on this engine (diagnostics for a failed wait). */
async function serviceLogTail(service: string, lines = 30): Promise<string> {
  const containers = await stack.engine.docker.listContainers({
    all: true,
    filters: { label: [`com.docker.swarm.service.name=${stack.outputs.resourcePrefix}-${service}`] },
  });
  const out: string[] = [];
  for (const c of containers.slice(0, 3)) {
    const buf = (await stack.engine.docker.getContainer(c.Id).logs({ stdout: true, stderr: true, follow: false, tail: lines })) as unknown as Buffer;
    out.push(`--- ${c.Names[0]} (${c.State}):\n${demuxDockerLog(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf))).trimEnd()}`);
  }
  return out.join("\n");
}

/** Polls (bounded) until every check passes; returns the time it took, or fails naming what still fails. */
async function until(ids: readonly string[], withinMs: number, what: string): Promise<number> {
  const started = Date.now();
  let last: string[] = [];
  for (let round = 0; Date.now() - started < withinMs; round++) {
    last = failing(await check(ids));
    if (last.length === 0) return Date.now() - started;
    if (round % 5 === 0) log(`${what}: waiting for ${last.map((l) => l.split(":")[0]).join(", ")}`);
    await sleep(3000);
  }
  throw new Error(`${what}: still failing after ${withinMs / 1000} s:\n  ${last.join("\n  ")}`);
}

interface RawService {
  ID: string;
  Spec: { Name: string; TaskTemplate: { ContainerSpec: { Image: string } } };
  UpdateStatus?: { State?: string; Message?: string };
}

const serviceOf = async (name: string) => (await stack.engine.docker.getService(`${stack.outputs.resourcePrefix}-${name}`).inspect()) as RawService;

/** A change that must fail on `service` and be rolled back by the swarm; returns the time to rollback_completed. */
async function rolledBack(service: string, change: Parameters<EngineStack["redeploy"]>[0]): Promise<number> {
  const { error: err, state, ms } = await updateThatRollsBack(stack, service, change);
  log(`update of ${service}: ${err?.message ?? "succeeded"}`);
  expect(err).toBeInstanceOf(StackOperationError);
  expect(err!.message).toMatch(new RegExp(`${stack.outputs.resourcePrefix}-${service}.*(rollback|rolled back)`, "i"));
  expect(state).toBe("rollback_completed");
  return ms;
}

async function runningTaskIds(): Promise<Record<string, string[]>> {
  const tasks = (await stack.engine.docker.listTasks({ filters: { "desired-state": ["running"] } })) as {
    ID: string;
    ServiceID: string;
    Status: { State: string };
  }[];
  const services = (await stack.engine.docker.listServices()) as RawService[];
  return Object.fromEntries(
    services.map((s) => [
      s.Spec.Name,
      tasks
        .filter((t) => t.ServiceID === s.ID && t.Status.State === "running")
        .map((t) => t.ID)
        .sort(),
    ]),
  );
}

async function taskContainer(service: string): Promise<string> {
  const [c] = await stack.engine.docker.listContainers({
    filters: { label: [`com.docker.swarm.service.name=${stack.outputs.resourcePrefix}-${service}`], status: ["running"] },
  });
  if (!c) throw new Error(`no running task container of ${service}`);
  return c.Id;
}

async function exec(container: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const e = await stack.engine.docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const s = (await e.start({})) as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("end", () => resolve());
    setTimeout(resolve, 120_000).unref();
  });
  const info = await e.inspect();
  // eslint-disable-next-line no-control-regex -- the exec stream's framing bytes are what is stripped
  const framing = /[\u0000-\u0008]/g;
  return { code: info.ExitCode ?? -1, out: Buffer.concat(chunks).toString("utf8").replace(framing, "") };
}

/** A PostgreSQL session as the app's role, through the same tunnel verify uses. */
async function withPostgres<T>(body: (c: Client) => Promise<T>): Promise<T> {
  const conn = await stack.connect({ log: () => undefined });
  const pg = conn.target.postgres;
  const client = new Client({
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    password: pg.password,
    ssl: { ca: pg.ca, servername: pg.servername },
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
    return await body(client);
  } finally {
    await client.end().catch(() => undefined);
    await conn.close();
  }
}

beforeAll(async () => {
  work = await makeTempDir("mcp-e2e-");
  stack = await deployEngineStack({ log });
  timings.convergeMs = stack.convergeMs;
  process.stderr.write(`\nWhat this machine forces to differ from the prod stack:\n${stack.differences.map((d) => `  - ${d}`).join("\n")}\n\n`);
});

afterAll(async () => {
  const dir = stack?.engine.dir;
  const links = stack ? [stack.engine.swarm?.gatewayBridge] : [];
  const forwarders = stack ? [stack.edge.https.port, stack.edge.http.port] : [];
  await stack?.stop();
  await work?.remove();
  // Nothing left behind: no engine process, mount, host interface or listener.
  if (dir) {
    const left = [
      ...(existsSync(dir) ? [`directory ${dir}`] : []),
      ...processesOf(dir).map((p) => `process ${p}`),
      ...mountsUnder(dir).map((m) => `mount ${m}`),
      ...links.filter((l): l is string => !!l && spawnSync("ip", ["link", "show", l], { stdio: "ignore" }).status === 0).map((l) => `interface ${l}`),
    ];
    for (const port of forwarders) {
      const open = await new Promise<boolean>((resolve) => {
        const s = tcpConnect(port, "127.0.0.1");
        s.once("connect", () => (s.destroy(), resolve(true)));
        s.once("error", () => resolve(false));
      });
      if (open) left.push(`listener 127.0.0.1:${port}`);
    }
    expect(left).toEqual([]);
  }
  process.stderr.write(`timings (ms): ${JSON.stringify(timings)}\n`);
  process.stdout.write(
    `engine e2e: ${summary.converged}/${summary.services} services converged, ${summary.passed} passed, ${summary.failed} failed checks, ${summary.rollbacksOk}/${summary.rollbacks} rollbacks ok\n`,
  );
}, 5 * 60_000);

describe("the prod stack on a real swarm engine", () => {
  test("every service converges: all replicas running and healthy, within the deploy's bound", async () => {
    summary.services = stack.outputs.services.length;
    const r = await check(["docker.running", "docker.health"]);
    expect(failing(r)).toEqual([]);
    summary.converged = summary.services;
    expect(stack.convergeMs).toBeLessThan(5 * 60_000);
    const tasks = await runningTaskIds();
    for (const s of stack.outputs.services) expect([s.name, tasks[s.name]?.length]).toEqual([s.name, s.replicas]);
  });

  test("secrets appear only as 0400 files of the service user under /run/secrets, never in `docker service inspect` or an environment value", async () => {
    const secrets = stack.secrets();
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const services = (await stack.engine.docker.listServices()) as RawService[];
    const inspected = JSON.stringify(await Promise.all(services.map((s) => stack.engine.docker.getService(s.ID).inspect())));
    const containers = await stack.engine.docker.listContainers();
    const env = JSON.stringify(await Promise.all(containers.map(async (c) => (await stack.engine.docker.getContainer(c.Id).inspect()).Config.Env)));
    const leaked = secrets.filter((v) => inspected.includes(v) || env.includes(v));
    expect(leaked.map((v) => `${v.slice(0, 3)}…`)).toEqual([]);
    const r = await check(["docker.secret-files", "docker.env-secrets"]);
    expect(failing(r)).toEqual([]);
    expect(r["docker.secret-files"].message).toMatch(/every declared secret and config mounted with its owner and mode/);
  });

  test("npm run verify passes every check that applies (none skipped silently); npm run signoff reads its report", async () => {
    // The backup service's first run (dump, verify, off-site copy) starts with it: wait for it, bounded.
    timings.firstBackupMs = await until(["backup.monitoring", "backup.offsite"], 180_000, "first backup").catch(async (e: Error) => {
      log(`backup service log:\n${await serviceLogTail("backup")}`);
      throw e;
    });
    const project = work.join("project");
    mkdirSync(project, { recursive: true, mode: 0o700 });
    copyFileSync(join(ROOT, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
    // The stack file the deploy used (its machine differences included), as `pulumi config` would hold it:
    // its secrets encrypted (verify never needs their values, and refuses them in plain text).
    const entry = (k: string, v: string) => (stack.secretKeys.includes(k) ? { secure: "v1:engine-suite-ciphertext" } : decode(v));
    writeFileSync(
      join(project, "Pulumi.prod.yaml"),
      stringify({ config: Object.fromEntries(Object.entries(stack.engineConfig).map(([k, v]) => [k, entry(k, v)])) }),
      { mode: 0o600 },
    );
    writeFileSync(join(project, "outputs.json"), JSON.stringify(stack.run.outputs), { mode: 0o600 });
    writeFileSync(join(project, "ca.pem"), stack.edge.ca);
    let stdout = "";
    let stderr = "";
    const args = [
      "--stack",
      "prod",
      "--outputs",
      "outputs.json",
      "--docker-host",
      stack.engine.host,
      "--daemon-json",
      stack.engine.daemonJsonPath,
      "--ca",
      "ca.pem",
      ...Object.entries(stack.edge.connectTo).flatMap(([from, to]) => ["--connect-to", `${from}:${to}`]),
      ...Object.entries(NOT_APPLICABLE_HERE).flatMap(([id, why]) => ["--skip", `${id}=${why}`]),
      "--restore-drill",
      "--format",
      "json",
      "--out",
      "reports",
    ];
    const started = Date.now();
    const code = await verify({ ...parseVerifyArgs(args), cwd: project }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    timings.verifyMs = Date.now() - started;
    transcript.push(stdout, stderr);
    // A run that stopped before any check (exit 2) prints its reason on stderr: show it, not a JSON error.
    if (!stdout.trim()) throw new Error(`npm run verify exited ${code} without a report:\n${stderr.slice(-3000)}`);
    const report = JSON.parse(stdout) as { checks: CheckRecord[] };
    summary.passed = report.checks.filter((c) => c.status === "pass").length;
    summary.failed = report.checks.filter((c) => c.status === "fail").length;
    const fails = report.checks.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.message}`);
    expect(fails).toEqual([]);
    expect(code).toBe(0);
    expect(report.checks.map((c) => c.id).sort()).toEqual(VERIFY_CHECKS.map((c) => c.id).sort());
    // Every skip is one this machine forces, with its reason.
    for (const c of report.checks.filter((x) => x.status === "skip")) expect([c.id, c.id in ALLOWED_SKIPS]).toEqual([c.id, true]);
    expect(stderr).toMatch(/internal services via Docker exec relay in container mcp-prod-(redis|postgres|backup)\.1\./);

    const out = work.join("signoff");
    const signoffCode = signoff([
      "--stack",
      "prod",
      "--verify",
      join(project, "reports", "verify-report.json"),
      "--outputs",
      join(project, "outputs.json"),
      "--out",
      out,
    ]);
    expect(signoffCode).toBe(0);
    const result = JSON.parse(readFileSync(join(out, "signoff.json"), "utf8")) as { items: { id: string; status: string; verification?: { kind: string } }[] };
    const runtimeItems = result.items.filter((i) => ["DEP-CORE-01", "DEP-CORE-02", "DEP-DB-01", "SEC-DATA-02", "BAK-RECOVERY-01", "FUN-MCP-04"].includes(i.id));
    expect(runtimeItems.map((i) => [i.id, i.status])).toEqual(runtimeItems.map((i) => [i.id, "pass"]));
    expect(runtimeItems).toHaveLength(6);
  });

  test("a rotated secret reaches its service through a rolling update, and no other service restarts", async () => {
    const before = await runningTaskIds();
    const oldPassword = stack.outputs.secrets.redisPassword;
    const started = Date.now();
    const result = await stack.redeploy({ replace: [`${stack.outputs.resourcePrefix}-redisPassword`] });
    timings.rotationMs = Date.now() - started;
    const p = stack.outputs.resourcePrefix;
    // Redis and the two services that authenticate to it, nothing else.
    expect(result.updated.sort()).toEqual([`${p}-app`, `${p}-redis`, `${p}-redis-exporter`]);
    expect(stack.outputs.secrets.redisPassword).not.toBe(oldPassword);
    const after = await runningTaskIds();
    for (const s of Object.keys(before).filter((n) => ![`${p}-app`, `${p}-redis`, `${p}-redis-exporter`].includes(n)))
      expect([s, after[s]]).toEqual([s, before[s]]);
    // The start-first update of the app's replicas goes on after the apply returns: wait for it, bounded.
    timings.rotationSettledMs = await until(
      ["redis.auth", "redis.operations", "app.health", "docker.running", "docker.update-state", "prometheus.targets"],
      300_000,
      "after the rotation",
    );
    // The old password no longer opens Redis.
    const conn = await stack.connect({ log: () => undefined });
    try {
      // AUTH by hand: a failed AUTH at connect makes ioredis close and report only "Connection is closed".
      const r = new Redis({
        host: conn.target.redis.host,
        port: conn.target.redis.port,
        lazyConnect: true,
        enableReadyCheck: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await r.connect();
        await expect(r.auth(oldPassword)).rejects.toThrow(/WRONGPASS|invalid username-password/);
        await expect(r.auth(stack.outputs.secrets.redisPassword)).resolves.toBe("OK");
      } finally {
        r.disconnect();
      }
    } finally {
      await conn.close();
    }
  });

  const ROWS = 1000;

  test("PostgreSQL rows survive a task restart", async () => {
    await withPostgres(async (c) => {
      await c.query("CREATE TABLE IF NOT EXISTS e2e_rows (id serial PRIMARY KEY, payload text NOT NULL)");
      await c.query("INSERT INTO e2e_rows (payload) SELECT md5(g::text) FROM generate_series(1, $1) g", [ROWS]);
    });
    const before = (await runningTaskIds())[`${stack.outputs.resourcePrefix}-postgres`];
    const svc = stack.engine.docker.getService(`${stack.outputs.resourcePrefix}-postgres`);
    const spec = (await svc.inspect()) as { Version: { Index: number }; Spec: Record<string, { ForceUpdate?: number }> };
    const started = Date.now();
    await svc.update({
      version: spec.Version.Index,
      ...spec.Spec,
      TaskTemplate: { ...spec.Spec.TaskTemplate, ForceUpdate: (spec.Spec.TaskTemplate.ForceUpdate ?? 0) + 1 },
    });
    await until(["postgres.tls", "docker.running", "docker.update-state", "app.health"], 180_000, "PostgreSQL restart");
    timings.postgresRestartMs = Date.now() - started;
    expect((await runningTaskIds())[`${stack.outputs.resourcePrefix}-postgres`]).not.toEqual(before);
    const count = await withPostgres(async (c) => Number((await c.query("SELECT count(*) AS n FROM e2e_rows")).rows[0].n));
    expect(count).toBe(ROWS);
  });

  test("a backup and restore drill on the engine loses 0 rows", async () => {
    const run = await exec(await taskContainer("backup"), ["/bin/sh", "/opt/mcp-backup/mcp-backup.sh", "run"]);
    if (run.code !== 0) log(`backup run (exit ${run.code}):\n${run.out}`);
    expect([run.code, run.out]).toEqual([0, expect.stringMatching(/done, \d+ bytes/)]);
    const info = (await stack.engine.docker.info()) as { DockerRootDir: string };
    const [latest] = listBackups(dockerVolumeDir(stack.outputs.backup.volume, info.DockerRootDir));
    expect(latest.manifest.inventory.tables.find((t) => t.name === "e2e_rows")?.rows).toBe(ROWS);
    const r = await check(["backup.restore-drill", "backup.verified", "backup.offsite"]);
    expect(failing(r)).toEqual([]);
    expect(r["backup.restore-drill"].message).toContain(latest.ref.name);
    expect(r["backup.restore-drill"].measurements).toMatchObject({ scratchDropped: true });
    expect(Number(r["backup.restore-drill"].measurements?.rowsRestored)).toBeGreaterThanOrEqual(ROWS);
    // The off-site copy of that backup is the same bytes.
    const key = `${JSON.parse(stack.engineConfig["mcp:backup"]).offsite.bucket}/${JSON.parse(stack.engineConfig["mcp:backup"]).offsite.prefix}${latest.ref.name}.dump.age`;
    expect(stack.s3.objects.get(key)?.body.equals(readFileSync(latest.ref.dataFile))).toBe(true);
  });

  test("a killed task is caught by the restart check, restarted by the swarm, and verify recovers", async () => {
    const victim = await taskContainer("redis");
    await stack.engine.docker.getContainer(victim).kill();
    const r = await check(["docker.restarts"]);
    expect(r["docker.restarts"]).toMatchObject({
      status: "fail",
      message: expect.stringMatching(new RegExp(`${stack.outputs.resourcePrefix}-redis.*failed recently.*exit code 137`)),
    });
    timings.killRecoveryMs = await until(["docker.running", "redis.auth", "redis.operations", "app.health"], 180_000, "after the kill");
    expect(await taskContainer("redis")).not.toBe(victim);
  });

  test("an update to a broken image fails its health check and is rolled back by the swarm; verify passes again", async () => {
    summary.rollbacks++;
    const broken = "mcp-engine/app-broken:1";
    // Starts, but serves nothing: the app's health check can never pass.
    await importUnhealthyImage(stack.engine.docker, broken);
    const before = await serviceOf("app");
    const images = JSON.parse(stack.engineConfig["mcp:images"] ?? "{}") as Record<string, string>;
    timings.imageRollbackMs = await rolledBack("app", {
      configChanges: { "mcp:images": JSON.stringify({ ...images, app: "ghcr.io/mcp-platform/mcp-gateway:1.8.3" }) },
      images: { "ghcr.io/mcp-platform/mcp-gateway:1.8.3": broken },
    });
    const after = await serviceOf("app");
    expect(after.Spec.TaskTemplate.ContainerSpec.Image).toBe(before.Spec.TaskTemplate.ContainerSpec.Image);
    await until(["app.health", "mcp.tool-call", "edge.proxy-pass", "docker.running", "docker.update-state"], 180_000, "after the image rollback");
    summary.rollbacksOk++;
    // The program back at its good version: the next deploy converges cleanly.
    await stack.redeploy({});
    // An update to the spec the rollback restored changes no task: the engine then reports no update state.
    expect((await serviceOf("app")).UpdateStatus?.State ?? "none").not.toMatch(/paused|rollback_started/);
  });

  test("a broken configuration is refused at preview and, forced onto the engine, rolled back", async () => {
    summary.rollbacks++;
    const breakNginx = (run: EngineStack["run"]) => {
      const conf = run.resources.find((r) => r.type === "docker:index/serviceConfig:ServiceConfig" && r.name.includes("nginx.conf"));
      if (!conf) throw new Error("no nginx.conf config in the run");
      const text = `${Buffer.from(String(plainData(conf.inputs.data)), "base64").toString("utf8")}\nserver {\n`;
      const data = Buffer.from(text).toString("base64");
      const oldName = String(conf.inputs.name);
      const name = `${oldName.replace(/-[0-9a-f]{12}$/, "")}-${randomBytes(6).toString("hex")}`;
      for (const props of [conf.inputs, conf.outputs]) Object.assign(props, { data, name });
      // As in the program, a service names the config it mounts by the config's name output.
      for (const r of run.resources.filter((x) => x.type === "docker:index/service:Service")) {
        const text = JSON.stringify(r.inputs);
        if (text.includes(`"${oldName}"`)) r.inputs = JSON.parse(text.split(`"${oldName}"`).join(`"${name}"`));
      }
    };
    // Refused at preview: the same registered resources through the policy pack.
    const probe = structuredClone(stack.run);
    breakNginx(probe);
    const findings = evaluateInProcess(probe.resources).filter((f) => f.kind === "violation");
    expect(findings.some((f) => /nginx\.conf does not parse/.test(f.message))).toBe(true);
    timings.configRollbackMs = await rolledBack("nginx", { mutate: breakNginx });
    await until(["edge.tls-chain", "edge.proxy-pass", "mcp.initialize", "docker.running", "docker.update-state"], 180_000, "after the configuration rollback");
    summary.rollbacksOk++;
  });

  test("no secret value appears in anything the suite printed or wrote", () => {
    const all = transcript.join("\n");
    expect(all.length).toBeGreaterThan(5_000);
    const leaked = stack.secrets().filter((s) => s.length >= 8 && all.includes(s));
    expect(leaked.map((s) => `${s.slice(0, 3)}…`)).toEqual([]);
  });
});

function decode(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** A value with the engine's secret wrapper removed. */
function plainData(v: unknown): unknown {
  return v && typeof v === "object" && "value" in (v as object) ? (v as { value: unknown }).value : v;
}
