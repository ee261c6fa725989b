/**
 * Prometheus -> Alertmanager, delivered (DEP-MON-04): not only that Prometheus lists an
 * Alertmanager (prometheus.alertmanager), but that what it sent arrived. From Prometheus' own
 * counters (its /metrics): at least one Alertmanager discovered, and since it started no
 * notification failed to reach one. Drops are reported, not judged: Prometheus drops the alerts
 * of its first evaluations when it has not discovered Alertmanager yet, on every healthy start.
 */
import { fail, pass, type Check } from "../core/types";
import { joinUrl, request } from "../net/http";
import type { VerifyTarget } from "../target";

/** The value of a metric family, summed over its series, from the text exposition; undefined when absent. */
export function metricSum(exposition: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const m of exposition.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "gm"))) sum = (sum ?? 0) + Number(m[1]);
  return sum;
}

export const prometheusNotificationsCheck: Check<VerifyTarget> = {
  id: "prometheus.notifications",
  title: "Prometheus delivers its alerts to Alertmanager (no failed notifications)",
  checklistIds: ["DEP-MON-04", "MON-ALERT-01"],
  needs: ["prometheus"],
  async run({ prometheus: p }, { signal }) {
    const r = await request(joinUrl(p.url, "/metrics"), {}, { signal });
    if (r.status !== 200) return fail(`GET /metrics of Prometheus answered ${r.status}`, { expected: "200", actual: String(r.status) });
    const get = (n: string) => metricSum(r.body, n);
    const discovered = get("prometheus_notifications_alertmanagers_discovered");
    const sent = get("prometheus_notifications_sent_total");
    const errors = get("prometheus_notifications_errors_total");
    const dropped = get("prometheus_notifications_dropped_total");
    if (discovered === undefined || errors === undefined || dropped === undefined)
      return fail("Prometheus' /metrics lacks the prometheus_notifications_* counters", { expected: "the notifier's counters", actual: "absent" });
    const measurements = { alertmanagers: discovered, sent: sent ?? 0, errors, dropped };
    const problems = [
      ...(discovered < 1 ? ["no Alertmanager discovered"] : []),
      ...(errors > 0 ? [`${errors} notification(s) failed to reach Alertmanager`] : []),
    ];
    if (problems.length)
      return fail(`Prometheus -> Alertmanager: ${problems.join("; ")}`, {
        expected: "at least one Alertmanager and 0 failed notifications",
        actual: problems.join("; "),
        remediation:
          "Prometheus' log names the Alertmanager it cannot reach; check alerting.alertmanagers in prometheus.yml, that Alertmanager runs, and the internal network between them.",
        measurements,
      });
    return pass(`${discovered} Alertmanager(s), ${sent ?? 0} alert(s) sent, none failed`, { measurements });
  },
};
