/**
 * SARIF that code scanning accepts, checked on the real preflight's output: valid against
 * the OASIS SARIF 2.1.0 schema (testing/sarif/), kinds and levels paired as §3.27.9-3.27.10
 * require, a physical location for every result (the program line that constructs the
 * resource, else the stack file), rule help with an absolute help URI. The checkers
 * themselves are shown to reject what they must.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { POLICY_CATALOG } from "../../policies/catalog";
import { formatReport } from "../../preflight/format";
import { helpUriBase, ruleFile, ruleHelpUri } from "../../preflight/format/help-uri";
import { SARIF_SCHEMA } from "../../preflight/format/sarif";
import { policyConfigLines, resourceRegions, stackFileRegion } from "../../preflight/format/sarif-locations";
import { findMutation } from "../../preflight/mutations";
import { PreflightResult, runPreflight } from "../../preflight/run";
import { sarifContext } from "../../preflight/sarif-context";
import { sarifAcceptanceProblems } from "../../testing/sarif/acceptance";
import { SARIF_SCHEMA_FILE, sarifSchemaErrors } from "../../testing/sarif/schema";

const ROOT = path.resolve(__dirname, "../..");

describe("the committed SARIF schema and the checkers", () => {
  test("is the OASIS errata 01 schema, byte for byte as its notice records, and the $schema the output names", () => {
    const text = fs.readFileSync(SARIF_SCHEMA_FILE, "utf8");
    const notice = fs.readFileSync(path.join(path.dirname(SARIF_SCHEMA_FILE), "NOTICE.md"), "utf8");
    const sha = createHash("sha256").update(text).digest("hex");
    expect(notice).toContain(sha);
    expect(notice).toMatch(/Copyright © OASIS Open 2023\. All Rights Reserved\./);
    const schema = JSON.parse(text);
    expect(schema.$schema).toBe("http://json-schema.org/draft-04/schema#");
    expect(schema.id).toBe(SARIF_SCHEMA);
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

describe("locations and help URIs", () => {
  test("a source position inside the project is kept, relative; one in node_modules or outside it is not", () => {
    const at = (uri: string) => ({ urn: uri, source: { uri, line: 7, column: 3 } });
    const regions = resourceRegions(
      [at("file:///p/infra/a.ts"), at("file:///p/node_modules/@pulumi/pulumi/stack.ts"), at("file:///elsewhere/b.ts"), { urn: "none" }],
      "/p",
    );
    expect(regions).toEqual({ "file:///p/infra/a.ts": { uri: "infra/a.ts", startLine: 7, startColumn: 3 } });
  });

  test("the stack file points at its config: line, the policy config at the line naming the policy", () => {
    expect(stackFileRegion("prod", "# comment\nencryptionsalt: x\nconfig:\n  mcp:a: 1\n")).toEqual({ uri: "Pulumi.prod.yaml", startLine: 3 });
    expect(stackFileRegion("dev", "")).toEqual({ uri: "Pulumi.dev.yaml", startLine: 1 });
    expect(policyConfigLines('{\n  "a": {},\n  "image-pinned": { "enforcementLevel": "disabled" }\n}\n', ["image-pinned", "b"])).toEqual({ "image-pinned": 3 });
  });

  test("help URIs: the rule file at the analysed commit under GitHub Actions, else on this machine", () => {
    const gh = { GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "acme/mcp", GITHUB_SHA: "0123abc" };
    expect(ruleHelpUri(helpUriBase(gh, ROOT), "image-pinned")).toBe("https://github.com/acme/mcp/blob/0123abc/policies/rules/image-pinned.ts");
    expect(ruleHelpUri(helpUriBase({ ...gh, GITHUB_SHA: undefined }, "/p/x"), "image-pinned")).toBe("file:///p/x/policies/rules/image-pinned.ts");
  });

  test("every policy of the catalog has the rule file its help URI links to", () => {
    const missing = POLICY_CATALOG.map((p) => ruleFile(p.name)).filter((f) => !fs.existsSync(path.join(ROOT, f)));
    expect(missing).toEqual([]);
  });
});

describe("the real preflight's SARIF", () => {
  // Every kind of finding at once: one rule on two services (one constructing line), a
  // container the program did not register (no source position), a stack-level violation;
  // prod's secure values add undecidable items.
  const ids = ["cap-all-redis", "cap-all-grafana", "privileged-debug-container", "single-app-replica"];
  let r: PreflightResult;
  let log: any;

  beforeAll(async () => {
    const mutations = ids.map((id) => findMutation(id)!);
    r = await runPreflight({ stack: "prod", projectDir: ROOT, mutate: (rs) => mutations.forEach((m) => m.apply(rs)) });
    const ctx = sarifContext({
      projectDir: ROOT,
      stack: "prod",
      resources: r.run.resources,
      policyConfigFile: path.join(ROOT, "policies", "policy-config.prod.json"),
      policies: r.info.policies.map((p) => p.name),
      env: {},
    });
    log = JSON.parse(formatReport("sarif", r.report, r.info, () => ctx));
  }, 120000);

  test("has mandatory violations and undecidable items to show", () => {
    expect(r.report.mandatoryViolations).toBeGreaterThanOrEqual(3);
    const kinds = new Set(log.runs[0].results.map((x: any) => x.kind));
    expect(kinds).toEqual(new Set(["fail", "open"]));
  });

  test("is valid against the SARIF 2.1.0 schema and meets code scanning's needs", () => {
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(sarifAcceptanceProblems(log)).toEqual([]);
  });

  test("a violation on a service points at the program line that constructs it", () => {
    const redis = log.runs[0].results.find((x: any) => x.ruleId === "container-capabilities" && /mcp-prod-redis\b/.test(x.message.text));
    const where = redis.locations[0].physicalLocation;
    const line = fs.readFileSync(path.join(ROOT, where.artifactLocation.uri), "utf8").split("\n")[where.region.startLine - 1];
    expect(where.artifactLocation.uri).toMatch(/^infra\//);
    expect(line.slice(where.region.startColumn - 1)).toMatch(/^new docker\.Service\(/);
    expect(redis.locations[0].logicalLocations[0].fullyQualifiedName).toMatch(/::docker:index\/service:Service::mcp-prod-redis$/);
  });

  test("a resource without a source position and a stack-level violation point at the stack file's config", () => {
    const config = stackFileRegion("prod", fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    for (const rule of ["container-no-privileged", "ha-app-replicas"]) {
      const res = log.runs[0].results.find((x: any) => x.ruleId === rule);
      expect(res.locations[0].physicalLocation).toEqual({
        artifactLocation: { uri: "Pulumi.prod.yaml", uriBaseId: "%SRCROOT%" },
        region: { startLine: config.startLine },
      });
    }
  });

  test("every location is a file of the project and a line it has", () => {
    const bad: string[] = [];
    for (const res of log.runs[0].results)
      for (const l of res.locations) {
        const { artifactLocation, region } = l.physicalLocation;
        const file = path.join(ROOT, artifactLocation.uri);
        if (!fs.existsSync(file) || fs.readFileSync(file, "utf8").split("\n").length < region.startLine)
          bad.push(`${artifactLocation.uri}:${region.startLine}`);
      }
    expect(bad).toEqual([]);
  });

  test("same-rule results on one line stay apart by their fingerprints", () => {
    const caps = log.runs[0].results.filter((x: any) => x.ruleId === "container-capabilities" && x.kind === "fail");
    expect(caps.length).toBeGreaterThanOrEqual(2);
    expect(new Set(caps.map((x: any) => JSON.stringify(x.locations[0].physicalLocation))).size).toBe(1);
    const prints = log.runs[0].results.map((x: any) => x.partialFingerprints["mcpPreflightFinding/v1"]);
    expect(new Set(prints).size).toBe(prints.length);
  });

  test("not one generated secret is in it", () => {
    const text = JSON.stringify(log);
    expect(r.run.generatedSecrets.filter((s) => text.includes(s))).toEqual([]);
  });
});
