/** The workload view on the fixture stacks' real registrations: what each adapter reads, and what it says it cannot know. */
import type { CollectedResource } from "../../preflight/collect";
import { toView } from "../../preflight/inprocess";
import { service, spec, task } from "../../preflight/mutations";
import { workloadOf, workloadsOf, WORKLOAD_TYPES, replicaCount } from "../../policies/lib/workloads";
import { CONTAINER_TYPE, container, fixtureStack, SERVICE_TYPE } from "./fixture-stacks";

let svc: CollectedResource[];
let ctr: CollectedResource[];
beforeAll(async () => {
  svc = await fixtureStack("service");
  ctr = await fixtureStack("container");
}, 60000);

const outputs = (rs: CollectedResource[]) => rs.map((r) => toView(r, true));

test("WORKLOAD_TYPES are the container and the swarm service", () => {
  expect([...WORKLOAD_TYPES].sort()).toEqual([CONTAINER_TYPE, SERVICE_TYPE].sort());
});

test("a service's files: modes and owners from the mount; content only with the stack's configs and secrets", () => {
  const redis = service(svc, "redis");
  const alone = workloadOf(toView(redis));
  expect(alone.files.known && alone.files.value.map((f) => [f.path, f.source, f.mode, f.uid, f.gid, f.contentStatus])).toEqual([
    ["/etc/redis/redis.conf", "config", "0444", "999", "1000", "unresolved"],
    ["/run/secrets/redis-auth.conf", "secret", "0400", "999", "1000", "unresolved"],
  ]);
  const inStack = workloadsOf(outputs(svc), "redis")[0];
  expect(inStack.files.known && inStack.files.value.map((f) => [f.contentStatus, f.ref?.declared])).toEqual([
    ["known", true],
    ["known", true],
  ]);
});

test("a reference by ID alone resolves through the ID in the object's outputs", () => {
  const rs = structuredClone(svc);
  spec(service(rs, "redis"), (cs) => void (cs.configs = (cs.configs as Record<string, unknown>[]).map(({ configName: _, ...rest }) => rest) as never));
  const w = workloadsOf(outputs(rs), "redis")[0];
  expect(w.files.known && w.files.value[0]).toMatchObject({ path: "/etc/redis/redis.conf", contentStatus: "known", ref: { declared: true } });
});

test("swarm defaults are read as swarm applies them: no restart policy restarts forever, an unset publish mode is the routing mesh", () => {
  const rs = structuredClone(svc);
  task(service(rs, "nginx"), (ts) => void delete ts.restartPolicy);
  const nginx = workloadOf(toView(service(rs, "nginx")));
  expect(nginx.restart).toEqual({ known: true, value: { policy: "any", maxAttempts: undefined, window: undefined, defaulted: true } });
  expect(nginx.ports.known && nginx.ports.value.map((p) => [p.external, p.mode, p.ip])).toEqual([
    [80, "host", undefined],
    [443, "host", undefined],
  ]);
  expect(nginx.dnsNames).toEqual(expect.arrayContaining(["fx-nginx", "nginx", "tasks.nginx"]));
  expect(nginx.daemonEnforced.has("no-new-privileges")).toBe(true);
});

test("a container's uploads: the provider's defaults when unset (0644, root), content inline", () => {
  const rs = structuredClone(ctr);
  const c = container(rs, "prometheus");
  (c.inputs.uploads as Record<string, unknown>[])[0] = { file: "/etc/prometheus/prometheus.yml", content: "x: 1\n" };
  const w = workloadOf(toView(c));
  expect(w.files.known && w.files.value[0]).toMatchObject({ source: "upload", mode: "0644", uid: "0", gid: "0", contentStatus: "known", content: "x: 1\n" });
  expect(w.daemonEnforced.size).toBe(0);
  expect(w.replicas).toEqual({ known: true, value: 1 });
});

test("replicas: a service counts its replicas, containers one each", () => {
  expect(replicaCount(workloadsOf(outputs(svc), "app")).count).toBe(2);
  expect(replicaCount(workloadsOf(outputs(ctr), "app")).count).toBe(2);
});
