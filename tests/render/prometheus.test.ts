/**
 * prometheus.yml and the command line: every service and exporter is scraped, the
 * blackbox probe is wired, and `promtool check config` accepts the prod and dev renderings
 * (with the rendered rule file in place) and rejects broken variants.
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { parse } from "yaml";
import { prometheusFlags, prometheusInputFromConfig, renderPrometheusConfig, SCRAPE_JOBS, ALERT_RULES_FILE } from "../../infra/render/prometheus";
import { alertRulesInputFromConfig, renderAlertRules } from "../../infra/render/alert-rules";
import { BLACKBOX_MODULE } from "../../infra/render/blackbox";
import { HOSTS, PORTS, tasksHost } from "../../infra/topology";
import { makeTempDir, outputOf, promtoolCheckConfig, TempDir } from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  static_configs: { targets: string[]; labels: Record<string, string> }[];
  relabel_configs?: Record<string, unknown>[];
  dns_sd_configs?: Record<string, unknown>[];
}

describe.each(STACKS)("prometheus.yml for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const doc = parse(renderPrometheusConfig(prometheusInputFromConfig(config)));
  const jobs = new Map<string, ScrapeConfig>(doc.scrape_configs.map((j: ScrapeConfig) => [j.job_name, j]));
  const targetsOf = (job: string) => jobs.get(job)?.static_configs?.flatMap((s) => s.targets) ?? [];

  test("scrapes every service and exporter at its topology address", () => {
    // Every replica on its own: tasks.<app> has one A record per task.
    expect(targetsOf(SCRAPE_JOBS.app)).toEqual([]);
    expect(jobs.get(SCRAPE_JOBS.app)?.dns_sd_configs).toEqual([{ names: [tasksHost(HOSTS.app)], type: "A", port: config.app.port, refresh_interval: "30s" }]);
    expect(jobs.get(SCRAPE_JOBS.app)?.relabel_configs).toEqual([{ target_label: "service", replacement: "app" }]);
    expect(jobs.get(SCRAPE_JOBS.app)?.metrics_path).toBe(config.app.metricsPath);
    expect(targetsOf(SCRAPE_JOBS.postgres)).toEqual([`${HOSTS.postgresExporter}:${PORTS.postgresExporter}`]);
    expect(targetsOf(SCRAPE_JOBS.redis)).toEqual([`${HOSTS.redisExporter}:${PORTS.redisExporter}`]);
    expect(targetsOf(SCRAPE_JOBS.nginx)).toEqual([`${HOSTS.nginxExporter}:${PORTS.nginxExporter}`]);
    expect(targetsOf(SCRAPE_JOBS.node)).toEqual([`${HOSTS.nodeExporter}:${PORTS.nodeExporter}`]);
    expect(targetsOf(SCRAPE_JOBS.alertmanager)).toEqual([`${HOSTS.alertmanager}:${PORTS.alertmanager}`]);
    expect(targetsOf(SCRAPE_JOBS.grafana)).toEqual([`${HOSTS.grafana}:${PORTS.grafana}`]);
    expect(targetsOf(SCRAPE_JOBS.blackboxExporter)).toEqual([`${HOSTS.blackboxExporter}:${PORTS.blackboxExporter}`]);
    expect(targetsOf(SCRAPE_JOBS.prometheus)).toEqual([`localhost:${PORTS.prometheus}`]);
    expect([...jobs.keys()].sort()).toEqual(Object.values(SCRAPE_JOBS).sort());
    for (const j of jobs.values()) for (const s of j.static_configs ?? []) expect(s.labels.service).toMatch(/^[a-z]+$/);
  });

  test("probes the public HTTPS health endpoint through the blackbox exporter", () => {
    const probe = jobs.get(SCRAPE_JOBS.edgeProbe)!;
    expect(probe.metrics_path).toBe("/probe");
    expect(probe.params).toEqual({ module: [BLACKBOX_MODULE] });
    expect(targetsOf(SCRAPE_JOBS.edgeProbe)).toEqual([`https://${HOSTS.nginx}:${PORTS.nginxHttps}${config.app.healthPath}`]);
    expect(probe.relabel_configs).toContainEqual({ target_label: "__address__", replacement: `${HOSTS.blackboxExporter}:${PORTS.blackboxExporter}` });
  });

  test("sends alerts to Alertmanager and loads the rules directory", () => {
    expect(doc.alerting.alertmanagers[0].static_configs[0].targets).toEqual([`${HOSTS.alertmanager}:${PORTS.alertmanager}`]);
    expect(doc.rule_files).toEqual(["/etc/prometheus/rules/*.yml"]);
    expect(doc.global.scrape_interval).toBe(config.prometheus.scrapeInterval);
  });

  test("command line sets both retention limits and leaves the lifecycle/admin APIs off", () => {
    const flags = prometheusFlags(config);
    expect(flags).toContain(`--storage.tsdb.retention.time=${config.prometheus.retentionTime}`);
    expect(flags).toContain(`--storage.tsdb.retention.size=${config.prometheus.retentionSize}`);
    expect(flags).toContain("--config.file=/etc/prometheus/prometheus.yml");
    expect(flags).toContain("--storage.tsdb.path=/prometheus");
    expect(flags.join(" ")).not.toMatch(/enable-lifecycle|enable-admin-api/);
    expect(prometheusFlags(config, { listenAddress: "127.0.0.1:19090" })).toContain("--web.listen-address=127.0.0.1:19090");
  });

  describe("promtool check config", () => {
    let dir: TempDir;
    const render = (ruleGlob: string) => renderPrometheusConfig({ ...prometheusInputFromConfig(config), ruleFiles: [ruleGlob] });
    beforeAll(() => {
      dir = makeTempDir(`prom-${stack}-`);
      mkdirSync(dir.join("rules"));
      writeFileSync(dir.join("rules", ALERT_RULES_FILE), renderAlertRules(alertRulesInputFromConfig(config)));
    });
    afterAll(() => dir?.remove());

    test("accepts the rendered config with the rendered rule file", async () => {
      writeFileSync(dir.join("prometheus.yml"), render(dir.join("rules", "*.yml")));
      const r = await promtoolCheckConfig(dir.join("prometheus.yml"));
      expect({ code: r.code, out: outputOf(r) }).toEqual({ code: 0, out: expect.stringMatching(/SUCCESS: 1 rule files found/) });
    });

    test("a scrape interval under 10s gets a timeout no longer than itself (Prometheus rejects timeout > interval)", async () => {
      writeFileSync(
        dir.join("fast.yml"),
        renderPrometheusConfig({ ...prometheusInputFromConfig(config), scrapeInterval: "5s", ruleFiles: [dir.join("rules", "*.yml")] }),
      );
      expect(parse(renderPrometheusConfig({ ...prometheusInputFromConfig(config), scrapeInterval: "5s" })).global.scrape_timeout).toBe("5s");
      const r = await promtoolCheckConfig(dir.join("fast.yml"));
      expect({ code: r.code, out: outputOf(r) }).toEqual({ code: 0, out: expect.stringMatching(/SUCCESS/) });
    });

    test("rejects a broken variant: a malformed scrape interval", async () => {
      writeFileSync(
        dir.join("broken.yml"),
        render(dir.join("rules", "*.yml")).replace(`scrape_interval: ${config.prometheus.scrapeInterval}`, "scrape_interval: 15 seconds"),
      );
      const r = await promtoolCheckConfig(dir.join("broken.yml"));
      expect(r.code).not.toBe(0);
      expect(outputOf(r)).toMatch(/15 seconds/);
    });

    test("rejects a broken variant: a rule file with an invalid expression", async () => {
      mkdirSync(dir.join("bad-rules"), { recursive: true });
      writeFileSync(dir.join("bad-rules", "bad.yml"), renderAlertRules(alertRulesInputFromConfig(config)).replace("expr: up == 0", "expr: up ==="));
      writeFileSync(dir.join("broken-rules.yml"), render(dir.join("bad-rules", "*.yml")));
      const r = await promtoolCheckConfig(dir.join("broken-rules.yml"));
      expect(r.code).not.toBe(0);
      expect(outputOf(r)).toMatch(/parse error/);
    });
  });
});

describe("prometheus input", () => {
  const input = prometheusInputFromConfig(loadStackFile("prod"));

  test("loopback targets render (what a test harness uses)", () => {
    const yml = renderPrometheusConfig({
      ...input,
      jobs: [{ name: "mcp-app", targets: ["127.0.0.1:18080"], service: "app" }],
      probe: undefined,
      alertmanagers: ["127.0.0.1:19093"],
    });
    expect(parse(yml).scrape_configs[0].static_configs[0].targets).toEqual(["127.0.0.1:18080"]);
  });

  test("bad input fails naming the job and value", () => {
    expect(() => renderPrometheusConfig({ ...input, jobs: [...input.jobs, { name: "mcp-app", targets: ["no-port"], service: "x" }] })).toThrow(
      /duplicate job name "mcp-app"[\s\S]*job "mcp-app" target "no-port" is not host:port/,
    );
  });
});
