/**
 * The routing-tree walk (validate/monitoring/alertmanager-routes.ts) against the real
 * `amtool config routes test`, on the program's rendered config for every alert rule it
 * renders and on a tree with continue, regex, negative and legacy matchers and nesting; then
 * alertmanager.routing on a real Alertmanager and a real Prometheus with the rendered rules:
 * it passes, and fails naming the alert and receiver when a receiver has no integration.
 */
import { writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { alertmanagerInputFromConfig, renderAlertmanagerConfig } from "../../infra/render/alertmanager";
import { alertRulesInputFromConfig, renderAlertRules } from "../../infra/render/alert-rules";
import { prometheusInputFromConfig } from "../../infra/render/prometheus";
import { makeTempDir, type TempDir } from "../../local/tempdir";
import { freePort } from "../../local/ports";
import { runChecks } from "../../validate/core/runner";
import { alertmanagerRoutingCheck } from "../../validate/monitoring/alertmanager-routing";
import { integrationsOf, receiversFor, type Route } from "../../validate/monitoring/alertmanager-routes";
import type { VerifyTarget } from "../../validate/target";
import { startAlertmanager, type AlertmanagerServer } from "../../testing/servers/alertmanager";
import { startPrometheus, type PrometheusServer } from "../../testing/servers/prometheus";
import { localStackConfig } from "../../testing/stack";
import { amtoolRoutesTest, outputOf } from "../../testing/tools/config-check";

const config = localStackConfig({ http: 80, https: 443 });
const rendered = renderAlertmanagerConfig(alertmanagerInputFromConfig(config));
const rules = renderAlertRules(alertRulesInputFromConfig(config));
let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir("am-routes-");
});
afterAll(() => dir.remove());

async function amtool(yaml: string, labels: Record<string, string>): Promise<string[]> {
  const file = dir.join(`am-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  const r = await amtoolRoutesTest(file, labels);
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.code !== 0) throw new Error(outputOf(r));
  return line.split(",").filter(Boolean);
}

test("the rendered config: every rendered alert reaches the receivers amtool says", async () => {
  const tree = (parse(rendered) as { route: Route }).route;
  const alerts = (parse(rules) as { groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[] }).groups.flatMap((g) =>
    g.rules.filter((r) => r.alert),
  );
  expect(alerts.length).toBeGreaterThan(3);
  for (const a of alerts) {
    const labels = { alertname: a.alert!, ...(a.labels ?? {}) };
    expect({ labels, to: receiversFor(tree, labels) }).toEqual({ labels, to: await amtool(rendered, labels) });
  }
});

test("continue, regex, negative, legacy and nested routes walk as amtool walks them", async () => {
  const tree: Route = {
    receiver: "root",
    routes: [
      { receiver: "pager", matchers: ['severity="critical"', 'team!="qa"'], continue: true },
      { receiver: "ops", matchers: ["severity=~crit.*|warning"], routes: [{ receiver: "db-ops", match: { service: "postgres" } }] },
      { receiver: "qa", match_re: { team: "qa|test" } },
    ],
  };
  const yaml = stringify({ route: tree, receivers: ["root", "pager", "ops", "db-ops", "qa"].map((name) => ({ name })) });
  const cases: Record<string, string>[] = [
    { severity: "critical" },
    { severity: "critical", team: "qa" },
    { severity: "warning", service: "postgres" },
    { severity: "info", team: "test" },
    { severity: "info" },
    { severity: "critical", service: "postgres", team: "ops" },
  ];
  for (const labels of cases) expect({ labels, to: receiversFor(tree, labels) }).toEqual({ labels, to: await amtool(yaml, labels) });
});

test("integrations are counted from *_configs lists", () => {
  expect(integrationsOf({ name: "a", webhook_configs: [{ url: "x" }], email_configs: [{ to: "y" }] })).toBe(2);
  expect(integrationsOf({ name: "a" })).toBe(0);
  expect(integrationsOf({ name: "a", webhook_configs: [] })).toBe(0);
});

describe("alertmanager.routing on a real Alertmanager and Prometheus", () => {
  let am: AlertmanagerServer | undefined;
  let prom: PrometheusServer | undefined;
  afterEach(async () => {
    await Promise.all([am?.stop(), prom?.stop()]);
    am = prom = undefined;
  });

  async function routing(amConfig: string) {
    am = await startAlertmanager(amConfig);
    const port = await freePort();
    prom = await startPrometheus({
      input: { ...prometheusInputFromConfig(config), alertmanagers: [`127.0.0.1:${am.port}`], jobs: [], probe: undefined },
      rules,
      retention: { time: "1d", size: "1GB" },
      port,
    });
    const target = {
      alertmanager: { url: am.url, expectedReceivers: [] },
      prometheus: { url: prom.url, expectedJobs: [], retention: { time: "1d", size: "1GB" }, expectedAlerts: [] },
    } as unknown as VerifyTarget;
    const [record] = await runChecks([alertmanagerRoutingCheck], target, { secrets: [], progress: false });
    return record;
  }

  test("the rendered config passes", async () => {
    const r = await routing(rendered);
    expect(r.status).toBe("pass");
    expect(r.message).toMatch(/alerts route to oncall-critical, ops-warnings, each with an integration/);
  }, 60000);

  test("a receiver without an integration fails, naming it and the alerts that reach only it", async () => {
    const doc = parse(rendered) as { receivers: Record<string, unknown>[] };
    for (const r of doc.receivers) if (r.name === "ops-warnings") for (const k of Object.keys(r)) if (k.endsWith("_configs")) delete r[k];
    const r = await routing(stringify(doc));
    expect(r.status).toBe("fail");
    expect(r.message).toMatch(/receiver ops-warnings has no integration/);
    expect(r.message).toMatch(/\(severity warning\) reaches only ops-warnings, which notifies no one/);
  }, 60000);
});
