/**
 * Remediations: the policies whose fix is mechanical (drop ALL capabilities, add log rotation,
 * bound restarts) return corrected properties from the engine's Remediate call when the policy
 * config runs them at `remediate`, the corrected resource then passes Analyze, and a value
 * someone chose (a log driver of none, added capabilities, a restart condition) is left alone
 * and still reported. Through the real pack over gRPC, and in process.
 */
import * as path from "path";
import type { CollectedResource } from "../../preflight/collect";
import { both, service, spec, task } from "../../preflight/mutations";
import { PreflightSession, stackInput } from "../../preflight/run";
import { ALL_POLICIES } from "../../policies/pack";
import { container, fixtureStack, policy, type Kind } from "../policies/fixture-stacks";
import { formatText } from "../../preflight/format/text";

const ROOT = path.resolve(__dirname, "../..");
const REMEDIABLE = ["container-capabilities", "container-log-rotation", "container-restart-policy"];
type Props = Record<string, unknown>;

let session: PreflightSession;
let mandatory: PreflightSession;
const bases = new Map<Kind, CollectedResource[]>();
const base = (kind: Kind) => structuredClone(bases.get(kind)!);

beforeAll(async () => {
  const input = stackInput("prod", ROOT);
  const atRemediate = Object.fromEntries(REMEDIABLE.map((p) => [p, { enforcementLevel: "remediate" as const }]));
  [session, mandatory] = await Promise.all([
    PreflightSession.start({ projectDir: ROOT, input, policyConfig: atRemediate }),
    PreflightSession.start({ projectDir: ROOT, input, policyConfig: {} }),
    ...(["service", "container"] as const).map(async (k) => void bases.set(k, await fixtureStack(k))),
  ]);
}, 120000);
afterAll(async () => {
  await Promise.all([session?.close(), mandatory?.close()]);
});

/** Remediate one resource, then Analyze the properties the pack returned. */
async function remediateAndAnalyze(rs: CollectedResource[], r: CollectedResource) {
  const { remediations } = await session.remediate(rs, r);
  const fixed = remediations.at(-1)?.properties;
  const after = fixed ? (await session.diagnose(rs.map((x) => (x === r ? { ...x, inputs: fixed } : x)))).filter((d) => d.urn === r.urn) : [];
  return { remediations, fixed: fixed as Props | undefined, after };
}

const get = (p: unknown, ...keys: string[]) => keys.reduce<unknown>((cur, k) => (cur as Props | undefined)?.[k], p);

test("the pack says which policies can remediate", () => {
  expect(
    ALL_POLICIES.filter((p) => p.meta.remediable)
      .map((p) => p.meta.name)
      .sort(),
  ).toEqual(REMEDIABLE);
});

describe("Remediate over gRPC, at the remediate level", () => {
  test("a container that drops nothing gets capabilities.drops ALL, and then passes", async () => {
    const rs = base("container");
    const redis = container(rs, "redis");
    both(redis, (p) => void (p.capabilities = { drops: [], adds: ["CHOWN"] }));
    const { remediations, fixed, after } = await remediateAndAnalyze(rs, redis);
    expect(remediations.map((x) => x.policyName)).toEqual(["container-capabilities"]);
    expect(get(fixed, "capabilities")).toEqual({ drops: ["ALL"], adds: ["CHOWN"] });
    expect(after.filter((d) => d.policyName === "container-capabilities")).toEqual([]);
  });

  test("a service without a max-file gets the program's, keeping its max-size", async () => {
    const rs = base("service");
    const nginx = service(rs, "nginx");
    task(nginx, (ts) => void (ts.logDriver = { name: "json-file", options: { "max-size": "50m" } }));
    const { fixed, after } = await remediateAndAnalyze(rs, nginx);
    expect(get(fixed, "taskSpec", "logDriver")).toEqual({ name: "json-file", options: { "max-size": "50m", "max-file": "5" } });
    expect(after.filter((d) => d.policyName === "container-log-rotation")).toEqual([]);
  });

  test("a service restarting without a bound gets maxAttempts and a window, keeping its condition", async () => {
    const rs = base("service");
    const app = service(rs, "app");
    task(app, (ts) => void (ts.restartPolicy = { condition: "on-failure", maxAttempts: 0 }));
    const { fixed, after } = await remediateAndAnalyze(rs, app);
    expect(get(fixed, "taskSpec", "restartPolicy")).toEqual({ condition: "on-failure", delay: "5s", maxAttempts: 5, window: "2m" });
    expect(after.filter((d) => d.policyName === "container-restart-policy")).toEqual([]);
  });

  test("the other properties come back unchanged", async () => {
    const rs = base("service");
    const redis = service(rs, "redis");
    spec(redis, (cs) => void (cs.capDrops = ["NET_RAW"]));
    const { fixed } = await remediateAndAnalyze(rs, redis);
    expect(get(fixed, "taskSpec", "containerSpec", "capDrops")).toEqual(["NET_RAW", "ALL"]);
    const strip = (p: Props) =>
      JSON.stringify({ ...p, taskSpec: { ...(p.taskSpec as Props), containerSpec: { ...get(p, "taskSpec", "containerSpec")!, capDrops: 0 } } });
    expect(strip(fixed!)).toEqual(strip(redis.inputs as Props));
  });

  test("a choice is not overwritten: log driver none and an explicit restart policy stay, and are still mandatory violations", async () => {
    const rs = base("container");
    const app = container(rs, "app-0");
    both(app, (p) => {
      p.logDriver = "none";
      p.restart = "no";
    });
    const { remediations } = await session.remediate(rs, app);
    expect(remediations).toEqual([]);
    const diagnostics = (await session.diagnose(rs)).filter((d) => d.urn === app.urn && REMEDIABLE.includes(d.policyName));
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel]).sort()).toEqual([
      ["container-log-rotation", "mandatory"],
      ["container-restart-policy", "mandatory"],
    ]);
  });

  test("a compliant resource is not remediated", async () => {
    const rs = base("service");
    for (const r of rs) expect({ r: r.name, remediations: (await session.remediate(rs, r)).remediations }).toEqual({ r: r.name, remediations: [] });
  });

  test("at the mandatory level the pack does not remediate: it reports", async () => {
    const rs = base("container");
    const redis = container(rs, "redis");
    both(redis, (p) => void (p.capabilities = { drops: [], adds: [] }));
    const { remediations, notApplicable } = await mandatory.remediate(rs, redis);
    expect(remediations).toEqual([]);
    expect(notApplicable).toEqual([]);
  });
});

describe("in process", () => {
  test("remediate() returns a corrected copy and leaves the resource as it was", async () => {
    const rs = base("container");
    const redis = container(rs, "redis");
    both(redis, (p) => void (p.capabilities = { drops: [] }));
    const before = JSON.stringify(redis.inputs);
    const p = policy("container-capabilities");
    const view = { type: redis.type, name: redis.name, urn: redis.urn, props: redis.inputs as Props };
    const fixed = p.meta.kind === "resource" && "remediate" in p ? p.remediate?.(view) : undefined;
    expect(get(fixed, "capabilities", "drops")).toEqual(["ALL"]);
    expect(JSON.stringify(redis.inputs)).toBe(before);
  });
});

describe("the preflight report", () => {
  test("at remediate, the fix is applied before Analyze and reported; at mandatory the same stack is blocked", async () => {
    const rs = base("container");
    both(container(rs, "redis"), (p) => void (p.capabilities = { drops: [], adds: [] }));
    const remediated = await session.analyze(rs);
    expect(remediated.remediations).toEqual([
      { policy: "container-capabilities", urn: container(rs, "redis").urn, resourceName: "fx-redis", properties: ["capabilities.drops"] },
    ]);
    expect(remediated.violations.filter((v) => v.policy === "container-capabilities")).toEqual([]);
    expect(formatText(remediated)).toContain("+ container-capabilities on fx-redis: set capabilities.drops");
    const blocked = await mandatory.analyze(rs);
    expect(blocked.remediations).toBeUndefined();
    expect(blocked.violations.filter((v) => v.policy === "container-capabilities").map((v) => v.enforcementLevel)).toEqual(["mandatory"]);
  });
});
