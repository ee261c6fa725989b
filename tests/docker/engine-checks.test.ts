/**
 * Container runtime checks, host readiness checks, the pre-deploy gate hook and the
 * host:check CLI against a real Docker engine (Debian's dockerd, private data root and
 * socket, no bridge/iptables), started and always stopped by testing/docker/engine.ts; the host
 * checks run on a second one configured as docs/docker-host.md asks (testing/docker/hardened.ts).
 * Every container runs with network mode "none" (one runs in host mode and listens on
 * nothing). Each "broken" container differs from the good spec in one field; the matrix
 * below asserts that each check fails for exactly the containers that break it and passes
 * for every other one.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord } from "../../validate/core/types";
import { DOCKER_CHECKS } from "../../validate/docker/checks";
import { connectDocker } from "../../validate/docker/client";
import { dockerTargetFromOutputs, type DeclaredContainer, type DockerTarget } from "../../validate/docker/declared";
import { HOST_CHECKS } from "../../validate/host/checks";
import { hostReadinessHookFunction, HostNotReadyError } from "../../validate/host/gate";
import type { HostTarget } from "../../validate/host/target";
import type { HostThresholds } from "../../validate/host/thresholds";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { SKIPPED_ON_HARDENED, startHardenedEngine, type HardenedEngine } from "../../testing/docker/hardened";
import { createOptionsFor, runContainers, withChanges, type CreateOptions } from "../../testing/docker/containers";
import { freePort, freePorts } from "../../testing/tools/ports";
import type { StackOutputs } from "../../infra/outputs-types";

jest.setTimeout(120_000);

const STACK = "mcpt";
const REPO = resolve(__dirname, "../..");
/** Generated per run: the env-secrets check must find them, and no output may contain them. */
const SECRETS = { postgresPassword: randomBytes(24).toString("base64url"), redisPassword: randomBytes(24).toString("hex"), jwtSigningKey: randomBytes(32).toString("base64url") };

let engine: DockerEngine;
let edgePort: number;
let extraPort: number;

const declared = (name: string, extra: Partial<DeclaredContainer> = {}): DeclaredContainer => ({
  name,
  service: "app",
  user: "1000:1000",
  readOnlyRootfs: true,
  memoryMb: 64,
  cpus: "0.5",
  publishedPorts: [],
  capAdd: [],
  logOpts: { "max-size": "10m", "max-file": "3" },
  ...extra,
});

/** Name -> [declared spec, how the actual container differs]. */
function fleet(): { decl: DeclaredContainer[]; create: CreateOptions[] } {
  const labels = { "com.mcp.stack": STACK };
  const good = (name: string, extra: Partial<DeclaredContainer> = {}) => {
    const d = declared(name, extra);
    return { d, c: createOptionsFor(d, labels) };
  };
  const broken = (name: string, change: Parameters<typeof withChanges>[1]) => {
    const g = good(name);
    return { d: g.d, c: withChanges(g.c, change) };
  };
  const all = [
    good("mcpt-good"),
    good("mcpt-edge", { service: "nginx", publishedPorts: [`127.0.0.1:${edgePort}->8443/tcp`], capAdd: ["NET_BIND_SERVICE"] }),
    broken("mcpt-root", { User: "" }),
    broken("mcpt-privileged", { HostConfig: { Privileged: true } }),
    broken("mcpt-nolimits", { HostConfig: { Memory: 0, NanoCpus: 0 } }),
    broken("mcpt-crashloop", { Cmd: ["sh", "-c", "exit 3"], HostConfig: { RestartPolicy: { Name: "always" } } }),
    broken("mcpt-exited", { Cmd: ["true"], HostConfig: { RestartPolicy: { Name: "no" } } }),
    broken("mcpt-unhealthy", { Healthcheck: { Test: ["CMD", "false"], Interval: 200_000_000, Timeout: 2_000_000_000, Retries: 1, StartPeriod: 0 } }),
    broken("mcpt-nohealth", { Healthcheck: { Test: ["NONE"] } }),
    broken("mcpt-caps", { HostConfig: { CapDrop: [], CapAdd: ["NET_ADMIN"] } }),
    broken("mcpt-writable", { HostConfig: { ReadonlyRootfs: false } }),
    broken("mcpt-nnp", { HostConfig: { SecurityOpt: [] } }),
    broken("mcpt-extraport", { ExposedPorts: { "9090/tcp": {} }, HostConfig: { PortBindings: { "9090/tcp": [{ HostIp: "127.0.0.1", HostPort: String(extraPort) }] } } }),
    broken("mcpt-hostnet", { HostConfig: { NetworkMode: "host" } }),
    broken("mcpt-secretenv", { Env: ["MCP_TEST=1", `DB_PASSWORD=${SECRETS.postgresPassword}`, `REDIS_URL=redis://:${SECRETS.redisPassword}@redis:6379/0`] }),
    broken("mcpt-nolog", { HostConfig: { LogConfig: { Type: "json-file", Config: {} } } }),
  ];
  // Declared but never created, and created but never declared.
  const missing = declared("mcpt-missing");
  const undeclared = createOptionsFor(declared("mcpt-undeclared"), labels);
  return { decl: [...all.map((x) => x.d), missing], create: [...all.map((x) => x.c), undeclared] };
}

/** Which containers each check must name; every other container must pass it. */
const EXPECTED_FAILURES: Record<string, string[]> = {
  "docker.running": ["mcpt-crashloop", "mcpt-exited", "mcpt-missing", "mcpt-undeclared"],
  "docker.health": ["mcpt-crashloop", "mcpt-exited", "mcpt-unhealthy", "mcpt-nohealth", "mcpt-missing"],
  "docker.restarts": ["mcpt-crashloop", "mcpt-missing"],
  "docker.user": ["mcpt-root", "mcpt-missing"],
  "docker.privileged": ["mcpt-privileged", "mcpt-missing"],
  "docker.capabilities": ["mcpt-caps", "mcpt-missing"],
  "docker.readonly-rootfs": ["mcpt-writable", "mcpt-missing"],
  "docker.no-new-privileges": ["mcpt-nnp", "mcpt-missing"],
  "docker.limits": ["mcpt-nolimits", "mcpt-missing"],
  "docker.ports": ["mcpt-extraport", "mcpt-hostnet", "mcpt-missing"],
  "docker.env-secrets": ["mcpt-secretenv", "mcpt-missing"],
  "docker.log-rotation": ["mcpt-nolog", "mcpt-missing"],
};

/** Containers named in a failing record's findings ("<container>: <field> declared ..."). */
function namedContainers(r: CheckRecord): string[] {
  return [...new Set([...(r.actual ?? "").matchAll(/(?:^|; )(mcpt-[a-z]+): /g)].map((m) => m[1]))].sort();
}

function outputsFor(decl: DeclaredContainer[]): Pick<StackOutputs, "services" | "secrets" | "stack"> {
  return {
    stack: STACK,
    services: decl.map((d) => ({ service: d.service as never, containers: [d.name], image: "mcp-test/busybox:1", replicas: 1, networks: [], publishedPorts: d.publishedPorts, user: d.user, readOnlyRootfs: d.readOnlyRootfs, memoryMb: d.memoryMb, cpus: d.cpus, logOpts: d.logOpts, capAdd: d.capAdd })),
    secrets: { ...SECRETS, postgresBackupPassword: randomBytes(16).toString("hex"), grafanaAdminUser: "mcp-grafana-admin", grafanaAdminPassword: randomBytes(16).toString("hex"), backupEncryptionKey: randomBytes(32).toString("hex") },
  };
}

function dockerTarget(decl: DeclaredContainer[]): DockerTarget {
  return dockerTargetFromOutputs(outputsFor(decl), { docker: engine.docker, endpoint: engine.host }, { restartWindowMs: 2000, healthWaitMs: 4000, pollMs: 200 });
}

let decl: DeclaredContainer[];

beforeAll(async () => {
  [edgePort, extraPort] = await freePorts(2);
  engine = await startDockerEngine();
  await engine.importBusybox();
  const f = fleet();
  decl = f.decl;
  await runContainers(engine.docker, f.create);
});

afterAll(async () => {
  await engine?.stop();
});

describe("container runtime checks against a real engine", () => {
  let records: CheckRecord[];
  let goodRecords: CheckRecord[];
  const lines: string[] = [];

  beforeAll(async () => {
    const target = dockerTarget(decl);
    // All checks at once through the one runner, as `npm run verify` runs them.
    [records, goodRecords] = await Promise.all([
      runChecks(DOCKER_CHECKS, target, { secrets: target.secrets.map((s) => s.value), progress: (l) => lines.push(l) }),
      runChecks(DOCKER_CHECKS, { ...dockerTarget(decl.filter((d) => d.name === "mcpt-good" || d.name === "mcpt-edge")), stack: undefined }, { progress: false }),
    ]);
  });

  it.each(Object.keys(EXPECTED_FAILURES))("%s passes for containers that match the declared spec", (id) => {
    const r = goodRecords.find((x) => x.id === id)!;
    expect(r).toBeDefined();
    expect([r.status, r.message]).toEqual(["pass", expect.stringMatching(/^2 containers: /)]);
  });

  it.each(Object.entries(EXPECTED_FAILURES))("%s fails for exactly the containers that break it", (id, expected) => {
    const r = records.find((x) => x.id === id)!;
    expect(r.status).toBe("fail");
    expect(namedContainers(r)).toEqual([...expected].sort());
    expect(r.remediation).toBeTruthy();
  });

  const find = (id: string) => records.find((x) => x.id === id)!;

  it("names the container, the field, declared and actual in each mismatch", () => {
    expect(find("docker.user").actual).toContain('mcpt-root: Config.User declared "1000:1000", actual "" (root)');
    expect(find("docker.privileged").actual).toContain("mcpt-privileged: HostConfig.Privileged declared false, actual true");
    expect(find("docker.limits").actual).toContain("mcpt-nolimits: HostConfig.Memory declared 64 MiB, actual unlimited (0)");
    expect(find("docker.limits").actual).toContain("mcpt-nolimits: HostConfig.NanoCpus declared 0.5 CPUs, actual unlimited (0)");
    expect(find("docker.capabilities").actual).toContain("mcpt-caps: HostConfig.CapDrop declared [ALL], actual []");
    expect(find("docker.capabilities").actual).toContain("mcpt-caps: HostConfig.CapAdd declared [], actual [NET_ADMIN] (not declared: NET_ADMIN)");
    expect(find("docker.readonly-rootfs").actual).toContain("mcpt-writable: HostConfig.ReadonlyRootfs declared true, actual false");
    expect(find("docker.no-new-privileges").actual).toContain("mcpt-nnp: HostConfig.SecurityOpt declared includes no-new-privileges, actual []");
    expect(find("docker.ports").actual).toContain(`mcpt-extraport: HostConfig.PortBindings declared [], actual [127.0.0.1:${extraPort}->9090/tcp] (not declared: 127.0.0.1:${extraPort}->9090/tcp)`);
    expect(find("docker.ports").actual).toContain("mcpt-hostnet: HostConfig.NetworkMode declared a Docker network (not host), actual host");
    expect(find("docker.restarts").actual).toMatch(/mcpt-crashloop: RestartCount declared stable \(no restarts while observed\), actual \d+ -> \d+ in \d+\.\ds(, state restarting)?/);
    expect(find("docker.running").actual).toMatch(/mcpt-exited: State\.Status declared running, actual exited \(exit code 0\)/);
    // Sampled either in back-off or in the moment between two crashes: a failed start both ways.
    expect(find("docker.running").actual).toMatch(/mcpt-crashloop: State\.Status declared running, actual (restarting \(exit code 3\)|running, but restarted by its restart policy \d+\.\ds ago \(RestartCount \d+\))/);
    expect(find("docker.running").actual).toContain("mcpt-undeclared: Config.Labels[com.mcp.stack] declared only the declared containers of stack mcpt, actual undeclared container (running)");
    expect(find("docker.running").actual).toContain("mcpt-missing: container declared exists, actual not found on the engine");
    expect(find("docker.health").actual).toMatch(/mcpt-unhealthy: State\.Health\.Status declared healthy, actual unhealthy \(failing streak \d+, last probe exit code 1\)/);
    expect(find("docker.health").actual).toContain("mcpt-nohealth: Config.Healthcheck declared a health check, actual none");
    expect(find("docker.log-rotation").actual).toContain('mcpt-nolog: HostConfig.LogConfig.Config["max-size"] declared "10m", actual (unset)');
  });

  it("reports the variable NAME of a secret in the environment, never the value", () => {
    const r = find("docker.env-secrets");
    expect(r.actual).toContain("mcpt-secretenv: Config.Env DB_PASSWORD declared no secret values (secrets as files, *_FILE variables), actual holds the value of secret postgresPassword");
    expect(r.actual).toContain("Config.Env REDIS_URL");
    expect(r.actual).toContain("secret redisPassword");
    // Nothing that left the checks (records and progress lines) carries a secret value.
    const everything = JSON.stringify(records) + JSON.stringify(goodRecords) + lines.join("\n");
    for (const v of Object.values(SECRETS)) expect(everything).not.toContain(v);
  });

  it("published ports on a network-none container are read from HostConfig.PortBindings", async () => {
    // The engine records the requested binding but binds nothing (no network to forward from).
    const info = await engine.docker.getContainer("mcpt-edge").inspect();
    expect(info.HostConfig.PortBindings).toEqual({ "8443/tcp": [{ HostIp: "127.0.0.1", HostPort: String(edgePort) }] });
    expect(Object.values(info.NetworkSettings.Ports ?? {}).flat().filter(Boolean)).toEqual([]);
  });

  it("fails every check, naming the engine, when the engine is unreachable", async () => {
    const gone = connectDocker(`unix://${engine.dir}/absent.sock`);
    const records = await runChecks(DOCKER_CHECKS, { ...dockerTarget(decl.slice(0, 1)), docker: gone.docker, endpoint: gone.endpoint }, { progress: false });
    for (const r of records) {
      expect(r.status).toBe("fail");
      expect(r.message).toBe(`cannot inspect containers on the Docker engine at ${gone.endpoint}: connect ENOENT ${engine.dir}/absent.sock`);
    }
  });

  it("fails every check when the outputs declare no containers, and env-secrets when secrets were masked", async () => {
    const empty = await runChecks(DOCKER_CHECKS, { ...dockerTarget([]), containers: [] }, { progress: false });
    expect(empty.every((r) => r.status === "fail" && /no containers declared/.test(r.message))).toBe(true);
    const masked = dockerTargetFromOutputs({ ...outputsFor(decl.slice(0, 1)), secrets: { postgresPassword: "[secret]" } as never }, { docker: engine.docker, endpoint: engine.host });
    const [r] = await runChecks(DOCKER_CHECKS.filter((c) => c.id === "docker.env-secrets"), masked, { progress: false });
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/without --show-secrets/);
  });
});

const expectedStatus = (id: string) => (id in SKIPPED_ON_HARDENED ? "skip" : "pass");

describe("host readiness checks against a real engine", () => {
  /** The host checks need docs/docker-host.md's daemon.json and a swarm: an engine of their own. */
  let hostEngine: HardenedEngine;
  let registry: Server;
  let registryUrl: string;
  let notRegistryUrl: string;
  let closedUrl: string;

  beforeAll(async () => {
    hostEngine = await startHardenedEngine();
    // A registry's /v2/ answers 401 with a token challenge; anything else answers 404 there.
    registry = createServer((req, res) => {
      if (req.url === "/v2/") res.writeHead(401, { "Docker-Distribution-Api-Version": "registry/2.0", "WWW-Authenticate": 'Bearer realm="http://127.0.0.1/token"' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => registry.listen(0, "127.0.0.1", r));
    const port = (registry.address() as { port: number }).port;
    registryUrl = `http://127.0.0.1:${port}`;
    notRegistryUrl = `http://127.0.0.1:${port}/not-a-registry`;
    closedUrl = `http://127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    await new Promise((r) => registry.close(r));
    await hostEngine?.stop();
  });

  async function hostTarget(thresholds: Partial<HostThresholds> = {}, extra: Partial<HostTarget> = {}): Promise<HostTarget> {
    const [http, https] = await freePorts(2);
    return {
      docker: hostEngine.docker,
      endpoint: hostEngine.host,
      local: true,
      daemonJsonPath: hostEngine.daemonJsonPath,
      thresholds: { minMemoryGb: 0.5, minDiskGb: 0.5, minDockerVersion: "20.10", registries: [registryUrl], ...thresholds },
      ports: [
        { address: "127.0.0.1", port: http, purpose: "edge HTTP" },
        { address: "127.0.0.1", port: https, purpose: "edge HTTPS" },
      ],
      stack: STACK,
      registryTimeoutMs: 2000,
      ...extra,
    };
  }

  const byId = (records: CheckRecord[]) => Object.fromEntries(records.map((r) => [r.id, r]));

  it("passes on this machine with the thresholds lowered", async () => {
    const records = await runChecks(HOST_CHECKS, await hostTarget(), { progress: false });
    expect(records.map((r) => [r.id, r.status])).toEqual(HOST_CHECKS.map((c) => [c.id, expectedStatus(c.id)]));
    const r = byId(records);
    expect(r["host.docker-version"].message).toMatch(/^Docker engine 20\.10\.\d+\S* \(API 1\.\d+\) >= 20\.10$/);
    expect(r["host.disk"].message).toContain(hostEngine.dir);
    expect(r["host.registries"].message).toContain(`${registryUrl}/v2/ (HTTP 401)`);
  });

  it("fails with a clear message when a threshold is above what the host has", async () => {
    const records = byId(await runChecks(HOST_CHECKS, await hostTarget({ minMemoryGb: 100_000, minDiskGb: 10_000_000, minDockerVersion: "99.0" }), { progress: false }));
    expect(records["host.memory"]).toMatchObject({ status: "fail", expected: "MemTotal >= 100000 GB" });
    expect(records["host.memory"].message).toMatch(/^host memory \d+\.\d GB is below the required 100000 GB$/);
    expect(records["host.disk"].status).toBe("fail");
    expect(records["host.disk"].message).toMatch(new RegExp(`^free disk on ${hostEngine.dir}/data is \\d+\\.\\d GB, below the required 10000000 GB$`));
    expect(records["host.docker-version"].message).toMatch(/^Docker engine 20\.10\.\S+ is older than the required 99\.0$/);
    expect(records["host.engine"].status).toBe("pass");
  });

  it("fails registries that do not answer, or answer but are no registry", async () => {
    const [r] = await runChecks(HOST_CHECKS.filter((c) => c.id === "host.registries"), await hostTarget({ registries: [registryUrl, closedUrl, notRegistryUrl] }), { progress: false });
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/^2 of 3 registries unreachable/);
    expect(r.message).toContain(`${closedUrl}/v2/: fetch failed: connect ECONNREFUSED`);
    expect(r.message).toContain(`${notRegistryUrl}/v2/: answered HTTP 404 (a registry answers 200 or 401)`);
    expect(r.message).not.toContain(`${registryUrl}/v2/:`);
  });

  it("fails ports that are taken or not addresses of this host", async () => {
    const busy = createTcpServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as { port: number }).port;
    try {
      const t = await hostTarget({}, { ports: [{ address: "127.0.0.1", port, purpose: "edge HTTPS" }, { address: "192.0.2.10", port: 443, purpose: "edge HTTPS" }] });
      const [r] = await runChecks(HOST_CHECKS.filter((c) => c.id === "host.ports-free"), t, { progress: false });
      expect(r.status).toBe("fail");
      expect(r.message).toContain(`127.0.0.1:${port} (edge HTTPS) is already in use by another process`);
      expect(r.message).toContain("192.0.2.10:443 (edge HTTPS): 192.0.2.10 is not an address of this host");
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it("fails with a clear message when the engine socket is unreachable", async () => {
    const gone = connectDocker(`unix://${engine.dir}/absent.sock`);
    const records = byId(await runChecks(HOST_CHECKS, await hostTarget({}, { docker: gone.docker, endpoint: gone.endpoint }), { progress: false }));
    expect(records["host.engine"].status).toBe("fail");
    expect(records["host.engine"].message).toBe(`cannot reach the Docker engine at unix://${engine.dir}/absent.sock: connect ENOENT ${engine.dir}/absent.sock`);
    for (const id of ["host.docker-version", "host.memory", "host.disk"]) {
      expect(records[id].status).toBe("fail");
      expect(records[id].message).toContain(`from the Docker engine at unix://${engine.dir}/absent.sock`);
    }
  });

  it("skips what cannot be measured from here for a remote engine", async () => {
    const records = byId(await runChecks(HOST_CHECKS, await hostTarget({}, { local: false, endpoint: "tcp://docker.example:2376" }), { progress: false }));
    for (const id of ["host.disk", "host.registries", "host.ports-free"]) {
      expect(records[id].status).toBe("skip");
      expect(records[id].message).toContain("engine at tcp://docker.example:2376 is remote");
    }
  });

  describe("pre-deploy gate hook", () => {
    const hookConfig = async (host: Partial<HostThresholds>) => {
      const [httpPort, httpsPort] = await freePorts(2);
      return {
        edge: { bindAddress: "127.0.0.1", httpPort, httpsPort, hstsMaxAgeSeconds: 0 },
        host: { minMemoryGb: 0.5, minDiskGb: 0.5, minDockerVersion: "20.10", registries: [registryUrl], ...host },
      };
    };
    const args = { urn: "urn:pulumi:mcpt::mcp::docker:index/network:Network::mcp-mcpt-edge", id: "", name: "mcp-mcpt-edge", type: "docker:index/network:Network" };

    it("lets the deploy go on when the host is ready", async () => {
      const lines: string[] = [];
      const hook = hostReadinessHookFunction(await hookConfig({}), { dockerHost: hostEngine.host, daemonJsonPath: hostEngine.daemonJsonPath, stack: STACK, log: (l) => lines.push(l) });
      await expect(hook(args)).resolves.toBeUndefined();
      expect(lines.some((l) => /PASS host\.memory/.test(l))).toBe(true);
    });

    it("stops the deploy, naming each failed check, when the host is not ready", async () => {
      const hook = hostReadinessHookFunction(await hookConfig({ minMemoryGb: 100_000 }), { dockerHost: hostEngine.host, daemonJsonPath: hostEngine.daemonJsonPath, stack: STACK, log: () => undefined });
      const err = await Promise.resolve(hook(args)).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(HostNotReadyError);
      expect((err as Error).message).toMatch(new RegExp(`^Host readiness gate failed for stack "mcpt": 1 of ${HOST_CHECKS.length} checks failed, nothing was created\\.\\n {2}- host\\.memory: host memory \\d+\\.\\d GB is below the required 100000 GB`));
      expect((err as Error).message).toContain("npm run host:check -- --stack mcpt");
    });

    it("stops the deploy when the engine is unreachable", async () => {
      const hook = hostReadinessHookFunction(await hookConfig({}), { dockerHost: `unix://${engine.dir}/absent.sock`, stack: STACK, log: () => undefined });
      await expect(Promise.resolve(hook(args))).rejects.toThrow(/- host\.engine: cannot reach the Docker engine at unix:\/\/.*absent\.sock/);
    });
  });

  describe("npm run host:check", () => {
    function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
      return new Promise((resolvePromise, reject) => {
        const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", join(REPO, "scripts/host-check.ts"), ...args], { cwd: REPO, env: { ...process.env, DOCKER_HOST: hostEngine.host } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
        child.on("error", reject);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolvePromise({ code, stdout, stderr });
        });
      });
    }
    const portFlags = async () => {
      const [http, https] = await freePorts(2);
      return ["--bind-address", "127.0.0.1", "--http-port", String(http), "--https-port", String(https), "--daemon-json", hostEngine.daemonJsonPath];
    };

    it("writes a JSON report that passes with lowered thresholds (exit 0)", async () => {
      const out = mkdtempSync(join(tmpdir(), "mcp-host-check-"));
      try {
        const r = await cli(["--stack", "dev", "--min-memory-gb", "0.5", "--min-disk-gb", "0.5", "--registry", registryUrl, "--format", "json", "--out", out, ...(await portFlags())]);
        expect(r.stderr).toContain(`engine ${hostEngine.host}`);
        expect(r.code).toBe(0);
        const report = JSON.parse(readFileSync(join(out, "host-check.json"), "utf8"));
        expect(report).toMatchObject({ kind: "verify", stack: "dev" });
        expect(report.checks.map((c: CheckRecord) => [c.id, c.status])).toEqual(HOST_CHECKS.map((c) => [c.id, expectedStatus(c.id)]));
        expect(JSON.parse(r.stdout)).toEqual(report);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    });

    it("exits 1 with the failing check in the text report when a threshold is raised", async () => {
      const r = await cli(["--stack", "dev", "--min-memory-gb", "100000", "--no-registries", ...(await portFlags())]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^Host readiness of stack "dev"/);
      expect(r.stdout).toMatch(/FAIL {2}host\.memory +host memory \d+\.\d GB is below the required 100000 GB/);
      expect(r.stdout).toMatch(/SKIP {2}host\.registries +no registries configured/);
    });

    it("exits 2 naming the flag for a bad value", async () => {
      const r = await cli(["--stack", "dev", "--min-docker-version", "twenty"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--min-docker-version must be a version like 20.10 or 20.10.7, got "twenty"');
    });
  });
});
