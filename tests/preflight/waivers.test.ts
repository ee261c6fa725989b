/**
 * Waivers in the policy config, applied by the real pack over gRPC: a violation on the waived
 * resource is reported at the advisory level and says until when and by whom; the same
 * violation on another resource stays mandatory; from the day after `expires` the waiver no
 * longer applies and the violation says so. The report shows a waived item as waived (who,
 * until when, why) in every format, never as a pass. A malformed waiver is a config error naming its key.
 */
import * as path from "path";
import type { CollectedResource } from "../../preflight/collect";
import { both } from "../../preflight/mutations";
import { resolvePolicyConfig } from "../../preflight/policy-config";
import { PreflightSession, stackInput } from "../../preflight/run";
import { parseWaived, waiverActive, type Waiver } from "../../policies/lib/waivers";
import { container, fixtureStack } from "../policies/fixture-stacks";
import { preflightFindingsSchema, type PreflightFindings } from "../../evidence/preflight";
import { formatJunit } from "../../preflight/format/junit";
import { formatSarif } from "../../preflight/format/sarif";
import { formatText } from "../../preflight/format/text";
import { sarifSchemaErrors } from "../../testing/sarif/schema";

const ROOT = path.resolve(__dirname, "../..");
const FUTURE = "2999-12-31";
const PAST = "2020-01-31";
const waiver = (resource: string, expires: string): Waiver => ({
  resource,
  expires,
  owner: "platform-team@example.com",
  justification: "Redis needs SYS_RESOURCE until the upstream image is fixed (TICKET-42)",
});

let session: PreflightSession;
let base: CollectedResource[];

beforeAll(async () => {
  const policyConfig = {
    "container-capabilities": { waivers: [waiver("fx-redis", FUTURE), waiver("fx-postgres", PAST)] },
  };
  [session, base] = await Promise.all([PreflightSession.start({ projectDir: ROOT, input: stackInput("prod", ROOT), policyConfig }), fixtureStack("container")]);
}, 120000);
afterAll(async () => {
  await session?.close();
});

test("waived, expired and unwaived violations of one policy", async () => {
  const rs = structuredClone(base);
  for (const name of ["redis", "postgres", "app-0"]) both(container(rs, name), (p) => void (p.capabilities = { drops: [] }));
  const diagnostics = (await session.diagnose(rs)).filter((d) => d.policyName === "container-capabilities");
  const of = (name: string) => diagnostics.filter((d) => d.urn === container(rs, name).urn);

  const [redis] = of("redis");
  expect(redis.enforcementLevel).toBe("advisory");
  expect(parseWaived(redis.message.split("\n").pop()!)).toEqual({
    expires: FUTURE,
    owner: "platform-team@example.com",
    message: "container fx-redis does not drop ALL capabilities",
  });

  const [postgres] = of("postgres");
  expect(postgres.enforcementLevel).toBe("mandatory");
  expect(postgres.message).toMatch(/does not drop ALL capabilities \[waiver by platform-team@example\.com expired 2020-01-31: it no longer applies\]/);

  expect(of("app-0").map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
});

test("a waiver holds through its last day (UTC) and not after", () => {
  const w = waiver("x", "2027-01-31");
  expect(waiverActive(w, new Date("2027-01-31T23:59:59Z"))).toBe(true);
  expect(waiverActive(w, new Date("2027-02-01T00:00:00Z"))).toBe(false);
});

describe("the policy config is checked before anything runs", () => {
  const info = () => session.info;
  test.each([
    [{ resource: "fx-redis", owner: "a", expires: FUTURE }, /"container-capabilities"\.waivers\[0\]\.justification: /],
    [{ ...waiver("fx-redis", "2027-02-30") }, /"container-capabilities"\.waivers\[0\]\.expires: not a calendar date/],
    [{ ...waiver("fx-redis", "31.01.2027") }, /"container-capabilities"\.waivers\[0\]\.expires: a date like 2027-01-31/],
    [{ ...waiver("fx-redis", FUTURE), reason: "x" }, /"container-capabilities"\.waivers\[0\]: Unrecognized key: "reason"/],
  ])("%j", (w, expected) => {
    expect(() => resolvePolicyConfig(info(), { "container-capabilities": { waivers: [w] } } as never)).toThrow(expected);
  });
  test("a well-formed waiver list passes", () => {
    const resolved = resolvePolicyConfig(info(), { "container-capabilities": { waivers: [waiver("fx-redis", FUTURE)] } } as never);
    expect(resolved["container-capabilities"].properties.waivers).toHaveLength(1);
  });
});

describe("the report: waived items say so, with who and until when, and never read as a pass", () => {
  let waivedOnly: PreflightFindings;
  beforeAll(async () => {
    const rs = structuredClone(base);
    both(container(rs, "redis"), (p) => void (p.capabilities = { drops: [] }));
    waivedOnly = await session.analyze(rs);
  });

  test("an item whose only violation is waived is waived, and does not block", () => {
    const item = waivedOnly.items.find((i) => i.policies.includes("container-capabilities"))!;
    expect(item.status).toBe("waived");
    expect(item.violations).toEqual([
      expect.objectContaining({
        policy: "container-capabilities",
        resourceName: "fx-redis",
        message: "container fx-redis does not drop ALL capabilities",
        waiver: { owner: "platform-team@example.com", expires: FUTURE, justification: waiver("x", FUTURE).justification },
      }),
    ]);
    expect(waivedOnly.violations.filter((v) => v.policy === "container-capabilities" && !v.waiver)).toEqual([]);
    expect(preflightFindingsSchema.safeParse(waivedOnly).error?.issues ?? []).toEqual([]);
  });

  test("an expired waiver's violation and an unwaived one keep the item violated", async () => {
    const rs = structuredClone(base);
    for (const name of ["redis", "postgres"]) both(container(rs, name), (p) => void (p.capabilities = { drops: [] }));
    const report = await session.analyze(rs);
    const item = report.items.find((i) => i.policies.includes("container-capabilities"))!;
    expect(item.status).toBe("violated");
    expect(item.violations.map((v) => [v.resourceName, v.enforcementLevel, !!v.waiver])).toEqual([
      ["fx-redis", "advisory", true],
      ["fx-postgres", "mandatory", false],
    ]);
  });

  test("text, JUnit and SARIF show the waiver", () => {
    const text = formatText(waivedOnly);
    expect(text).toMatch(/SEC-CONTAINER-04\s+waived/);
    expect(text).toContain(`~ [waived] container-capabilities on fx-redis: container fx-redis does not drop ALL capabilities`);
    expect(text).toContain(`waived until ${FUTURE} by platform-team@example.com: Redis needs SYS_RESOURCE`);
    expect(text).toMatch(/\d+ waived, /);
    const junit = formatJunit(waivedOnly);
    expect(junit).toMatch(/<testcase[^>]*SEC-CONTAINER-04[^>]*>\s*<skipped\/>/);
    const sarif = JSON.parse(
      formatSarif(waivedOnly, session.info, { locations: { resources: {}, stackFile: { uri: "Pulumi.prod.yaml", startLine: 1 } }, helpUriBase: "file:///x/" }),
    );
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === "container-capabilities");
    expect(result.suppressions).toEqual([
      { kind: "external", status: "accepted", justification: expect.stringContaining(`platform-team@example.com, until ${FUTURE}`) },
    ]);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
  });
});
