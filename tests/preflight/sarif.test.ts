/**
 * The SARIF checkers the preflight's tests use: the OASIS SARIF 2.1.0 schema (testing/sarif/,
 * committed with its notice) and what code scanning needs beyond it, each shown to accept a
 * log that meets it and to reject what it must.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { sarifAcceptanceProblems } from "../../testing/sarif/acceptance";
import { SARIF_SCHEMA_FILE, sarifSchemaErrors } from "../../testing/sarif/schema";

describe("the committed SARIF schema and the checkers", () => {
  test("is the OASIS errata 01 schema, byte for byte as its notice records", () => {
    const text = fs.readFileSync(SARIF_SCHEMA_FILE, "utf8");
    const notice = fs.readFileSync(path.join(path.dirname(SARIF_SCHEMA_FILE), "NOTICE.md"), "utf8");
    const sha = createHash("sha256").update(text).digest("hex");
    expect(notice).toContain(sha);
    expect(notice).toMatch(/Copyright © OASIS Open 2023\. All Rights Reserved\./);
    const schema = JSON.parse(text);
    expect(schema.$schema).toBe("http://json-schema.org/draft-04/schema#");
    expect(schema.id).toBe("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json");
  });

  const minimal = () => ({
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "t",
            rules: [{ id: "r", shortDescription: { text: "s" }, fullDescription: { text: "f" }, help: { text: "h" }, helpUri: "https://example.test/r" }],
          },
        },
        results: [
          {
            ruleId: "r",
            ruleIndex: 0,
            kind: "fail",
            level: "error",
            message: { text: "m" },
            locations: [{ physicalLocation: { artifactLocation: { uri: "a.ts" }, region: { startLine: 1 } } }],
          },
        ],
      },
    ],
  });

  test("a log that meets both passes both", () => {
    expect(sarifSchemaErrors(minimal())).toEqual([]);
    expect(sarifAcceptanceProblems(minimal())).toEqual([]);
  });

  test("the schema rejects a bad level, a region without a start, a relative help URI", () => {
    const log: any = minimal();
    log.runs[0].results[0].level = "fatal";
    log.runs[0].results[0].locations[0].physicalLocation.region = { startColumn: 3 };
    log.runs[0].tool.driver.rules[0].helpUri = "policies/rules/r.ts";
    const errors = sarifSchemaErrors(log).join("\n");
    expect(errors).toMatch(/results\/0\/level must be equal to one of the allowed values/);
    expect(errors).toMatch(/region must have required property 'startLine'/);
    expect(errors).toMatch(/helpUri must match format "uri"/);
  });

  test.each([
    ["a review result with level note", (l: any) => Object.assign(l.runs[0].results[0], { kind: "review", level: "note" }), /kind review needs level none/],
    ["an error without kind fail", (l: any) => Object.assign(l.runs[0].results[0], { kind: "open" }), /kind open needs level none/],
    ["no physical location", (l: any) => (l.runs[0].results[0].locations = [{ logicalLocations: [{ name: "x" }] }]), /no physical location/],
    ["an absolute file path", (l: any) => (l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = "file:///a.ts"), /not relative/],
    ["a rule without help", (l: any) => delete l.runs[0].tool.driver.rules[0].help, /no help\.text/],
    ["a rule without a help URI", (l: any) => delete l.runs[0].tool.driver.rules[0].helpUri, /helpUri is not an absolute URI/],
    ["a ruleIndex naming another rule", (l: any) => (l.runs[0].results[0].ruleId = "other"), /ruleIndex 0 is not rule other/],
  ])("the acceptance check refuses %s", (_what, breakIt, problem) => {
    const log = minimal();
    breakIt(log);
    expect(sarifAcceptanceProblems(log).join("\n")).toMatch(problem);
  });
});
