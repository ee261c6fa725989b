/**
 * alertmanager.yml: `amtool check-config` accepts the prod and dev renderings and rejects
 * broken variants; `amtool config routes test` shows critical and warning alerts reach
 * exactly the receivers configured for them.
 */
import { writeFileSync } from "node:fs";
import { parse } from "yaml";
import { alertmanagerInputFromConfig, renderAlertmanagerConfig } from "../../infra/render/alertmanager";
import { amtoolCheckConfig, amtoolRoutesTest, makeTempDir, outputOf, TempDir } from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

describe.each(STACKS)("alertmanager.yml for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const yml = renderAlertmanagerConfig(alertmanagerInputFromConfig(config));
  const doc = parse(yml);
  let dir: TempDir;
  beforeAll(() => {
    dir = makeTempDir(`am-${stack}-`);
    writeFileSync(dir.join("alertmanager.yml"), yml);
  });
  afterAll(() => dir?.remove());

  test("groups by alertname and service with the configured timings; critical inhibits warning", () => {
    expect(doc.route.group_by).toEqual(["alertname", "service"]);
    expect(doc.route).toMatchObject({
      group_wait: config.alerting.groupWait,
      group_interval: config.alerting.groupInterval,
      repeat_interval: config.alerting.repeatInterval,
    });
    expect(doc.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "service"] }]);
    expect(doc.receivers.map((r: { name: string }) => r.name)).toEqual(config.alerting.receivers.map((r) => r.name));
  });

  test("amtool check-config accepts it", async () => {
    const r = await amtoolCheckConfig(dir.join("alertmanager.yml"));
    expect({ code: r.code, out: outputOf(r) }).toEqual({ code: 0, out: expect.stringMatching(/SUCCESS/) });
    expect(outputOf(r)).toContain(`- ${config.alerting.receivers.length} receivers`);
  });

  test.each(["critical", "warning"])("%s alerts reach exactly the receivers that take them", async (severity) => {
    const expected = config.alerting.receivers.filter((r) => r.severities.includes(severity as "critical" | "warning")).map((r) => r.name);
    const r = await amtoolRoutesTest(dir.join("alertmanager.yml"), { alertname: "ServiceDown", service: "redis", severity });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(",")).toEqual(expected);
  });

  test("an alert without severity still reaches a critical receiver", async () => {
    const r = await amtoolRoutesTest(dir.join("alertmanager.yml"), { alertname: "Unlabelled" });
    expect(r.stdout.trim()).toBe(config.alerting.receivers.find((x) => x.severities.includes("critical"))!.name);
  });

  test("amtool rejects a broken variant: a route to an undefined receiver", async () => {
    const first = config.alerting.receivers[0].name;
    writeFileSync(dir.join("broken.yml"), yml.replace(`receiver: ${first}`, "receiver: nobody-defined-this"));
    const r = await amtoolCheckConfig(dir.join("broken.yml"));
    expect(r.code).not.toBe(0);
    expect(outputOf(r)).toMatch(/undefined receiver "nobody-defined-this"/);
  });
});

describe("alertmanager input", () => {
  const input = alertmanagerInputFromConfig(loadStackFile("prod"));

  test("amtool rejects email receivers without SMTP, and so does the renderer, naming the receiver", async () => {
    const dir = makeTempDir("am-smtp-");
    try {
      const yml = renderAlertmanagerConfig(input).replace(/^\s+smtp_\w+: .*\n/gm, "");
      writeFileSync(dir.join("no-smtp.yml"), yml);
      const r = await amtoolCheckConfig(dir.join("no-smtp.yml"));
      expect(r.code).not.toBe(0);
      expect(outputOf(r)).toMatch(/no global SMTP smarthost set/);
    } finally {
      dir.remove();
    }
    expect(() => renderAlertmanagerConfig({ ...input, smtp: undefined })).toThrow(/receivers\[1\] \(ops-warnings\) sends email but smtp is not set/);
  });

  test("refuses a config where no receiver takes critical alerts", () => {
    expect(() => renderAlertmanagerConfig({ ...input, receivers: input.receivers.map((r) => ({ ...r, severities: ["warning" as const] })) })).toThrow(
      /no receiver takes critical alerts/,
    );
  });
});
