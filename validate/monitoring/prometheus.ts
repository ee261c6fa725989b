/**
 * Prometheus through its HTTP API: every expected job has targets and all are up
 * (DEP-MON-01, MON-METRICS-02), every rule group evaluates (health ok) with the expected
 * alerts loaded (DEP-MON-04, MON-ALERT-01/02), Alertmanager is discovered, and retention
 * is what the stack configures (DEP-MON-05).
 */
import { fail, pass, type Check } from "../core/types";
import { joinUrl, requestJson } from "../net/http";
import type { PrometheusTarget, VerifyTarget } from "../target";

interface ApiEnvelope<T> {
  status: string;
  data: T;
  error?: string;
}

/** A Prometheus HTTP API call: the `data` of a success envelope, else an error naming the URL and status. */
export async function prometheusApi<T>(p: PrometheusTarget, path: string, signal: AbortSignal): Promise<T> {
  const url = joinUrl(p.url, path);
  const r = await requestJson<ApiEnvelope<T>>(url, {}, { signal });
  if (r.status !== 200 || r.json?.status !== "success") throw new Error(`GET ${url} answered ${r.status}${r.json?.error ? `: ${r.json.error}` : ""}`);
  return r.json.data;
}

interface ActiveTarget {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
  lastError: string;
}

export const prometheusTargetsCheck: Check<VerifyTarget> = {
  id: "prometheus.targets",
  title: "Every expected scrape target is up",
  checklistIds: ["DEP-MON-01", "MON-METRICS-02", "DEP-CORE-02", "SIGN-OPS-01"],
  needs: ["prometheus"],
  // New targets are "unknown" until their first scrape: give them a few intervals.
  retries: 5,
  retryDelayMs: 1000,
  timeoutMs: 10_000,
  async run({ prometheus: p }, { signal }) {
    const data = await prometheusApi<{ activeTargets: ActiveTarget[] }>(p, "/api/v1/targets?state=active", signal);
    const byJob = new Map<string, ActiveTarget[]>();
    for (const t of data.activeTargets) byJob.set(t.labels.job ?? t.scrapePool, [...(byJob.get(t.labels.job ?? t.scrapePool) ?? []), t]);
    const missing = p.expectedJobs.filter((j) => !byJob.has(j));
    const notUp = data.activeTargets.filter((t) => t.health !== "up");
    const measurements = { targets: data.activeTargets.length, up: data.activeTargets.length - notUp.length, jobs: byJob.size };
    if (missing.length > 0 || notUp.length > 0) {
      const parts = [
        ...missing.map((j) => `job ${j} has no targets`),
        ...notUp.map((t) => `${t.labels.job}/${t.labels.instance} ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`),
      ];
      return fail(`${parts.length} scrape problem${parts.length === 1 ? "" : "s"}: ${parts.slice(0, 5).join("; ")}`, {
        settling: missing.length === 0 && notUp.every((t) => t.health === "unknown"),
        expected: `all targets up for jobs ${p.expectedJobs.join(", ")}`,
        actual: parts.join("; "),
        remediation: "Start the down service or exporter; check it listens where prometheus.yml says (infra/render/prometheus.ts).",
        measurements,
      });
    }
    return pass(`${data.activeTargets.length} targets up across ${byJob.size} jobs`, { measurements });
  },
};

export interface RuleGroup {
  name: string;
  file: string;
  rules: { name: string; type: "alerting" | "recording"; health: string; lastError?: string; labels?: Record<string, string> }[];
}

export const prometheusRulesCheck: Check<VerifyTarget> = {
  id: "prometheus.rules",
  title: "Alert rules loaded and every rule group healthy",
  checklistIds: ["DEP-MON-04", "MON-ALERT-01", "MON-ALERT-02", "POST-24H-05", "SIGN-OPS-01"],
  needs: ["prometheus"],
  retries: 5,
  retryDelayMs: 1000,
  timeoutMs: 10_000,
  async run({ prometheus: p }, { signal }) {
    const { groups } = await prometheusApi<{ groups: RuleGroup[] }>(p, "/api/v1/rules", signal);
    const rules = groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
    const alerts = rules.filter((r) => r.type === "alerting");
    const unhealthy = rules.filter((r) => r.health !== "ok");
    const names = new Set(alerts.map((a) => a.name));
    const missing = p.expectedAlerts.filter((a) => !names.has(a));
    const severities = new Set(alerts.map((a) => a.labels?.severity).filter(Boolean));
    const measurements = { groups: groups.length, rules: rules.length, alerts: alerts.length, unhealthy: unhealthy.length };
    const problems = [
      ...(alerts.length === 0 ? ["no alerting rules loaded"] : []),
      ...missing.map((m) => `alert ${m} not loaded`),
      ...unhealthy.map((r) => `${r.group}/${r.name} health ${r.health}${r.lastError ? `: ${r.lastError}` : ""}`),
      ...["critical", "warning"].filter((s) => alerts.length > 0 && !severities.has(s)).map((s) => `no alert with severity ${s}`),
    ];
    if (problems.length > 0) {
      return fail(`alert rule problems: ${problems.slice(0, 5).join("; ")}`, {
        settling: problems.length === unhealthy.length && unhealthy.every((r) => r.health === "unknown"),
        expected: "every rule health ok, critical and warning alerts loaded",
        actual: problems.join("; "),
        remediation: "Fix the rule (promtool check rules) in infra/render/alert-rules.ts and redeploy.",
        measurements,
      });
    }
    return pass(`${alerts.length} alerts in ${groups.length} groups, all healthy`, { measurements });
  },
};

export const prometheusAlertmanagerCheck: Check<VerifyTarget> = {
  id: "prometheus.alertmanager",
  title: "Prometheus has discovered Alertmanager",
  checklistIds: ["DEP-MON-04", "POST-24H-05", "SIGN-OPS-01"],
  needs: ["prometheus"],
  retries: 5,
  retryDelayMs: 1000,
  timeoutMs: 10_000,
  async run({ prometheus: p }, { signal }) {
    const data = await prometheusApi<{ activeAlertmanagers: { url: string }[]; droppedAlertmanagers: { url: string }[] }>(p, "/api/v1/alertmanagers", signal);
    if (data.activeAlertmanagers.length === 0) {
      return fail("Prometheus has no active Alertmanager", {
        expected: "at least one active Alertmanager",
        actual: `${data.droppedAlertmanagers.length} dropped`,
        remediation: "Check alerting.alertmanagers in prometheus.yml and that Alertmanager runs.",
      });
    }
    return pass(`active Alertmanager${data.activeAlertmanagers.length > 1 ? "s" : ""}: ${data.activeAlertmanagers.map((a) => a.url).join(", ")}`, {
      measurements: { alertmanagers: data.activeAlertmanagers.length },
    });
  },
};

/** Prometheus prints sizes as "20GiB" for a configured "20GB" (it uses binary units). */
export function retentionMatches(runtime: string, expected: { time: string; size: string }): boolean {
  const norm = (s: string) =>
    s
      .replace(/\s+/g, "")
      .replace(/([KMGTPE])i?B/gi, "$1B")
      .toUpperCase();
  const parts = runtime.split(/\s+or\s+/i).map(norm);
  return parts.includes(norm(expected.time)) && parts.includes(norm(expected.size));
}

export const prometheusRetentionCheck: Check<VerifyTarget> = {
  id: "prometheus.retention",
  title: "Metrics retention as configured",
  checklistIds: ["DEP-MON-05"],
  needs: ["prometheus"],
  retries: 2,
  async run({ prometheus: p }, { signal }) {
    const info = await prometheusApi<{ storageRetention: string }>(p, "/api/v1/status/runtimeinfo", signal);
    const expected = `${p.retention.time} or ${p.retention.size}`;
    if (!retentionMatches(info.storageRetention, p.retention)) {
      return fail(`Prometheus retention is "${info.storageRetention}"`, {
        expected,
        actual: info.storageRetention,
        remediation: "Set --storage.tsdb.retention.time/size from mcp:prometheus.retentionTime/retentionSize.",
      });
    }
    return pass(`retention ${info.storageRetention}`, { measurements: { retention: info.storageRetention } });
  },
};
