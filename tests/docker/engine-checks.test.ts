/**
 * Host readiness checks, the pre-deploy gate hook and the host:check CLI against real Docker
 * engines (Debian's dockerd, private data root and socket, no bridge/iptables), started and
 * always stopped by testing/docker/engine.ts; the host checks run on one configured as
 * docs/docker-host.md asks (testing/docker/hardened.ts). The service and container runtime
 * checks are in service-checks.test.ts.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord } from "../../validate/core/types";
import { connectDocker } from "../../validate/docker/client";
import { HOST_CHECKS } from "../../validate/host/checks";
import { hostReadinessHookFunction, HostNotReadyError } from "../../validate/host/gate";
import type { HostTarget } from "../../validate/host/target";
import type { HostThresholds } from "../../validate/host/thresholds";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { SKIPPED_ON_HARDENED, startHardenedEngine, type HardenedEngine } from "../../testing/docker/hardened";
import { freePort, freePorts } from "../../local/ports";

jest.setTimeout(120_000);

const STACK = "mcpt";
const REPO = resolve(__dirname, "../..");

let engine: DockerEngine;

beforeAll(async () => {
  engine = await startDockerEngine();
});

afterAll(async () => {
  await engine?.stop();
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
      if (req.url === "/v2/")
        res.writeHead(401, { "Docker-Distribution-Api-Version": "registry/2.0", "WWW-Authenticate": 'Bearer realm="http://127.0.0.1/token"' }).end();
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
    const records = byId(
      await runChecks(HOST_CHECKS, await hostTarget({ minMemoryGb: 100_000, minDiskGb: 10_000_000, minDockerVersion: "99.0" }), { progress: false }),
    );
    expect(records["host.memory"]).toMatchObject({ status: "fail", expected: "MemTotal >= 100000 GB" });
    expect(records["host.memory"].message).toMatch(/^host memory \d+\.\d GB is below the required 100000 GB$/);
    expect(records["host.disk"].status).toBe("fail");
    expect(records["host.disk"].message).toMatch(new RegExp(`^free disk on ${hostEngine.dir}/data is \\d+\\.\\d GB, below the required 10000000 GB$`));
    expect(records["host.docker-version"].message).toMatch(/^Docker engine 20\.10\.\S+ is older than the required 99\.0$/);
    expect(records["host.engine"].status).toBe("pass");
  });

  it("fails registries that do not answer, or answer but are no registry", async () => {
    const [r] = await runChecks(
      HOST_CHECKS.filter((c) => c.id === "host.registries"),
      await hostTarget({ registries: [registryUrl, closedUrl, notRegistryUrl] }),
      { progress: false },
    );
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
      const t = await hostTarget(
        {},
        {
          ports: [
            { address: "127.0.0.1", port, purpose: "edge HTTPS" },
            { address: "192.0.2.10", port: 443, purpose: "edge HTTPS" },
          ],
        },
      );
      const [r] = await runChecks(
        HOST_CHECKS.filter((c) => c.id === "host.ports-free"),
        t,
        { progress: false },
      );
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
    const args = {
      urn: "urn:pulumi:mcpt::mcp::docker:index/network:Network::mcp-mcpt-edge",
      id: "",
      name: "mcp-mcpt-edge",
      type: "docker:index/network:Network",
    };

    it("lets the deploy go on when the host is ready", async () => {
      const lines: string[] = [];
      const hook = hostReadinessHookFunction(await hookConfig({}), {
        dockerHost: hostEngine.host,
        daemonJsonPath: hostEngine.daemonJsonPath,
        stack: STACK,
        log: (l) => lines.push(l),
      });
      await expect(hook(args)).resolves.toBeUndefined();
      expect(lines.some((l) => /PASS host\.memory/.test(l))).toBe(true);
    });

    it("stops the deploy, naming each failed check, when the host is not ready", async () => {
      const hook = hostReadinessHookFunction(await hookConfig({ minMemoryGb: 100_000 }), {
        dockerHost: hostEngine.host,
        daemonJsonPath: hostEngine.daemonJsonPath,
        stack: STACK,
        log: () => undefined,
      });
      const err = await Promise.resolve(hook(args)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HostNotReadyError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^Host readiness gate failed for stack "mcpt": 1 of ${HOST_CHECKS.length} checks failed, nothing was created\\.\\n {2}- host\\.memory: host memory \\d+\\.\\d GB is below the required 100000 GB`,
        ),
      );
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
        const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", join(REPO, "scripts/host-check.ts"), ...args], {
          cwd: REPO,
          env: { ...process.env, DOCKER_HOST: hostEngine.host },
        });
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
        const r = await cli([
          "--stack",
          "dev",
          "--min-memory-gb",
          "0.5",
          "--min-disk-gb",
          "0.5",
          "--registry",
          registryUrl,
          "--format",
          "json",
          "--out",
          out,
          ...(await portFlags()),
        ]);
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
