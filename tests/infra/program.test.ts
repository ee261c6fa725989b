/**
 * The Pulumi program under Pulumi's mock runtime, with the real Pulumi.<stack>.yaml files:
 * what it registers, how every swarm service is hardened and rolled out, where secrets go,
 * and that bad configuration fails before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../infra/config/stack-file";
import { byType, plainValue, ProgramError, RegisteredResource, runUnderMocks, TYPES } from "../../testing/pulumi-mocks";

/** Runs program/index.ts fresh (its own module registry) with a stack's config, plus overrides. */
async function runProgram(stack: string, overrides: Record<string, unknown> = {}) {
  const sf = readStackFile(stack);
  const engineConfig: Record<string, string> = { ...sf.engineConfig, "mcp:deployHooks": "false" };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete engineConfig[`mcp:${k}`];
    else engineConfig[`mcp:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  let exported: unknown;
  const result = await runUnderMocks({
    stack,
    engineConfig,
    secretKeys: sf.secretKeys,
    program: () => {
      jest.isolateModules(() => {
        exported = require("../../program");
      });
      return exported;
    },
  });
  return { ...result, exported: exported as Record<string, pulumi.Output<unknown>> };
}

const services = (rs: RegisteredResource[]) => byType(rs, TYPES.service);
const generatedSecrets = (rs: RegisteredResource[]) => rs.filter((r) => r.type === TYPES.password).map((r) => r.state.result as string);
/** Secret values arrive from the mock as Pulumi secret outputs; unwrap them. */
async function plain(values: unknown[]): Promise<string[]> {
  return new Promise((res) => pulumi.all(values as pulumi.Input<string>[]).apply((v) => res(v)));
}
const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
const labelMap = (ls: { label: string; value: string }[] = []) => Object.fromEntries(ls.map((l) => [l.label, l.value]));

describe("prod stack", () => {
  let run: Awaited<ReturnType<typeof runProgram>>;
  beforeAll(async () => {
    run = await runProgram("prod");
  });

  test("declares swarm services, secrets, configs, networks and volumes; no container and no image pull", () => {
    const names = Object.keys(services(run.resources)).sort();
    expect(names).toEqual(
      [
        "app",
        "postgres",
        "redis",
        "nginx",
        "prometheus",
        "alertmanager",
        "grafana",
        "postgres-exporter",
        "redis-exporter",
        "nginx-exporter",
        "node-exporter",
        "blackbox-exporter",
        "backup",
      ]
        .map((n) => `mcp-prod-${n}`)
        .sort(),
    );
    const types = new Set(run.resources.map((r) => r.type));
    expect(types.has(TYPES.container)).toBe(false);
    expect(types.has(TYPES.image)).toBe(false);
    expect(Object.keys(byType(run.resources, TYPES.secret)).length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(byType(run.resources, TYPES.config)).length).toBeGreaterThanOrEqual(15);
    expect(services(run.resources)["mcp-prod-app"].mode.replicated.replicas).toBe(3);
  });

  test("networks: encrypted overlays edge, egress and an internal one with no route out", () => {
    const nets = byType(run.resources, TYPES.network);
    expect(Object.keys(nets).sort()).toEqual(["mcp-prod-edge", "mcp-prod-egress", "mcp-prod-internal"]);
    for (const [name, n] of Object.entries(nets)) expect([name, n.driver, n.options.encrypted, n.attachable]).toEqual([name, "overlay", "true", false]);
    expect(nets["mcp-prod-internal"].internal).toBe(true);
    expect(nets["mcp-prod-edge"].internal).toBe(false);
  });

  test("data services are on the internal network only", () => {
    const s = services(run.resources);
    const netIds = Object.fromEntries(run.resources.filter((r) => r.type === TYPES.network).map((r) => [r.id, r.name]));
    for (const svc of ["postgres", "redis"]) {
      expect(s[`mcp-prod-${svc}`].taskSpec.networksAdvanceds.map((n: { id: string }) => netIds[n.id])).toEqual(["mcp-prod-internal"]);
    }
  });

  test("every service is hardened, limited, health-gated and rolls back by itself", () => {
    for (const [name, svc] of Object.entries(services(run.resources))) {
      const c = svc.taskSpec.containerSpec;
      const ctx = `service ${name}`;
      expect([ctx, c.user]).toEqual([ctx, expect.stringMatching(/^[1-9]\d*:\d+$/)]);
      expect([ctx, c.capDrops]).toEqual([ctx, ["ALL"]]);
      expect([ctx, c.readOnly]).toEqual([ctx, true]);
      const { limits, reservation } = svc.taskSpec.resources;
      expect([ctx, limits.memoryBytes > 0, limits.nanoCpus > 0, reservation.memoryBytes > 0, reservation.memoryBytes <= limits.memoryBytes]).toEqual([
        ctx,
        true,
        true,
        true,
        true,
      ]);
      expect([ctx, c.healthcheck.tests[0]]).toEqual([ctx, name === "mcp-prod-nginx-exporter" ? "NONE" : expect.stringMatching(/^CMD(-SHELL)?$/)]);
      const rp = svc.taskSpec.restartPolicy;
      expect([ctx, rp.condition, rp.maxAttempts > 0, rp.window]).toEqual([ctx, "any", true, "2m"]);
      expect([ctx, svc.updateConfig.failureAction, svc.updateConfig.parallelism, svc.updateConfig.monitor]).toEqual([ctx, "rollback", 1, "30s"]);
      expect([ctx, svc.rollbackConfig.failureAction]).toEqual([ctx, "pause"]);
      expect([ctx, svc.taskSpec.logDriver.name, svc.taskSpec.logDriver.options["max-size"], svc.taskSpec.logDriver.options["max-file"]]).toEqual([
        ctx,
        "json-file",
        "10m",
        "5",
      ]);
      const labels = labelMap(svc.labels);
      expect([ctx, labels["com.mcp.stack"], labels["com.mcp.service"]]).toEqual([ctx, "prod", expect.any(String)]);
      expect([ctx, labelMap(c.labels)["com.mcp.service"]]).toEqual([ctx, labels["com.mcp.service"]]);
      expect([ctx, c.image]).toEqual([ctx, expect.stringMatching(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/)]);
      expect([ctx, c.image]).toEqual([ctx, expect.not.stringMatching(/:latest$/)]);
      // `pulumi up` waits until every task runs healthy.
      expect([ctx, svc.convergeConfig.timeout]).toEqual([ctx, expect.stringMatching(/^\d+m$/)]);
    }
  });

  test("stateful services are pinned to the labelled node and replaced stop-first", () => {
    for (const [name, svc] of Object.entries(services(run.resources))) {
      const volumes = (svc.taskSpec.containerSpec.mounts ?? []).filter((m: { type: string }) => m.type === "volume");
      const constraints = svc.taskSpec.placement.constraints ?? [];
      if (volumes.length) {
        expect([name, constraints, svc.mode.replicated.replicas, svc.updateConfig.order]).toEqual([
          name,
          ["node.labels.com.mcp.stateful==true"],
          1,
          "stop-first",
        ]);
      } else expect([name, constraints]).toEqual([name, []]);
    }
    expect(services(run.resources)["mcp-prod-app"].updateConfig.order).toBe("start-first");
  });

  test("only Nginx publishes ports: 80 and 443, in host mode", () => {
    for (const [name, s] of Object.entries(services(run.resources))) {
      const ports = (s.endpointSpec.ports ?? []).map((p: { publishedPort: number; publishMode: string }) => `${p.publishedPort}/${p.publishMode}`).sort();
      expect([name, ports]).toEqual([name, name === "mcp-prod-nginx" ? ["443/host", "80/host"] : []]);
    }
  });

  test("generated secrets are long, with special characters, and never in an environment value", async () => {
    const pwInputs = Object.values(byType(run.resources, TYPES.password));
    expect(pwInputs).toHaveLength(8);
    for (const p of pwInputs) {
      expect(p.length).toBeGreaterThanOrEqual(32);
      expect(p.special).toBe(true);
    }
    const secrets = await plain(generatedSecrets(run.resources));
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const [name, s] of Object.entries(services(run.resources))) {
      for (const env of Object.values(s.taskSpec.containerSpec.env ?? {}))
        for (const v of secrets) expect([name, String(env).includes(v)]).toEqual([name, false]);
    }
  });

  test("secrets reach containers only as restricted files", async () => {
    // Only as Docker secrets: 0400, owned by the service user, under /run/secrets; never inside a config.
    const secrets = await plain(generatedSecrets(run.resources));
    const secretObjects = run.resources.filter((r) => r.type === TYPES.secret);
    const byId = new Map(secretObjects.map((r) => [r.id, plainValue(r.inputs)]));
    for (const cfg of Object.values(byType(run.resources, TYPES.config)))
      for (const v of secrets) expect([cfg.name, decode(cfg.data).includes(v)]).toEqual([cfg.name, false]);
    let mounted = 0;
    for (const [name, s] of Object.entries(services(run.resources))) {
      const c = s.taskSpec.containerSpec;
      const [uid, gid] = c.user.split(":");
      for (const ref of c.secrets ?? []) {
        mounted++;
        const obj = byId.get(ref.secretId);
        expect([name, ref.fileName, !!obj, ref.secretName === obj?.name]).toEqual([name, expect.stringMatching(/^\/run\/secrets\//), true, true]);
        expect([name, ref.fileName, ref.fileMode, ref.fileUid, ref.fileGid]).toEqual([name, ref.fileName, 0o400, uid, gid]);
      }
      for (const ref of c.configs ?? []) expect([name, ref.fileName, ref.fileMode & 0o222]).toEqual([name, ref.fileName, 0]);
    }
    expect(mounted).toBeGreaterThanOrEqual(16);
    const holding = [...byId.values()].filter((o) => secrets.some((v) => decode(o.data).includes(v)));
    expect(holding.length).toBeGreaterThanOrEqual(9);
    // Rotation is a rename: the Docker name carries a hash of path and content.
    for (const o of byId.values()) expect(o.name).toMatch(/^mcp-prod-[A-Za-z0-9_.-]+-[0-9a-f]{12}$/);
  });

  test("*_FILE variables point at mounted Docker secrets or configs", () => {
    for (const [name, s] of Object.entries(services(run.resources))) {
      const c = s.taskSpec.containerSpec;
      const files = new Set([...(c.secrets ?? []), ...(c.configs ?? [])].map((f: { fileName: string }) => f.fileName));
      for (const [k, v] of Object.entries(c.env ?? {})) {
        if (/_FILE$/.test(k)) expect([name, k, files.has(String(v))]).toEqual([name, k, true]);
      }
    }
  });

  test("outputs: URLs, inventory, .mcp.json, fingerprints; secrets only under `secrets`, marked secret", async () => {
    const o = run.outputs;
    expect(o.publicUrl).toBe("https://mcp.example.com");
    expect(o.mcpUrl).toBe("https://mcp.example.com/mcp");
    expect(o.healthUrl).toBe("https://mcp.example.com/health");
    expect(o.mcpJson.mcpServers["mcp-prod"]).toEqual({ type: "http", url: o.mcpUrl, headers: { Authorization: "Bearer ${MCP_TOKEN}" } });
    expect(o.claudeMcpAddCommand).toContain(`claude mcp add --transport http`);
    expect(o.claudeMcpAddCommand).toContain(o.mcpUrl);
    const app = o.services.find((s: { service: string }) => s.service === "app");
    expect([app.name, app.replicas, app.host]).toEqual(["mcp-prod-app", 3, "app"]);
    expect(o.internalEndpoints.app).toEqual({ host: "app", tasksHost: "tasks.app", port: 8080, replicas: 3 });
    expect(
      o.services
        .filter((s: { publishedPorts: string[] }) => s.publishedPorts.length > 0)
        .map((s: { service: string; publishedPorts: string[] }) => [s.service, s.publishedPorts]),
    ).toEqual([["nginx", ["80->8080/tcp (host)", "443->8443/tcp (host)"]]]);
    for (const fp of Object.values(o.secretFingerprints)) expect(fp).toMatch(/^[0-9a-f]{12}$/);
    expect(o.checklistVersion).toMatch(/171/);

    const secrets = await plain(generatedSecrets(run.resources));
    const { secrets: secretOutputs, ...publicOutputs } = o;
    const publicText = JSON.stringify(publicOutputs);
    for (const s of secrets) expect(publicText.includes(s)).toBe(false);
    expect(Object.values(secretOutputs).filter((v) => secrets.includes(v as string))).toHaveLength(6);
    expect(await pulumi.isSecret(pulumi.output(run.exported.secrets))).toBe(true);
    expect(await pulumi.isSecret(pulumi.output(run.exported.publicUrl))).toBe(false);
  });
});

describe("dev stack", () => {
  test("differs as configured: one replica, self-signed edge certificate", async () => {
    const run = await runProgram("dev");
    const app = services(run.resources)["mcp-dev-app"];
    expect(app.mode.replicated.replicas).toBe(1);
    expect(run.resources.some((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert" && r.name === "mcp-dev-edge-cert")).toBe(true);
    expect(app.taskSpec.resources.limits.memoryBytes).toBe(256 * 1024 * 1024);
  });
});

describe("bad configuration fails before any resource is registered", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["placeholder domain", { domain: "your_domain_here" }, /mcp:domain: "your_domain_here" is a placeholder/],
    ["changeme value", { grafana: { adminUser: "changeme" } }, /mcp:grafana\.adminUser: "changeme" is a placeholder/],
    ["default admin user", { grafana: { adminUser: "admin" } }, /mcp:grafana\.adminUser: "admin" is a well-known default value/],
    ["empty string", { domain: "" }, /mcp:domain: is empty|mcp:domain: "" is empty/],
    [":latest image", { images: { redis: "redis:latest" } }, /mcp:images\.redis: "redis:latest" uses :latest/],
    ["untagged image", { images: { postgres: "postgres" } }, /mcp:images\.postgres: "postgres" has no tag/],
    ["prod with one replica", { app: { replicas: 1 } }, /mcp:app\.replicas: prod needs at least 2 app replicas/],
    ["unknown key", { bogus: "x" }, /mcp:bogus: unknown key/],
    ["retention 0", { backup: { interval: "6h", retention: { keepLast: 0, maxAgeDays: 14 } } }, /mcp:backup\.retention\.keepLast: must keep at least 1 backup/],
    ["missing required key", { prometheus: undefined }, /mcp:prometheus: is required/],
  ];
  test.each(cases)("%s", async (_label, overrides, message) => {
    const err = (await runProgram("prod", overrides).then(
      () => undefined,
      (e: ProgramError) => e,
    )) as ProgramError;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(message);
    expect(err.registered).toEqual([]);
  });

  test("several problems are reported in ONE error, each naming its key", async () => {
    const err = await runProgram("prod", { domain: "changeme", app: { replicas: 1 }, images: { nginx: "nginx:latest" } }).catch((e: Error) => e);
    const msg = (err as Error).message;
    expect(msg).toMatch(/3 problems/);
    expect(msg).toMatch(/mcp:domain/);
    expect(msg).toMatch(/mcp:app\.replicas/);
    expect(msg).toMatch(/mcp:images\.nginx/);
  });

  test("a secret value is never echoed in a config error", async () => {
    const err = await runProgram("prod", { tlsCertificate: "not-a-pem-but-a-SECRET-VALUE-123" }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/mcp:tlsCertificate: is not a PEM block/);
    expect((err as Error).message).not.toContain("SECRET-VALUE-123");
  });
});

describe("deploy hooks", () => {
  // The mock monitor cannot register hooks (pulumi/pulumi#20874): stand in for the engine's
  // side of registration and record which resources carry which hooks.

  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
  const proto = MockMonitor.prototype;
  const original = { registerResourceHook: proto.registerResourceHook, registerResource: proto.registerResource };
  const hookNames: string[] = [];
  const bindings: Record<string, string[]> = {};
  beforeAll(() => {
    proto.registerResourceHook = (req: { getName(): string }, cb: (e: unknown, r: unknown) => void) => {
      hookNames.push(req.getName());
      cb(null, {});
    };
    proto.registerResource = function (req: any, cb: any) {
      const h = req.getHooks?.();
      if (h)
        bindings[req.getName()] = [
          ...h.getBeforeCreateList().map((n: string) => `beforeCreate:${n}`),
          ...h.getAfterCreateList().map((n: string) => `afterCreate:${n}`),
        ];
      return original.registerResource.call(this, req, cb);
    };
  });
  afterAll(() => Object.assign(proto, original));

  test("with mcp:deployHooks on: host-readiness gate before the first resource, verification after each service", async () => {
    const sf = readStackFile("prod");
    await runUnderMocks({
      stack: "prod",
      engineConfig: { ...sf.engineConfig, "mcp:deployHooks": "true" },
      secretKeys: sf.secretKeys,
      program: () => {
        let m: unknown;
        jest.isolateModules(() => {
          m = require("../../program");
        });
        return m;
      },
    });
    expect(hookNames).toContain("mcp-host-readiness");
    expect(bindings["mcp-prod-edge"]).toEqual(["beforeCreate:mcp-host-readiness"]);
    // Every gated service is verified after it is created (the app service once, all replicas).
    for (const service of ["app", "postgres", "redis", "nginx", "prometheus"]) {
      expect([service, bindings[`mcp-prod-${service}`]]).toEqual([service, [`afterCreate:verify-${service}`]]);
    }
  });
});
