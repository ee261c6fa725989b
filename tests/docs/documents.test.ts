import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { SIGNOFF_ROLES } from "../../evidence/attestations";
import { checkRegistry } from "../../scripts/registries";
import { durationSeconds, SERVICE_NAMES, stackConfigSchema } from "../../infra/config";
import { ALERT_NAMES } from "../../infra/render/alert-rules";
import {
  containerCommandsOnServices,
  docFiles,
  headingSlugs,
  hostPortsIn,
  markdownLinks,
  mermaidBlock,
  mermaidSubgraphs,
  npmRunScripts,
  npmScripts,
  readDoc,
  resourceNamesIn,
  ROOT,
  section,
  stackFacts,
  stackNames,
  tableRows,
} from "./support";

const prod = stackFacts("prod");
const docs = docFiles();
const rendered = (instance: string, file: string) => {
  const f = prod.specs.find((s) => s.name === instance)?.configFiles.find((c) => c.path.endsWith(file));
  if (!f || typeof f.content !== "string") throw new Error(`the prod ${instance} spec has no rendered ${file}`);
  return f.content;
};

describe("documents name only what this repository has", () => {
  test("every npm script a document runs exists in package.json", () => {
    const scripts = npmScripts();
    const missing = docs.flatMap((d) => npmRunScripts(readDoc(d)).filter((s) => !scripts.has(s)).map((s) => `${d}: npm run ${s}`));
    expect(missing).toEqual([]);
  });

  test("every service, volume, network and secret name a document uses is one the prod stack creates", () => {
    const unknown = docs.flatMap((d) => resourceNamesIn(readDoc(d), prod.prefix).filter((n) => !prod.resourceNames.has(n)).map((n) => `${d}: ${n}`));
    expect([...new Set(unknown)]).toEqual([]);
  });

  test("no document runs a container command on a service name: tasks are addressed through docker service or by the swarm's label", () => {
    const services = new Set(prod.specs.map((s) => `${prod.prefix}-${s.name}`));
    const wrong = [...docs, "README.md"].flatMap((d) => containerCommandsOnServices(readDoc(d), services).map((c) => `${d}: ${c}`));
    expect([...new Set(wrong)]).toEqual([]);
  });

  test("every host:port a document gives matches the port that service listens on", () => {
    const hosts = [...prod.hostPorts.keys()];
    const wrong = docs.flatMap((d) =>
      hostPortsIn(readDoc(d), hosts)
        .filter(({ host, port }) => !prod.hostPorts.get(host)!.has(port))
        .map(({ host, port }) => `${d}: ${host}:${port} (listens on ${[...prod.hostPorts.get(host)!].join(", ")})`),
    );
    expect([...new Set(wrong)]).toEqual([]);
  });

  test("every `docker run` in a document uses an image of the prod stack", () => {
    const images = Object.values(prod.config.images);
    const wrong = docs.flatMap((d) =>
      readDoc(d)
        .split("\n")
        .filter((l) => /\bdocker run\b/.test(l) && !images.some((i) => l.includes(` ${i} `)))
        .map((l) => `${d}: ${l.trim()}`),
    );
    expect(wrong).toEqual([]);
  });

  test("every relative link and anchor between documents resolves", () => {
    const broken: string[] = [];
    for (const d of [...docs, "README.md"]) {
      for (const l of markdownLinks(readDoc(d))) {
        if (/^(https?:|mailto:)/.test(l.target)) continue;
        const [file, anchor] = l.target.split("#");
        const abs = file ? path.resolve(path.dirname(path.join(ROOT, d)), file) : path.join(ROOT, d);
        if (!fs.existsSync(abs)) broken.push(`${d}:${l.line}: ${l.target} (no such file)`);
        else if (anchor && abs.endsWith(".md") && !headingSlugs(fs.readFileSync(abs, "utf8")).has(anchor)) broken.push(`${d}:${l.line}: ${l.target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("no document is a stub: no placeholder text, each has a title and real content", () => {
    const bad = docs.flatMap((d) => {
      const text = readDoc(d);
      const out: string[] = [];
      if (/\b(TODO|TBD|FIXME|lorem ipsum)\b/i.test(text)) out.push(`${d}: placeholder text`);
      if (!/^# \S/.test(text)) out.push(`${d}: no title`);
      if (text.length < 500) out.push(`${d}: only ${text.length} characters`);
      return out;
    });
    expect(bad).toEqual([]);
  });

  test("the document index lists every top-level document", () => {
    const index = readDoc("docs/README.md");
    const top = docs.filter((d) => /^docs\/[^/]+\.md$/.test(d) && d !== "docs/README.md").map((d) => path.basename(d));
    expect(top.filter((f) => !index.includes(`](${f})`))).toEqual([]);
  });

  test("the helpers do catch a wrong name, port and script (so the checks above can fail)", () => {
    expect(resourceNamesIn("docker service logs mcp-prod-postgress, mcp-prod-app-0 and mcp-prod-app-N, not mcp-prod-<service>", "mcp-prod")).toEqual(["mcp-prod-postgress", "mcp-prod-app-0", "mcp-prod-app-N"]);
    expect(hostPortsIn("wget http://postgres:5433/ and redis:7.4.1-alpine", ["postgres", "redis"])).toEqual([{ host: "postgres", port: 5433 }]);
    expect(npmRunScripts("run `npm run deploy -- --stack prod`")).toEqual(["deploy"]);
    const services = new Set(["mcp-prod-postgres", "mcp-prod-nginx"]);
    expect(containerCommandsOnServices("docker logs --tail 5 mcp-prod-nginx; docker exec -it mcp-prod-postgres psql", services)).toEqual(["docker logs mcp-prod-nginx", "docker exec mcp-prod-postgres"]);
    expect(containerCommandsOnServices("docker exec -it $(docker ps -q -f label=com.docker.swarm.service.name=mcp-prod-postgres) psql; docker service logs mcp-prod-nginx", services)).toEqual([]);
  });
});

describe("the documents the checklist asks for", () => {
  test("PRE-INFRA-02 the deployment needs no Docker Compose: no compose file, the procedure deploys with pulumi up", () => {
    const composeFiles = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (["node_modules", ".git", "dist", "out"].includes(e.name)) return [];
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) return composeFiles(abs);
        return /^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(e.name) ? [path.relative(ROOT, abs)] : [];
      });
    expect(composeFiles(ROOT)).toEqual([]);
    const deployment = readDoc("docs/deployment.md");
    const commands = deployment.split("\n").filter((l) => /^\s*(docker[- ]compose|pulumi up)\b/.test(l));
    expect(commands.some((l) => /^\s*pulumi up\s+--stack prod\s+--policy-pack policies\b/.test(l))).toBe(true);
    expect(commands.filter((l) => /docker[- ]compose/.test(l))).toEqual([]);
  });

  test("DOC-TECH-01 deployment procedure uses this repository's commands and stacks", () => {
    const doc = readDoc("docs/deployment.md");
    const steps = ["npm ci", "npm run preflight -- --stack prod", "npm run host:check -- --stack prod", "pulumi up      --stack prod --policy-pack policies", "npm run verify -- --stack prod", "npm run signoff -- --stack prod"];
    // In deployment order: each step is found after the one before it.
    let from = 0;
    const outOfOrder = steps.filter((step) => {
      const at = doc.indexOf(step, from);
      if (at < 0) return true;
      from = at + step.length;
      return false;
    });
    expect(outOfOrder).toEqual([]);
    for (const stack of stackNames()) expect(doc).toContain(`Pulumi.${stack}.yaml`);
    for (const f of doc.match(/policies\/policy-config\.\w+\.json/g) ?? []) expect(fs.existsSync(path.join(ROOT, f))).toBe(true);
    // Every prerequisite threshold the procedure states is the schema's default.
    const host = stackConfigSchema.shape.host.parse({});
    expect(doc).toContain(`Docker Engine ${host.minDockerVersion}+, ${host.minMemoryGb} GB RAM, ${host.minDiskGb} GB free disk`);
  });

  test("DOC-TECH-03 troubleshooting guide has symptom, cause and fix for every service", () => {
    const doc = readDoc("docs/troubleshooting.md");
    const problems: string[] = [];
    for (const service of SERVICE_NAMES) {
      const body = section(doc, new RegExp(`^## \`${service}\`\\s*$`));
      if (!body) {
        problems.push(`${service}: no "## \`${service}\`" section`);
        continue;
      }
      const rows = tableRows(body);
      if (rows[0]?.join("|") !== "Symptom|Cause|Fix") problems.push(`${service}: no Symptom | Cause | Fix table`);
      else if (rows.length < 3) problems.push(`${service}: fewer than 2 symptoms`);
      else if (rows.slice(1).some((r) => r.length !== 3 || r.some((c) => c.length < 3))) problems.push(`${service}: a row misses its cause or fix`);
    }
    expect(problems).toEqual([]);
  });

  test("DOC-TECH-04 API documentation lists every path of the app contract", () => {
    const doc = readDoc("docs/api.md");
    const defaults = stackConfigSchema.shape.app.parse({}) as Record<string, unknown>;
    const missing: string[] = [];
    for (const [key, value] of Object.entries(defaults)) {
      if (!doc.includes(`mcp:app.${key}`) && !["replicas", "port"].includes(key)) missing.push(`mcp:app.${key}`);
      if (/Path$/.test(key) && !doc.includes(`\`GET ${value}`) && !doc.includes(`\`POST ${value}`)) missing.push(`${key} default ${String(value)}`);
    }
    expect(missing).toEqual([]);
    expect(doc).toContain(`(default \`${String(defaults.jwtIssuer)}\`)`);
    expect(doc).toContain(`(default \`${String(defaults.jwtAudience)}\`)`);
    // Every runtime check the page names exists.
    const registry = checkRegistry();
    if (registry.status !== "loaded") throw new Error(registry.reason);
    const ids = new Set(registry.entries.map((e) => e.name));
    const named = [...(section(doc, /^## Endpoints/) ?? "").matchAll(/`((?:app|edge|mcp)\.[a-z-]+)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((n) => !ids.has(n))).toEqual([]);
  });

  test("DOC-TECH-05 architecture diagram shows every service, network and published port", () => {
    const doc = readDoc("docs/architecture.md");
    const block = mermaidBlock(doc);
    if (!block) throw new Error("docs/architecture.md has no mermaid block");
    const groups = mermaidSubgraphs(block);
    const networksOf = (title: string) => new Set(["edge", "internal", "egress"].filter((n) => new RegExp(`\\b${n}\\b`).test(title)));
    const drawn = new Map<string, string[]>();
    for (const g of groups) for (const n of g.nodes) drawn.set(n, [...networksOf(g.title)].sort());
    const declared = new Map<string, string[]>();
    for (const s of prod.specs) {
      const nets = [...new Set(s.networks.map((n) => n.name))].sort();
      const prev = declared.get(s.service);
      if (prev && prev.join() !== nets.join()) throw new Error(`instances of ${s.service} differ in networks`);
      declared.set(s.service, nets);
    }
    expect(Object.fromEntries([...drawn].filter(([k]) => (SERVICE_NAMES as readonly string[]).includes(k)))).toEqual(Object.fromEntries(declared));
    // The internal network is drawn as internal, and only Nginx publishes, with the declared ports.
    expect(groups.some((g) => /internal: true/.test(g.title))).toBe(true);
    const publishing = prod.specs.filter((s) => s.ports.length > 0);
    expect(publishing.map((s) => s.service)).toEqual(["nginx"]);
    for (const p of publishing[0].ports) expect(block).toContain(`${p.external} → ${p.internal}`);
    // The hardening the page states is the program's: log rotation as declared on every container.
    const rotation = new Set(prod.specs.map((s) => `${s.logOpts["max-size"]} x ${s.logOpts["max-file"]}`));
    expect([...rotation]).toEqual(["10m x 5"]);
    expect(doc).toContain("`json-file` log rotation (10 MB × 5)");
    expect(prod.specs.filter((s) => !s.readOnlyRootfs || s.capAdd.length > 0 || /^0(:|$)/.test(s.user)).map((s) => s.name)).toEqual([]);
  });

  test("DOC-OPS-01 runbooks exist for every service and every alert", () => {
    const index = readDoc("docs/runbooks/README.md");
    const rows = tableRows(index).slice(1);
    const covered = new Map<string, string>();
    for (const [link, services] of rows) {
      const file = /\]\(([^)]+)\)/.exec(link)?.[1];
      for (const m of services.matchAll(/`(\w+)`/g)) if (file) covered.set(m[1], file);
    }
    expect(SERVICE_NAMES.filter((s) => !covered.has(s))).toEqual([]);
    for (const file of new Set(covered.values())) expect(fs.existsSync(path.join(ROOT, "docs/runbooks", file))).toBe(true);
    const alerts = readDoc("docs/runbooks/alerts.md");
    const renderedRules = parseYaml(rendered("prometheus", "mcp-alerts.yml")) as { groups: { rules: { alert?: string }[] }[] };
    const names = new Set([...ALERT_NAMES, ...renderedRules.groups.flatMap((g) => g.rules.map((r) => r.alert!).filter(Boolean))]);
    const missing = [...names].filter((n) => !section(alerts, new RegExp(`^## ${n}\\s*$`)));
    expect(missing).toEqual([]);
  });

  test("MON-ALERT-04 DOC-OPS-02 escalation procedure covers every severity and every sign-off role", () => {
    const doc = readDoc("docs/escalation.md");
    const routes = parseYaml(rendered("alertmanager", "alertmanager.yml")) as { route: { routes: { receiver: string; matchers: string[] }[] } };
    const severities = new Set(routes.route.routes.flatMap((r) => r.matchers.map((m) => /severity="(\w+)"/.exec(m)?.[1]).filter(Boolean)));
    expect([...severities].sort()).toEqual(["critical", "warning"]);
    const table = tableRows(section(doc, /^## Severities/) ?? "");
    for (const sev of severities) {
      const row = table.find((r) => r[0] === `\`${sev}\``);
      expect(row).toBeDefined();
      // The prod receiver the route sends this severity to is named in its row.
      for (const r of routes.route.routes.filter((x) => x.matchers.includes(`severity="${sev}"`))) expect(row!.join(" ")).toContain(r.receiver);
    }
    const severityText = table.map((r) => r.join(" ")).join("\n");
    expect(ALERT_NAMES.filter((a) => !severityText.includes(a))).toEqual([]);
    const path_ = section(doc, /^## Escalation path/) ?? "";
    for (const role of SIGNOFF_ROLES) expect(path_).toContain(role);
    expect(doc).toMatch(/Acknowledge within/);
  });

  test("DOC-OPS-04 on-call procedure defines rota, hand-over and response times", () => {
    const doc = readDoc("docs/on-call.md");
    for (const h of [/^## Rota/, /^## Response times/, /^## During a shift/, /^## Hand-over/]) expect(section(doc, h)).toBeDefined();
    const times = tableRows(section(doc, /^## Response times/)!);
    expect(times.map((r) => r[0])).toEqual(["Severity", "`critical`", "`warning`"]);
    // The on-call acknowledgement time is the one the escalation procedure promises.
    const esc = tableRows(section(readDoc("docs/escalation.md"), /^## Severities/)!);
    expect(times[1][1]).toBe(esc.find((r) => r[0] === "`critical`")![3]);
    expect(doc).toContain("templates/oncall-handover.md");
  });

  test("DOC-OPS-05 change management requires preflight, verify and sign-off", () => {
    const doc = readDoc("docs/change-management.md");
    const order = ["npm run preflight -- --stack prod", "pulumi preview --stack prod", "pulumi up --stack prod", "npm run verify -- --stack prod", "npm run signoff -- --stack prod"].map((s) => doc.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(doc).toContain("](rollback.md)");
  });

  test("HA-DR-03 HA-DR-04 BAK-RECOVERY-04 RTO and RPO in the DR plan match every stack config", () => {
    const rows = tableRows(section(readDoc("docs/disaster-recovery.md"), /^## Objectives/)!);
    expect(rows[0]).toEqual(["Stack", "RTO (minutes)", "RPO (minutes)", "Backup interval", "Drill every (days)"]);
    const documented = Object.fromEntries(rows.slice(1).map((r) => [r[0].replace(/`/g, ""), r.slice(1)]));
    const expected = Object.fromEntries(
      stackNames().map((s) => {
        const c = stackFacts(s).config;
        return [s, [String(c.dr.rtoMinutes), String(c.dr.rpoMinutes), c.backup.interval, String(c.dr.drillIntervalDays)]];
      }),
    );
    expect(documented).toEqual(expected);
    for (const s of stackNames()) {
      const c = stackFacts(s).config;
      expect(c.dr.rpoMinutes * 60).toBeGreaterThanOrEqual(durationSeconds(c.backup.interval));
    }
  });

  test("BAK-RECOVERY-05 HA-DR-01 DR plan gives restore procedures for every stateful service", () => {
    const doc = readDoc("docs/disaster-recovery.md");
    const volumes = [...new Set(prod.specs.flatMap((s) => s.volumes.filter((v) => !v.readOnly).map((v) => `${prod.prefix}-${v.volume}`)))];
    expect(volumes.length).toBeGreaterThan(3);
    const stateTable = section(doc, /^## What holds state/) ?? "";
    expect(volumes.filter((v) => !stateTable.includes(v))).toEqual([]);
    for (const h of [/^## Database restore/, /^## Configuration restore/, /^## Full system recovery/, /^## Drills/]) expect(section(doc, h)).toBeDefined();
    const restore = section(doc, /^## Database restore/)!;
    for (const needle of ["npm run drill:restore -- --stack prod", "age --decrypt -i /run/secrets/backup-age-identity", "pg_restore", "npm run verify -- --stack prod"]) expect(restore).toContain(needle);
    // The restore reads the identity the backup container is given.
    const backup = prod.specs.find((s) => s.service === "backup")!;
    expect(backup.secretFiles.map((f) => f.path)).toContain("/run/secrets/backup-age-identity");
  });

  test("HA-DR-05 DR plan has a communication plan with templates", () => {
    const plan = section(readDoc("docs/disaster-recovery.md"), /^## Communication plan/);
    expect(plan).toBeDefined();
    const rows = tableRows(plan!);
    expect(rows[0]).toEqual(["When", "Who tells whom", "Channel", "Template"]);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const role of SIGNOFF_ROLES) expect(plan).toContain(role);
    const templates = [...plan!.matchAll(/\]\((templates\/[\w-]+\.md)\)/g)].map((m) => m[1]);
    expect(new Set(templates)).toEqual(new Set(["templates/incident-report.md", "templates/stakeholder-update.md", "templates/postmortem.md"]));
  });
});
