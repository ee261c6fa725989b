/**
 * mcp.audit against a real Docker engine: the app image (the stand-in's engine entry, built
 * from Debian packages and imported) runs on a private engine, the check calls the probe tool
 * and reads the audit line back through the Engine API's logs endpoint, as verify does on a
 * deployed stack. The image's fault switches (STAND_IN_FAULTS) make an app that logs nothing
 * and one that logs the arguments' values: each fails with its own message.
 *
 * Uses the shared Docker engine tooling: run it under `flock /tmp/engine.lock`.
 */
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type Docker from "dockerode";
import { DEFAULT_IMAGES } from "../../infra/config/schema";
import { appEnv } from "../../infra/components/app";
import { tmpfsFor as tmpfsSpecs } from "../../infra/components/common";
import { POSTGRES_PASSWORD_FILES } from "../../infra/render/postgres";
import { PATHS } from "../../infra/topology";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { buildStackImages, importStackImages } from "../../testing/engine/images";
import { logsOf, startContainer } from "../../testing/engine/run";
import { createTestNetwork } from "../../testing/engine/test-network";
import { localStackConfig, waitUntil } from "../../testing/stack";
import { makeTempDir, type TempDir } from "../../local/tempdir";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord } from "../../validate/core/types";
import { dockerLogSource } from "../../validate/reach/docker-logs";
import { checkById } from "../../validate/registry";
import type { McpTarget, VerifyTarget } from "../../validate/target";
import { MCP_STREAM_IDLE_MIN_SECONDS } from "../../checklist/thresholds";

jest.setTimeout(120_000);

const config = localStackConfig({ http: 80, https: 443 });
const APP = "10001:10001";
const JWT = "jwt-signing-key-0123456789abcdef0123-audit";
/** The name the app serves under (its Host and Origin), resolved to the container by the check's connection options. */
const HOST = "mcp.audit.test";

let engine: DockerEngine;
let work: TempDir;
let ref: string;
let network: Awaited<ReturnType<typeof createTestNetwork>>;
const containers: Docker.Container[] = [];
const transcript: string[] = [];

function writeOwned(path: string, content: string, mode: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  chownSync(path, 10001, 10001);
  chmodSync(path, mode);
  return path;
}

beforeAll(async () => {
  work = makeTempDir("mcp-audit-engine-");
  chmodSync(work.path, 0o755);
  engine = await startDockerEngine({ log: (l) => transcript.push(l) });
  const set = await buildStackImages({ only: ["app"], log: (l) => transcript.push(l) });
  ref = (await importStackImages(engine, set))[DEFAULT_IMAGES.app];
  network = await createTestNetwork(engine, "mcp-audit");
}, 600_000);

afterAll(async () => {
  await Promise.allSettled(containers.map((c) => c.remove({ force: true })));
  await network?.remove().catch(() => undefined);
  await engine?.stop();
  work?.remove();
});

/** Starts an app container (no database or cache: the MCP endpoint needs neither) and returns the check's target. */
async function startApp(name: string, faults?: Record<string, unknown>): Promise<{ target: VerifyTarget; container: Docker.Container }> {
  const dir = join(work.path, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const binds = [
    { source: writeOwned(join(dir, "postgres-password"), "unused-password-0123456789", 0o400), target: POSTGRES_PASSWORD_FILES.app },
    { source: writeOwned(join(dir, "redis-password"), "unused-password-0123456789", 0o400), target: `${PATHS.secretsDir}/redis-password` },
    { source: writeOwned(join(dir, "jwt-signing-key"), JWT, 0o400), target: `${PATHS.secretsDir}/jwt-signing-key` },
  ];
  const port = config.app.port;
  const env = {
    ...appEnv(config),
    PUBLIC_URL: `http://${HOST}:${port}`,
    DATABASE_SSLMODE: "disable",
    ...(faults ? { STAND_IN_FAULTS: JSON.stringify(faults) } : {}),
  };
  const container = await startContainer(engine.docker, {
    image: ref,
    user: APP,
    name,
    network: { name: network.name, aliases: [name] },
    env,
    tmpfsMounts: tmpfsSpecs(["/tmp"]),
    binds,
  });
  containers.push(container);
  const info = await container.inspect();
  const ip = info.NetworkSettings.Networks[network.name]?.IPAddress;
  if (!ip) throw new Error(`container ${name} has no address on ${network.name}`);
  const url = `http://${HOST}:${port}${config.app.mcpPath}`;
  await waitUntil(`the app in ${name} listened on ${ip}:${port}`, 30_000, async () => {
    const r = await fetch(`http://${ip}:${port}${config.app.healthPath}`).catch(() => undefined);
    return r !== undefined;
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await logsOf(container)}`);
  });
  const mcp: McpTarget = {
    url,
    http: { resolve: { [HOST]: ip } },
    probeTool: config.app.probeTool,
    probeToolArguments: config.app.probeToolArguments,
    mcpJson: { mcpServers: {} },
    serverName: "audit",
    jwtSigningKey: JWT,
    jwtIssuer: config.app.jwtIssuer,
    jwtAudience: config.app.jwtAudience,
    publicUrl: `http://${HOST}:${port}`,
    resourceMetadataPath: config.app.resourceMetadataPath,
    protocolVersions: config.app.protocolVersions,
    toolCallTimeoutSeconds: config.app.toolCallTimeoutSeconds,
    replicaUrls: [],
    streamIdleSeconds: MCP_STREAM_IDLE_MIN_SECONDS,
    // What verify reads on a deployed stack: the Engine API's logs of the app's containers.
    appLogs: dockerLogSource(engine.docker, name),
  };
  return { target: { mcp, secrets: [JWT], extra: {} } as unknown as VerifyTarget, container };
}

async function audit(target: VerifyTarget): Promise<CheckRecord> {
  const [r] = await runChecks([checkById("mcp.audit")], target, { secrets: target.secrets, progress: (l) => transcript.push(l) });
  transcript.push(JSON.stringify(r));
  return r;
}

test("the healthy app image writes one audit line per tools/call, read back through the Docker logs API", async () => {
  const { target, container } = await startApp("app-audit-ok");
  const r = await audit(target);
  expect(`${r.status}: ${r.message}`).toMatch(/^pass: one audit line: caller mcp-verify-audit-[0-9a-f]{12}, tool echo, \d+ ms, outcome ok$/);
  // The line is on the container's stdout, in the contract's shape, with no argument in it.
  const logged = await logsOf(container, 200);
  expect(logged).toMatch(/\{"event":"mcp\.tool_call","caller":"mcp-verify-audit-[0-9a-f]{12}","tool":"echo","durationMs":\d+,"outcome":"ok"\}/);
  expect(logged).not.toMatch(/audit-marker-/);
});

test("an app that logs nothing fails mcp.audit, naming the caller it looked for", async () => {
  const { target } = await startApp("app-audit-silent", { audit: "silent" });
  const r = await audit(target);
  expect(`${r.status}: ${r.message}`).toMatch(/^fail: 0 audit lines for one tools\/call of echo by caller mcp-verify-audit-[0-9a-f]{12} in the app's logs$/);
});

test("an app that logs the arguments' values fails mcp.audit, naming the argument, not its value", async () => {
  const { target } = await startApp("app-audit-arguments", { audit: "arguments" });
  const r = await audit(target);
  expect(`${r.status}: ${r.message}`).toBe("fail: the app's logs hold the value of argument message of the tools/call");
});

test("no secret in any message or progress line", () => {
  const all = transcript.join("\n");
  expect(all).not.toContain(JWT);
  expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
});
