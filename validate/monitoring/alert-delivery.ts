/**
 * MON-ALERT-03 (notification channels tested), opt-in with `npm run verify -- --send-test-alert`:
 * posts one short-lived, labelled probe alert per severity the loaded alert rules use through
 * the Alertmanager API, and proves from Alertmanager's own counters that every integration of
 * every receiver those alerts route to was attempted and succeeded. The probe is resolved at
 * the end. What it cannot prove is that a person saw the page: the receiver's side confirms that.
 */
import { randomUUID } from "node:crypto";
import { durationSeconds } from "../../infra/config/durations";
import { abortableSleep } from "../core/sleep";
import { fail, pass, skip, type Check } from "../core/types";
import { joinUrl, request } from "../net/http";
import type { AlertmanagerTarget, VerifyTarget } from "../target";
import { integrationsByType, receiversFor } from "./alertmanager-routes";
import { isCheckResult, loadedAlertmanagerConfig, loadedAlertRules } from "./loaded";

export const TEST_ALERT_NAME = "MCPVerifyTestAlert";
/** How long past the route's group_wait the check waits for Alertmanager to finish sending. */
const SETTLE_MS = 20_000;

type Counters = Map<string, { sent: number; failed: number }>;

/** `alertmanager_notification_requests(_failed)_total{integration="..."}` from Alertmanager's /metrics. */
export function notificationCounters(exposition: string): Counters {
  const out: Counters = new Map();
  for (const m of exposition.matchAll(/^alertmanager_notification_requests(_failed)?_total\{[^}]*integration="([^"]+)"[^}]*\} (\S+)$/gm)) {
    const c = out.get(m[2]) ?? { sent: 0, failed: 0 };
    c[m[1] ? "failed" : "sent"] += Number(m[3]);
    out.set(m[2], c);
  }
  return out;
}

async function counters(a: AlertmanagerTarget, signal: AbortSignal): Promise<Counters> {
  const r = await request(joinUrl(a.url, "/metrics"), {}, { signal });
  if (r.status !== 200) throw new Error(`GET /metrics of Alertmanager answered ${r.status}`);
  return notificationCounters(r.body);
}

async function postAlerts(a: AlertmanagerTarget, alerts: object[], signal: AbortSignal): Promise<void> {
  const r = await request(
    joinUrl(a.url, "/api/v2/alerts"),
    {},
    { method: "POST", body: JSON.stringify(alerts), headers: { "content-type": "application/json" }, signal },
  );
  if (r.status !== 200) throw new Error(`POST /api/v2/alerts answered ${r.status} ${r.body.slice(0, 100)}`);
}

export const alertmanagerTestAlertCheck: Check<VerifyTarget> = {
  id: "alertmanager.test-alert",
  title: "A test alert per severity reaches every receiver's integrations (opt-in: --send-test-alert)",
  checklistIds: ["MON-ALERT-03"],
  needs: ["alertmanager", "prometheus"],
  timeoutMs: 120_000,
  async run({ alertmanager: a, prometheus: p }, { signal }) {
    if (!a.sendTestAlert) return skip("opt-in: run `npm run verify -- --send-test-alert` to send a labelled test alert through every receiver");
    const config = await loadedAlertmanagerConfig(a, signal);
    if (isCheckResult(config)) return config;
    const severities = [...new Set((await loadedAlertRules(p, signal)).map((r) => r.labels?.severity ?? ""))].filter(Boolean).sort();
    if (severities.length === 0) return fail("no alert rule carries a severity: nothing to test", { expected: "alert rules with severities", actual: "none" });

    // What must be attempted: per integration type, one request per integration of each receiver reached.
    const run = randomUUID();
    const expected = new Map<string, number>();
    const reached = new Set<string>();
    const alerts = severities.map((severity) => {
      // One alert name per severity: the same name would let a critical probe inhibit the warning one.
      const labels = { alertname: `${TEST_ALERT_NAME}_${severity}`, severity, mcp_verify_run: run };
      for (const name of receiversFor(config.route, labels)) {
        reached.add(name);
        const receiver = config.receivers.find((x) => x.name === name);
        for (const [type, n] of receiver ? integrationsByType(receiver) : []) expected.set(type, (expected.get(type) ?? 0) + n);
      }
      return { labels, annotations: { summary: "Test alert from npm run verify: ignore, it resolves itself" } };
    });
    if (expected.size === 0)
      return fail(`the test alerts reach ${[...reached].join(", ")}, which have no integration`, { expected: "receivers with integrations", actual: "none" });

    const before = await counters(a, signal);
    const startsAt = new Date();
    await postAlerts(
      a,
      alerts.map((x) => ({ ...x, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 5 * 60_000).toISOString() })),
      signal,
    );
    const deadline = Date.now() + durationSeconds(config.route.group_wait ?? "30s") * 1000 + SETTLE_MS;
    let problems: string[] = [];
    try {
      for (let attempt = 0; attempt < 400; attempt++) {
        const now = await counters(a, signal);
        problems = [];
        let failedAny = false;
        for (const [integration, n] of expected) {
          const b = before.get(integration) ?? { sent: 0, failed: 0 };
          const c = now.get(integration) ?? { sent: 0, failed: 0 };
          const failed = c.failed - b.failed;
          const ok = c.sent - b.sent - failed;
          if (failed > 0) failedAny = true;
          if (failed > 0 || ok < n) problems.push(`${integration}: ${ok} of ${n} delivered${failed ? `, ${failed} failed` : ""}`);
        }
        // A failed request is an answer: the channel is broken now, waiting will not mend it.
        if (problems.length === 0 || failedAny || Date.now() > deadline) break;
        await abortableSleep(500, signal);
      }
    } finally {
      // Resolve the probe whatever happened, so it does not page again at repeat_interval.
      await postAlerts(
        a,
        alerts.map((x) => ({ ...x, startsAt: startsAt.toISOString(), endsAt: new Date().toISOString() })),
        signal,
      ).catch(() => undefined);
    }
    const summary = `${alerts.length} test alert(s) (${severities.join(", ")}) to ${[...reached].sort().join(", ")}`;
    if (problems.length)
      return fail(`${summary}: ${problems.join("; ")}`, {
        expected: [...expected].map(([i, n]) => `${i}: ${n} delivered, 0 failed`).join("; "),
        actual: problems.join("; "),
        remediation: "Alertmanager's log names the failing receiver and the error; check the receiver's URL, credentials and that the host can reach it.",
      });
    return pass(`${summary}: every integration delivered`, { measurements: Object.fromEntries(expected) });
  },
};
