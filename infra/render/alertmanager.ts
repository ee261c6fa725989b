/**
 * alertmanager.yml from the stack's alerting config: critical and warning alerts routed
 * to the receivers that take them (MON-ALERT-01/02), grouped by alert and service, with
 * warnings inhibited while a critical alert of the same kind fires (MON-ALERT-05).
 */
import { stringify } from "yaml";
import type { StackConfig } from "../config/load";
import type { Severity } from "./alert-rules";

export const ALERTMANAGER_CONFIG_PATH = "/etc/alertmanager/alertmanager.yml";
/** Labels alerts are grouped by: one notification per alert name and service. */
export const ALERT_GROUP_BY = ["alertname", "service"] as const;

export interface AlertmanagerReceiver {
  name: string;
  severities: Severity[];
  webhookUrl?: string;
  email?: string;
  sendResolved: boolean;
}

export interface AlertmanagerInput {
  receivers: AlertmanagerReceiver[];
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  /** Needed when any receiver has an email address. */
  smtp?: { smarthost: string; from: string; requireTls: boolean };
}

export function alertmanagerInputFromConfig(config: StackConfig): AlertmanagerInput {
  const a = config.alerting;
  return {
    receivers: a.receivers.map((r) => ({
      name: r.name,
      severities: [...r.severities],
      webhookUrl: r.webhookUrl,
      email: r.email,
      sendResolved: r.sendResolved,
    })),
    groupWait: a.groupWait,
    groupInterval: a.groupInterval,
    repeatInterval: a.repeatInterval,
    smtp: a.smtpSmarthost && a.smtpFrom ? { smarthost: a.smtpSmarthost, from: a.smtpFrom, requireTls: true } : undefined,
  };
}

export function alertmanagerInputProblems(input: AlertmanagerInput): string[] {
  const problems: string[] = [];
  if (input.receivers.length === 0) problems.push("receivers is empty");
  const names = input.receivers.map((r) => r.name);
  names.forEach((n, i) => names.indexOf(n) !== i && problems.push(`duplicate receiver name "${n}"`));
  input.receivers.forEach((r, i) => {
    if (!r.webhookUrl && !r.email) problems.push(`receivers[${i}] (${r.name}) needs webhookUrl or email`);
    if (r.severities.length === 0) problems.push(`receivers[${i}] (${r.name}) takes no severity`);
    if (r.email && !input.smtp) problems.push(`receivers[${i}] (${r.name}) sends email but smtp is not set`);
  });
  if (!input.receivers.some((r) => r.severities.includes("critical"))) problems.push("no receiver takes critical alerts");
  return problems;
}

export function renderAlertmanagerConfig(input: AlertmanagerInput): string {
  const problems = alertmanagerInputProblems(input);
  if (problems.length) throw new Error(`invalid alertmanager input:\n  - ${problems.join("\n  - ")}`);
  // Alerts without a severity label still reach a human: the first critical receiver is the default.
  const fallback = input.receivers.find((r) => r.severities.includes("critical"))!;
  const severities: Severity[] = ["critical", "warning"];
  const routes = severities.flatMap((sev) =>
    input.receivers
      .filter((r) => r.severities.includes(sev))
      // continue: every receiver that takes this severity is notified, not just the first.
      .map((r) => ({ receiver: r.name, matchers: [`severity="${sev}"`], continue: true })),
  );
  const receivers = input.receivers.map((r) => ({
    name: r.name,
    ...(r.webhookUrl ? { webhook_configs: [{ url: r.webhookUrl, send_resolved: r.sendResolved }] } : {}),
    ...(r.email ? { email_configs: [{ to: r.email, send_resolved: r.sendResolved }] } : {}),
  }));
  const doc = {
    global: {
      resolve_timeout: "5m",
      ...(input.smtp ? { smtp_smarthost: input.smtp.smarthost, smtp_from: input.smtp.from, smtp_require_tls: input.smtp.requireTls } : {}),
    },
    route: {
      receiver: fallback.name,
      group_by: [...ALERT_GROUP_BY],
      group_wait: input.groupWait,
      group_interval: input.groupInterval,
      repeat_interval: input.repeatInterval,
      routes,
    },
    receivers,
    inhibit_rules: [
      {
        // A firing critical silences the warning of the same alert and service (e.g. disk 5% vs 15%).
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: [...ALERT_GROUP_BY],
      },
    ],
  };
  return `# Rendered by infra/render/alertmanager.ts: edit the renderer, not this file.\n${stringify(doc)}`;
}
