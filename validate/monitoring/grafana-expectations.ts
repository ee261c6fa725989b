/**
 * What Grafana must serve, read from the provisioning the program renders (so the check
 * follows the dashboards and datasources as they change): the Prometheus datasource UID
 * from the datasource YAML, dashboard UIDs from the dashboard JSON files.
 */
import { parse } from "yaml";
import type { StackConfig } from "../../infra/config/load";
import { renderGrafanaProvisioning } from "../../infra/render/grafana";

export interface GrafanaExpectations {
  datasourceUid: string;
  dashboardUids: string[];
}

export function expectationsFromProvisioning(files: Record<string, string>): GrafanaExpectations {
  let datasourceUid = "";
  const dashboardUids: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    if (path.endsWith(".json")) {
      const uid = (JSON.parse(content) as { uid?: unknown }).uid;
      if (typeof uid === "string") dashboardUids.push(uid);
    } else if (/\.ya?ml$/.test(path)) {
      const doc = parse(content) as { datasources?: { type?: string; uid?: string }[] } | null;
      const prom = doc?.datasources?.find((d) => d.type === "prometheus");
      if (prom?.uid && !datasourceUid) datasourceUid = prom.uid;
    }
  }
  return { datasourceUid, dashboardUids };
}

export function grafanaExpectations(config: StackConfig): GrafanaExpectations {
  return expectationsFromProvisioning(renderGrafanaProvisioning(config));
}
