/**
 * The applier on a real one-node swarm (Debian's dockerd, private data root, manager on
 * 127.0.0.1): a small Pulumi program runs under the mock runtime (runProgram), so the
 * resources are exactly what @pulumi/docker registers; applyStack creates them the way the
 * Docker provider would; the test then reads the engine and checks every mapped field, rotates
 * a secret, rolls out a failing health check that the swarm rolls back, and destroys it all.
 *
 * Networks only from 198.18.0.0/15; nothing published (the forwarder listens on 127.0.0.1).
 * Secret values are compared by digest only, so no failure message can print one.
 */
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import type Docker from "dockerode";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { TEST_UID } from "../../testing/docker/rootfs";
import { runProgram, type CollectedResource } from "../../preflight/collect";
import { UNKNOWN_STRING } from "../../preflight/engine-encoding";
import { readStackFile } from "../../infra/config/stack-file";
import {
  appliedResource,
  applyStack,
  describeDifferences,
  destroyStack,
  labelTestNode,
  StackOperationError,
  updateStack,
  type AppliedStack,
  type EngineDifferences,
} from "../../testing/engine/apply";
import { forwardServicePort } from "../../testing/engine/forward";
import { ApplyError } from "../../testing/engine/inputs";

jest.setTimeout(60_000);

const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const PROGRAM_IMAGE = "registry.invalid/mcp/web:1.0.0";
const CONFIG_TEXT = "<html>served from a swarm config</html>\n";

interface Version {
  token: string;
  /** The failing-health variant of the web service. */
  brokenHealth?: boolean;
}

/** The program under test: two overlays, a volume, a secret and a config named by content hash, two services. */
function program(v: Version) {
  return () => {
    const tokenHash = sha(v.token).slice(0, 12);
    const edge = new docker.Network("edge", {
      name: "t-edge",
      driver: "overlay",
      ipamConfigs: [{ subnet: "198.18.240.0/24" }],
      labels: [{ label: "com.mcp.test", value: "edge" }],
    });
    const internal = new docker.Network("internal", {
      name: "t-internal",
      driver: "overlay",
      internal: true,
      ipamConfigs: [{ subnet: "198.18.241.0/24", gateway: "198.18.241.1" }],
    });
    const data = new docker.Volume("data", { name: "t-data", labels: [{ label: "com.mcp.test", value: "data" }] });
    const token = new docker.Secret("app-token", {
      name: `t-app-token-${tokenHash}`,
      data: pulumi.secret(Buffer.from(v.token).toString("base64")),
      labels: [{ label: "com.mcp.test", value: "token" }],
    });
    const page = new docker.ServiceConfig("index", { name: `t-index-${sha(CONFIG_TEXT).slice(0, 12)}`, dataRaw: CONFIG_TEXT });
    new docker.Service("web", {
      name: "t-web",
      labels: [{ label: "com.mcp.service", value: "web" }],
      taskSpec: {
        containerSpec: {
          image: PROGRAM_IMAGE,
          commands: ["httpd", "-f", "-p", "8080", "-h", "/www"],
          user: `${TEST_UID}:${TEST_UID}`,
          readOnly: true,
          labels: [{ label: "com.mcp.container", value: "web" }],
          env: { TOKEN_FILE: "/run/secrets/app-token" },
          secrets: [
            { secretId: token.id, secretName: token.name, fileName: "app-token", fileUid: String(TEST_UID), fileGid: String(TEST_UID), fileMode: 0o400 },
          ],
          // fileMode left to the schema default (0o444).
          configs: [{ configId: page.id, configName: page.name, fileName: "/www/index.html", fileUid: String(TEST_UID), fileGid: String(TEST_UID) }],
          mounts: [
            // Not tmpfs's default 1777, so /proc/mounts shows it.
            { type: "tmpfs", target: "/scratch", tmpfsOptions: { sizeBytes: 1048576, mode: 0o777 } },
            { type: "volume", target: "/data", source: data.name },
          ],
          healthcheck: v.brokenHealth
            ? { tests: ["CMD", "false"], interval: "500ms", timeout: "2s", retries: 1 }
            : { tests: ["CMD-SHELL", "test -r /run/secrets/app-token"], interval: "500ms", timeout: "2s", retries: 2 },
          // The provider's delete waits this long for each live task container to be removed,
          // and fails past it: here swarm took ~6 s for a task on two overlays.
          stopGracePeriod: "10s",
          // httpd as PID 1 ignores SIGTERM: without an init the container outlives the grace
          // period, and the provider's delete fails waiting for it (deleteService).
          init: true,
        },
        resources: { limits: { memoryBytes: 64 * 1024 * 1024, nanoCpus: 500_000_000 }, reservation: { memoryBytes: 16 * 1024 * 1024 } },
        restartPolicy: { condition: "on-failure", delay: "1s", maxAttempts: 3, window: "30s" },
        placement: { constraints: ["node.role==manager", "node.labels.com.mcp.stateful==true"], prefs: ["spread=node.id"] },
        networksAdvanceds: [
          { id: edge.id, aliases: ["web-edge"] },
          { id: internal.id, aliases: ["web-internal", "app"] },
        ],
        logDriver: { name: "json-file", options: { "max-size": "1m", "max-file": "2" } },
      },
      mode: { replicated: { replicas: 1 } },
      updateConfig: { parallelism: 1, delay: "1s", failureAction: "rollback", monitor: "3s", maxFailureRatio: "0.0", order: "stop-first" },
      rollbackConfig: { parallelism: 1, failureAction: "pause", monitor: "2s", order: "stop-first" },
      endpointSpec: { mode: "vip", ports: [{ targetPort: 8080, publishedPort: 443 }] },
      convergeConfig: { delay: "2s", timeout: "60s" },
    });
    new docker.Service("probe", {
      name: "t-probe",
      taskSpec: {
        containerSpec: { image: PROGRAM_IMAGE, commands: ["sleep", "3600"], user: `${TEST_UID}:${TEST_UID}`, readOnly: true },
        networksAdvanceds: [{ id: internal.id }],
      },
      convergeConfig: { delay: "1s", timeout: "60s" },
    });
  };
}

async function collect(v: Version): Promise<CollectedResource[]> {
  const sf = readStackFile("dev");
  const run = await runProgram({ stack: "dev", config: { ...sf.engineConfig, "mcp:deployHooks": "false" }, secretKeys: sf.secretKeys, program: program(v) });
  return run.resources;
}

async function exec(d: Docker, containerId: string, cmd: string[]): Promise<{ code: number; out: string; err: string }> {
  const e = await d.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await e.start({ hijack: true, stdin: false })) as NodeJS.ReadableStream;
  let out = "";
  let err = "";
  const { PassThrough } = await import("node:stream");
  const o = new PassThrough().on("data", (b: Buffer) => (out += b.toString()));
  const r = new PassThrough().on("data", (b: Buffer) => (err += b.toString()));
  d.modem.demuxStream(stream, o, r);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec ${cmd[0]} did not finish in 10 s`)), 10_000);
    stream.on("end", () => (clearTimeout(timer), resolve()));
    stream.on("error", (x) => (clearTimeout(timer), reject(x)));
  });
  const info = await e.inspect();
  return { code: info.ExitCode ?? -1, out, err };
}

/** The container of the service's running task (bounded poll). */
async function runningContainer(d: Docker, service: string): Promise<string> {
  for (let i = 0; i < 75; i++) {
    const tasks = (await d.listTasks({ filters: { service: [service], "desired-state": ["running"] } })) as {
      Status: { State: string; ContainerStatus?: { ContainerID?: string } };
    }[];
    const t = tasks.find((x) => x.Status.State === "running" && x.Status.ContainerStatus?.ContainerID);
    if (t) return t.Status.ContainerStatus?.ContainerID as string;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no running task for ${service} after 15 s`);
}

/**
 * The swarm's own update status, once it leaves `from` (bounded). The provider's update wait
 * ends as soon as every replica runs (or, during a rollback, with "service rollback
 * completed"), which can be before the swarm's monitor window closes: the swarm's status may
 * still read "updating" / "rollback_started" when the apply returns.
 */
async function updateStateAfter(d: Docker, service: string, from: string): Promise<string | undefined> {
  let state: string | undefined;
  for (let i = 0; i < 100; i++) {
    state = ((await d.getService(service).inspect()) as { UpdateStatus?: { State?: string } }).UpdateStatus?.State;
    if (state !== from) return state;
    await new Promise((r) => setTimeout(r, 200));
  }
  return state;
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (b: Buffer) => (body += b.toString()));
      res.on("end", () => resolve(body));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

let engine: DockerEngine;
let differences: EngineDifferences;
let stack: AppliedStack | undefined;
const log: string[] = [];
const logLine = (l: string) => log.push(l);
const TOKENS = { v1: randomBytes(24).toString("hex"), v2: randomBytes(24).toString("hex") };
const timings: Record<string, number> = {};
const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
  const t = Date.now();
  try {
    return await f();
  } finally {
    timings[name] = Date.now() - t;
  }
};

beforeAll(async () => {
  engine = await startDockerEngine({ swarm: true });
  const imageId = await engine.importBusybox();
  // The label the prod program pins its stateful services with (infra/components/common.ts).
  differences = { images: { [PROGRAM_IMAGE]: imageId }, nodeLabels: { "com.mcp.stateful": "true" } };
  await labelTestNode(engine.docker, differences);
}, 60_000);

afterAll(async () => {
  if (stack) await destroyStack(engine.docker, stack).catch(() => undefined);
  await engine?.stop();
  // Timings and the forced differences, for the report (no values in either).
  process.stdout.write(`engine apply suite timings (ms): ${JSON.stringify(timings)}\n`);
}, 120_000);

describe("refusals, before any API call", () => {
  let base: CollectedResource[];
  beforeAll(async () => {
    base = await collect({ token: TOKENS.v1 });
  });
  const clone = (rs: CollectedResource[]) => JSON.parse(JSON.stringify(rs)) as CollectedResource[];
  /** The rejection of an apply that must be refused (a stack that applied is destroyed and fails the test). */
  const refusal = async (rs: CollectedResource[], d = differences): Promise<Error> => {
    const r = await applyStack(engine.docker, rs, { differences: d, convergeTimeoutMs: 20_000 }).then(
      async (applied) => {
        await destroyStack(engine.docker, applied);
        return new Error("applied, though it should have been refused");
      },
      async (e: Error) => {
        // A refusal creates nothing; a failure after creating something leaves it to clean up.
        if (e instanceof StackOperationError) await destroyStack(engine.docker, e.state).catch(() => undefined);
        return e;
      },
    );
    expect(r.message).not.toBe("applied, though it should have been refused");
    return r;
  };
  const expectNothingCreated = async () => {
    expect(await engine.docker.listSecrets()).toEqual([]);
    expect((await engine.docker.listNetworks()).map((n) => n.Name).filter((n) => n.startsWith("t-"))).toEqual([]);
  };

  it("refuses an input that is still unknown, naming the resource and the key", async () => {
    const rs = clone(base);
    const web = rs.find((r) => r.name === "web") as CollectedResource;
    ((web.inputs.taskSpec as Record<string, Record<string, unknown>>).containerSpec as Record<string, unknown>).user = UNKNOWN_STRING;
    const err = await refusal(rs);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).message).toContain('docker:index/service:Service "web" (taskSpec.containerSpec.user)');
    await expectNothingCreated();
  });

  it("refuses a resource type it does not know, and ignores random/tls/providers/stack", async () => {
    const rs = clone(base);
    const extra: CollectedResource = {
      ...rs.find((r) => r.name === "web")!,
      urn: "urn:x::docker:index/container:Container::c",
      type: "docker:index/container:Container",
      name: "c",
    };
    const err = await refusal([...rs, extra]);
    expect(err.message).toContain('docker:index/container:Container "c"');
    expect(err.message).toContain("not one the applier knows");
    expect(rs.some((r) => r.type === "pulumi:providers:docker") && rs.some((r) => r.type === "pulumi:pulumi:Stack")).toBe(true);
    await expectNothingCreated();
  });

  it("refuses secret data that is not standard base64 without echoing it", async () => {
    const rs = clone(base);
    const tok = rs.find((r) => r.name === "app-token") as CollectedResource;
    const urlSafe = "a-_b"; // URL-safe alphabet: Go's StdEncoding rejects it
    (tok.inputs.data as Record<string, unknown>).value = urlSafe;
    const err = await refusal(rs);
    expect(err.message).toContain('docker:index/secret:Secret "app-token" (data)');
    expect(err.message).not.toContain(urlSafe);
    await expectNothingCreated();
  });

  it("refuses a subnet outside 198.18.0.0/15 and an image with no local image", async () => {
    const rs = clone(base);
    const edge = rs.find((r) => r.name === "edge") as CollectedResource;
    (edge.inputs.ipamConfigs as Record<string, unknown>[])[0].subnet = "10.9.0.0/24";
    const err = await refusal(rs);
    expect(err.message).toContain('docker:index/network:Network "edge" (ipamConfigs[0].subnet)');
    const noImage = await refusal(base, { ...differences, images: {} });
    expect(noImage.message).toMatch(/docker:index\/service:Service "(web|probe)" \(taskSpec\.containerSpec\.image\)/);
    await expectNothingCreated();
  });
});

describe("a stack applied, updated and destroyed on the swarm", () => {
  let services: { web: Docker.Service; probe: Docker.Service };
  let webSpec: Record<string, any>;
  let webContainer: string;

  beforeAll(async () => {
    const resources = await collect({ token: TOKENS.v1 });
    for (const line of describeDifferences(differences)) logLine(`difference: ${line}`);
    stack = await timed("apply", () => applyStack(engine.docker, resources, { differences, log: logLine, convergeTimeoutMs: 45_000 }));
    services = { web: engine.docker.getService("t-web"), probe: engine.docker.getService("t-probe") };
    webSpec = (await services.web.inspect()).Spec;
    webContainer = await runningContainer(engine.docker, "t-web");
  }, 90_000);

  it("created the overlays as the provider does (driver, internal, IPAM with the default driver, labels)", async () => {
    const edge = await engine.docker.getNetwork("t-edge").inspect();
    const internal = await engine.docker.getNetwork("t-internal").inspect();
    expect(edge).toMatchObject({
      Driver: "overlay",
      Scope: "swarm",
      Internal: false,
      Labels: { "com.mcp.test": "edge" },
      IPAM: { Driver: "default", Config: [{ Subnet: "198.18.240.0/24" }] },
    });
    expect(internal).toMatchObject({
      Driver: "overlay",
      Internal: true,
      IPAM: { Driver: "default", Config: [{ Subnet: "198.18.241.0/24", Gateway: "198.18.241.1" }] },
    });
    expect(appliedResource(stack!, "edge").id).toBe(edge.Id);
  });

  it("created the volume, the secret and the config (dataRaw sent as is)", async () => {
    expect(await engine.docker.getVolume("t-data").inspect()).toMatchObject({ Name: "t-data", Driver: "local", Labels: { "com.mcp.test": "data" } });
    const secret = appliedResource(stack!, "app-token");
    expect(await engine.docker.getSecret(secret.id).inspect()).toMatchObject({ Spec: { Name: secret.engineName, Labels: { "com.mcp.test": "token" } } });
    const config = (await engine.docker.getConfig(appliedResource(stack!, "index").id).inspect()) as { Spec: { Data: string } };
    expect(Buffer.from(config.Spec.Data, "base64").toString()).toBe(CONFIG_TEXT);
  });

  it("maps the service's labels, mode, update and rollback configs", () => {
    expect(webSpec.Labels).toEqual({ "com.mcp.service": "web" });
    expect(webSpec.Mode).toEqual({ Replicated: { Replicas: 1 } });
    expect(webSpec.UpdateConfig).toEqual({ Parallelism: 1, Delay: 1e9, FailureAction: "rollback", Monitor: 3e9, MaxFailureRatio: 0, Order: "stop-first" });
    // Rollback delay and ratio left to the schema defaults ("0s", "0.0").
    expect(webSpec.RollbackConfig).toEqual({ Parallelism: 1, FailureAction: "pause", Monitor: 2e9, MaxFailureRatio: 0, Order: "stop-first" });
  });

  it("maps the container spec: image (local), command, user, read-only, labels, env, grace period, isolation, init", () => {
    const cs = webSpec.TaskTemplate.ContainerSpec;
    expect(cs.Image).toBe(differences.images[PROGRAM_IMAGE]);
    expect(cs).toMatchObject({
      Command: ["httpd", "-f", "-p", "8080", "-h", "/www"],
      User: `${TEST_UID}:${TEST_UID}`,
      ReadOnly: true,
      Labels: { "com.mcp.container": "web" },
      Env: ["TOKEN_FILE=/run/secrets/app-token"],
      StopGracePeriod: 10e9,
      Isolation: "default",
      Init: true,
      DNSConfig: {},
    });
    // The probe sets neither stop_grace_period nor init: the provider still sends 0 and false.
    return services.probe.inspect().then((p) => expect(p.Spec.TaskTemplate.ContainerSpec).toMatchObject({ StopGracePeriod: 0, Init: false }));
  });

  it("maps secrets and configs to the real IDs with uid/gid/mode (config mode from the 0o444 default)", () => {
    const cs = webSpec.TaskTemplate.ContainerSpec;
    const secret = appliedResource(stack!, "app-token");
    const config = appliedResource(stack!, "index");
    expect(cs.Secrets).toEqual([{ File: { Name: "app-token", UID: "1000", GID: "1000", Mode: 0o400 }, SecretID: secret.id, SecretName: secret.engineName }]);
    expect(cs.Configs).toEqual([
      { File: { Name: "/www/index.html", UID: "1000", GID: "1000", Mode: 0o444 }, ConfigID: config.id, ConfigName: config.engineName },
    ]);
  });

  it("maps mounts (tmpfs size and mode, the stack volume by name) and the health check", () => {
    const cs = webSpec.TaskTemplate.ContainerSpec;
    expect(cs.Mounts).toEqual([
      { Type: "tmpfs", Target: "/scratch", TmpfsOptions: { SizeBytes: 1048576, Mode: 0o777 } },
      { Type: "volume", Source: "t-data", Target: "/data" },
    ]);
    expect(cs.Healthcheck).toEqual({ Test: ["CMD-SHELL", "test -r /run/secrets/app-token"], Interval: 5e8, Timeout: 2e9, Retries: 2 });
  });

  it("maps resources, restart policy, placement, networks with aliases, log driver", () => {
    const t = webSpec.TaskTemplate;
    expect(t.Resources).toEqual({ Limits: { NanoCPUs: 500_000_000, MemoryBytes: 64 * 1024 * 1024 }, Reservations: { MemoryBytes: 16 * 1024 * 1024 } });
    expect(t.RestartPolicy).toEqual({ Condition: "on-failure", Delay: 1e9, MaxAttempts: 3, Window: 30e9 });
    // The program's constraints as they are; the test's node carries the label they ask for.
    expect(t.Placement).toEqual({
      Constraints: ["node.role==manager", "node.labels.com.mcp.stateful==true"],
      Preferences: [{ Spread: { SpreadDescriptor: "spread=node.id" } }],
    });
    expect(t.Networks).toEqual([
      { Target: appliedResource(stack!, "edge").id, Aliases: ["web-edge"] },
      { Target: appliedResource(stack!, "internal").id, Aliases: ["web-internal", "app"] },
    ]);
    expect(t.LogDriver).toEqual({ Name: "json-file", Options: { "max-size": "1m", "max-file": "2" } });
  });

  it("applies the machine's differences: endpoint mode dnsrr and no published port (recorded for the forwarder)", async () => {
    expect(webSpec.EndpointSpec).toEqual({ Mode: "dnsrr" });
    const info = await services.web.inspect();
    expect(info.Endpoint.Ports ?? []).toEqual([]);
    expect(appliedResource(stack!, "web").service?.differences.removedPorts).toEqual([
      { Protocol: "tcp", TargetPort: 8080, PublishedPort: 443, PublishMode: "ingress" },
    ]);
    expect(log.filter((l) => l.startsWith("difference:"))).toHaveLength(describeDifferences(differences).length);
  });

  it("runs the task as asked: read-only root, user, limits, healthy, log config", async () => {
    const c = await engine.docker.getContainer(webContainer).inspect();
    expect(c.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      Memory: 64 * 1024 * 1024,
      NanoCpus: 500_000_000,
      LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "2" } },
    });
    expect(c.Config.User).toBe(`${TEST_UID}:${TEST_UID}`);
    expect(c.Config.Labels).toMatchObject({ "com.mcp.container": "web" });
    expect(c.State.Health?.Status).toBe("healthy");
    const rootWrite = await exec(engine.docker, webContainer, ["sh", "-c", "echo x > /tmp/probe"]);
    expect(rootWrite.code).not.toBe(0);
    expect(rootWrite.err).toMatch(/Read-only file system/);
  });

  it("mounts the secret at /run/secrets/<name> as 0400 owned by the service user, and the config as 0444", async () => {
    const secret = await exec(engine.docker, webContainer, ["ls", "-ln", "/run/secrets/app-token"]);
    expect(secret.out).toMatch(/^-r-------- +1 +1000 +1000 +48 /);
    const content = await exec(engine.docker, webContainer, ["cat", "/run/secrets/app-token"]);
    expect(sha(content.out)).toBe(sha(TOKENS.v1));
    const config = await exec(engine.docker, webContainer, ["ls", "-ln", "/www/index.html"]);
    expect(config.out).toMatch(/^-r--r--r-- +1 +1000 +1000 /);
  });

  it("mounts the tmpfs with its size and mode, writable inside the read-only container, and the volume", async () => {
    const mounts = await exec(engine.docker, webContainer, ["cat", "/proc/mounts"]);
    expect(mounts.out.split("\n").find((l) => l.split(" ")[1] === "/scratch")).toMatch(/^tmpfs \/scratch tmpfs rw,.*size=1024k,mode=777/);
    expect((await exec(engine.docker, webContainer, ["sh", "-c", "echo ok > /scratch/probe && cat /scratch/probe"])).out).toBe("ok\n");
    const c = await engine.docker.getContainer(webContainer).inspect();
    expect(c.Mounts.find((m) => m.Destination === "/data")).toMatchObject({ Type: "volume", Name: "t-data" });
  });

  it("joins both overlays with the aliases; another task reaches it by alias on the internal one", async () => {
    // Service aliases live in the task's network attachments (swarm DNS), not in the container's endpoint.
    const [task] = (await engine.docker.listTasks({ filters: { service: ["t-web"], "desired-state": ["running"] } })) as {
      Spec: { Networks: { Target: string; Aliases?: string[] }[] };
      NetworksAttachments: { Network: { Spec: { Name: string } }; Addresses: string[] }[];
    }[];
    expect(task.Spec.Networks).toEqual([
      { Target: appliedResource(stack!, "edge").id, Aliases: ["web-edge"] },
      { Target: appliedResource(stack!, "internal").id, Aliases: ["web-internal", "app"] },
    ]);
    const attached = Object.fromEntries(task.NetworksAttachments.map((a) => [a.Network.Spec.Name, a.Addresses[0]]));
    expect(attached["t-edge"]).toMatch(/^198\.18\.240\.\d+\/24$/);
    expect(attached["t-internal"]).toMatch(/^198\.18\.241\.\d+\/24$/);
    const probe = await runningContainer(engine.docker, "t-probe");
    const r = await exec(engine.docker, probe, ["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 app 8080"]);
    expect(r.out).toContain(CONFIG_TEXT.trim());
  });

  it("reaches the removed published port through the loopback forwarder", async () => {
    const port = appliedResource(stack!, "web").service?.differences.removedPorts[0].TargetPort as number;
    const fwd = await forwardServicePort(engine.docker, "t-web", port);
    try {
      expect(fwd.host).toBe("127.0.0.1");
      expect(fwd.task.address).toMatch(/^198\.19\./);
      expect(await httpGet(fwd.port)).toContain(CONFIG_TEXT.trim());
    } finally {
      await fwd.close();
    }
  });

  it("rotates the secret: new secret first, service updated in place, old secret removed", async () => {
    const before = appliedResource(stack!, "app-token");
    const versionBefore = (await services.web.inspect()).Version.Index;
    const next = await collect({ token: TOKENS.v2 });
    const result = await timed("rotate", () => updateStack(engine.docker, stack!, next, { differences, log: logLine, convergeTimeoutMs: 45_000 }));
    stack = result.stack;
    expect(result.replaced).toEqual(["app-token"]);
    expect(result.updated).toEqual(["web"]);
    expect(result.deleted).toEqual(["app-token"]);
    const after = appliedResource(stack, "app-token");
    expect(after.id).not.toBe(before.id);
    await expect(engine.docker.getSecret(before.id).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const info = await services.web.inspect();
    expect(info.Version.Index).toBeGreaterThan(versionBefore);
    expect(["updating", "completed"]).toContain(info.UpdateStatus?.State);
    expect(await updateStateAfter(engine.docker, "t-web", "updating")).toBe("completed");
    expect(info.Spec.TaskTemplate.ContainerSpec.Secrets[0]).toMatchObject({ SecretID: after.id, SecretName: after.engineName });
    const c = await runningContainer(engine.docker, "t-web");
    expect(sha((await exec(engine.docker, c, ["cat", "/run/secrets/app-token"])).out)).toBe(sha(TOKENS.v2));
    // The probe did not change: not updated.
    expect(result.unchanged).toEqual(expect.arrayContaining(["probe", "edge", "internal", "data", "index"]));
  }, 90_000);

  it("rolls out a failing health check: the swarm rolls back and the update fails as the provider's does", async () => {
    const next = await collect({ token: TOKENS.v2, brokenHealth: true });
    const err = await timed("rollback", () =>
      updateStack(engine.docker, stack!, next, { differences, log: logLine, convergeTimeoutMs: 60_000 }).then(
        () => undefined,
        (e: Error) => e,
      ),
    );
    expect(err).toBeInstanceOf(StackOperationError);
    const e = err as StackOperationError;
    expect(e.failures.map((f) => f.resource)).toEqual(['docker:index/service:Service "web"']);
    expect(e.failures[0].error.message).toMatch(/^service rollback completed/);
    stack = e.state;
    expect(await updateStateAfter(engine.docker, "t-web", "rollback_started")).toBe("rollback_completed");
    const info = await services.web.inspect();
    expect(info.Spec.TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual(["CMD-SHELL", "test -r /run/secrets/app-token"]);
    // The broken spec was rolled out: one of the service's tasks ran it and failed.
    const tasks = (await engine.docker.listTasks({ filters: { service: ["t-web"] } })) as {
      Spec: { ContainerSpec: { Healthcheck?: { Test?: string[] } } };
      Status: { State: string };
    }[];
    const broken = tasks.filter((t) => t.Spec.ContainerSpec.Healthcheck?.Test?.[1] === "false");
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((t) => ["failed", "shutdown", "rejected"].includes(t.Status.State))).toBe(true);
    const c = await runningContainer(engine.docker, "t-web");
    expect((await engine.docker.getContainer(c).inspect()).Config.Healthcheck?.Test).toEqual(["CMD-SHELL", "test -r /run/secrets/app-token"]);
  }, 120_000);

  it("the fixed program updates the service again: the state holds the failed inputs, as Pulumi's does", async () => {
    const fixed = await collect({ token: TOKENS.v2 });
    const result = await timed("fix", () => updateStack(engine.docker, stack!, fixed, { differences, log: logLine, convergeTimeoutMs: 45_000 }));
    stack = result.stack;
    expect(result.updated).toEqual(["web"]);
    expect(result.replaced).toEqual([]);
    const info = await services.web.inspect();
    expect(info.Spec.TaskTemplate.ContainerSpec.Healthcheck.Test).toEqual(["CMD-SHELL", "test -r /run/secrets/app-token"]);
  }, 90_000);

  it("never logged a secret value", () => {
    const text = log.join("\n");
    for (const t of Object.values(TOKENS)) {
      expect(text.includes(t)).toBe(false);
      expect(text.includes(Buffer.from(t).toString("base64"))).toBe(false);
    }
    expect(log.some((l) => l.includes("service t-web created"))).toBe(true);
  });

  it("destroys everything it made", async () => {
    await timed("destroy", () => destroyStack(engine.docker, stack!, { log: logLine }));
    stack = undefined;
    expect(await engine.docker.listServices()).toEqual([]);
    expect(await engine.docker.listSecrets()).toEqual([]);
    expect(await engine.docker.listConfigs()).toEqual([]);
    expect((await engine.docker.listNetworks()).map((n) => n.Name).filter((n) => n.startsWith("t-"))).toEqual([]);
    expect(((await engine.docker.listVolumes()).Volumes ?? []).map((v) => v.Name)).not.toContain("t-data");
    // Task containers go with their service (bounded wait).
    let left = -1;
    for (let i = 0; i < 50 && left !== 0; i++) {
      left = (await engine.docker.listContainers({ all: true })).length;
      if (left) await new Promise((r) => setTimeout(r, 200));
    }
    expect(left).toBe(0);
  }, 120_000);
});
