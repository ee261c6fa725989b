/**
 * Grafana through its HTTP API (basic auth as the provisioned admin): healthy, the
 * provisioned Prometheus datasource passes its health check (DEP-MON-02), and every
 * provisioned dashboard loads with panels (DEP-MON-03).
 */
import { fail, pass, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import { joinUrl, requestJson } from "../net/http";
import type { GrafanaTarget, VerifyTarget } from "../target";

/** A GET of Grafana's API as the provisioned admin (basic auth). */
export function grafanaAdminGet<T>(g: GrafanaTarget, path: string, signal: AbortSignal) {
  const auth = Buffer.from(`${g.user}:${g.password}`).toString("base64");
  return requestJson<T>(joinUrl(g.url, path), {}, { signal, headers: { authorization: `Basic ${auth}` } });
}

export const grafanaHealthCheck: Check<VerifyTarget> = {
  id: "grafana.health",
  title: "Grafana is healthy and its database is ok",
  checklistIds: ["DEP-MON-02", "DEP-CORE-02"],
  needs: ["grafana"],
  retries: 3,
  retryDelayMs: 500,
  async run({ grafana: g }, { signal }) {
    const r = await grafanaAdminGet<{ database?: string; version?: string }>(g, "/api/health", signal);
    if (r.status !== 200 || r.json?.database !== "ok") {
      return fail(`Grafana /api/health answered ${r.status} database=${r.json?.database ?? "?"}`, {
        expected: '200 {"database":"ok"}',
        actual: `${r.status} ${r.body.slice(0, 100)}`,
        remediation: "Check the Grafana logs and its data volume.",
      });
    }
    return pass(`Grafana ${r.json.version ?? ""} healthy`.replace("  ", " "), { measurements: { version: r.json.version ?? "" } });
  },
};

export const grafanaDatasourceCheck: Check<VerifyTarget> = {
  id: "grafana.datasource",
  title: "The Prometheus datasource passes Grafana's health check",
  checklistIds: ["DEP-MON-02", "MON-METRICS-02"],
  needs: ["grafana", "prometheus"],
  retries: 3,
  retryDelayMs: 500,
  async run({ grafana: g }, { signal }) {
    const r = await grafanaAdminGet<{ status?: string; message?: string }>(g, `/api/datasources/uid/${encodeURIComponent(g.datasourceUid)}/health`, signal);
    if (r.status === 401 || r.status === 403)
      return fail(`Grafana refused the admin credentials (${r.status})`, {
        expected: "admin login with the stack's grafanaAdminPassword",
        actual: String(r.status),
        remediation: "The admin password in Grafana differs from the stack secret (GF_SECURITY_ADMIN_PASSWORD__FILE).",
      });
    if (r.status !== 200 || r.json?.status !== "OK") {
      return fail(`datasource ${g.datasourceUid} health: ${r.json?.message ?? r.status}`, {
        // Grafana's own words: a connection error there heals like one here.
        cause: r.json?.message,
        expected: 'status "OK"',
        actual: `${r.status} ${r.json?.status ?? ""} ${r.json?.message ?? r.body.slice(0, 100)}`.trim(),
        remediation: "Check the provisioned datasource URL points at Prometheus on the internal network and Prometheus is up.",
      });
    }
    return pass(`datasource ${g.datasourceUid}: ${r.json.message ?? "OK"}`);
  },
};

interface DashboardResponse {
  dashboard?: { uid?: string; title?: string; panels?: unknown[] };
}

export const grafanaDashboardsCheck: Check<VerifyTarget> = {
  id: "grafana.dashboards",
  title: "Provisioned dashboards present and loadable",
  checklistIds: ["DEP-MON-03"],
  needs: ["grafana"],
  retries: 3,
  retryDelayMs: 500,
  async run({ grafana: g }, { signal }) {
    const problems: string[] = [];
    const titles: string[] = [];
    let cause: unknown;
    for (const uid of g.dashboardUids) {
      try {
        const r = await grafanaAdminGet<DashboardResponse>(g, `/api/dashboards/uid/${encodeURIComponent(uid)}`, signal);
        const panels = r.json?.dashboard?.panels;
        if (r.status !== 200) problems.push(`${uid}: ${r.status}`);
        else if (!Array.isArray(panels) || panels.length === 0) problems.push(`${uid}: no panels`);
        else titles.push(r.json?.dashboard?.title ?? uid);
      } catch (e) {
        cause ??= e;
        problems.push(`${uid}: ${errorMessage(e)}`);
      }
    }
    if (g.dashboardUids.length === 0) problems.push("no dashboard UIDs expected: the provisioning renders none");
    if (problems.length > 0) {
      return fail(`dashboard problems: ${problems.join("; ")}`, {
        cause,
        expected: `dashboards ${g.dashboardUids.join(", ")} with panels`,
        actual: problems.join("; "),
        remediation: "Check the dashboard provisioning files and Grafana's provisioning log.",
      });
    }
    return pass(`${titles.length} dashboards load: ${titles.join(", ")}`, { measurements: { dashboards: titles.length } });
  },
};
