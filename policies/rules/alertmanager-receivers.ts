/** MON-ALERT-01, MON-ALERT-02 (alerts reach someone), DEP-MON-04: Alertmanager routes to receivers that have a notification channel. */
import * as YAML from "yaml";
import { memoByText } from "../lib/memo";
import { readFlaggedConfig } from "../lib/container-files";
import { stackPolicy } from "../lib/define";
import { containersOf, displayName } from "../lib/docker";

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
    const ams = containersOf(resources, ctx.config.alertmanagerService);
    if (ams.length === 0) return ctx.violation(`no ${ctx.config.alertmanagerService} container: alerts reach nobody`);
    for (const r of ams) {
      const name = displayName(r);
      const file = readFlaggedConfig(r, ctx, "--config.file", "/etc/alertmanager/alertmanager.yml");
      if (!file) continue;
      const { path } = file;
      let doc: { route?: Route; receivers?: Record<string, unknown>[] } | null;
      try {
        doc = parseYaml(file.content) as typeof doc;
      } catch {
        ctx.violation(`container ${name}: ${path} is not valid YAML`, r.urn);
        continue;
      }
      const receivers = new Map<string, Record<string, unknown>>((doc?.receivers ?? []).map((x) => [String(x.name), x]));
      const channels = (x: Record<string, unknown> | undefined) => Object.entries(x ?? {}).filter(([k, v]) => k.endsWith("_configs") && Array.isArray(v) && v.length > 0).length;
      if (!doc?.route?.receiver) ctx.violation(`container ${name}: ${path} has no default route receiver`, r.urn);
      else if (!channels(receivers.get(doc.route.receiver))) ctx.violation(`container ${name}: default receiver ${doc.route.receiver} has no notification channel`, r.urn);
      for (const used of routeReceivers(doc?.route)) if (!receivers.has(used)) ctx.violation(`container ${name}: route names receiver ${used}, which is not defined`, r.urn);
      if (![...receivers.values()].some((x) => channels(x) > 0)) ctx.violation(`container ${name}: no receiver has a notification channel`, r.urn);
    }
  },
});
