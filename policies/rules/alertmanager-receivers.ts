/** MON-ALERT-01, MON-ALERT-02 (alerts reach someone), DEP-MON-04: Alertmanager routes to receivers that have a notification channel. */
import * as YAML from "yaml";
import { memoByText } from "../lib/memo";
import { stackPolicy } from "../lib/define";
import { readFlaggedConfig } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

const parseYaml = memoByText((text: string): unknown => YAML.parse(text));

interface Route {
  receiver?: string;
  routes?: Route[];
}

const routeReceivers = (r: Route | undefined): string[] => (r ? [...(r.receiver ? [r.receiver] : []), ...(r.routes ?? []).flatMap(routeReceivers)] : []);

export const alertmanagerReceivers = stackPolicy<{ alertmanagerService: string }>({
  name: "alertmanager-receivers",
  description: "An Alertmanager runs with a config whose route tree names only defined receivers, and the default receiver has a notification channel.",
  checklistIds: ["MON-ALERT-01", "MON-ALERT-02", "DEP-MON-04"],
  severity: "high",
  group: "monitoring",
  remediation: "Configure mcp:alerting.receivers (webhookUrl or email); the program renders alertmanager.yml (infra/render/alertmanager.ts).",
  config: { alertmanagerService: { type: "string", default: "alertmanager", description: "Service (com.mcp.service) of Alertmanager." } },
  check(resources, ctx) {
    const ams = workloadsOf(resources, ctx.config.alertmanagerService);
    if (ams.length === 0) return ctx.violation(`no ${ctx.config.alertmanagerService} service or container: alerts reach nobody`);
    for (const w of ams) {
      const file = readFlaggedConfig(w, ctx, "--config.file", "/etc/alertmanager/alertmanager.yml");
      if (!file) continue;
      const { path } = file;
      let doc: { route?: Route; receivers?: Record<string, unknown>[] } | null;
      try {
        doc = parseYaml(file.content) as typeof doc;
      } catch {
        ctx.violation(`${w.label}: ${path} is not valid YAML`, w.urn);
        continue;
      }
      const receivers = new Map<string, Record<string, unknown>>((doc?.receivers ?? []).map((x) => [String(x.name), x]));
      const channels = (x: Record<string, unknown> | undefined) =>
        Object.entries(x ?? {}).filter(([k, v]) => k.endsWith("_configs") && Array.isArray(v) && v.length > 0).length;
      if (!doc?.route?.receiver) ctx.violation(`${w.label}: ${path} has no default route receiver`, w.urn);
      else if (!channels(receivers.get(doc.route.receiver)))
        ctx.violation(`${w.label}: default receiver ${doc.route.receiver} has no notification channel`, w.urn);
      for (const used of routeReceivers(doc?.route))
        if (!receivers.has(used)) ctx.violation(`${w.label}: route names receiver ${used}, which is not defined`, w.urn);
      if (![...receivers.values()].some((x) => channels(x) > 0)) ctx.violation(`${w.label}: no receiver has a notification channel`, w.urn);
    }
  },
});
