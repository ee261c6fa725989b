/**
 * The Pulumi program under Pulumi's mock runtime, with the real Pulumi.<stack>.yaml files:
 * what it registers, how every container is hardened, where secrets go, and that bad
 * configuration fails before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { readStackFile } from "../../infra/config/stack-file";
import { byType, ProgramError, RegisteredResource, runUnderMocks, TYPES } from "../../testing/pulumi-mocks";

/** Runs infra/index.ts fresh (its own module registry) with a stack's config, plus overrides. */
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
        exported = require("../../infra");
      });
      return exported;
    },
  });
  return { ...result, exported: exported as Record<string, pulumi.Output<unknown>> };
}

const containers = (rs: RegisteredResource[]) => byType(rs, TYPES.container);
const generatedSecrets = (rs: RegisteredResource[]) => rs.filter((r) => r.type === TYPES.password).map((r) => r.state.result as string);
/** Secret values arrive from the mock as Pulumi secret outputs; unwrap them. */
async function plain(values: unknown[]): Promise<string[]> {
  return new Promise((res) => pulumi.all(values as pulumi.Input<string>[]).apply((v) => res(v)));
}

describe("prod stack", () => {
  let run: Awaited<ReturnType<typeof runProgram>>;
  beforeAll(async () => {
    run = await runProgram("prod");
  });

  test("registers every service, with three app replicas", () => {
    const names = Object.values(containers(run.resources)).map((c) => c.name).sort();
    expect(names).toEqual(
      [
        "app-0", "app-1", "app-2", "postgres", "redis", "nginx", "prometheus", "alertmanager", "grafana",
        "postgres-exporter", "redis-exporter", "nginx-exporter", "node-exporter", "blackbox-exporter", "backup",
      ].map((n) => `mcp-prod-${n}`).sort(),
    );
  });

  test("networks: edge, egress and an internal network with no route out", () => {
    const nets = byType(run.resources, TYPES.network);
    expect(Object.keys(nets).sort()).toEqual(["mcp-prod-edge", "mcp-prod-egress", "mcp-prod-internal"]);
    expect(nets["mcp-prod-internal"].internal).toBe(true);
    expect(nets["mcp-prod-edge"].internal).toBe(false);
  });

  test("data services are on the internal network only", () => {
    const cs = containers(run.resources);
    for (const svc of ["postgres", "redis"]) {
      expect(cs[`mcp-prod-${svc}`].networksAdvanced.map((n: { name: string }) => n.name)).toEqual(["mcp-prod-internal"]);
    }
  });

  test("every container is hardened", () => {
    for (const [name, c] of Object.entries(containers(run.resources))) {
      const ctx = `container ${name}`;
      expect([ctx, c.user]).toEqual([ctx, expect.stringMatching(/^[1-9]\d*:\d+$/)]);
      expect([ctx, c.privileged]).toEqual([ctx, false]);
      expect([ctx, c.capabilities.drops]).toEqual([ctx, ["ALL"]]);
      expect([ctx, c.securityOpts]).toEqual([ctx, ["no-new-privileges:true"]]);
      expect([ctx, c.readOnly]).toEqual([ctx, true]);
      expect([ctx, c.memory > 0, typeof c.cpus]).toEqual([ctx, true, "string"]);
      expect([ctx, c.healthcheck.tests[0]]).toEqual([ctx, expect.stringMatching(/^CMD(-SHELL)?$/)]);
      expect([ctx, c.restart]).toEqual([ctx, "unless-stopped"]);
      expect([ctx, c.logDriver, c.logOpts["max-size"], c.logOpts["max-file"]]).toEqual([ctx, "json-file", "10m", "5"]);
      const labels = Object.fromEntries(c.labels.map((l: { label: string; value: string }) => [l.label, l.value]));
      expect([ctx, labels["com.mcp.stack"], labels["com.mcp.service"]]).toEqual([ctx, "prod", expect.any(String)]);
      expect([ctx, c.image]).toEqual([ctx, expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    }
  });

  test("images are pinned RemoteImages", () => {
    for (const img of Object.values(byType(run.resources, TYPES.image))) {
      expect(img.name).toMatch(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
      expect(img.name).not.toMatch(/:latest$/);
    }
  });

  test("only Nginx publishes ports: 80 and 443", () => {
    for (const [name, c] of Object.entries(containers(run.resources))) {
      const ports = (c.ports ?? []).map((p: { external: number }) => p.external).sort();
      expect([name, ports]).toEqual([name, name === "mcp-prod-nginx" ? [443, 80] : []]);
      expect([name, c.publishAllPorts]).toEqual([name, false]);
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
    for (const [name, c] of Object.entries(containers(run.resources))) {
      for (const env of c.envs ?? []) for (const s of secrets) expect([name, env.includes(s)]).toEqual([name, false]);
    }
  });

  test("secrets reach containers only as restricted files", async () => {
    const secrets = await plain(generatedSecrets(run.resources));
    let secretFiles = 0;
    for (const [name, c] of Object.entries(containers(run.resources))) {
      for (const u of c.uploads ?? []) {
        const holdsSecret = secrets.some((s) => String(u.content).includes(s));
        if (holdsSecret) {
          secretFiles++;
          expect([name, u.file, u.permissions]).toEqual([name, u.file, expect.stringMatching(/^0[46]00$/)]);
          expect([name, u.file]).toEqual([name, expect.stringMatching(/^\/run\/secrets\//)]);
        }
      }
    }
    expect(secretFiles).toBeGreaterThanOrEqual(10);
  });

  test("*_FILE variables point at uploaded files", () => {
    for (const [name, c] of Object.entries(containers(run.resources))) {
      const files = new Set((c.uploads ?? []).map((u: { file: string }) => u.file));
      for (const env of c.envs ?? []) {
        const m = /^[A-Z_]+_FILE=(.+)$/.exec(env);
        if (m) expect([name, m[1], files.has(m[1])]).toEqual([name, m[1], true]);
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
    expect(app.replicas).toBe(3);
    expect(o.services.filter((s: { publishedPorts: string[] }) => s.publishedPorts.length > 0).map((s: { service: string }) => s.service)).toEqual(["nginx"]);
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
    const apps = Object.keys(containers(run.resources)).filter((n) => /-app-\d+$/.test(n));
    expect(apps).toEqual(["mcp-dev-app-0"]);
    expect(run.resources.some((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert" && r.name === "mcp-dev-edge-cert")).toBe(true);
    expect(containers(run.resources)["mcp-dev-app-0"].memory).toBe(256);
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
  // eslint-disable-next-line @typescript-eslint/no-require-imports
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
      if (h) bindings[req.getName()] = [...h.getBeforeCreateList().map((n: string) => `beforeCreate:${n}`), ...h.getAfterCreateList().map((n: string) => `afterCreate:${n}`)];
      return original.registerResource.call(this, req, cb);
    };
  });
  afterAll(() => Object.assign(proto, original));

  test("with mcp:deployHooks on: host-readiness gate before the first resource, verification after each service", async () => {
    const sf = readStackFile("prod");
    await runUnderMocks({
      stack: "prod",
      engineConfig: { ...sf.engineConfig, "mcp:deployHooks": "true" },
      program: () => {
        let m: unknown;
        jest.isolateModules(() => {
          m = require("../../infra");
        });
        return m;
      },
    });
    expect(hookNames).toContain("mcp-host-readiness");
    expect(bindings["mcp-prod-edge"]).toEqual(["beforeCreate:mcp-host-readiness"]);
    // Each replica is verified on its own after it is created; so is every gated service.
    for (const instance of ["app-0", "app-1", "app-2", "postgres", "redis", "nginx", "prometheus"]) {
      expect([instance, bindings[`mcp-prod-${instance}`]]).toEqual([instance, [`afterCreate:verify-${instance}`]]);
    }
  });
});
