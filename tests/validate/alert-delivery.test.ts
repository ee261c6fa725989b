/**
 * alertmanager.test-alert on a real Alertmanager (config rendered by the program, receivers
 * pointing at a webhook stand-in on loopback) and a real Prometheus with the rendered rules:
 * each severity's test alert reaches its receiver and the check passes from Alertmanager's own
 * counters; a receiver answering 500, or not listening, fails it at once naming the
 * integration; without --send-test-alert it is skipped and sends nothing; the probe is resolved.
 */
import { createServer, type Server } from "node:http";
import { alertmanagerInputFromConfig, renderAlertmanagerConfig } from "../../infra/render/alertmanager";
import { alertRulesInputFromConfig, renderAlertRules } from "../../infra/render/alert-rules";
import { prometheusInputFromConfig } from "../../infra/render/prometheus";
import { freePort } from "../../local/ports";
import { runChecks } from "../../validate/core/runner";
import { alertmanagerTestAlertCheck, notificationCounters, TEST_ALERT_NAME } from "../../validate/monitoring/alert-delivery";
import type { VerifyTarget } from "../../validate/target";
import { startAlertmanager, type AlertmanagerServer } from "../../testing/servers/alertmanager";
import { startPrometheus, type PrometheusServer } from "../../testing/servers/prometheus";
import { localStackConfig } from "../../testing/stack";

const config = localStackConfig({ http: 80, https: 443 });
let prom: PrometheusServer;
let am: AlertmanagerServer | undefined;
let hook: Server | undefined;
const received: { alertname?: string; severity?: string; status?: string }[] = [];

beforeAll(async () => {
  prom = await startPrometheus({
    input: { ...prometheusInputFromConfig(config), alertmanagers: [], jobs: [], probe: undefined },
    rules: renderAlertRules(alertRulesInputFromConfig(config)),
    retention: { time: "1d", size: "1GB" },
    port: await freePort(),
  });
}, 60000);
afterAll(async () => {
  await prom?.stop();
});
afterEach(async () => {
  await am?.stop();
  await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
  am = hook = undefined;
  received.length = 0;
});

/** A webhook receiver on loopback answering `status`, or a port nobody listens on. */
async function webhook(status: number | "closed"): Promise<string> {
  const port = await freePort();
  if (status === "closed") return `http://127.0.0.1:${port}/hook`;
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const msg = JSON.parse(body) as { status: string; alerts: { labels: Record<string, string> }[] };
      for (const a of msg.alerts) received.push({ ...a.labels, status: msg.status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => hook!.listen(port, "127.0.0.1", r));
  return `http://127.0.0.1:${port}/hook`;
}

async function testAlert(url: string, sendTestAlert = true) {
  const input = alertmanagerInputFromConfig(config);
  input.groupWait = "1s";
  input.receivers = input.receivers.map((r) => ({ ...r, webhookUrl: url }));
  am = await startAlertmanager(renderAlertmanagerConfig(input));
  const target = {
    alertmanager: { url: am.url, expectedReceivers: [], sendTestAlert },
    prometheus: { url: prom.url, expectedJobs: [], retention: { time: "1d", size: "1GB" }, expectedAlerts: [] },
  } as unknown as VerifyTarget;
  const t0 = Date.now();
  const [record] = await runChecks([alertmanagerTestAlertCheck], target, { secrets: [], progress: false });
  return { record, ms: Date.now() - t0, am: am.url };
}

test("every severity's test alert is delivered: pass, and the probe is resolved afterwards", async () => {
  const { record, am: url } = await testAlert(await webhook(200));
  expect(record.message).toMatch(/2 test alert\(s\) \(critical, warning\) to oncall-critical, ops-warnings: every integration delivered/);
  expect(record.status).toBe("pass");
  const firing = received.filter((r) => r.alertname?.startsWith(TEST_ALERT_NAME) && r.status === "firing");
  expect(firing.map((r) => r.severity).sort()).toEqual(["critical", "warning"]);
  const active = (await (await fetch(`${url}/api/v2/alerts?active=true&filter=alertname%3D~%22${TEST_ALERT_NAME}.*%22`)).json()) as unknown[];
  expect(active).toEqual([]);
}, 60000);

test.each<[number | "closed", string]>([
  [500, "a receiver answering 500"],
  ["closed", "a receiver nobody listens on"],
])(
  "%s: %s fails at once, naming the integration",
  async (status) => {
    const { record, ms } = await testAlert(await webhook(status));
    expect(record.status).toBe("fail");
    expect(record.message).toMatch(/webhook: \d of 2 delivered, \d+ failed/);
    expect(ms).toBeLessThan(15000);
  },
  60000,
);

test("without --send-test-alert: skipped, nothing sent", async () => {
  const { record } = await testAlert(await webhook(200), false);
  expect(record.status).toBe("skip");
  expect(record.message).toMatch(/--send-test-alert/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(received).toEqual([]);
}, 60000);

test("counters are read per integration", () => {
  const text = [
    'alertmanager_notification_requests_total{integration="webhook"} 3',
    'alertmanager_notification_requests_failed_total{integration="webhook"} 1',
    'alertmanager_notification_requests_total{integration="email"} 0',
  ].join("\n");
  expect(notificationCounters(text)).toEqual(
    new Map([
      ["webhook", { sent: 3, failed: 1 }],
      ["email", { sent: 0, failed: 0 }],
    ]),
  );
});
