/**
 * Alert rules: shape (severity, annotations, checklist IDs that exist, `for:` on every
 * rule), `promtool check rules`, and `promtool test rules` unit tests proving that
 * ServiceDown, BackupTooOld, BackupFailed, HighErrorRate and TLSCertificateExpiring fire
 * when they should and stay silent otherwise. A unit test with a wrong expectation must
 * fail, so the promtool run is shown to be able to fail.
 */
import { writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { ALERT_NAMES, alertRulesInputFromConfig, AlertRulesInput, BACKUP_METRICS, formatDuration, renderAlertRules } from "../../infra/render/alert-rules";
import { SCRAPE_JOBS, ALERT_RULES_FILE } from "../../infra/render/prometheus";
import { CHECKLIST_ITEMS } from "../../checklist/items";
import { makeTempDir, outputOf, promtoolCheckRules, promtoolTestRules, TempDir } from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

interface RuleDoc {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const ruleList = (yml: string): RuleDoc[] => (parse(yml).groups as { rules: RuleDoc[] }[]).flatMap((g) => g.rules);
const ITEM_IDS = new Set(CHECKLIST_ITEMS.map((i) => i.id));

describe.each(STACKS)("alert rules for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const input = alertRulesInputFromConfig(config);
  const yml = renderAlertRules(input);
  const rules = ruleList(yml);
  const find = (alert: string, severity: string, reason?: string) =>
    rules.find((r) => r.alert === alert && r.labels.severity === severity && r.labels.reason === reason)!;

  test("every rule has severity, summary, description, a for: and existing checklist IDs", () => {
    for (const r of rules) {
      expect(["critical", "warning"]).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.description.length).toBeGreaterThan(10);
      expect(r.for).toMatch(/^\d+[smhd]$/);
      const ids = r.labels.checklist.split(",");
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(ITEM_IDS.has(id) ? id : `unknown ${id}`).toBe(id);
    }
    expect(new Set(rules.map((r) => r.alert))).toEqual(new Set(ALERT_NAMES));
    // MON-ALERT-01 / MON-ALERT-02: both kinds are present.
    expect(rules.some((r) => r.labels.severity === "critical" && r.labels.checklist.includes("MON-ALERT-01"))).toBe(true);
    expect(rules.some((r) => r.labels.severity === "warning" && r.labels.checklist.includes("MON-ALERT-02"))).toBe(true);
  });

  test("thresholds come from the stack config", () => {
    expect(find("HighErrorRate", "critical").expr).toMatch(new RegExp(`> ${config.alerting.errorRatePercent}$`));
    expect(find("HighLatencyP95", "warning").expr).toMatch(
      new RegExp(`http_request_duration_seconds_bucket\\{job="${SCRAPE_JOBS.app}"\\}.*> ${config.alerting.p95LatencyMs}$`),
    );
    expect(find("PostgresConnectionsHigh", "warning").expr).toMatch(new RegExp(`> ${config.alerting.postgresConnectionsPercent}$`));
    expect(find("RedisMemoryHigh", "warning").expr).toMatch(new RegExp(`> ${config.alerting.redisMemoryPercent}$`));
    expect(find("DiskSpaceLow", "warning").expr).toContain(`< ${config.alerting.diskFreePercent} and`);
    expect(find("TLSCertificateExpiring", "warning").expr).toMatch(new RegExp(`< ${config.alerting.certExpiryDays}$`));
    expect(find("BackupTooOld", "critical", "stale").expr).toBe(`time() - ${BACKUP_METRICS.lastSuccessTimestamp} > ${input.backupIntervalSeconds * 1.5}`);
    expect(find("BackupFailed", "critical").expr).toBe(`${BACKUP_METRICS.lastRunSuccess} == 0`);
  });

  test("promtool check rules accepts the file and rejects a broken variant", async () => {
    const dir = makeTempDir(`rules-${stack}-`);
    try {
      writeFileSync(dir.join("ok.yml"), yml);
      const ok = await promtoolCheckRules(dir.join("ok.yml"));
      expect({ code: ok.code, out: outputOf(ok) }).toEqual({ code: 0, out: expect.stringMatching(new RegExp(`SUCCESS: ${rules.length} rules found`)) });
      expect(outputOf(ok)).not.toMatch(/FAILED|lint/);
      writeFileSync(dir.join("bad.yml"), yml.replace("for: 2m", "for: two minutes"));
      const bad = await promtoolCheckRules(dir.join("bad.yml"));
      expect(bad.code).not.toBe(0);
      expect(outputOf(bad)).toMatch(/two minutes/);
    } finally {
      dir.remove();
    }
  });
});

// ---- promtool test rules ----

/** A fixed input so expectations are exact: 6h backups -> BackupTooOld after 9h. */
const UNIT_INPUT: AlertRulesInput = alertRulesInputFromConfig(loadStackFile("prod"));

describe("promtool test rules", () => {
  let dir: TempDir;
  const rules = ruleList(renderAlertRules(UNIT_INPUT));
  const labelsOf = (alert: string, severity: string, reason?: string) => {
    const r = rules.find((x) => x.alert === alert && x.labels.severity === severity && x.labels.reason === reason)!;
    return r.labels;
  };
  const backupMax = formatDuration(UNIT_INPUT.backupIntervalSeconds * 1.5);

  beforeAll(() => {
    expect(UNIT_INPUT.backupIntervalSeconds).toBe(6 * 3600); // prod stack: backups every 6h
    dir = makeTempDir("promtool-test-");
    writeFileSync(dir.join(ALERT_RULES_FILE), renderAlertRules(UNIT_INPUT));
  });
  afterAll(() => dir?.remove());

  const upLabels = { job: "redis-exporter", instance: "redis-exporter:9121", service: "redis" };
  const serviceDown = {
    interval: "1m",
    input_series: [
      { series: 'up{job="redis-exporter",instance="redis-exporter:9121",service="redis"}', values: "1 1 0 0 0 0 0 0 0 0" },
      { series: 'up{job="mcp-app",instance="app-0:8080",service="app"}', values: "1x10" },
    ],
    alert_rule_test: [
      // Down since 2m; for: 2m -> pending at 3m, firing from 4m. The healthy app never fires.
      { eval_time: "1m", alertname: "ServiceDown", exp_alerts: [] },
      { eval_time: "3m", alertname: "ServiceDown", exp_alerts: [] },
      {
        eval_time: "5m",
        alertname: "ServiceDown",
        exp_alerts: [
          {
            exp_labels: { ...upLabels, ...labelsOf("ServiceDown", "critical") },
            exp_annotations: {
              summary: "redis-exporter target redis-exporter:9121 is down",
              description: "Prometheus has failed to scrape redis-exporter:9121 (job redis-exporter, service redis) for 2 minutes.",
            },
          },
        ],
      },
    ],
  };

  const backupLabels = { job: "node-exporter", instance: "node-exporter:9100" };
  const backupSeries = (metric: string, values: string) => ({ series: `${metric}{job="node-exporter",instance="node-exporter:9100"}`, values });
  // Series are sampled every minute: a gap longer than the 5m lookback would read as "absent".
  const backupTooOld = {
    interval: "1m",
    input_series: [
      // Last success at t=0 and never again.
      backupSeries(BACKUP_METRICS.lastSuccessTimestamp, "0x700"),
      backupSeries(BACKUP_METRICS.lastRunSuccess, "1x700"),
    ],
    alert_rule_test: [
      { eval_time: "8h", alertname: "BackupTooOld", exp_alerts: [] },
      {
        eval_time: "10h",
        alertname: "BackupTooOld",
        exp_alerts: [
          {
            exp_labels: { ...backupLabels, ...labelsOf("BackupTooOld", "critical", "stale") },
            exp_annotations: {
              summary: `No successful backup for more than ${backupMax}`,
              description: "The last successful backup is 10h 0m 0s old; backups run every 6h.",
            },
          },
        ],
      },
      { eval_time: "10h", alertname: "BackupFailed", exp_alerts: [] },
    ],
  };

  const backupsOnTime = {
    interval: "1m",
    input_series: [
      // A success every 6h: the gauge holds the time of the latest one.
      backupSeries(BACKUP_METRICS.lastSuccessTimestamp, "0x359 21600x359 43200x359"),
      backupSeries(BACKUP_METRICS.lastRunSuccess, "1x1079"),
    ],
    alert_rule_test: [
      { eval_time: "10h", alertname: "BackupTooOld", exp_alerts: [] },
      { eval_time: "17h", alertname: "BackupTooOld", exp_alerts: [] },
    ],
  };

  const backupNeverRan = {
    interval: "1m",
    input_series: [{ series: 'up{job="node-exporter",instance="node-exporter:9100",service="node"}', values: "1x700" }],
    alert_rule_test: [
      { eval_time: "8h", alertname: "BackupTooOld", exp_alerts: [] },
      {
        eval_time: "10h",
        alertname: "BackupTooOld",
        exp_alerts: [
          {
            exp_labels: labelsOf("BackupTooOld", "critical", "missing"),
            exp_annotations: {
              summary: `No backup success metric for ${backupMax}`,
              description: `${BACKUP_METRICS.lastSuccessTimestamp} has been absent for ${backupMax}: no backup has succeeded, or node-exporter does not read the backup textfile.`,
            },
          },
        ],
      },
    ],
  };

  const backupFailed = {
    interval: "1m",
    input_series: [backupSeries(BACKUP_METRICS.lastSuccessTimestamp, "0x10"), backupSeries(BACKUP_METRICS.lastRunSuccess, "1 1 1 0 0 0 0 0 0 0")],
    alert_rule_test: [
      { eval_time: "2m", alertname: "BackupFailed", exp_alerts: [] },
      {
        eval_time: "6m",
        alertname: "BackupFailed",
        exp_alerts: [
          {
            exp_labels: { ...backupLabels, ...labelsOf("BackupFailed", "critical") },
            exp_annotations: {
              summary: "The last backup run failed",
              description: "The backup service reported its last run as failed; see the backup container's log.",
            },
          },
        ],
      },
    ],
  };

  const errorRate = (okPerMin: number, errPerMin: number) => ({
    interval: "1m",
    input_series: [
      { series: 'http_requests_total{job="mcp-app",instance="app-0:8080",status="200"}', values: `0+${okPerMin}x30` },
      { series: 'http_requests_total{job="mcp-app",instance="app-0:8080",status="500"}', values: `0+${errPerMin}x30` },
    ],
  });
  const highErrors = {
    ...errorRate(90, 10),
    alert_rule_test: [
      {
        eval_time: "15m",
        alertname: "HighErrorRate",
        exp_alerts: [
          {
            exp_labels: labelsOf("HighErrorRate", "critical"),
            exp_annotations: {
              summary: `MCP app 5xx ratio above ${UNIT_INPUT.errorRatePercent}%`,
              description: `10.00% of app requests returned 5xx over the last 5 minutes (threshold ${UNIT_INPUT.errorRatePercent}%).`,
            },
          },
        ],
      },
    ],
  };
  const fewErrors = { ...errorRate(99, 1), alert_rule_test: [{ eval_time: "15m", alertname: "HighErrorRate", exp_alerts: [] }] };

  const certSeries = (days: number) => ({
    series: 'probe_ssl_earliest_cert_expiry{job="edge-https-probe",instance="https://nginx:8443/health",service="edge"}',
    values: `${days * 86400}x60`,
  });
  const certLabels = { job: "edge-https-probe", instance: "https://nginx:8443/health" };
  const certExpiring = (days: number, severities: ("warning" | "critical")[]) => ({
    interval: "1m",
    input_series: [certSeries(days)],
    alert_rule_test: [
      {
        eval_time: "30m",
        alertname: "TLSCertificateExpiring",
        exp_alerts: severities.map((sev) => ({
          exp_labels: { ...certLabels, ...labelsOf("TLSCertificateExpiring", sev) },
          exp_annotations: {
            summary: `TLS certificate of https://nginx:8443/health expires within ${sev === "warning" ? UNIT_INPUT.certExpiryDays : Math.floor(UNIT_INPUT.certExpiryDays / 2)} days`,
            description:
              sev === "warning"
                ? `The certificate served at https://nginx:8443/health expires in ${((days * 86400 - 1800) / 86400).toFixed(1)} days: renew it and update mcp:tlsCertificate.`
                : `The certificate served at https://nginx:8443/health expires in ${((days * 86400 - 1800) / 86400).toFixed(1)} days: renew it now.`,
          },
        })),
      },
    ],
  });

  const testFile = (tests: unknown[]) => stringify({ rule_files: [ALERT_RULES_FILE], evaluation_interval: "1m", tests });

  test("alerts fire when they should and stay silent otherwise", async () => {
    const tests = [
      serviceDown,
      backupTooOld,
      backupsOnTime,
      backupNeverRan,
      backupFailed,
      highErrors,
      fewErrors,
      certExpiring(60, []),
      certExpiring(10, ["warning"]),
      certExpiring(3, ["warning", "critical"]),
    ];
    writeFileSync(dir.join("unit.yml"), testFile(tests));
    const r = await promtoolTestRules(dir.join("unit.yml"));
    expect({ code: r.code, out: outputOf(r) }).toEqual({ code: 0, out: expect.stringMatching(/SUCCESS/) });
  });

  test("a wrong expectation fails (the unit test can fail)", async () => {
    // ServiceDown is still pending at 3m; expecting it to fire must fail.
    const wrong = { ...serviceDown, alert_rule_test: [{ ...serviceDown.alert_rule_test[2], eval_time: "3m" }] };
    writeFileSync(dir.join("wrong.yml"), testFile([wrong]));
    const r = await promtoolTestRules(dir.join("wrong.yml"));
    expect(r.code).not.toBe(0);
    expect(outputOf(r)).toMatch(/FAILED/);
  });
});
