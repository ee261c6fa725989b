/**
 * Grafana provisioning: valid YAML/JSON, the datasource with its fixed uid, four dashboards
 * with stable uids whose every panel queries that datasource, every panel query accepted
 * as PromQL by promtool, and an environment with anonymous access off and no secret in it.
 */
import { writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import {
  GRAFANA_DASHBOARD_UIDS,
  GRAFANA_DASHBOARDS_DIR,
  GRAFANA_DATASOURCE_UID,
  GRAFANA_PROVISIONING_DIR,
  grafanaEnv,
  renderGrafanaProvisioning,
} from "../../infra/render/grafana";
import { HOSTS, PORTS } from "../../infra/topology";
import { makeTempDir, outputOf, promtoolCheckRules } from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

interface Panel {
  id: number;
  title: string;
  type: string;
  datasource: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; datasource: { uid: string } }[];
}

describe.each(STACKS)("Grafana provisioning for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const files = renderGrafanaProvisioning(config);
  const dashboards = Object.entries(files)
    .filter(([p]) => p.endsWith(".json"))
    .map(([p, c]) => ({ path: p, model: JSON.parse(c) as { uid: string; title: string; panels: Panel[] } }));

  test("the Prometheus datasource has the fixed uid and the internal URL", () => {
    const doc = parse(files[`${GRAFANA_PROVISIONING_DIR}/datasources/prometheus.yml`]);
    expect(doc.datasources).toEqual([
      expect.objectContaining({
        uid: GRAFANA_DATASOURCE_UID,
        type: "prometheus",
        url: `http://${HOSTS.prometheus}:${PORTS.prometheus}`,
        isDefault: true,
        editable: false,
      }),
    ]);
  });

  test("the dashboard provider reads the directory the dashboards are written to", () => {
    const doc = parse(files[`${GRAFANA_PROVISIONING_DIR}/dashboards/mcp.yml`]);
    expect(doc.providers[0]).toMatchObject({ type: "file", allowUiUpdates: false, options: { path: GRAFANA_DASHBOARDS_DIR } });
    for (const d of dashboards) expect(d.path.startsWith(`${GRAFANA_DASHBOARDS_DIR}/`)).toBe(true);
  });

  test("four dashboards with stable uids; every panel and query uses the datasource uid", () => {
    expect(dashboards.map((d) => d.model.uid).sort()).toEqual(Object.values(GRAFANA_DASHBOARD_UIDS).sort());
    for (const { model } of dashboards) {
      expect(model.title.length).toBeGreaterThan(3);
      expect(model.panels.length).toBeGreaterThanOrEqual(4);
      expect(new Set(model.panels.map((p) => p.id)).size).toBe(model.panels.length);
      for (const p of model.panels) {
        expect(p.datasource.uid).toBe(GRAFANA_DATASOURCE_UID);
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource.uid).toBe(GRAFANA_DATASOURCE_UID);
      }
    }
    const app = dashboards.find((d) => d.model.uid === GRAFANA_DASHBOARD_UIDS.app)!.model;
    const exprs = app.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    expect(exprs).toMatch(/rate\(http_requests_total/);
    expect(exprs).toMatch(/status=~"5\.\."/);
    expect(exprs).toMatch(/histogram_quantile\(0\.95, .*http_request_duration_seconds_bucket/);
    expect(exprs).toMatch(/up\{job="mcp-app"\}/);
  });

  test("every panel query is valid PromQL (promtool), and an invalid one is rejected", async () => {
    const exprs = dashboards.flatMap((d) => d.model.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    const asRules = (list: string[]) =>
      stringify({ groups: [{ name: "dashboard-queries", rules: list.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }] });
    const dir = makeTempDir(`grafana-${stack}-`);
    try {
      writeFileSync(dir.join("ok.yml"), asRules(exprs));
      const ok = await promtoolCheckRules(dir.join("ok.yml"));
      expect({ code: ok.code, out: outputOf(ok) }).toEqual({ code: 0, out: expect.stringMatching(new RegExp(`SUCCESS: ${exprs.length} rules found`)) });
      writeFileSync(dir.join("bad.yml"), asRules([...exprs, "sum(rate(http_requests_total[5m])"]));
      const bad = await promtoolCheckRules(dir.join("bad.yml"));
      expect(bad.code).not.toBe(0);
    } finally {
      dir.remove();
    }
  });

  test("environment: no anonymous access or sign-up, admin password from a file, served under /grafana/", () => {
    const env = grafanaEnv(config);
    expect(env).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: "false",
      GF_AUTH_DISABLE_LOGIN_FORM: "false",
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_SECURITY_ADMIN_USER: config.grafana.adminUser,
      GF_SECURITY_ADMIN_PASSWORD__FILE: "/run/secrets/grafana-admin-password",
      GF_SERVER_SERVE_FROM_SUB_PATH: "true",
      GF_ANALYTICS_REPORTING_ENABLED: "false",
      GF_PATHS_PROVISIONING: GRAFANA_PROVISIONING_DIR,
    });
    const port = config.edge.httpsPort === 443 ? "" : `:${config.edge.httpsPort}`;
    expect(env.GF_SERVER_ROOT_URL).toBe(`https://${config.domain}${port}/grafana/`);
    expect(Object.keys(env).filter((k) => /PASSWORD|SECRET|TOKEN|KEY/.test(k) && !k.endsWith("__FILE"))).toEqual([]);
  });
});
