/**
 * The real pack as its own process, driven through gRPC the way the engine drives it, on the
 * hand-written fixture stack: one end-to-end case per policy group, the engine-protocol
 * details (enforcement levels, AnalyzerResourceOptions, unknowns, secrets), and that the
 * pack process never outlives its session.
 */
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import type { CollectedResource } from "../../preflight/collect";
import { AnalyzerHarness } from "../../preflight/harness";
import { buildPack } from "../../preflight/pack-build";
import { startEngineStub, startPack } from "../../preflight/pack-process";
import { PreflightSession, stackInput } from "../../preflight/run";
import { UNKNOWN_STRING } from "../../preflight/engine-encoding";
import { exitCodeFor } from "../../preflight/report";
import { addEnv, find, FixtureResource, goodStack, setUpload, NGINX_CONF, T } from "../policies/fixtures";

const ROOT = path.resolve(__dirname, "../..");

const collected = (stack: FixtureResource[]): CollectedResource[] =>
  stack.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs: structuredClone(r.props),
    outputs: structuredClone(r.props),
    options: { protect: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [], customTimeouts: { create: 0, update: 0, delete: 0 } },
  }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let session: PreflightSession;

beforeAll(async () => {
  // The prod stack config (environment prod, edge 0.0.0.0:80/443) reaches the pack as PULUMI_CONFIG.
  session = await PreflightSession.start({ projectDir: ROOT, input: stackInput("prod", ROOT), policyConfig: {} });
});
afterAll(async () => {
  await session?.close();
});

describe("the fixture stack through the real pack", () => {
  test("compliant stack: every policy item passes, exit 0", async () => {
    const report = await session.analyze(collected(goodStack()));
    expect(report.violations).toEqual([]);
    expect(report.items.filter((i) => i.status !== "pass")).toEqual([]);
    expect(exitCodeFor(report)).toBe(0);
    expect(report.policyPack).toEqual({ name: "mcp-production-checklist", version: "1.0.0" });
  });

  // One end-to-end variant per policy group (the mutation corpus covers every policy on the real program).
  const GROUPS: [string, string, string, (s: FixtureResource[]) => void][] = [
    ["container-security", "container-no-privileged", "SEC-CONTAINER-02", (s) => (find(s, "app-0").props.privileged = true)],
    ["network", "container-published-ports", "SEC-NET-01", (s) => (find(s, "postgres").props.ports = [{ internal: 5432, external: 5432, ip: "0.0.0.0", protocol: "tcp" }])],
    ["images", "image-pinned", "ROLLBACK-STEPS-01", (s) => (s.find((r) => r.type === T.image)!.props.name = "postgres:latest")],
    ["secrets", "container-env-secrets", "SEC-DATA-02", (s) => addEnv(find(s, "app-0"), "DB_PASSWORD=Zq8-Lm2_Xv7.Tr4~Ns9!Pk3#Wd6%Hb1^")],
    ["logging", "container-log-rotation", "MON-LOG-04", (s) => (find(s, "redis").props.logOpts = {})],
    ["services", "redis-auth", "PRE-SEC-04", (s) => (find(s, "redis").props.command = ["redis-server", "/etc/redis/redis.conf", "--protected-mode", "no"])],
    ["edge", "nginx-rate-limit", "PRE-SEC-03", (s) => setUpload(find(s, "nginx"), "/etc/nginx/nginx.conf", NGINX_CONF.replace("limit_req zone=per_ip burst=40;", ""))],
    ["monitoring", "prometheus-retention", "DEP-MON-05", (s) => (find(s, "prometheus").props.command = ["--config.file=/etc/prometheus/prometheus.yml"])],
    ["backup", "backup-encryption", "SEC-DATA-09", (s) => addEnv(find(s, "backup"), "MCP_BACKUP_NO_ENCRYPTION=1")],
    ["availability", "ha-app-replicas", "HA-REDUNDANCY-01", (s) => s.splice(s.indexOf(find(s, "app-1")), 1)],
  ];
  test.each(GROUPS)("group %s: %s fires for %s", async (_g, policy, item, breakIt) => {
    const stack = goodStack();
    breakIt(stack);
    const report = await session.analyze(collected(stack));
    expect(report.violations.filter((v) => v.policy === policy && v.enforcementLevel === "mandatory").length).toBeGreaterThan(0);
    expect(report.items.find((i) => i.itemId === item)?.status).toBe("violated");
    expect(exitCodeFor(report)).toBe(1);
    // Remediation travels from the pack's PolicyInfo into the report.
    expect(report.violations.find((v) => v.policy === policy)?.remediation).toBeTruthy();
  });

  test("an unknown value arrives as the engine's sentinel and makes the item undecidable, not a pass", async () => {
    const stack = goodStack();
    find(stack, "redis").props.user = UNKNOWN_STRING;
    const report = await session.analyze(collected(stack));
    expect(report.mandatoryViolations).toBe(0);
    const item = report.items.find((i) => i.itemId === "SEC-CONTAINER-01")!;
    expect(item.status).toBe("undecidable");
    expect(item.undecidableReasons).toEqual(["container-non-root-user on mcp-test-redis: user"]);
  });

  test("secret-wrapped values are seen in plaintext by the rules but never echoed", async () => {
    const stack = goodStack();
    setUpload(find(stack, "grafana"), "/run/secrets/grafana-admin-password", "admin");
    const report = await session.analyze(collected(stack));
    const v = report.violations.find((x) => x.policy === "default-passwords")!;
    expect(v.message).toContain("/run/secrets/grafana-admin-password");
    expect(JSON.stringify(report)).not.toMatch(/"admin"/);
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

  test("GetAnalyzerInfo lists every policy with its checklist IDs, remediation and level", async () => {
    const info = await h.getAnalyzerInfo();
    const p = info.policies.find((x) => x.name === "container-no-privileged")!;
    expect(p).toMatchObject({ enforcementLevel: "mandatory", kind: "resource", severity: "critical" });
    expect(p.tags).toContain("SEC-CONTAINER-02");
    expect(p.remediation).toMatch(/privileged/);
    expect(Object.keys(p.configSchema ?? {})).toContain("unknownValues");
  });

  test("a PolicyConfig without enforcementLevel silently turns a mandatory policy advisory (why Configure always sets it)", async () => {
    const r = collected([find(goodStack(), "redis")])[0];
    r.inputs.privileged = true;
    const providers = new Map<string, CollectedResource>();
    const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const pc = new analyzerproto.PolicyConfig();
    pc.setProperties(Struct.fromJavaScript({}));
    req.getPolicyconfigMap().set("container-no-privileged", pc);
    await new Promise<void>((res, rej) => (h as unknown as { client: { configure(r: unknown, cb: (e: unknown) => void): void } }).client.configure(req, (e) => (e ? rej(e) : res())));
    const lowered = await h.analyze(r, providers);
    expect(lowered.find((d) => d.policyName === "container-no-privileged")?.enforcementLevel).toBe("advisory");
    await h.configure({ "container-no-privileged": { enforcementLevel: "mandatory", properties: {} } });
    const kept = await h.analyze(r, providers);
    expect(kept.find((d) => d.policyName === "container-no-privileged")?.enforcementLevel).toBe("mandatory");
  });

  test("an AnalyzeRequest without AnalyzerResourceOptions is refused, as seen with old engines", async () => {
    const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(T.container);
    req.setProperties(Struct.fromJavaScript({ privileged: true }));
    req.setUrn("urn:pulumi:test::p::docker:index/container:Container::x");
    req.setName("x");
    const err = await new Promise<grpc.ServiceError | null>((res) => (h as unknown as { client: { analyze(r: unknown, cb: (e: grpc.ServiceError | null) => void): void } }).client.analyze(req, (e) => res(e)));
    expect(err?.message).toMatch(/more recent version of the Pulumi CLI/);
  });

  test("Handshake is optional (this pack predates it) and ConfigureStack is accepted", async () => {
    expect(typeof (await h.handshake(engine.address, ROOT, ROOT))).toBe("boolean");
    await expect(h.configureStack({ stack: "prod", project: "p", organization: "o", dryRun: true, config: {}, secretKeys: [], tags: { owner: "ops" } })).resolves.toBeUndefined();
  });
});

describe("pack process lifecycle", () => {
  test("the pack is gone after the session closes", async () => {
    const s = await PreflightSession.start({ projectDir: ROOT, input: stackInput("dev", ROOT), policyConfig: {} });
    const pid = (s as unknown as { pack: { pid: number } }).pack.pid;
    expect(alive(pid)).toBe(true);
    await s.close();
    expect(alive(pid)).toBe(false);
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
        await expect(startPack({ packDir: dir, engineAddress: engine.address, env: {}, timeoutMs: 20000 })).rejects.toThrow(/printed "hello" where its port was expected/);
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
