/** The pack's metadata: checklist IDs are real and greppable, names match files, the catalog does not start the pack. */
import * as fs from "fs";
import * as path from "path";
import { CHECKLIST_ITEMS } from "../../checklist/items";
import { coveredItems, PACK_NAME, PACK_VERSION, policiesForItem, policyByName, POLICY_CATALOG } from "../../policies/catalog";
import { withPolicyList } from "../../policies/readme";

const POLICIES = path.resolve(__dirname, "../../policies");
const IDS = new Set(CHECKLIST_ITEMS.map((i) => i.id));

test("every policy maps to checklist IDs that exist", () => {
  for (const p of POLICY_CATALOG) {
    expect({ policy: p.name, ids: p.checklistIds.length > 0 }).toEqual({ policy: p.name, ids: true });
    for (const id of p.checklistIds) expect({ policy: p.name, id, known: IDS.has(id) }).toEqual({ policy: p.name, id, known: true });
  }
});

test("one policy per file under policies/rules, named like the file, IDs written in the file (grep ID finds it)", () => {
  const files = fs.readdirSync(path.join(POLICIES, "rules")).filter((f) => f.endsWith(".ts"));
  expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual(POLICY_CATALOG.map((p) => p.name).sort());
  for (const p of POLICY_CATALOG) {
    const src = fs.readFileSync(path.join(POLICIES, "rules", `${p.name}.ts`), "utf8");
    expect(src).toContain(`name: "${p.name}"`);
    for (const id of p.checklistIds) expect({ file: p.name, id, present: src.includes(id) }).toEqual({ file: p.name, id, present: true });
  }
});

test("metadata is complete; security items default to mandatory", () => {
  const names = POLICY_CATALOG.map((p) => p.name);
  expect(new Set(names).size).toBe(names.length);
  for (const p of POLICY_CATALOG) {
    expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(p.description.length).toBeGreaterThan(20);
    expect(p.remediation.length).toBeGreaterThan(20);
    expect(["low", "medium", "high", "critical"]).toContain(p.severity);
    expect(["advisory", "mandatory", "disabled"]).toContain(p.enforcementLevel);
    if (p.checklistIds.some((id) => /^(SEC|PRE-SEC)-/.test(id)))
      expect({ policy: p.name, level: p.enforcementLevel }).toEqual({ policy: p.name, level: "mandatory" });
    // The server refuses a schema that declares enforcementLevel; every knob documents itself and has a default.
    expect(Object.keys(p.configSchema.properties)).not.toContain("enforcementLevel");
    for (const [k, s] of Object.entries(p.configSchema.properties))
      expect({ policy: p.name, k, d: !!s.description, def: s.default !== undefined }).toEqual({ policy: p.name, k, d: true, def: true });
  }
});

test("catalog helpers", () => {
  expect(PACK_NAME).toBe("mcp-production-checklist");
  expect(PACK_VERSION).toBe(JSON.parse(fs.readFileSync(path.join(POLICIES, "package.json"), "utf8")).version);
  expect(policiesForItem("SEC-CONTAINER-02")).toEqual(
    expect.arrayContaining(["container-no-privileged", "container-capabilities", "container-no-host-devices"]),
  );
  expect(policyByName("nginx-tls")?.checklistIds).toContain("SEC-NET-03");
  expect(coveredItems().every((id) => IDS.has(id))).toBe(true);
  expect(coveredItems().length).toBeGreaterThanOrEqual(45);
});

test("only policies/index.ts starts the pack; the catalog loads no policy runtime", () => {
  const starters: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts") && /new PolicyPack\(/.test(fs.readFileSync(p, "utf8"))) starters.push(path.relative(POLICIES, p));
    }
  };
  walk(POLICIES);
  expect(starters).toEqual(["index.ts"]);
  // Runtime imports of @pulumi/policy (not `import type`) would load the SDK for the catalog's users.
  for (const f of ["catalog.ts", "pack.ts", "lib/define.ts"])
    expect(fs.readFileSync(path.join(POLICIES, f), "utf8")).not.toMatch(/^import (?!type)[^;]*from "@pulumi\/policy"/m);
});

test("policies/README.md lists every policy exactly as the catalog says (regenerate: npx ts-node --swc scripts/gen-policy-list.ts)", () => {
  const readme = fs.readFileSync(path.join(POLICIES, "README.md"), "utf8");
  expect(POLICY_CATALOG.map((p) => p.name).filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  expect(readme).toBe(withPolicyList(readme));
});

test("policies/README.md says what the daemon enforces for services, and every rule that defers to it says so too", () => {
  const readme = fs.readFileSync(path.join(POLICIES, "README.md"), "utf8");
  expect(readme).toMatch(/## What the daemon enforces for swarm services/);
  for (const name of ["container-no-new-privileges", "container-security-profiles", "container-no-host-devices"]) {
    const p = policyByName(name)!;
    expect({ name, says: /daemon/.test(`${p.description} ${p.remediation}`) && /docker-host\.md/.test(`${p.description} ${p.remediation}`) }).toEqual({
      name,
      says: true,
    });
  }
});

test("workload rules apply to containers and services alike; content rules are stack policies", () => {
  const resourceWorkload = POLICY_CATALOG.filter((p) => p.kind === "resource" && p.resourceTypes.includes("docker:index/container:Container"));
  for (const p of resourceWorkload)
    expect({ p: p.name, service: p.resourceTypes.includes("docker:index/service:Service") }).toEqual({ p: p.name, service: true });
  const content = [
    "nginx-tls",
    "nginx-hsts",
    "nginx-https-redirect",
    "nginx-rate-limit",
    "nginx-upstream-replicas",
    "nginx-mcp-location",
    "mcp-app-contract",
    "prometheus-alert-rules",
    "alertmanager-receivers",
    "postgres-tls-auth",
    "redis-auth",
    "grafana-auth",
    "backup-encryption",
    "backup-offsite",
    "backup-retention",
    "backup-schedule",
    "config-placeholders",
    "default-passwords",
    "secrets-not-exposed",
    "secrets-as-docker-secrets",
  ];
  for (const name of content) expect({ name, kind: policyByName(name)?.kind }).toEqual({ name, kind: "stack" });
  // No rule reads a resource type's properties itself: only the workload adapters do.
  for (const f of fs.readdirSync(path.join(POLICIES, "rules"))) {
    const src = fs.readFileSync(path.join(POLICIES, "rules", f), "utf8");
    expect({ f, reads: /get\(r\.props, "(taskSpec|uploads|envs|capabilities|securityOpts|networksAdvanced)/.test(src) }).toEqual({ f, reads: false });
  }
});
