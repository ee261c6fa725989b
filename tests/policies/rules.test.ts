/**
 * Every policy through its in-process evaluate (preflight/inprocess.ts: resource policies on
 * inputs, stack policies on outputs), on the fixture stacks the programs of
 * fixture-programs.ts register under the mock runtime: silent on the compliant swarm stack
 * and on the container stack (made to satisfy the rule where containers cannot), firing with
 * the expected message on a one-change variant of each, or, where a rule cannot concern a
 * kind, not firing there and saying why. tests/preflight/harness.test.ts runs the same cases
 * through the real pack over gRPC.
 */
import type { CollectedResource } from "../../preflight/collect";
import { secret, UNKNOWN_STRING } from "../../preflight/engine-encoding";
import { editSecret, service, spec } from "../../preflight/mutations";
import { ALL_POLICIES } from "../../policies/pack";
import { CASES, fires, KINDS } from "./cases";
import { FIXTURE_SECRETS, REDIS_PASSWORD } from "./fixture-files";
import { container, CONTAINER_TYPE, editUpload, evaluate, fixtureStack, INPUT, policy, SERVICE_TYPE, type Kind } from "./fixture-stacks";
import { HSTS_MIN_MAX_AGE_SECONDS } from "../../checklist/thresholds";
import { runPolicy, undecidables, violations } from "./run-policy";

const TYPE: Record<Kind, string> = { service: SERVICE_TYPE, container: CONTAINER_TYPE };
const bases = new Map<Kind, CollectedResource[]>();
const base = async (kind: Kind) => {
  if (!bases.has(kind)) bases.set(kind, await fixtureStack(kind));
  return structuredClone(bases.get(kind)!);
};

beforeAll(async () => {
  await Promise.all(KINDS.map(base));
}, 60000);

test("every policy has a service case and a container case", () => {
  expect(ALL_POLICIES.map((p) => p.meta.name).filter((n) => !CASES[n])).toEqual([]);
  expect(Object.keys(CASES).filter((n) => !ALL_POLICIES.some((p) => p.meta.name === n))).toEqual([]);
});

test("the swarm fixture stack is compliant: no policy reports anything but not-applicable", async () => {
  const rs = await base("service");
  const findings = ALL_POLICIES.flatMap((p) => evaluate(p.meta.name, rs)).filter((f) => f.kind !== "not-applicable");
  expect(findings).toEqual([]);
});

test("the container fixture stack breaks exactly the rules a container cannot meet", async () => {
  const rs = await base("container");
  const findings = ALL_POLICIES.flatMap((p) => evaluate(p.meta.name, rs)).filter((f) => f.kind === "violation");
  expect([...new Set(findings.map((f) => f.policy))].sort()).toEqual(["container-uploads-read-only", "secrets-as-docker-secrets"]);
});

const rows = KINDS.flatMap((kind) => ALL_POLICIES.map((p) => [p.meta.name, kind] as const));

describe.each(rows)("%s on the %s stack", (name, kind) => {
  const c = CASES[name]?.[kind];

  if (c && fires(c)) {
    test("does not fire on the compliant stack", async () => {
      const rs = await base(kind);
      c.pass?.(rs);
      expect(evaluate(name, rs, c.config).filter((f) => f.kind === "violation")).toEqual([]);
    });
    test("fires on the one-change variant, naming the workload", async () => {
      const rs = await base(kind);
      c.fire(rs);
      const v = evaluate(name, rs, c.config).filter((f) => f.kind === "violation");
      expect(v.map((x) => x.message).join("\n")).toMatch(c.expect);
    });
  } else if (c) {
    test(`cannot concern a ${kind}: ${c.cannot}`, async () => {
      const rs = await base(kind);
      c.tryBreak?.(rs);
      const f = evaluate(name, rs);
      expect(f.filter((x) => x.kind === "violation")).toEqual([]);
      const meta = policy(name).meta;
      if (meta.kind === "resource" && !meta.resourceTypes.includes(TYPE[kind])) {
        // Not even evaluated: the engine is told the policy applies to other types.
        expect(f).toEqual([]);
      } else if (c.notApplicable) {
        const na = f.filter((x) => x.kind === "not-applicable");
        expect(na.length).toBeGreaterThan(0);
        for (const x of na) expect(x.message).toMatch(c.notApplicable);
      }
    });
  }
});

describe("unknown values at preview (through the CrossGuard functions and the unknown-checking proxy)", () => {
  test("an unknown input is reported as undecidable (advisory), never as a pass", async () => {
    const rs = await base("service");
    spec(service(rs, "redis"), (cs) => void (cs.user = UNKNOWN_STRING));
    const r = await runPolicy(
      policy("container-non-root-user"),
      rs.filter((x) => x.type === SERVICE_TYPE),
    );
    expect(violations(r)).toEqual([]);
    expect(undecidables(r)).toEqual([{ level: "advisory", message: "[undecidable at preview] user", urn: undefined }]);
  });

  test("unknownValues=fail turns it into a violation at the policy's level", async () => {
    const rs = await base("container");
    container(rs, "redis").inputs.user = UNKNOWN_STRING;
    const r = await runPolicy(policy("container-non-root-user"), rs, { unknownValues: "fail" });
    expect(r).toHaveLength(1);
    expect(r[0].level).toBe("mandatory");
    expect(r[0].message).toContain("[undecidable at preview] user");
  });

  test("a Docker secret whose content is unknown is undecidable for the content rules, not a pass", async () => {
    const rs = await base("service");
    const s = rs.find((x) => x.type === "docker:index/secret:Secret" && x.name.includes("grafana-admin-password"))!;
    s.outputs.data = secret(UNKNOWN_STRING);
    const r = await runPolicy(policy("default-passwords"), rs);
    expect(violations(r)).toEqual([]);
    expect(undecidables(r).map((x) => x.message)).toEqual(["[undecidable at preview] service fx-grafana content of /run/secrets/grafana-admin-password"]);
  });

  test("a service network whose ID is unknown is undecidable for the internal-network rule", async () => {
    const rs = await base("service");
    const pg = service(rs, "postgres");
    ((pg.outputs.taskSpec as Record<string, unknown>).networksAdvanceds as Record<string, unknown>[])[0].id = UNKNOWN_STRING;
    const r = await runPolicy(policy("data-services-internal-network"), rs);
    expect(violations(r)).toEqual([]);
    expect(undecidables(r)).toHaveLength(1);
  });

  test("an unknown nginx.conf is undecidable for every edge rule", async () => {
    const rs = await base("service");
    const conf = rs.find((x) => x.type === "docker:index/serviceConfig:ServiceConfig" && x.name.includes("nginx.conf"))!;
    conf.outputs.data = UNKNOWN_STRING;
    for (const name of [
      "nginx-tls",
      "nginx-https-redirect",
      "nginx-hsts",
      "nginx-rate-limit",
      "nginx-upstream-replicas",
      "nginx-mcp-location",
      "mcp-app-contract",
    ]) {
      const r = await runPolicy(policy(name), rs);
      expect({ name, v: violations(r) }).toEqual({ name, v: [] });
      expect({ name, n: undecidables(r).length }).toEqual({ name, n: 1 });
    }
  });

  test("a resource policy reads a service's config content as not visible (a stack policy resolves it), never as empty", async () => {
    const rs = await base("service");
    editSecret(rs, "/run/secrets/grafana-admin-password", () => "admin");
    // secret-file-permissions needs no content: it decides on the mount alone.
    expect(violations(await runPolicy(policy("secret-file-permissions"), rs))).toEqual([]);
    expect(
      violations(await runPolicy(policy("default-passwords"), rs))
        .map((x) => x.message)
        .join(),
    ).toMatch(/holds a default or placeholder password/);
  });
});

describe("messages never carry secret values", () => {
  test("secret findings name keys, files and origins only", async () => {
    for (const kind of KINDS) {
      const rs = await base(kind);
      const target = kind === "service" ? service(rs, "app") : container(rs, "app-0");
      if (kind === "service") spec(target, (cs) => void (cs.env = { ...(cs.env as object), REDIS_PASSWORD, CACHE_OPTS: REDIS_PASSWORD }));
      else
        for (const p of [target.inputs, target.outputs]) p.envs = [...(p.envs as string[]), `REDIS_PASSWORD=${REDIS_PASSWORD}`, `CACHE_OPTS=${REDIS_PASSWORD}`];
      const all = ALL_POLICIES.flatMap((p) => evaluate(p.meta.name, rs));
      expect(all.filter((f) => f.kind === "violation").length).toBeGreaterThanOrEqual(2);
      for (const f of all) for (const s of FIXTURE_SECRETS) expect(f.message).not.toContain(s);
    }
  });
});

describe("stack config from PULUMI_CONFIG", () => {
  test("dev needs one app replica, prod two; off-site backups only in prod", async () => {
    const rs = await base("service");
    const app = service(rs, "app");
    for (const p of [app.inputs, app.outputs]) (p.mode as Record<string, Record<string, number>>).replicated.replicas = 1;
    const backup = service(rs, "backup");
    for (const p of [backup.inputs, backup.outputs])
      delete (p.taskSpec as Record<string, Record<string, Record<string, string>>>).containerSpec.env.MCP_BACKUP_OFFSITE;
    expect(evaluate("ha-app-replicas", rs).filter((f) => f.kind === "violation")).toHaveLength(1);
    expect(
      evaluate("backup-offsite", rs)
        .map((f) => f.message)
        .join(),
    ).toMatch(/off-site backup is not enabled/);
    const prev = INPUT.config["mcp:environment"];
    INPUT.config["mcp:environment"] = "dev";
    try {
      expect(evaluate("ha-app-replicas", rs)).toEqual([]);
      expect(evaluate("backup-offsite", rs)).toEqual([]);
    } finally {
      INPUT.config["mcp:environment"] = prev;
    }
  });

  test("published ports follow mcp:edge from stack config", async () => {
    const rs = await base("container");
    const prev = INPUT.config["mcp:edge"];
    INPUT.config["mcp:edge"] = JSON.stringify({ bindAddress: "127.0.0.1", httpPort: 8080, httpsPort: 8443 });
    try {
      expect(evaluate("container-published-ports", rs).map((x) => x.message)).toEqual([
        "container fx-nginx publishes host port 80; allowed: 8080, 8443",
        "container fx-nginx binds host port 80 to 0.0.0.0; configuration says 127.0.0.1",
        "container fx-nginx publishes host port 443; allowed: 8080, 8443",
        "container fx-nginx binds host port 443 to 0.0.0.0; configuration says 127.0.0.1",
      ]);
      // A swarm port has no host address: only the ports count there.
      const svc = await base("service");
      expect(evaluate("container-published-ports", svc).map((x) => x.message)).toEqual([
        "service fx-nginx publishes host port 80; allowed: 8080, 8443",
        "service fx-nginx publishes host port 443; allowed: 8080, 8443",
      ]);
    } finally {
      INPUT.config["mcp:edge"] = prev;
    }
  });
});

test("a resource policy ignores other resource types", async () => {
  const rs = await base("service");
  const net = rs.find((r) => r.type === "docker:index/network:Network")!;
  net.inputs.privileged = true;
  expect(await runPolicy(policy("container-no-privileged"), net)).toEqual([]);
});

test("nginx-hsts holds every stack to the one HSTS minimum (checklist/thresholds.ts), not to a per-stack config value", async () => {
  const withMaxAge = async (seconds: number) => {
    const rs = await base("container");
    editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", (t) => t.replace("max-age=63072000", `max-age=${seconds}`));
    // A config asking for less cannot lower the bar: the policy has no such knob.
    return evaluate("nginx-hsts", rs, { minMaxAgeSeconds: 0 })
      .filter((f) => f.kind === "violation")
      .map((f) => f.message);
  };
  expect(await withMaxAge(HSTS_MIN_MAX_AGE_SECONDS)).toEqual([]);
  expect((await withMaxAge(HSTS_MIN_MAX_AGE_SECONDS - 1)).join("\n")).toMatch(
    new RegExp(`HSTS max-age ${HSTS_MIN_MAX_AGE_SECONDS - 1} is below ${HSTS_MIN_MAX_AGE_SECONDS}s`),
  );
});
