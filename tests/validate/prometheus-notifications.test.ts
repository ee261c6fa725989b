/**
 * prometheus.notifications on a real Prometheus with an always-firing rule: sending to a real
 * Alertmanager it passes with alerts sent; pointed at an address where no Alertmanager listens
 * it fails naming the failed notifications; the counter reader on a sample exposition.
 */
import { freePort } from "../../local/ports";
import { prometheusInputFromConfig } from "../../infra/render/prometheus";
import { runChecks } from "../../validate/core/runner";
import { metricSum, prometheusNotificationsCheck } from "../../validate/monitoring/prometheus-notifications";
import type { VerifyTarget } from "../../validate/target";
import { startAlertmanager, type AlertmanagerServer } from "../../testing/servers/alertmanager";
import { startPrometheus, type PrometheusServer } from "../../testing/servers/prometheus";
import { localStackConfig } from "../../testing/stack";

const config = localStackConfig({ http: 80, https: 443 });
const ALWAYS = "groups:\n  - name: always\n    rules:\n      - alert: AlwaysFiring\n        expr: vector(1)\n        labels:\n          severity: warning\n";
let prom: PrometheusServer | undefined;
let am: AlertmanagerServer | undefined;
afterEach(async () => {
  await Promise.all([prom?.stop(), am?.stop()]);
  prom = am = undefined;
});

async function notifications(alertmanager: string) {
  prom = await startPrometheus({
    input: { ...prometheusInputFromConfig(config), evaluationInterval: "1s", alertmanagers: [alertmanager], jobs: [], probe: undefined },
    rules: ALWAYS,
    retention: { time: "1d", size: "1GB" },
    port: await freePort(),
    alertResendDelay: "1s",
  });
  const target = { prometheus: { url: prom.url, expectedJobs: [], retention: { time: "1d", size: "1GB" }, expectedAlerts: [] } } as unknown as VerifyTarget;
  // Bounded wait for the rule to fire and the notifier to try at least once (evaluation every 1 s).
  let record;
  for (let i = 0; i < 40; i++) {
    [record] = await runChecks([prometheusNotificationsCheck], target, { secrets: [], progress: false });
    if (Number(record.measurements?.sent ?? 0) > 0 || Number(record.measurements?.errors ?? 0) > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return record!;
}

test("to a real Alertmanager: pass, with alerts sent", async () => {
  am = await startAlertmanager("route:\n  receiver: none\nreceivers:\n  - name: none\n");
  const r = await notifications(`127.0.0.1:${am.port}`);
  expect(r.status).toBe("pass");
  expect(r.message).toMatch(/^1 Alertmanager\(s\), [1-9]\d* alert\(s\) sent, none failed$/);
}, 60_000);

test("to an address where nothing listens: fail, naming the failed notifications", async () => {
  const r = await notifications(`127.0.0.1:${await freePort()}`);
  expect(r.status).toBe("fail");
  expect(r.message).toMatch(/Prometheus -> Alertmanager: [1-9]\d* notification\(s\) failed to reach Alertmanager/);
}, 60_000);

test("counters are summed over their series", () => {
  const text = 'x_total{alertmanager="a"} 2\nx_total{alertmanager="b"} 3\ny 1\n';
  expect(metricSum(text, "x_total")).toBe(5);
  expect(metricSum(text, "y")).toBe(1);
  expect(metricSum(text, "z")).toBeUndefined();
});
