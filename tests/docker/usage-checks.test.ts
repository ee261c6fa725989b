/**
 * docker.memory-usage and docker.cpu-usage against a real swarm (the private test engine,
 * testing/docker/engine.ts): busybox services that idle pass both; one that spins on its CPU
 * limit, one that fills most of its memory limit (a tmpfs counts against it) and one the kernel
 * OOM-kills each fail, naming the container and the figures seen against the limit. Run under
 * `flock /tmp/engine.lock` when other suites share the engine's machine.
 */
import type { CheckRecord } from "../../validate/core/types";
import { runChecks } from "../../validate/core/runner";
import { coresBetween, cpuUsageCheck, memoryUsageCheck, workingSetBytes } from "../../validate/docker/usage";
import type { DeclaredService, DockerTarget } from "../../validate/docker/declared";
import { startDockerEngine, type DockerEngine } from "../../testing/docker/engine";
import { awaitRunning, createServices, serviceSpecFor, withServiceChanges } from "../../testing/docker/services";

jest.setTimeout(180_000);

const STACK = "mcpu";
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
  logOpts: { "max-size": "1m", "max-file": "2" },
  healthcheck: false,
  secretFiles: [],
  configFiles: [],
  ...extra,
});

const SERVICES = {
  idle: declared("mcpu-idle"),
  spin: declared("mcpu-spin", { cpus: "0.2" }),
  full: declared("mcpu-full", { memoryMb: 64 }),
  oom: declared("mcpu-oom", { memoryMb: 16 }),
};
/** A tmpfs the user can write: its pages are charged to the container's memory cgroup. */
const scratch = { Mounts: [{ Type: "tmpfs", Target: "/scratch", TmpfsOptions: { SizeBytes: 128 * 1048576, Mode: 0o1777 } }] };
const fill = (mb: number) => ["sh", "-c", `head -c ${mb * 1048576} /dev/zero > /scratch/fill; exec sleep 3600`];

beforeAll(async () => {
  engine = await startDockerEngine({ swarm: true });
  await engine.importBusybox();
  const net = await engine.docker.createNetwork({
    Name: "mcpu-net",
    Driver: "overlay",
    Internal: true,
    IPAM: { Config: [{ Subnet: "198.18.250.0/24" }] },
    Labels: { "com.mcp.stack": STACK },
  } as never);
  const labels = { "com.mcp.stack": STACK };
  const spec = (d: DeclaredService) => serviceSpecFor(d, { network: net.id }, labels);
  await createServices(engine.docker, [
    spec(SERVICES.idle),
    withServiceChanges(spec(SERVICES.spin), { ContainerSpec: { Command: ["sh", "-c", "while :; do :; done"] } }),
    withServiceChanges(spec(SERVICES.full), { ContainerSpec: { Command: fill(60), ...scratch } }),
    withServiceChanges(spec(SERVICES.oom), { ContainerSpec: { Command: fill(40), ...scratch } }),
  ]);
  const late = await awaitRunning(engine.docker, [SERVICES.idle.name, SERVICES.spin.name, SERVICES.full.name], 60_000);
  if (late.length) throw new Error(`services not running after 60 s: ${late.join(", ")}\n${engine.logTail(30)}`);
  // The OOM service never stays up: wait (bounded) until the swarm has at least one killed task of it.
  for (let i = 0; i < 60; i++) {
    const tasks = (await engine.docker.listTasks({ filters: { service: [SERVICES.oom.name] } } as never)) as unknown as { Status?: { State?: string } }[];
    if (tasks.some((t) => t.Status?.State === "failed")) break;
    await new Promise((r) => setTimeout(r, 500));
  }
}, 150_000);

afterAll(async () => {
  await engine?.stop();
}, 60_000);

const target = (...services: DeclaredService[]): DockerTarget => ({
  docker: engine.docker,
  endpoint: engine.host,
  local: true,
  services,
  secrets: [],
  stack: STACK,
});

async function check(c: typeof memoryUsageCheck, ...services: DeclaredService[]): Promise<CheckRecord> {
  const [r] = await runChecks([c], target(...services), { secrets: [], progress: false });
  return r;
}

test("idle containers: both pass, with the figures seen", async () => {
  const m = await check(memoryUsageCheck, SERVICES.idle);
  expect(`${m.status} ${m.message}`).toMatch(
    /^pass 1 container\(s\), none OOM-killed; highest working set mcpu-idle\.1\.\w+: working set \d+\.\d MiB of 64\.0 MiB \(\d %\)$/,
  );
  const c = await check(cpuUsageCheck, SERVICES.idle);
  expect(`${c.status} ${c.message}`).toMatch(/^pass 1 container\(s\) sampled over 5 s; highest mcpu-idle\.1\.\w+: 0\.0\d of 0\.5 CPU \(\d+ %/);
});

test("a container spinning on its CPU limit fails docker.cpu-usage naming it and its share", async () => {
  const r = await check(cpuUsageCheck, SERVICES.idle, SERVICES.spin);
  expect(r.status).toBe("fail");
  expect(r.message).toMatch(
    /^1 container\(s\) above 70 % of their CPU limit: mcpu-spin\.1\.\w+: 0\.(1[5-9]|2\d) of 0\.2 CPU \((7[5-9]|[89]\d|1[01]\d) %, throttled in \d+ % of periods since start\)$/,
  );
  expect(r.expected).toBe("every container at most 70 % of its service's cpus over 5 s");
});

test("a container holding 60 MiB of its 64 MiB fails docker.memory-usage naming it and its working set", async () => {
  const r = await check(memoryUsageCheck, SERVICES.idle, SERVICES.full);
  expect(r.status).toBe("fail");
  expect(r.message).toMatch(/^1 memory problem\(s\): mcpu-full\.1\.\w+: working set 6[0-3]\.\d MiB of 64\.0 MiB \(9[4-9] %\)$/);
});

test("a service the kernel OOM-kills fails docker.memory-usage naming the killed task", async () => {
  const r = await check(memoryUsageCheck, SERVICES.oom);
  expect(r.status).toBe("fail");
  expect(r.message).toMatch(/memory problem\(s\): mcpu-oom: task \w{12} \(slot 1\) OOM-killed at \d{4}-\d\d-\d\dT/);
  expect(r.measurements?.oomKilled).toBeGreaterThanOrEqual(1);
});

test("a declared service with no task on the engine: both skip at once, pointing at docker.running", async () => {
  const t0 = Date.now();
  const none = declared("mcpu-none");
  for (const c of [memoryUsageCheck, cpuUsageCheck]) {
    const r = await check(c, none);
    expect(`${r.status} ${r.message}`).toBe(
      `skip no running task container of the stack's 1 service(s) on the engine at ${engine.host} (docker.running reports why)`,
    );
  }
  expect(Date.now() - t0).toBeLessThan(3000);
});

test("working set and cores from raw engine counters", () => {
  expect(workingSetBytes({ read: "", memory_stats: { usage: 100, stats: { total_inactive_file: 30 } } })).toBe(70);
  expect(workingSetBytes({ read: "", memory_stats: { usage: 100, stats: { inactive_file: 40 } } })).toBe(60);
  expect(workingSetBytes({ read: "" })).toBeUndefined();
  const at = (ms: number, ns: number) => ({ read: new Date(ms).toISOString(), cpu_stats: { cpu_usage: { total_usage: ns } } });
  expect(coresBetween(at(0, 0), at(2000, 1e9))).toBe(0.5);
  expect(coresBetween(at(0, 0), at(0, 1e9))).toBeUndefined();
});
