/**
 * What the running monitoring has loaded, read once for the checks that judge it: Alertmanager's
 * config (GET /api/v2/status, the YAML it runs with) and Prometheus' alerting rules.
 */
import { parse } from "yaml";
import { fail, type CheckResult } from "../core/types";
import { joinUrl, requestJson } from "../net/http";
import type { AlertmanagerTarget, PrometheusTarget } from "../target";
import type { Receiver, Route } from "./alertmanager-routes";
import { prometheusApi, type RuleGroup } from "./prometheus";

export interface LoadedAlertmanagerConfig {
  route: Route & { group_wait?: string };
  receivers: Receiver[];
}

/** The config Alertmanager runs with, or the failure to report when it has none. */
export async function loadedAlertmanagerConfig(a: AlertmanagerTarget, signal: AbortSignal): Promise<LoadedAlertmanagerConfig | CheckResult> {
  const url = joinUrl(a.url, "/api/v2/status");
  const r = await requestJson<{ config?: { original?: string } }>(url, {}, { signal });
  if (r.status !== 200 || typeof r.json?.config?.original !== "string")
    return fail(`GET ${url} answered ${r.status} without the loaded config`, {
      expected: "200 with config.original",
      actual: `${r.status} ${r.body.slice(0, 100)}`,
    });
  const config = parse(r.json.config.original) as { route?: LoadedAlertmanagerConfig["route"]; receivers?: Receiver[] } | null;
  if (!config?.route) return fail("the loaded Alertmanager config has no route", { expected: "a routing tree", actual: "none" });
  return { route: config.route, receivers: config.receivers ?? [] };
}

export const isCheckResult = (x: LoadedAlertmanagerConfig | CheckResult): x is CheckResult => "status" in x;

/** The alerting rules Prometheus has loaded. */
export async function loadedAlertRules(p: PrometheusTarget, signal: AbortSignal): Promise<RuleGroup["rules"]> {
  const { groups } = await prometheusApi<{ groups: RuleGroup[] }>(p, "/api/v1/rules", signal);
  return groups.flatMap((g) => g.rules.filter((x) => x.type === "alerting"));
}
