/**
 * The mutation corpus on the real prod program: each single-change variant makes the
 * preflight exit 1 and names the right policy and checklist item. The program runs once
 * and one pack process analyzes every variant (the pack holds no per-resource state);
 * variants that change stack config get their own run, since the pack reads stack config
 * from its environment at start.
 */
import * as path from "path";
import { CollectedResource, ProgramRun, runProgram } from "../../preflight/collect";
import { cloneResources, Mutation, MUTATIONS, NON_BLOCKING } from "../../preflight/mutations";
import { readPolicyConfigFile } from "../../preflight/policy-config";
import { exitCodeFor } from "../../preflight/report";
import { PreflightSession, runPreflight, stackInput } from "../../preflight/run";

const ROOT = path.resolve(__dirname, "../..");
const POLICY_CONFIG = path.join(ROOT, "policies", "policy-config.prod.json");

let session: PreflightSession;
let base: ProgramRun;

beforeAll(async () => {
  const input = stackInput("prod", ROOT);
  [session, base] = await Promise.all([
    PreflightSession.start({ projectDir: ROOT, input, policyConfig: readPolicyConfigFile(POLICY_CONFIG) }),
    runProgram({ stack: "prod", config: input.config, secretKeys: input.secretKeys, projectDir: ROOT }),
  ]);
}, 120000);
afterAll(async () => {
  await session?.close();
});

test("the corpus has at least 100 blocking variants with distinct ids, covering every mandatory policy", () => {
  expect(MUTATIONS.length).toBeGreaterThanOrEqual(100);
  const ids = [...MUTATIONS, ...NON_BLOCKING].map((m) => m.id);
  expect(new Set(ids).size).toBe(ids.length);
  const mandatory = session.info.policies.filter((p) => session.policyConfig[p.name].enforcementLevel === "mandatory").map((p) => p.name);
  const covered = new Set(MUTATIONS.map((m) => m.policy));
  expect(mandatory.filter((p) => !covered.has(p))).toEqual([]);
});

test("every variant applies to the swarm stack the program declares, and changes it", () => {
  // Config variants change the stack config the program runs with instead.
  for (const m of [...MUTATIONS, ...NON_BLOCKING].filter((x) => !x.config)) {
    const rs = cloneResources(base.resources);
    m.apply(rs);
    expect({ id: m.id, changed: JSON.stringify(rs) !== JSON.stringify(base.resources) }).toEqual({ id: m.id, changed: true });
  }
});

test("every policy the pack serves, advisory ones included, has a variant that names it", () => {
  const named = new Set([...MUTATIONS, ...NON_BLOCKING].map((m) => m.policy));
  expect(session.info.policies.map((p) => p.name).filter((p) => !named.has(p))).toEqual([]);
});

test("the unmutated prod stack passes (the corpus baseline)", async () => {
  const report = await session.analyze(cloneResources(base.resources));
  expect(report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  expect(exitCodeFor(report)).toBe(0);
});

const inProcess = MUTATIONS.filter((m) => !m.config);
const withConfig = MUTATIONS.filter((m) => m.config);

function expectCaught(m: Mutation, report: Awaited<ReturnType<PreflightSession["analyze"]>>): void {
  expect({ id: m.id, exit: exitCodeFor(report) }).toEqual({ id: m.id, exit: 1 });
  const hits = report.violations.filter((v) => v.policy === m.policy && v.enforcementLevel === "mandatory");
  expect({ id: m.id, policyReported: hits.length > 0, reported: report.violations.map((v) => v.policy) }).toMatchObject({ id: m.id, policyReported: true });
  const item = report.items.find((i) => i.itemId === m.itemId);
  expect({ id: m.id, item: item?.status, itemPolicies: item?.policies.includes(m.policy) }).toEqual({ id: m.id, item: "violated", itemPolicies: true });
}

test.each(inProcess.map((m) => [m.id, m] as const))("variant %s is blocked", async (_id, m) => {
  const rs: CollectedResource[] = cloneResources(base.resources);
  m.apply(rs);
  expectCaught(m, await session.analyze(rs));
});

test.each(withConfig.map((m) => [m.id, m] as const))(
  "config variant %s is blocked (own program run and pack)",
  async (_id, m) => {
    const r = await runPreflight({ stack: "prod", projectDir: ROOT, policyConfigFile: POLICY_CONFIG, configOverrides: m.config, mutate: (rs) => m.apply(rs) });
    expectCaught(m, r.report);
    expect(r.exitCode).toBe(1);
  },
  120000,
);

describe("negative controls", () => {
  test("an advisory finding is reported but does not block", async () => {
    const m = NON_BLOCKING.find((x) => x.id === "deprecated-network-name")!;
    const rs = cloneResources(base.resources);
    m.apply(rs);
    const report = await session.analyze(rs);
    expect(report.violations.filter((v) => v.policy === m.policy).map((v) => v.enforcementLevel)).toEqual(["advisory"]);
    expect(report.items.find((i) => i.itemId === "DEP-CORE-01")?.status).toBe("violated");
    expect(exitCodeFor(report)).toBe(0);
  });

  test("a value unknown at preview is undecidable (and blocks with --fail-on-undecidable)", async () => {
    const m = NON_BLOCKING.find((x) => x.id === "unknown-user-at-preview")!;
    const rs = cloneResources(base.resources);
    m.apply(rs);
    const report = await session.analyze(rs);
    const item = report.items.find((i) => i.itemId === m.itemId)!;
    expect(item.status).toBe("undecidable");
    expect(item.undecidableReasons?.join()).toMatch(/container-non-root-user on mcp-prod-redis: user/);
    expect(exitCodeFor(report)).toBe(0);
    expect(exitCodeFor(report, { failOnUndecidable: true })).toBe(1);
  });

  test("a corpus entry whose target is gone fails loudly instead of passing", () => {
    const rs = cloneResources(base.resources).filter((r) => !r.name.endsWith("-redis"));
    expect(() => MUTATIONS.find((x) => x.id === "cap-all-redis")!.apply(rs)).toThrow(/no service with com.mcp.instance=redis/);
  });
});
