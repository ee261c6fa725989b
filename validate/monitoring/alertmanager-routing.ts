/**
 * MON-ALERT-01/02 as a path, not a list of names: every alert rule Prometheus has loaded,
 * with its own labels, is routed through the running Alertmanager's tree (its loaded config,
 * GET /api/v2/status) to at least one receiver, and every receiver it reaches notifies through
 * at least one integration. A receiver with no integration swallows alerts without a trace.
 */
import { fail, pass, type Check } from "../core/types";
import type { VerifyTarget } from "../target";
import { integrationsOf, receiversFor } from "./alertmanager-routes";
import { isCheckResult, loadedAlertmanagerConfig, loadedAlertRules } from "./loaded";

export const alertmanagerRoutingCheck: Check<VerifyTarget> = {
  id: "alertmanager.routing",
  title: "Every alert rule routes to a receiver that notifies through an integration",
  checklistIds: ["MON-ALERT-01", "MON-ALERT-02"],
  needs: ["alertmanager", "prometheus"],
  retries: 2,
  retryDelayMs: 500,
  async run({ alertmanager: a, prometheus: p }, { signal }) {
    const config = await loadedAlertmanagerConfig(a, signal);
    if (isCheckResult(config)) return config;
    const receivers = new Map(config.receivers.map((x) => [x.name, x]));
    const alerts = await loadedAlertRules(p, signal);
    if (alerts.length === 0) return fail("Prometheus has no alerting rules loaded: nothing to route", { expected: "alert rules", actual: "none" });

    const silent = [...receivers.values()].filter((x) => integrationsOf(x) === 0).map((x) => x.name);
    const problems: string[] = silent.map((n) => `receiver ${n} has no integration`);
    const reached = new Set<string>();
    for (const alert of alerts) {
      const labels: Record<string, string> = { alertname: alert.name, ...(alert.labels ?? {}) };
      const to = receiversFor(config.route, labels);
      to.forEach((n) => reached.add(n));
      const dead = to.filter((n) => !receivers.has(n) || integrationsOf(receivers.get(n)!) === 0);
      if (dead.length === to.length)
        problems.push(`${alert.name} (severity ${labels.severity ?? "none"}) reaches only ${to.join(", ")}, which notifies no one`);
    }
    const measurements = { alerts: alerts.length, receivers: receivers.size, reached: reached.size };
    if (problems.length)
      return fail(`alert routing: ${[...new Set(problems)].slice(0, 5).join("; ")}`, {
        expected: "every alert routed to a receiver with at least one integration",
        actual: [...new Set(problems)].join("; "),
        remediation:
          "Give every receiver in mcp:alerting.receivers a webhookUrl or an email, and a severity the alert rules use (infra/render/alertmanager.ts).",
        measurements,
      });
    return pass(`${alerts.length} alerts route to ${[...reached].sort().join(", ")}, each with an integration`, { measurements });
  },
};
