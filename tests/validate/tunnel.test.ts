/**
 * How the CLI and the deploy hooks reach services that publish no ports: Docker exec
 * tunnels through a relay container (validate/reach/exec-tunnel.ts), and container logs
 * through the Engine API (validate/reach/docker-logs.ts), against a REAL Docker engine
 * (testing/docker/engine.ts: private dockerd, busybox image, network mode "none"). The
 * services listen on the container's own loopback, so nothing but the tunnel can reach them.
 */
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { startDockerEngine, TEST_IMAGE, type DockerEngine } from "../../testing/docker/engine";
import { dockerExecReach, type Reach } from "../../validate/reach";
import { dockerLogSource, demuxDockerLog } from "../../validate/reach/docker-logs";
import { request } from "../../validate/net/http";
import { connectToStack } from "../../validate/connect";
import { runChecks } from "../../validate/core/runner";
import { checkById } from "../../validate/registry";
import { localStackConfig } from "../../testing/stack";
import type { StackOutputs } from "../../infra/outputs-types";

jest.setTimeout(60_000);

let engine: DockerEngine;
let reach: Reach;
const relayErrors: string[] = [];
const CONTAINER = "mcpv-relay";
/** The swarm service the relay container stands in for a task of (what connectToStack finds it by). */
const RELAY_SERVICE = "mcpv-redis";

beforeAll(async () => {
  engine = await startDockerEngine();
  await engine.importBusybox();
  const c = await engine.docker.createContainer({
    name: CONTAINER,
    Image: TEST_IMAGE,
    User: "1000:1000",
    Labels: { "com.docker.swarm.service.name": RELAY_SERVICE },
    // A web server and a byte echo server on the container's loopback only.
    Cmd: [
      "sh",
      "-c",
      'echo tunnel-ok > /tmp/index.html; echo "FATAL:  password authentication failed for user \\"mcp_app\\"" >&2; httpd -p 127.0.0.1:8080 -h /tmp; exec nc -ll -p 9000 -e /bin/cat',
    ],
    HostConfig: { NetworkMode: "none", CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges:true"], Memory: 64 * 1024 * 1024, PidsLimit: 50 },
  });
  await c.start();
  reach = dockerExecReach({ docker: engine.docker, container: CONTAINER, onError: (m) => relayErrors.push(m) });
  // Bounded wait until the web server inside answers through the tunnel.
  const a = await reach.to("127.0.0.1", 8080);
  for (let i = 0; i < 50; i++) {
    const ok = await request(`http://127.0.0.1:${a.port}/index.html`, {}).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  await reach?.close();
  await engine?.stop();
}, 60_000);

describe("Docker exec tunnel", () => {
  it("carries HTTP requests, concurrently, to a port only the container can reach", async () => {
    const a = await reach.to("127.0.0.1", 8080);
    expect(a.host).toBe("127.0.0.1");
    const answers = await Promise.all([1, 2, 3].map(() => request(`http://127.0.0.1:${a.port}/index.html`, {})));
    expect(answers.map((r) => [r.status, r.body])).toEqual([
      [200, "tunnel-ok\n"],
      [200, "tunnel-ok\n"],
      [200, "tunnel-ok\n"],
    ]);
    expect(await reach.to("127.0.0.1", 8080)).toEqual(a);
  });

  it("moves binary data unchanged in both directions (TLS streams pass through end to end)", async () => {
    const a = await reach.to("127.0.0.1", 9000);
    const payload = randomBytes(256 * 1024);
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const s = connect(a.port, "127.0.0.1");
      s.on("data", (d) => chunks.push(d));
      s.on("end", () => resolve(Buffer.concat(chunks)));
      s.on("error", reject);
      s.end(payload);
    });
    expect(echoed.length).toBe(payload.length);
    expect(echoed.equals(payload)).toBe(true);
  });

  it("fails the client's connection, and reports the relay's error, when nothing listens there", async () => {
    const a = await reach.to("127.0.0.1", 8089);
    await expect(request(`http://127.0.0.1:${a.port}/`, {})).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(relayErrors.join("\n")).toMatch(/relay to 127\.0\.0\.1:8089 via mcpv-relay: .*(can't connect|Connection refused)/i);
  });
});

describe("connectToStack (what npm run verify and the hooks use)", () => {
  it("picks the relay container from the outputs and runs a check against a service only reachable inside it", async () => {
    const config = localStackConfig({ http: 80, https: 443 });
    const service = (name: "redis" | "postgres", swarmName: string) => ({
      service: name,
      name: swarmName,
      host: name,
      image: "x",
      replicas: 1,
      stateful: true,
      networks: ["mcp-t-internal"],
      publishedPorts: [],
      user: "1000:1000",
      readOnlyRootfs: true,
      memoryMb: 64,
      cpus: "0.5",
      logOpts: {},
      healthcheck: true,
      secretFiles: [],
      configFiles: [],
    });
    const outputs = {
      stack: "t",
      domain: "mcp.verify.test",
      publicUrl: "https://mcp.verify.test",
      mcpUrl: "https://mcp.verify.test/mcp",
      // postgres has no running task; the relay container carries the swarm label of redis's service.
      services: [service("postgres", "mcpv-missing-postgres"), service("redis", RELAY_SERVICE)],
      internalEndpoints: {
        postgres: { host: "127.0.0.1", port: 9000, database: "mcp", user: "mcp_app", backupUser: "mcp_backup" },
        redis: { host: "127.0.0.1", port: 9000 },
        prometheus: "http://127.0.0.1:8080",
        alertmanager: "http://127.0.0.1:8080",
        grafana: "http://127.0.0.1:8080",
        app: { host: "127.0.0.1", tasksHost: "tasks.app", port: 8080, replicas: 1 },
      },
      appContract: { ...config.app, healthPath: "/index.html" },
      mcpJson: { mcpServers: {} },
      internalCaCert: "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
      tls: { mode: "self-signed", minDaysValid: 14 },
      rateLimit: { requestsPerSecond: 50, burst: 40 },
      secrets: {
        postgresPassword: "p".repeat(20),
        postgresBackupPassword: "b".repeat(20),
        redisPassword: "r".repeat(20),
        grafanaAdminUser: "admin",
        grafanaAdminPassword: "g".repeat(20),
        jwtSigningKey: "j".repeat(32),
        backupEncryptionKey: "k".repeat(32),
      },
    } as unknown as StackOutputs;
    const lines: string[] = [];
    const connection = await connectToStack(outputs, { config, dockerHost: engine.host, log: (l) => lines.push(l) });
    try {
      expect(connection.via).toBe(`Docker exec relay in container ${CONTAINER}`);
      expect(connection.target.app.replicaUrls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(connection.target.app.replicaUrls[0]).not.toBe("http://127.0.0.1:8080");
      expect(connection.target.extra.docker).toBeDefined();
      const [health] = await runChecks([checkById("app.health")], connection.target, { progress: false });
      expect(health).toMatchObject({ status: "pass", message: "1 app replica healthy" });
    } finally {
      await connection.close();
    }
  });
});

describe("Docker container logs", () => {
  it("reads stdout and stderr of a non-TTY container as text", async () => {
    const text = await dockerLogSource(engine.docker, CONTAINER)(new AbortController().signal);
    expect(text).toContain('FATAL:  password authentication failed for user "mcp_app"');
    // eslint-disable-next-line no-control-regex -- the exec stream's framing bytes are what is matched
    expect(text).not.toMatch(/[\u0000-\u0008]/);
  });

  it("passes TTY (unframed) logs through", () => {
    expect(demuxDockerLog(Buffer.from("plain text log\n"))).toBe("plain text log\n");
    const framed = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 3]), Buffer.from("ab\n"), Buffer.from([2, 0, 0, 0, 0, 0, 0, 2]), Buffer.from("c\n")]);
    expect(demuxDockerLog(framed)).toBe("ab\nc\n");
  });
});
