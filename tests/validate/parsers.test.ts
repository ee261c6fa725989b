/**
 * The pure pieces of the runtime checks: exposition parsing, stack-output validation and
 * the small decisions (percentiles, HSTS, retention, burst size, .mcp.json, env expansion,
 * Redis INFO, relay choice, URL rewriting, Grafana expectations). Each with a passing and
 * a failing case.
 */
import { parseExposition } from "../../validate/app/exposition";
import { serverList } from "../../validate/app/checks";
import { percentile } from "../../validate/edge/latency";
import { hstsMaxAge } from "../../validate/edge/http";
import { burstSize } from "../../validate/edge/rate-limit";
import { retentionMatches } from "../../validate/monitoring/prometheus";
import { claudeMcpJsonSchema, expandEnv } from "../../validate/mcp/checks";
import { parseInfo } from "../../validate/redis/checks";
import { relayContainerFor } from "../../validate/connect";
import { reachUrl, staticReach } from "../../validate/reach";
import { expectationsFromProvisioning } from "../../validate/monitoring/grafana-expectations";
import { parseStackOutputs, OutputsError } from "../../validate/outputs";
import { VERIFY_CHECKS, SERVICE_CHECK_IDS } from "../../validate/registry";
import { CHECKLIST_ITEMS } from "../../checklist/items";
import { renderGrafanaProvisioning, GRAFANA_DASHBOARD_UIDS, GRAFANA_DATASOURCE_UID } from "../../infra/render/grafana";
import { localStackConfig } from "../../testing/stack";
import { parseVerifyArgs } from "../../scripts/verify";
import { hookCheckIds, verifyHooksFor } from "../../validate/hooks";
import { sampleOutputs } from "../../testing/sample-outputs";

describe("parseExposition", () => {
  it("accepts valid exposition with HELP/TYPE, labels with escapes, histograms, special values and timestamps", () => {
    const text = [
      "# HELP http_requests_total Requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="GET",status="200",path="a \\"quoted\\" \\\\ path\\n"} 1027 1395066363000',
      "# TYPE lat histogram",
      'lat_bucket{le="0.1"} 1',
      'lat_bucket{le="+Inf"} 2',
      "lat_sum 0.3",
      "lat_count 2",
      "up NaN",
      "temperature -Inf",
      "ratio 1.5e-3",
      "",
    ].join("\n");
    const r = parseExposition(text);
    expect(r.problems).toEqual([]);
    expect(r.samples).toBe(8);
    expect(r.names).toEqual(["http_requests_total", "lat", "up", "temperature", "ratio"]);
  });

  it.each([
    ["http_requests_total{status=200} 1", /label "status" needs ="value"/],
    ["1metric 1", /invalid metric name "1metric"/],
    ['m{a="1"} one', /invalid value "one"/],
    ["# TYPE m countr\nm 1", /unknown type "countr"/],
    ["m 1\n# TYPE m counter", /# TYPE for m after its samples/],
    ['m{a="1",a="2"} 1', /duplicate label "a"/],
    ["m 1\nm 2", /duplicate sample m/],
    ["# TYPE h histogram\nh_bucket 1", /histogram bucket h_bucket without le label/],
    ['m{a="x} 1', /unterminated value/],
    ["", /no samples/],
  ])("reports %j", (text, problem) => {
    expect(parseExposition(text).problems.join("\n")).toMatch(problem);
  });
});

describe("small decisions", () => {
  it("percentile is nearest-rank", () => {
    const v = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(10);
    expect(percentile(v, 95)).toBe(19);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 95)).toBeNaN();
  });

  it("reads HSTS max-age", () => {
    expect(hstsMaxAge("max-age=31536000; includeSubDomains")).toBe(31536000);
    expect(hstsMaxAge('max-age="600"')).toBe(600);
    expect(hstsMaxAge("includeSubDomains")).toBeUndefined();
    expect(hstsMaxAge(undefined)).toBeUndefined();
  });

  it("sizes the rate-limit burst above burst + one second of refill, bounded", () => {
    expect(burstSize(20, 40)).toBe(70);
    expect(burstSize(100000, 100000)).toBe(600);
  });

  it("compares Prometheus retention with the config (GB vs GiB)", () => {
    expect(retentionMatches("30d or 20GiB", { time: "30d", size: "20GB" })).toBe(true);
    expect(retentionMatches("15d", { time: "30d", size: "20GB" })).toBe(false);
    expect(retentionMatches("30d or 10GiB", { time: "30d", size: "20GB" })).toBe(false);
  });

  it("validates Claude Code .mcp.json and expands ${VAR} headers", () => {
    expect(
      claudeMcpJsonSchema.safeParse({
        mcpServers: { "mcp-prod": { type: "http", url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer ${MCP_TOKEN}" } } },
      }).success,
    ).toBe(true);
    expect(claudeMcpJsonSchema.safeParse({ mcpServers: { "mcp-prod": { type: "http", url: "http://mcp.example.com/mcp" } } }).success).toBe(false);
    expect(claudeMcpJsonSchema.safeParse({ mcpServers: { "bad name": { type: "http", url: "https://x/mcp" } } }).success).toBe(false);
    expect(expandEnv("Bearer ${MCP_TOKEN}", { MCP_TOKEN: "t" })).toBe("Bearer t");
    expect(expandEnv("${MISSING:-d}", {})).toBe("d");
  });

  it("reads server listings and Redis INFO", () => {
    expect(serverList([{ id: 1 }])).toHaveLength(1);
    expect(serverList({ servers: [] })).toEqual([]);
    expect(serverList({ nope: 1 })).toBeUndefined();
    expect(parseInfo("# Memory\r\nused_memory:100\r\nmaxmemory_policy:allkeys-lru\r\n")).toEqual({ used_memory: "100", maxmemory_policy: "allkeys-lru" });
  });

  it("chooses the relay container and rewrites internal URLs through a reach", async () => {
    // A relay is a running task container of the first internal service that has one.
    const running: Record<string, string> = { "mcp-prod-postgres": "mcp-prod-postgres.1.abc", "mcp-prod-redis": "mcp-prod-redis.1.def" };
    const docker = {
      listContainers: async (o: { filters: { label: string[] } }) => {
        const n = o.filters.label[0].split("=")[1];
        return running[n] ? [{ Id: "x", Names: [`/${running[n]}`] }] : [];
      },
    } as never;
    const svc = (service: string) => ({ service, name: `mcp-prod-${service}` }) as never;
    expect(await relayContainerFor(docker, { services: [svc("postgres"), svc("redis")] })).toBe("mcp-prod-redis.1.def");
    expect(await relayContainerFor(docker, { services: [svc("app")] })).toBeUndefined();
    expect(await relayContainerFor(docker, { services: [] }, "explicit")).toBe("explicit");
    const reach = staticReach({ "prometheus:9090": { host: "127.0.0.1", port: 4000 } });
    expect(await reachUrl(reach, "http://prometheus:9090")).toBe("http://127.0.0.1:4000");
    expect(await reachUrl(reach, "http://prometheus:9090/sub/?x=1")).toBe("http://127.0.0.1:4000/sub/?x=1");
    expect(await reachUrl(reach, "http://grafana:3000")).toBe("http://grafana:3000");
  });

  it("takes the Grafana datasource and dashboard UIDs from the rendered provisioning", () => {
    const e = expectationsFromProvisioning(renderGrafanaProvisioning(localStackConfig({ http: 80, https: 443 })));
    expect(e.datasourceUid).toBe(GRAFANA_DATASOURCE_UID);
    expect(e.dashboardUids.sort()).toEqual(Object.values(GRAFANA_DASHBOARD_UIDS).sort());
  });
});

describe("parseStackOutputs", () => {
  const valid = () =>
    sampleOutputs({
      domain: "mcp.example.com",
      secrets: {
        postgresPassword: "pg-secret-value-1",
        postgresBackupPassword: "b",
        redisPassword: "r",
        grafanaAdminUser: "admin",
        grafanaAdminPassword: "g",
        jwtSigningKey: "j",
        backupEncryptionKey: "k",
      },
    });

  it("accepts the StackOutputs shape", () => {
    expect(parseStackOutputs(valid(), "test").domain).toBe("mcp.example.com");
  });

  it("names every bad key and never echoes a secret", () => {
    const o = valid() as Record<string, unknown> & ReturnType<typeof valid>;
    (o.internalEndpoints.app as { replicas: number }).replicas = 0;
    (o.rateLimit as { burst: unknown }).burst = "lots";
    (o.secrets as { postgresPassword: unknown }).postgresPassword = 12345;
    delete (o as Partial<typeof o>).mcpUrl;
    let message = "";
    try {
      parseStackOutputs(o, "outputs.json");
    } catch (e) {
      expect(e).toBeInstanceOf(OutputsError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/outputs\.json is not a valid stack output \(4 problems\)/);
    for (const key of ["internalEndpoints.app.replicas", "rateLimit.burst", "secrets.postgresPassword", "mcpUrl"]) expect(message).toContain(key);
    expect(message).not.toContain("12345");
  });

  it("refuses outputs saved without --show-secrets", () => {
    const o = valid();
    (o.secrets as Record<string, string>).redisPassword = "[secret]";
    expect(() => parseStackOutputs(o, "o.json")).toThrow(/--show-secrets/);
  });
});

describe("registry", () => {
  it("has unique IDs, each proving known checklist items, and hook subsets that name real checks", () => {
    const ids = VERIFY_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const known = new Set(CHECKLIST_ITEMS.map((i) => i.id));
    for (const c of VERIFY_CHECKS) {
      // host.ports-free deliberately proves no item (its owner's call); every post-deploy check proves some.
      if (!/^(host|docker|backup)\./.test(c.id)) expect(c.checklistIds.length).toBeGreaterThan(0);
      for (const item of c.checklistIds) expect(known.has(item) ? item : `${c.id} names unknown ${item}`).toBe(item);
    }
    for (const list of Object.values(SERVICE_CHECK_IDS)) for (const id of list ?? []) expect(ids).toContain(id);
    // Every folder's checks are in: post-deploy, containers, backups.
    for (const prefix of ["edge.", "app.", "mcp.", "postgres.", "redis.", "prometheus.", "alertmanager.", "grafana.", "docker.", "host.", "backup."])
      expect(ids.some((i) => i.startsWith(prefix))).toBe(true);
  });
});

describe("deploy hook subsets", () => {
  it("gate the services with runtime checks and nothing else", () => {
    expect(hookCheckIds("redis")).toEqual(["redis.auth", "redis.operations", "redis.persistence", "redis.memory"]);
    expect(hookCheckIds("nginx")).toEqual(expect.arrayContaining(["edge.tls-chain", "mcp.tool-call", "app.auth"]));
    // No check gates an exporter: no hook is made (and no ResourceHook registered).
    expect(verifyHooksFor("nodeExporter", { config: localStackConfig({ http: 80, https: 443 }), outputs: async () => ({}) as never })).toBeUndefined();
  });
});

describe("CLI arguments", () => {
  it("parses the documented options", () => {
    const o = parseVerifyArgs([
      "--stack",
      "prod",
      "--outputs",
      "o.json",
      "--only",
      "edge.*,redis.auth",
      "--format",
      "junit",
      "--out",
      "r",
      "--resolve",
      "mcp.example.com:10.0.0.5",
      "--resolve",
      "b.example.com:10.0.0.6",
    ]);
    expect(o).toMatchObject({
      stack: "prod",
      outputs: "o.json",
      only: ["edge.*", "redis.auth"],
      format: "junit",
      out: "r",
      resolve: { "mcp.example.com": "10.0.0.5", "b.example.com": "10.0.0.6" },
    });
  });

  it("rejects a bad format, a missing stack and a bad --resolve", () => {
    const quiet = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(() => parseVerifyArgs(["--stack", "prod", "--format", "xml"])).toThrow(/Allowed choices are text, json, junit/);
      expect(() => parseVerifyArgs([])).toThrow(/required option '--stack <name>'/);
      expect(() => parseVerifyArgs(["--stack", "p", "--resolve", "nohost"])).toThrow(/--resolve takes HOST:ADDRESS/);
    } finally {
      quiet.mockRestore();
    }
  });

  it("--docker-host: refuses an address without a scheme while parsing, keeps a good one", () => {
    const quiet = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(() => parseVerifyArgs(["--stack", "p", "--docker-host", "garbage"])).toThrow(/Docker host "garbage" has no scheme/);
      expect(parseVerifyArgs(["--stack", "p", "--docker-host", "ssh://ops@h"]).dockerHost).toBe("ssh://ops@h");
    } finally {
      quiet.mockRestore();
    }
  });
});
