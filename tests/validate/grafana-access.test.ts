/**
 * grafana.anonymous-refused and grafana.auth-settings against the Grafana stand-in started with
 * the environment the program renders (infra/render/grafana.ts grafanaEnv): both pass; with
 * anonymous access or sign-up turned on in that environment, the right one fails naming the
 * setting, the status seen and the one expected. Sub-path serving (as behind Nginx) included.
 */
import { randomBytes } from "node:crypto";
import { grafanaEnv, renderGrafanaProvisioning } from "../../infra/render/grafana";
import { runChecks } from "../../validate/core/runner";
import { grafanaExpectations } from "../../validate/monitoring/grafana-expectations";
import { grafanaAnonymousRefusedCheck, grafanaAuthSettingsCheck } from "../../validate/monitoring/grafana-access";
import type { VerifyTarget } from "../../validate/target";
import { startGrafanaStandIn, type GrafanaStandIn } from "../../testing/stand-ins/grafana";
import { localStackConfig } from "../../testing/stack";

const config = localStackConfig({ http: 80, https: 443 });
const password = randomBytes(18).toString("base64url");
const CHECKS = [grafanaAnonymousRefusedCheck, grafanaAuthSettingsCheck];
const running: GrafanaStandIn[] = [];

async function grafanaWith(env: Record<string, string>, subPath?: string) {
  const g = await startGrafanaStandIn({
    adminUser: config.grafana.adminUser,
    adminPassword: password,
    provisioning: renderGrafanaProvisioning(config),
    env: { ...grafanaEnv(config), ...env },
    subPath,
  });
  running.push(g);
  const target = {
    grafana: { url: `${g.url}${subPath ?? ""}/`, user: config.grafana.adminUser, password, ...grafanaExpectations(config) },
  } as unknown as VerifyTarget;
  const records = await runChecks(CHECKS, target, { secrets: [password], progress: false });
  return Object.fromEntries(records.map((r) => [r.id, r]));
}

afterAll(async () => {
  await Promise.all(running.map((g) => g.stop()));
});

test("the program's environment: both pass, also under a sub-path", async () => {
  for (const sub of [undefined, "/grafana"]) {
    const r = await grafanaWith({}, sub);
    expect([r["grafana.anonymous-refused"].status, r["grafana.auth-settings"].status]).toEqual(["pass", "pass"]);
  }
});

test("anonymous access on: the API answers without credentials, both fail naming what they saw", async () => {
  const r = await grafanaWith({ GF_AUTH_ANONYMOUS_ENABLED: "true" });
  expect(r["grafana.anonymous-refused"].status).toBe("fail");
  expect(r["grafana.anonymous-refused"].message).toMatch(/GET \/api\/search without credentials answered 200, expected 401/);
  expect(r["grafana.anonymous-refused"].message).toMatch(/GET \/ without a session answered 200, expected 302 to \.\.\.\/login/);
  expect(r["grafana.auth-settings"].message).toBe("[auth.anonymous] enabled is true, expected false");
  expect(r["grafana.auth-settings"].remediation).toMatch(/GF_AUTH_ANONYMOUS_ENABLED=false/);
});

test("sign-up on: only the settings check fails, naming users.allow_sign_up", async () => {
  const r = await grafanaWith({ GF_USERS_ALLOW_SIGN_UP: "true" });
  expect(r["grafana.anonymous-refused"].status).toBe("pass");
  expect(r["grafana.auth-settings"].status).toBe("fail");
  expect(r["grafana.auth-settings"].message).toBe("[users] allow_sign_up is true, expected false");
});

test("Grafana stopped: both fail, and the admin password appears in no message", async () => {
  const g = await startGrafanaStandIn({ adminUser: "admin", adminPassword: password, provisioning: {}, env: grafanaEnv(config) });
  await g.stop();
  const target = { grafana: { url: `${g.url}/`, user: "admin", password, datasourceUid: "x", dashboardUids: ["y"] } } as unknown as VerifyTarget;
  const records = await runChecks(CHECKS, target, { secrets: [password], progress: false });
  expect(records.map((r) => r.status)).toEqual(["fail", "fail"]);
  expect(JSON.stringify(records)).not.toContain(password);
});
