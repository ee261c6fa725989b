/**
 * Checklist items the infra program guarantees by construction, proven on the service specs
 * it builds for the prod stack (plain data: the files it mounts, the environment and command
 * lines it sets, the networks it attaches). Each test names the item IDs it proves;
 * checklist/mapping.ts points at these titles.
 */
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { stackSpecs } from "../../infra/components";
import { durationSeconds, loadStackFileConfig, SERVICE_NAMES } from "../../infra/config";
import type { ServiceSpec } from "../../infra/spec";
import { HOSTS, PORTS, resourcePrefix } from "../../infra/topology";

/** The prod specs, and which DNS name listens on which ports (each swarm service answers on its name and aliases). */
function prodFacts() {
  const config = loadStackFileConfig("prod", path.resolve(__dirname, "../.."));
  const specs = stackSpecs(config, { stack: "prod", prefix: resourcePrefix("prod") });
  const hostPorts = new Map<string, Set<number>>();
  const add = (host: string, ...ports: number[]) => hostPorts.set(host, new Set([...(hostPorts.get(host) ?? []), ...ports]));
  add(HOSTS.postgres, PORTS.postgres);
  add(HOSTS.redis, PORTS.redis);
  add(HOSTS.nginx, PORTS.nginxHttp, PORTS.nginxHttps, PORTS.nginxStatus);
  add(HOSTS.prometheus, PORTS.prometheus);
  add(HOSTS.alertmanager, PORTS.alertmanager);
  add(HOSTS.grafana, PORTS.grafana);
  add(HOSTS.postgresExporter, PORTS.postgresExporter);
  add(HOSTS.redisExporter, PORTS.redisExporter);
  add(HOSTS.nginxExporter, PORTS.nginxExporter);
  add(HOSTS.nodeExporter, PORTS.nodeExporter);
  add(HOSTS.blackboxExporter, PORTS.blackboxExporter);
  add(HOSTS.app, config.app.port);
  return { config, specs, hostPorts };
}

const prod = prodFacts();

interface ScrapeJob {
  job_name: string;
  metrics_path?: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; port: number }[];
  relabel_configs?: { target_label?: string; replacement?: string }[];
}

/** host:port targets of a job: static ones, and DNS discovery (tasks.<service>: every task of a swarm service). */
const jobTargets = (j: ScrapeJob) => [
  ...(j.static_configs ?? []).flatMap((c) => c.targets),
  ...(j.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
];

/** `tasks.<name>` is the swarm's name for every task of the service answering to <name>. */
const serviceHost = (host: string) => host.replace(/^tasks\./, "");
const spec = (instance: string): ServiceSpec => {
  const s = prod.specs.find((x) => x.name === instance);
  if (!s) throw new Error(`no ${instance} in the prod specs`);
  return s;
};
const file = (instance: string, suffix: string): string => {
  const f = spec(instance).configFiles.find((c) => c.path.endsWith(suffix));
  if (!f || typeof f.content !== "string") throw new Error(`${instance} has no rendered ${suffix}`);
  return f.content;
};

interface Reference {
  from: string;
  host: string;
  port: number;
  where: string;
}

/** Every host:port a container is configured to reach: config files, command line, environment. */
function references(specs: readonly ServiceSpec[]): Reference[] {
  const aliases = [...new Set(specs.flatMap((s) => [s.name, ...s.networks.flatMap((n) => n.aliases)]))].sort((a, b) => b.length - a.length);
  const alt = aliases.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const re = new RegExp(`(?<![\\w.-])(?<![^/]/)(${alt}):(\\d{2,5})(?![\\d.])`, "g");
  const out: Reference[] = [];
  const byAlias = (host: string) => specs.find((s) => s.name === host || s.networks.some((n) => n.aliases.includes(host)));
  for (const s of specs) {
    // prometheus.yml is read as data: a probe job's targets are reached by the prober named in
    // its relabelling (__address__), not by Prometheus.
    const promFile = s.configFiles.find((f) => f.path === "/etc/prometheus/prometheus.yml" && typeof f.content === "string");
    if (promFile) {
      const prom = parseYaml(promFile.content as string) as {
        scrape_configs: ScrapeJob[];
        alerting?: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
      };
      const hostPort = (t: string) => /^(?:https?:\/\/)?([^:/]+):(\d+)/.exec(t);
      const add = (from: string, t: string, where: string) => {
        const m = hostPort(t);
        if (m && m[1] !== "localhost") out.push({ from, host: serviceHost(m[1]), port: Number(m[2]), where });
      };
      for (const job of prom.scrape_configs) {
        const prober = job.relabel_configs?.find((r) => r.target_label === "__address__")?.replacement;
        for (const t of jobTargets(job)) {
          if (prober) {
            add(s.name, prober, promFile.path);
            const proberHost = hostPort(prober)?.[1];
            const p = proberHost ? byAlias(proberHost) : undefined;
            if (p) add(p.name, t, `${promFile.path} (probe)`);
          } else add(s.name, t, promFile.path);
        }
      }
      for (const t of prom.alerting?.alertmanagers.flatMap((a) => a.static_configs.flatMap((c) => c.targets)) ?? []) add(s.name, t, promFile.path);
    }
    const texts: [string, string][] = [
      ...s.configFiles.filter((f) => typeof f.content === "string" && f !== promFile).map((f): [string, string] => [f.path, f.content as string]),
      ["command", (s.command ?? []).join(" ")],
      ...Object.entries(s.env).map(([k, v]): [string, string] => [`env ${k}`, v]),
    ];
    for (const [where, text] of texts) for (const m of text.matchAll(re)) out.push({ from: s.name, host: m[1], port: Number(m[2]), where });
    // HOST/PORT pairs in the environment (DATABASE_HOST + DATABASE_PORT, PGHOST + PGPORT).
    for (const [k, v] of Object.entries(s.env)) {
      const port = /HOST$/.test(k) ? s.env[k.replace(/HOST$/, "PORT")] : undefined;
      if (port && aliases.includes(v)) out.push({ from: s.name, host: v, port: Number(port), where: `env ${k}` });
    }
  }
  return out;
}

describe("guarantees of the infra program (prod stack)", () => {
  test("HA-REDUNDANCY-04 every host a service is configured to reach is a DNS alias on a network both share", () => {
    const refs = references(prod.specs);
    const problems: string[] = [];
    for (const r of refs) {
      const from = spec(r.from);
      const fromNets = new Set(from.networks.map((n) => n.name));
      const targets = prod.specs.filter(
        (s) => s.name !== r.from && s.networks.some((n) => fromNets.has(n.name) && (n.aliases.includes(r.host) || s.name === r.host)),
      );
      if (targets.length === 0) problems.push(`${r.from} (${r.where}) reaches ${r.host}:${r.port}, which no container on its networks answers to`);
      else if (!prod.hostPorts.get(r.host)?.has(r.port))
        problems.push(`${r.from} (${r.where}) reaches ${r.host}:${r.port}, but ${r.host} listens on ${[...(prod.hostPorts.get(r.host) ?? [])].join(", ")}`);
    }
    expect(problems).toEqual([]);
    // The references the stack depends on are all there (so an empty result cannot pass).
    const pairs = new Set(refs.map((r) => `${r.from}->${r.host}`));
    for (const p of [
      "nginx->app",
      "nginx->grafana",
      "app->postgres",
      "app->redis",
      "backup->postgres",
      "prometheus->alertmanager",
      "prometheus->postgres-exporter",
      "postgres-exporter->postgres",
      "redis-exporter->redis",
      "nginx-exporter->nginx",
      "blackbox-exporter->nginx",
      "prometheus->blackbox-exporter",
    ])
      expect(pairs).toContain(p);
  });

  test("POST-24H-01 every service is watched continuously: scraped or probed, and a down target alerts", () => {
    const prom = parseYaml(file("prometheus", "prometheus.yml")) as { global: { scrape_interval: string }; scrape_configs: ScrapeJob[] };
    const targets = prom.scrape_configs.flatMap(jobTargets);
    const scrapedHosts = new Set(targets.map((t) => serviceHost(t.replace(/^https?:\/\//, "").split(/[:/]/)[0])));
    scrapedHosts.add("prometheus"); // it scrapes itself as localhost
    const byAlias = (host: string) => prod.specs.filter((s) => s.name === host || s.networks.some((n) => n.aliases.includes(host)));
    const watched = new Set(prod.specs.filter((s) => [...scrapedHosts].some((h) => byAlias(h).includes(s))).map((s) => s.service));
    // Services watched through their scraped exporter.
    for (const r of references(prod.specs))
      if (watched.has(spec(r.from).service) && /Exporter$/.test(spec(r.from).service)) for (const t of byAlias(r.host)) watched.add(t.service);
    // The backup service reports through node-exporter's textfile collector, on a shared volume.
    const shared = spec("backup").volumes.filter((v) => spec("node-exporter").volumes.some((n) => n.volume === v.volume));
    const rules = parseYaml(file("prometheus", "mcp-alerts.yml")) as { groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[] };
    const alerts = rules.groups.flatMap((g) => g.rules);
    if (shared.length > 0 && alerts.some((a) => a.alert === "BackupTooOld") && alerts.some((a) => a.alert === "BackupFailed")) watched.add("backup");
    expect(SERVICE_NAMES.filter((s) => !watched.has(s))).toEqual([]);
    // Any target down pages: a rule on `up == 0` with critical severity covers every job.
    expect(alerts.filter((a) => a.expr.replace(/\s/g, "") === "up==0" && a.labels.severity === "critical").map((a) => a.alert)).toEqual(["ServiceDown"]);
    expect(durationSeconds(prom.global.scrape_interval)).toBeLessThanOrEqual(60);
  });

  test("MON-METRICS-03 the app's error rate is scraped from every replica and alerted on", () => {
    const prom = parseYaml(file("prometheus", "prometheus.yml")) as { scrape_configs: ScrapeJob[] };
    // A swarm service: tasks.<name> resolves to every replica, so one discovery target scrapes them all.
    const replicas = prod.specs.filter((s) => s.service === "app").map((s) => `tasks.${s.name}:${prod.config.app.port}`);
    const appJob = prom.scrape_configs.find((j) => replicas.every((r) => jobTargets(j).includes(r)));
    expect(appJob).toBeDefined();
    expect(appJob!.metrics_path ?? "/metrics").toBe(prod.config.app.metricsPath);
    const rules = parseYaml(file("prometheus", "mcp-alerts.yml")) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const errorRate = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === "HighErrorRate");
    expect(errorRate?.expr).toContain(`job="${appJob!.job_name}"`);
    expect(errorRate?.expr).toMatch(/5\.\./);
    expect(errorRate?.expr).toContain(`> ${prod.config.alerting.errorRatePercent}`);
  });

  test("MON-ALERT-05 alerts are grouped, de-duplicated, held before they fire and not repeated too often", () => {
    const am = parseYaml(file("alertmanager", "alertmanager.yml")) as {
      route: { group_by: string[]; group_wait: string; group_interval: string; repeat_interval: string };
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    };
    expect(am.route.group_by).toEqual(expect.arrayContaining(["alertname", "service"]));
    expect(durationSeconds(am.route.group_wait)).toBeGreaterThanOrEqual(10);
    expect(durationSeconds(am.route.group_interval)).toBeGreaterThanOrEqual(60);
    expect(durationSeconds(am.route.repeat_interval)).toBeGreaterThanOrEqual(3600);
    // A critical alert silences the warning of the same alert and service.
    expect(am.inhibit_rules).toContainEqual({
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ["alertname", "service"],
    });
    // Every rule must hold for at least a minute: one bad scrape pages nobody.
    const rules = parseYaml(file("prometheus", "mcp-alerts.yml")) as { groups: { rules: { alert: string; for?: string; labels: Record<string, string> }[] }[] };
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.filter((r) => !r.for || durationSeconds(r.for) < 60).map((r) => r.alert)).toEqual([]);
    // No two rules raise the same alert with the same labels (one problem, one notification).
    const keys = all.map((r) => `${r.alert}/${JSON.stringify(Object.entries(r.labels).sort())}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  test("SEC-DATA-10 Nginx logs every request as JSON and PostgreSQL logs every connection", () => {
    const conf = file("nginx", "nginx.conf");
    const http = conf.slice(conf.indexOf("http {"));
    const format = /log_format (\w+) escape=json /.exec(http)?.[1];
    expect(format).toBeDefined();
    // The http-level access log, inherited by every server that serves clients.
    expect(http).toMatch(new RegExp(`^ {4}access_log /dev/stdout ${format};$`, "m"));
    for (const field of ["time", "remote_addr", "method", "uri", "status", "request_time", "http_user_agent"]) expect(http).toContain(`"${field}":`);
    // Logging is off only on the never-published status port.
    const offAt = [...conf.matchAll(/access_log off;/g)].map((m) => conf.lastIndexOf("listen ", m.index));
    for (const at of offAt) expect(conf.slice(at, conf.indexOf(";", at))).toBe(`listen ${8081}`);
    const pg = file("postgres", "postgresql.conf");
    expect(pg).toMatch(/^log_connections = on$/m);
    expect(pg).toMatch(/^log_disconnections = on$/m);
  });
});
