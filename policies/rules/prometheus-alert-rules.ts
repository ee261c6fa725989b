/**
 * MON-ALERT-01 (critical alerts configured), MON-ALERT-02 (warning thresholds set),
 * DEP-MON-04 (alerting rules active): Prometheus loads rule files the stack uploads, they
 * hold critical and warning alerts, and Prometheus sends alerts to an Alertmanager.
 */
import * as YAML from "yaml";
import { memoByText } from "../lib/memo";
import { stackPolicy } from "../lib/define";
import { filesMatching, readFlaggedConfig } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

const parseYaml = memoByText((text: string): unknown => YAML.parse(text));

export const prometheusAlertRules = stackPolicy<{ prometheusService: string; requiredSeverities: string[] }>({
  name: "prometheus-alert-rules",
  description:
    "Prometheus loads alert rules with critical and warning severities from rule files the stack delivers (Docker configs or uploads) and is wired to an Alertmanager.",
  checklistIds: ["MON-ALERT-01", "MON-ALERT-02", "DEP-MON-04"],
  severity: "high",
  group: "monitoring",
  remediation:
    "Deliver the rendered rules (infra/render/alert-rules.ts) as Docker configs where prometheus.yml's rule_files points and keep alerting.alertmanagers set.",
  config: {
    prometheusService: { type: "string", default: "prometheus", description: "Service (com.mcp.service) of Prometheus." },
    requiredSeverities: {
      type: "array",
      items: { type: "string" },
      default: ["critical", "warning"],
      description: "Severities that must each have at least one alert.",
    },
  },
  check(resources, ctx) {
    const proms = workloadsOf(resources, ctx.config.prometheusService);
    if (proms.length === 0) return ctx.violation(`no ${ctx.config.prometheusService} service or container: nothing evaluates alert rules`);
    for (const w of proms) {
      const file = readFlaggedConfig(w, ctx, "--config.file", "/etc/prometheus/prometheus.yml");
      if (!file) continue;
      const { path } = file;
      let doc: { rule_files?: unknown; alerting?: { alertmanagers?: unknown[] } } | null;
      try {
        doc = parseYaml(file.content) as typeof doc;
      } catch {
        ctx.violation(`${w.label}: ${path} is not valid YAML`, w.urn);
        continue;
      }
      const ams = doc?.alerting?.alertmanagers;
      if (!Array.isArray(ams) || ams.length === 0) ctx.violation(`${w.label}: ${path} sends alerts nowhere (alerting.alertmanagers is empty)`, w.urn);
      const globs = Array.isArray(doc?.rule_files) ? (doc!.rule_files as unknown[]).map(String) : [];
      if (globs.length === 0) {
        ctx.violation(`${w.label}: ${path} loads no rule_files`, w.urn);
        continue;
      }
      const dir = path.replace(/\/[^/]*$/, "");
      const files = globs.flatMap((g) => filesMatching(w, g, dir) ?? []);
      const seen = new Map<string, number>();
      for (const file of files) {
        if (file.contentStatus !== "known" || file.content === undefined) {
          ctx.undecidable(`${w.label} content of ${file.path}${file.unresolvedWhy ? ` (${file.unresolvedWhy})` : ""}`, w.urn);
          continue;
        }
        let rules: { groups?: { rules?: { alert?: string; labels?: Record<string, unknown> }[] }[] } | null;
        try {
          rules = parseYaml(file.content) as typeof rules;
        } catch {
          ctx.violation(`${w.label}: rule file ${file.path} is not valid YAML`, w.urn);
          continue;
        }
        for (const g of rules?.groups ?? [])
          for (const rule of g.rules ?? [])
            if (rule.alert) {
              const sev = String(rule.labels?.severity ?? "");
              seen.set(sev, (seen.get(sev) ?? 0) + 1);
            }
      }
      const total = [...seen.values()].reduce((a, b) => a + b, 0);
      if (total === 0)
        ctx.violation(
          `${w.label}: no alert rules are loaded (rule_files ${globs.join(", ")} match ${files.length} declared file${files.length === 1 ? "" : "s"} with no alerts)`,
          w.urn,
        );
      else for (const sev of ctx.config.requiredSeverities) if (!seen.get(sev)) ctx.violation(`${w.label}: no alert has severity ${sev}`, w.urn);
    }
  },
});
