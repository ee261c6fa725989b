/**
 * The service and container runtime checks (validate/docker) against ONE real swarm: the
 * private test engine in swarm mode (testing/docker/engine.ts), busybox services on a test
 * overlay (198.18.0.0/16), nothing published. Each "broken" service differs from the good
 * spec in one field; the matrix asserts that each check fails for the services that break it
 * and passes for every good one. The engine runs WITHOUT the daemon's no-new-privileges, so
 * that check fires for every service here (the hardened engine of the end-to-end suite is
 * where it passes).
 */
import { randomBytes } from "node:crypto";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord } from "../../validate/core/types";
import { DOCKER_CHECKS } from "../../validate/docker/checks";
import { connectDocker } from "../../validate/docker/client";
import { dockerTargetFromOutputs, type DeclaredService, type DockerTarget } from "../../validate/docker/declared";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { awaitRunning, createServices, serviceSpecFor, withServiceChanges, type ServiceCreate } from "../../testing/docker/services";
import type { StackOutputs } from "../../infra/outputs-types";

jest.setTimeout(180_000);

const STACK = "mcpt";
/** Generated per run: the env-secrets check must find them, and no output may contain them. */
const SECRETS = {
  postgresPassword: randomBytes(24).toString("base64url"),
  redisPassword: randomBytes(24).toString("hex"),
  jwtSigningKey: randomBytes(32).toString("base64url"),
};

let engine: DockerEngine;

const declared = (name: string, extra: Partial<DeclaredService> = {}): DeclaredService => ({
  name,
  service: "app",
  replicas: 1,
  user: "1000:1000",
  readOnlyRootfs: true,
  memoryMb: 64,
  cpus: "0.5",
  publishedPorts: [],
  capAdd: [],
  logOpts: { "max-size": "10m", "max-file": "3" },
  healthcheck: true,
  secretFiles: [{ path: "/run/secrets/postgres-password", uid: "1000", gid: "1000", mode: "0400" }],
  configFiles: [{ path: "/etc/mcpt/app.conf", uid: "1000", gid: "1000", mode: "0444" }],
  ...extra,
});

/** Services with no running task: every container-level check names them too. */
const NOT_RUNNING = ["mcpt-exited", "mcpt-missing"];
/**
 * Cycling services (sampled running or between two tasks) and the paused update (its one
 * replica was replaced by a failing task): they may show up wherever a running task is needed.
 */
const CYCLING = ["mcpt-crashloop", "mcpt-unhealthy", "mcpt-paused"];

/** Which services each check must name (`must`), may name (`may`); every good service must pass it. */
const EXPECTED: Record<string, { must: string[]; may?: string[] }> = {
  "docker.running": { must: ["mcpt-exited", "mcpt-missing", "mcpt-undeclared", "mcpt-replicas", "mcpt-crashloop", "mcpt-paused"], may: ["mcpt-unhealthy"] },
  "docker.health": { must: [...NOT_RUNNING, "mcpt-unhealthy", "mcpt-nohealth"], may: CYCLING },
  "docker.restarts": { must: ["mcpt-crashloop", "mcpt-unhealthy"], may: ["mcpt-missing", "mcpt-paused"] },
  "docker.update-state": { must: ["mcpt-paused"] },
  "docker.secret-files": { must: [...NOT_RUNNING, "mcpt-badmode"], may: CYCLING },
  "docker.user": { must: [...NOT_RUNNING, "mcpt-root"], may: CYCLING },
  "docker.privileged": { must: NOT_RUNNING, may: CYCLING },
  "docker.capabilities": { must: [...NOT_RUNNING, "mcpt-caps"], may: CYCLING },
  "docker.readonly-rootfs": { must: [...NOT_RUNNING, "mcpt-writable"], may: CYCLING },
  "docker.limits": { must: [...NOT_RUNNING, "mcpt-nolimits"], may: CYCLING },
  "docker.ports": { must: [...NOT_RUNNING, "mcpt-noport", "mcpt-hostnet"], may: CYCLING },
  "docker.env-secrets": { must: [...NOT_RUNNING, "mcpt-secretenv"], may: CYCLING },
  "docker.log-rotation": { must: [...NOT_RUNNING, "mcpt-nolog"], may: CYCLING },
};
const GOOD = ["mcpt-good", "mcpt-good2"];

/** Services named in a failing record's findings ("<service or container>: <field> declared ..."); task containers map to their service. */
function named(r: CheckRecord): string[] {
  return [...new Set([...(r.actual ?? "").matchAll(/(?:^|; )(mcpt-[a-z0-9]+)(?:\.\d+\.[a-z0-9]+)?: /g)].map((m) => m[1]))].sort();
}

function outputsFor(decl: DeclaredService[]): Pick<StackOutputs, "services" | "secrets" | "stack"> {
  return {
    stack: STACK,
    services: decl.map((d) => ({ ...d, host: d.service, image: "mcp-test/busybox:1", stateful: false, networks: [], service: d.service as never })),
    secrets: {
      ...SECRETS,
      postgresBackupPassword: randomBytes(16).toString("hex"),
      grafanaAdminUser: "mcp-grafana-admin",
      grafanaAdminPassword: randomBytes(16).toString("hex"),
      backupEncryptionKey: randomBytes(32).toString("hex"),
    },
  };
}

function dockerTarget(decl: DeclaredService[]): DockerTarget {
  return dockerTargetFromOutputs(
    outputsFor(decl),
    { docker: engine.docker, endpoint: engine.host, local: true },
    { restartWindowMs: 2000, healthWaitMs: 4000, pollMs: 200 },
  );
}

let decl: DeclaredService[];

beforeAll(async () => {
  engine = await startDockerEngine({ swarm: true });
  await engine.importBusybox();
  const net = await engine.docker.createNetwork({ Name: "mcpt-net", Driver: "overlay", Internal: true, Labels: { "com.mcp.stack": STACK } } as never);
  const secret = (await engine.docker.createSecret({
    Name: "mcpt-pg",
    Data: Buffer.from(SECRETS.postgresPassword).toString("base64"),
  } as never)) as unknown as { id: string };
  const config = (await engine.docker.createConfig({ Name: "mcpt-conf", Data: Buffer.from("mode=test\n").toString("base64") } as never)) as unknown as {
    id: string;
  };
  const refs = { network: net.id, secret: { id: secret.id, name: "mcpt-pg" }, config: { id: config.id, name: "mcpt-conf" } };
  const labels = { "com.mcp.stack": STACK };
  const all: { d: DeclaredService; c?: ServiceCreate }[] = [];
  const good = (name: string, extra: Partial<DeclaredService> = {}) => {
    const d = declared(name, extra);
    all.push({ d, c: serviceSpecFor(d, refs, labels) });
  };
  const broken = (name: string, change: Parameters<typeof withServiceChanges>[1], extra: Partial<DeclaredService> = {}) => {
    const d = declared(name, extra);
    all.push({ d, c: withServiceChanges(serviceSpecFor(d, refs, labels), change) });
  };
  good("mcpt-good");
  good("mcpt-good2", { capAdd: ["NET_BIND_SERVICE"], replicas: 2 });
  broken("mcpt-root", { ContainerSpec: { User: "" } });
  broken("mcpt-nolimits", { TaskTemplate: { Resources: {} } });
  broken("mcpt-crashloop", { ContainerSpec: { Command: ["sh", "-c", "exit 3"] } });
  broken("mcpt-exited", { ContainerSpec: { Command: ["true"] }, TaskTemplate: { RestartPolicy: { Condition: "none" } } });
  broken("mcpt-unhealthy", { ContainerSpec: { Healthcheck: { Test: ["CMD", "false"], Interval: 0.2e9, Timeout: 2e9, Retries: 1, StartPeriod: 0 } } });
  broken("mcpt-nohealth", { ContainerSpec: { Healthcheck: { Test: ["NONE"] } } });
  broken("mcpt-caps", { ContainerSpec: { CapabilityDrop: [], CapabilityAdd: ["NET_ADMIN"] } });
  broken("mcpt-writable", { ContainerSpec: { ReadOnly: false } });
  broken("mcpt-hostnet", { TaskTemplate: { Networks: [{ Target: "host" }] } });
  broken("mcpt-secretenv", {
    ContainerSpec: { Env: ["MCP_TEST=1", `DB_PASSWORD=${SECRETS.postgresPassword}`, `REDIS_URL=redis://:${SECRETS.redisPassword}@redis:6379/0`] },
  });
  broken("mcpt-nolog", { TaskTemplate: { LogDriver: { Name: "json-file" } } });
  broken("mcpt-badmode", {
    ContainerSpec: {
      Secrets: [{ File: { Name: "/run/secrets/postgres-password", UID: "1000", GID: "1000", Mode: 0o444 }, SecretID: secret.id, SecretName: "mcpt-pg" }],
    },
  });
  broken("mcpt-replicas", { Mode: { Replicated: { Replicas: 1 } } }, { replicas: 2 });
  // Swarm publishes on every address of the node: nothing is published here, so a declared port is missing.
  good("mcpt-noport", { publishedPorts: ["18080->8080/tcp (host)"] });
  good("mcpt-paused");
  // Declared but never created, and created but never declared.
  all.push({ d: declared("mcpt-missing") });
  const undeclared = serviceSpecFor(declared("mcpt-undeclared"), refs, labels);
  await createServices(engine.docker, [...all.flatMap((x) => (x.c ? [x.c] : [])), undeclared]);
  decl = all.map((x) => x.d);
  await awaitRunning(engine.docker, ["mcpt-good", "mcpt-good2", "mcpt-paused"], 60_000);
  // An update whose first task fails with failureAction pause leaves the update paused.
  const paused = engine.docker.getService("mcpt-paused");
  const spec = (await paused.inspect()) as { Version: { Index: number }; Spec: ServiceCreate };
  await paused.update({
    version: spec.Version.Index,
    ...spec.Spec,
    TaskTemplate: { ...spec.Spec.TaskTemplate, ContainerSpec: { ...spec.Spec.TaskTemplate.ContainerSpec, Command: ["sh", "-c", "exit 7"] } },
    UpdateConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 1e9 },
  } as never);
  for (let i = 0; i < 120; i++) {
    const s = (await paused.inspect()) as { UpdateStatus?: { State?: string } };
    if (s.UpdateStatus?.State === "paused") break;
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  await engine?.stop();
});

describe("service runtime checks against a real swarm", () => {
  let records: CheckRecord[];
  let goodRecords: CheckRecord[];
  const lines: string[] = [];

  beforeAll(async () => {
    const target = dockerTarget(decl);
    // All checks at once through the one runner, as `npm run verify` runs them.
    [records, goodRecords] = await Promise.all([
      runChecks(DOCKER_CHECKS, target, { secrets: target.secrets.map((s) => s.value), progress: (l) => lines.push(l) }),
      runChecks(DOCKER_CHECKS, { ...dockerTarget(decl.filter((d) => GOOD.includes(d.name))), stack: undefined }, { progress: false }),
    ]);
  });

  it.each(Object.keys(EXPECTED))("%s passes for services that match the declared spec", (id) => {
    const r = goodRecords.find((x) => x.id === id)!;
    expect(r).toBeDefined();
    expect([r.status, r.message]).toEqual(["pass", expect.stringMatching(/^2 services/)]);
  });

  it.each(Object.entries(EXPECTED))("%s fails for the services that break it, and only those", (id, { must, may = [] }) => {
    const r = records.find((x) => x.id === id)!;
    expect(r.status).toBe("fail");
    const n = named(r);
    for (const s of must) expect([id, s, n.includes(s)]).toEqual([id, s, true]);
    for (const s of n) expect([id, s, [...must, ...may].includes(s)]).toEqual([id, s, true]);
    expect(r.remediation).toBeTruthy();
  });

  const find = (id: string) => records.find((x) => x.id === id)!;

  it("names the service or task container, the field, declared and actual in each mismatch", () => {
    const task = (s: string) => `${s}\\.1\\.[a-z0-9]+`;
    expect(find("docker.user").actual).toMatch(new RegExp(`${task("mcpt-root")}: Config.User declared "1000:1000", actual "" \\(root\\)`));
    expect(find("docker.limits").actual).toMatch(new RegExp(`${task("mcpt-nolimits")}: HostConfig.Memory declared 64 MiB, actual unlimited \\(0\\)`));
    expect(find("docker.capabilities").actual).toMatch(
      new RegExp(`${task("mcpt-caps")}: HostConfig.CapAdd declared \\[\\], actual \\[NET_ADMIN\\] \\(not declared: NET_ADMIN\\)`),
    );
    expect(find("docker.readonly-rootfs").actual).toMatch(new RegExp(`${task("mcpt-writable")}: HostConfig.ReadonlyRootfs declared true, actual false`));
    expect(find("docker.ports").actual).toMatch(
      new RegExp(
        `${task("mcpt-noport")}: HostConfig.PortBindings declared \\[0.0.0.0:18080->8080/tcp\\], actual \\[\\] \\(missing: 0.0.0.0:18080->8080/tcp\\)`,
      ),
    );
    expect(find("docker.ports").actual).toMatch(
      new RegExp(`${task("mcpt-hostnet")}: HostConfig.NetworkMode declared a Docker network \\(not host\\), actual host`),
    );
    expect(find("docker.secret-files").actual).toMatch(
      new RegExp(`${task("mcpt-badmode")}: /run/secrets/postgres-password declared secret 1000:1000 0400, actual 1000:1000 0444`),
    );
    expect(find("docker.secret-files").actual).toContain("mcpt-exited: tasks declared 1 running, actual none running");
    expect(find("docker.running").actual).toContain("mcpt-replicas: Spec.Mode.Replicated.Replicas declared 2, actual 1");
    expect(find("docker.running").actual).toMatch(/mcpt-crashloop: tasks running declared 1, actual 0 \(last task error: task: non-zero exit \(3\)\)/);
    expect(find("docker.running").actual).toContain(
      "mcpt-undeclared: Spec.Labels[com.mcp.stack] declared only the declared services of stack mcpt, actual undeclared service",
    );
    expect(find("docker.running").actual).toContain("mcpt-missing: service declared exists, actual not found on the swarm");
    expect(find("docker.health").actual).toMatch(new RegExp(`${task("mcpt-nohealth")}: Config.Healthcheck declared a health check, actual none`));
    expect(find("docker.restarts").actual).toMatch(
      /mcpt-crashloop: tasks declared stable \(no task failed or replaced\), actual \d+ failed recently, \d+ new while observed for \d+\.\ds \(last: slot 1 failed, exit code 3: task: non-zero exit \(3\)\)/,
    );
    expect(find("docker.update-state").actual).toMatch(/mcpt-paused: UpdateStatus.State declared completed \(or rolled back\), actual paused/);
    expect(find("docker.log-rotation").actual).toMatch(
      new RegExp(`${task("mcpt-nolog")}: HostConfig.LogConfig.Config\\["max-size"\\] declared "10m", actual \\(unset\\)`),
    );
  });

  it("no-new-privileges is read from each task process: this engine does not set it, so every service fails", () => {
    const r = find("docker.no-new-privileges");
    expect(r.status).toBe("fail");
    for (const s of GOOD) expect(r.actual).toMatch(new RegExp(`${s}\\.\\d\\.[a-z0-9]+: /proc/<pid>/status NoNewPrivs declared 1, actual 0`));
    const good = goodRecords.find((x) => x.id === "docker.no-new-privileges")!;
    expect(good.status).toBe("fail");
    expect(good.remediation).toMatch(/daemon\.json/);
  });

  it("reports the variable NAME of a secret in the environment, never the value", () => {
    const r = find("docker.env-secrets");
    expect(r.actual).toMatch(
      /mcpt-secretenv\.1\.[a-z0-9]+: Config.Env DB_PASSWORD declared no secret values \(secrets as files, \*_FILE variables\), actual holds the value of secret postgresPassword/,
    );
    expect(r.actual).toContain("Config.Env REDIS_URL");
    expect(r.actual).toContain("secret redisPassword");
    // Nothing that left the checks (records and progress lines) carries a secret value.
    const everything = JSON.stringify(records) + JSON.stringify(goodRecords) + lines.join("\n");
    for (const v of Object.values(SECRETS)) expect(everything).not.toContain(v);
  });

  it("fails every check, naming the engine, when the engine is unreachable", async () => {
    const gone = connectDocker(`unix://${engine.dir}/absent.sock`);
    const records = await runChecks(DOCKER_CHECKS, { ...dockerTarget(decl.slice(0, 1)), docker: gone.docker, endpoint: gone.endpoint }, { progress: false });
    for (const r of records) {
      expect(r.status).toBe("fail");
      expect(r.message).toBe(`cannot inspect the swarm on the Docker engine at ${gone.endpoint}: connect ENOENT ${engine.dir}/absent.sock`);
    }
  });

  it("fails every check when the outputs declare no services, and env-secrets when secrets were masked; skips /proc reads for a remote engine", async () => {
    const empty = await runChecks(DOCKER_CHECKS, { ...dockerTarget([]), services: [] }, { progress: false });
    expect(empty.every((r) => r.status === "fail" && /no services declared/.test(r.message))).toBe(true);
    const masked = dockerTargetFromOutputs(
      { ...outputsFor(decl.slice(0, 1)), secrets: { postgresPassword: "[secret]" } as never },
      { docker: engine.docker, endpoint: engine.host, local: true },
    );
    const [r] = await runChecks(
      DOCKER_CHECKS.filter((c) => c.id === "docker.env-secrets"),
      masked,
      { progress: false },
    );
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/without --show-secrets/);
    const remote = await runChecks(
      DOCKER_CHECKS.filter((c) => c.id === "docker.no-new-privileges" || c.id === "docker.secret-files"),
      { ...dockerTarget(decl.slice(0, 1)), local: false },
      { progress: false },
    );
    expect(Object.fromEntries(remote.map((x) => [x.id, [x.status, x.message]]))).toEqual({
      "docker.no-new-privileges": ["skip", expect.stringMatching(/is remote: the task processes' status is read on the Docker host/)],
      "docker.secret-files": ["skip", expect.stringMatching(/is remote: mounted files are read through the task's root on the Docker host/)],
    });
  });
});
