/**
 * The real pack as its own process, driven through gRPC the way the engine drives it, on the
 * fixture stacks the programs of tests/policies/fixture-programs.ts register under the mock
 * runtime: every policy on a swarm service and on a container (the cases of
 * tests/policies/cases.ts: silent on the compliant stack, firing at its level on the
 * one-change variant, or not applicable with the reason the engine is given), the
 * engine-protocol details (enforcement levels, AnalyzerResourceOptions, unknowns, secrets),
 * and that the pack process never outlives its session.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import type { CollectedResource } from "../../preflight/collect";
import { AnalyzerHarness } from "../../preflight/harness";
import { buildPack } from "../../preflight/pack-build";
import { startEngineStub, startPack } from "../../preflight/pack-process";
import { PreflightSession, stackInput } from "../../preflight/run";
import { UNKNOWN_STRING } from "../../preflight/engine-encoding";
import { editSecret, service, spec } from "../../preflight/mutations";
import { exitCodeFor } from "../../preflight/report";
import { ALL_POLICIES } from "../../policies/pack";
import { CASES, fires, KINDS } from "../policies/cases";
import { FIXTURE_SECRETS } from "../policies/fixture-files";
import { CONTAINER_TYPE, fixtureStack, policy, SERVICE_TYPE, type Kind } from "../policies/fixture-stacks";
import { processAlive } from "../../local/pids";

const ROOT = path.resolve(__dirname, "../..");
const TYPE: Record<Kind, string> = { service: SERVICE_TYPE, container: CONTAINER_TYPE };

let session: PreflightSession;
const bases = new Map<Kind, CollectedResource[]>();
const base = (kind: Kind) => structuredClone(bases.get(kind)!);

beforeAll(async () => {
  // The prod stack config (environment prod, edge 0.0.0.0:80/443) reaches the pack as PULUMI_CONFIG.
  [session] = await Promise.all([
    PreflightSession.start({ projectDir: ROOT, input: stackInput("prod", ROOT), policyConfig: {} }),
    ...KINDS.map(async (k) => bases.set(k, await fixtureStack(k))),
  ]);
}, 120000);
afterAll(async () => {
  await session?.close();
});

describe("the fixture stacks through the real pack", () => {
  test("the swarm stack passes every item, exit 0", async () => {
    const report = await session.analyze(base("service"));
    expect(report.violations).toEqual([]);
    expect(report.items.filter((i) => i.status !== "pass")).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
    expect(report.policyPack).toEqual({ name: "mcp-production-checklist", version: "1.0.0" });
    expect(report.resources).toEqual(base("service").map((r) => ({ type: r.type, name: r.name })));
  });

  test("the container stack is blocked by exactly the rules a container cannot meet", async () => {
    const report = await session.analyze(base("container"));
    expect([...new Set(report.violations.map((v) => v.policy))].sort()).toEqual(["container-uploads-read-only", "secrets-as-docker-secrets"]);
    expect(exitCodeFor(report)).toBe(1);
  });

  const rows = KINDS.flatMap((kind) => ALL_POLICIES.map((p) => [p.meta.name, kind] as const));
  describe.each(rows)("%s on the %s stack", (name, kind) => {
    const c = CASES[name]?.[kind];
    const level = policy(name).meta.enforcementLevel;
    if (c && fires(c)) {
      test("does not fire on the compliant stack", async () => {
        const rs = base(kind);
        c.pass?.(rs);
        const report = await session.analyze(rs);
        expect(report.violations.filter((v) => v.policy === name)).toEqual([]);
      });
      test(`fires on the one-change variant at its level (${level}), with its remediation`, async () => {
        const rs = base(kind);
        c.fire(rs);
        const report = await session.analyze(rs);
        const mine = report.violations.filter((v) => v.policy === name);
        expect(mine.map((v) => v.message).join("\n")).toMatch(c.expect);
        expect(mine.every((v) => v.enforcementLevel === level && !!v.remediation)).toBe(true);
        for (const item of policy(name).meta.checklistIds)
          expect({ item, status: report.items.find((i) => i.itemId === item)?.status }).toEqual({ item, status: "violated" });
      });
    } else if (c) {
      test(`cannot concern a ${kind}: ${c.cannot}`, async () => {
        const rs = base(kind);
        c.tryBreak?.(rs);
        const { diagnostics, notApplicable } = await session.diagnoseWithReasons(rs);
        expect(diagnostics.filter((d) => d.policyName === name && d.enforcementLevel === "mandatory")).toEqual([]);
        if (c.notApplicable) {
          const workloads = rs.filter((r) => r.type === TYPE[kind]).map((r) => r.urn);
          const reasons = notApplicable.filter((n) => n.policyName === name && workloads.includes(n.urn ?? ""));
          expect(reasons.map((n) => n.urn).sort()).toEqual([...workloads].sort());
          for (const n of reasons) expect(n.reason).toMatch(c.notApplicable);
        }
      });
    }
  });

  test("an unknown value arrives as the engine's sentinel and makes the item undecidable, not a pass", async () => {
    const rs = base("service");
    spec(service(rs, "redis"), (cs) => void (cs.user = UNKNOWN_STRING));
    const report = await session.analyze(rs);
    expect(report.mandatoryViolations).toBe(0);
    const item = report.items.find((i) => i.itemId === "SEC-CONTAINER-01")!;
    expect(item.status).toBe("undecidable");
    expect(item.undecidableReasons).toEqual(["container-non-root-user on fx-redis: user"]);
  });

  test("secret-wrapped values are seen in plaintext by the rules but never echoed", async () => {
    const rs = base("service");
    editSecret(rs, "/run/secrets/grafana-admin-password", () => "admin");
    const report = await session.analyze(rs);
    const v = report.violations.find((x) => x.policy === "default-passwords")!;
    expect(v.message).toContain("/run/secrets/grafana-admin-password");
    expect(JSON.stringify(report)).not.toMatch(/"admin"/);
    for (const k of KINDS) {
      const all = JSON.stringify(await session.diagnoseWithReasons(base(k)));
      for (const s of FIXTURE_SECRETS) expect(all.includes(s)).toBe(false);
    }
  });
});

describe("engine protocol details", () => {
  let engine: Awaited<ReturnType<typeof startEngineStub>>;
  let pack: Awaited<ReturnType<typeof startPack>>;
  let h: AnalyzerHarness;

  beforeAll(async () => {
    engine = await startEngineStub();
    pack = await startPack({ packDir: buildPack(ROOT).packDir, engineAddress: engine.address, env: { PULUMI_CONFIG: "{}" } });
    h = new AnalyzerHarness(pack.port);
  });
  afterAll(async () => {
    h?.close();
    await pack?.stop();
    await engine?.close();
  });

  test("the pack notes when it listened (its own clock), and the note stays out of its stderr", async () => {
    const before = Date.now();
    const engine2 = await startEngineStub();
    const p2 = await startPack({ packDir: buildPack(ROOT).packDir, engineAddress: engine2.address, env: { PULUMI_CONFIG: "{}" } });
    try {
      for (let i = 0; i < 100 && p2.readyAt() === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      expect(p2.readyAt()).toBeGreaterThanOrEqual(before);
      expect(p2.readyAt()).toBeLessThanOrEqual(Date.now());
      expect(p2.stderr()).not.toMatch(/mcp-pack-ready-at/);
    } finally {
      await p2.stop();
      await engine2.close();
    }
  });

  // Node 22.1 and later: before, NODE_COMPILE_CACHE is not read and the pack compiles every start.
  (typeof (require("module") as { flushCompileCache?: unknown }).flushCompileCache === "function" ? test : test.skip)(
    "given a compile cache, the pack writes it once it listens, though it is stopped by a signal, and the next start reads it back",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-compile-cache-"));
      // Node writes each entry to a dot-named file, then renames them all.
      const entries = () => fs.readdirSync(dir).flatMap((v) => fs.readdirSync(path.join(dir, v)).filter((f) => !f.startsWith(".")));
      const engine2 = await startEngineStub();
      try {
        const start = (env: Record<string, string> = {}) =>
          startPack({ packDir: buildPack(ROOT).packDir, engineAddress: engine2.address, env: { PULUMI_CONFIG: "{}", ...env }, compileCacheDir: dir });
        const p1 = await start();
        // Written when it has not changed for 200 ms.
        for (let i = 0, last = -1; i < 50 && (entries().length < 100 || entries().length !== last); i++) {
          last = entries().length;
          await new Promise((r) => setTimeout(r, 200));
        }
        await p1.stop();
        // The @pulumi/pulumi runtime and the pack's own modules, at least.
        expect(entries().length).toBeGreaterThan(100);
        // Node's own account of each module it loads from the cache.
        const p2 = await start({ NODE_DEBUG_NATIVE: "COMPILE_CACHE" });
        await p2.stop();
        expect(p2.stderr()).toMatch(/V8 code cache for CommonJS \S+ was accepted/);
        expect(p2.stderr()).not.toMatch(/was rejected/);
      } finally {
        await engine2.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test("GetAnalyzerInfo lists every policy with its checklist IDs, remediation and level", async () => {
    const info = await h.getAnalyzerInfo();
    const p = info.policies.find((x) => x.name === "container-no-privileged")!;
    expect(p).toMatchObject({ enforcementLevel: "mandatory", kind: "resource", severity: "critical" });
    expect(p.tags).toContain("SEC-CONTAINER-02");
    expect(p.remediation).toMatch(/privileged/);
    expect(Object.keys(p.configSchema ?? {})).toContain("unknownValues");
  });

  test("a PolicyConfig without enforcementLevel silently turns a mandatory policy advisory (why Configure always sets it)", async () => {
    const r = structuredClone(base("container").find((x) => x.name === "fx-redis")!);
    r.inputs.privileged = true;
    const providers = new Map<string, CollectedResource>();
    const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const pc = new analyzerproto.PolicyConfig();
    pc.setProperties(Struct.fromJavaScript({}));
    req.getPolicyconfigMap().set("container-no-privileged", pc);
    await new Promise<void>((res, rej) =>
      (h as unknown as { client: { configure(r: unknown, cb: (e: unknown) => void): void } }).client.configure(req, (e) => (e ? rej(e) : res())),
    );
    const lowered = await h.analyze(r, providers);
    expect(lowered.find((d) => d.policyName === "container-no-privileged")?.enforcementLevel).toBe("advisory");
    await h.configure({ "container-no-privileged": { enforcementLevel: "mandatory", properties: {} } });
    const kept = await h.analyze(r, providers);
    expect(kept.find((d) => d.policyName === "container-no-privileged")?.enforcementLevel).toBe("mandatory");
  });

  test("a policy's properties follow each Configure on a running pack: a waiver given, then taken back (also by leaving the policy out)", async () => {
    const r = structuredClone(base("container").find((x) => x.name === "fx-redis")!);
    r.inputs.privileged = true;
    const providers = new Map<string, CollectedResource>();
    const level = async () => (await h.analyze(r, providers)).find((d) => d.policyName === "container-no-privileged");
    const waivers = [{ resource: "fx-redis", justification: "a test of reconfiguration", owner: "platform-team@example.com", expires: "2999-12-31" }];
    await h.configure({ "container-no-privileged": { enforcementLevel: "mandatory", properties: {} } });
    expect((await level())?.enforcementLevel).toBe("mandatory");
    await h.configure({ "container-no-privileged": { enforcementLevel: "mandatory", properties: { waivers } } });
    expect(await level()).toMatchObject({
      enforcementLevel: "advisory",
      message: expect.stringMatching(/\[waived until 2999-12-31 by platform-team@example\.com\]/),
    });
    await h.configure({ "container-no-privileged": { enforcementLevel: "mandatory", properties: {} } });
    expect((await level())?.enforcementLevel).toBe("mandatory");
    // Taken back by a config that no longer names the policy at all.
    await h.configure({ "container-no-privileged": { enforcementLevel: "mandatory", properties: { waivers } } });
    expect((await level())?.enforcementLevel).toBe("advisory");
    await h.configure({});
    expect((await level())?.enforcementLevel).toBe("mandatory");
  });

  test("an AnalyzeRequest without AnalyzerResourceOptions is refused, as seen with old engines", async () => {
    const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(CONTAINER_TYPE);
    req.setProperties(Struct.fromJavaScript({ privileged: true }));
    req.setUrn("urn:pulumi:test::p::docker:index/container:Container::x");
    req.setName("x");
    const err = await new Promise<grpc.ServiceError | null>((res) =>
      (h as unknown as { client: { analyze(r: unknown, cb: (e: grpc.ServiceError | null) => void): void } }).client.analyze(req, (e) => res(e)),
    );
    expect(err?.message).toMatch(/more recent version of the Pulumi CLI/);
  });

  test("Handshake is optional (this pack predates it) and ConfigureStack is accepted", async () => {
    expect(typeof (await h.handshake(engine.address, ROOT, ROOT))).toBe("boolean");
    await expect(
      h.configureStack({ stack: "prod", project: "p", organization: "o", dryRun: true, config: {}, secretKeys: [], tags: { owner: "ops" } }),
    ).resolves.toBeUndefined();
  });
});

describe("pack process lifecycle", () => {
  test("the pack is gone after the session closes", async () => {
    const s = await PreflightSession.start({ projectDir: ROOT, input: stackInput("dev", ROOT), policyConfig: {} });
    const pid = (s as unknown as { pack: { pid: number } }).pack.pid;
    expect(processAlive(pid)).toBe(true);
    await s.close();
    expect(processAlive(pid)).toBe(false);
  });

  test("a pack that prints something before its port is refused and killed", async () => {
    const fs = require("fs") as typeof import("fs");
    const os = require("os") as typeof import("os");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-pack-"));
    try {
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bad", version: "1.0.0" }));
      fs.writeFileSync(path.join(dir, "index.js"), `console.log("hello"); setInterval(() => {}, 1000);`);
      const engine = await startEngineStub();
      try {
        await expect(startPack({ packDir: dir, engineAddress: engine.address, env: {}, timeoutMs: 20000 })).rejects.toThrow(
          /printed "hello" where its port was expected/,
        );
      } finally {
        await engine.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a pack that crashes at startup is reported with its stderr", async () => {
    const fs = require("fs") as typeof import("fs");
    const os = require("os") as typeof import("os");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "crash-pack-"));
    try {
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "crash", version: "1.0.0" }));
      fs.writeFileSync(path.join(dir, "index.js"), `throw new Error("policy module broken")`);
      const engine = await startEngineStub();
      try {
        await expect(startPack({ packDir: dir, engineAddress: engine.address, env: {}, timeoutMs: 20000 })).rejects.toThrow(/policy module broken/);
      } finally {
        await engine.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
