/**
 * The real program's prod and dev stacks through the whole preflight (mock runtime, real
 * pack process, gRPC): zero mandatory violations, and not one generated secret in any
 * report format, the pack's stderr or the engine log.
 */
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { formatReport, FORMATS } from "../../preflight/format";
import { PreflightResult, runPreflight } from "../../preflight/run";
import { sarifContext } from "../../preflight/sarif-context";
import { sarifAcceptanceProblems } from "../../testing/sarif/acceptance";
import { sarifSchemaErrors } from "../../testing/sarif/schema";
import { CHECKLIST_ITEMS } from "../../checklist/items";

const ROOT = path.resolve(__dirname, "../..");

describe.each(["prod", "dev"])("stack %s", (stack) => {
  let r: PreflightResult;
  const lines: string[] = [];

  beforeAll(async () => {
    r = await runPreflight({ stack, projectDir: ROOT, progress: (l) => lines.push(l) });
  }, 120000);

  test("zero mandatory violations, exit 0", () => {
    expect(r.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(r.report.mandatoryViolations).toBe(0);
    expect(r.exitCode).toBe(0);
  });

  test("the program's resources were analyzed and listed: services, configs, secrets, networks, volumes, passwords", () => {
    const types = new Set(r.run.resources.map((x) => x.type));
    for (const t of [
      "docker:index/service:Service",
      "docker:index/serviceConfig:ServiceConfig",
      "docker:index/secret:Secret",
      "docker:index/network:Network",
      "docker:index/volume:Volume",
      "random:index/randomPassword:RandomPassword",
    ])
      expect(types).toContain(t);
    // The swarm model: no container and no image pull in the stack.
    expect(types.has("docker:index/container:Container") || types.has("docker:index/remoteImage:RemoteImage")).toBe(false);
    expect(r.report.resourceCount).toBe(r.run.resources.length);
    expect(r.report.resources).toEqual(r.run.resources.map((x) => ({ type: x.type, name: x.name })));
    // Every item in the report is a real checklist item, in checklist order.
    const order = CHECKLIST_ITEMS.map((i) => i.id);
    const ids = r.report.items.map((i) => i.itemId);
    expect(ids.every((id) => order.includes(id))).toBe(true);
    expect([...ids].sort((a, b) => order.indexOf(a) - order.indexOf(b))).toEqual(ids);
  });

  test("each resource the program constructs carries the SDK's source position: the line of its `new`", () => {
    const pos = (name: string) => r.run.resources.find((x) => x.name === name)?.source;
    const at = (p: { uri: string; line: number; column: number }) => {
      const lines = fs.readFileSync(new URL(p.uri), "utf8").split("\n");
      return lines[p.line - 1].slice(p.column - 1);
    };
    const redis = pos(`mcp-${stack}-redis`)!;
    expect(redis.uri).toBe(pathToFileURL(path.join(ROOT, "infra/components/service.ts")).href);
    expect(at(redis)).toMatch(/^new docker\.Service\(/);
    const network = pos(`mcp-${stack}-internal`)!;
    expect(at(network)).toMatch(/^new docker\.Network\(/);
    // The root stack is constructed by the SDK itself: its position is no line of this program.
    expect(pos(`mcp-production-stack-${stack}`)?.uri ?? "/node_modules/").toContain("/node_modules/");
    const inProgram = r.run.resources.filter((x) => x.source?.uri.startsWith(`${pathToFileURL(ROOT).href}/infra/`));
    expect(inProgram.length).toBeGreaterThan(r.run.resources.length / 2);
  });

  const sarif = () => sarifContext({ projectDir: ROOT, stack, resources: r.run.resources, policies: r.info.policies.map((p) => p.name), env: {} });

  test("no generated secret appears in any output", () => {
    expect(r.run.generatedSecrets.length).toBeGreaterThanOrEqual(7);
    const outputs = [...FORMATS.map((f) => formatReport(f, r.report, r.info, sarif)), lines.join("\n")];
    for (const s of r.run.generatedSecrets) for (const o of outputs) expect(o.includes(s)).toBe(false);
  });

  test("its SARIF is valid SARIF 2.1.0 that code scanning accepts", () => {
    const log = JSON.parse(formatReport("sarif", r.report, r.info, sarif));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(sarifAcceptanceProblems(log)).toEqual([]);
  });

  test("progress lines tell what happened", () => {
    expect(lines.join("\n")).toMatch(/program registered \d+ resources/);
    expect(lines.join("\n")).toMatch(/policy pack started on port \d+/);
  });
});

test("prod: the only undecidable items are the ones fed by secure config values", async () => {
  const r = await runPreflight({ stack: "prod", projectDir: ROOT });
  const undecidable = r.report.items.filter((i) => i.status === "undecidable");
  for (const i of undecidable)
    for (const reason of i.undecidableReasons ?? [])
      expect(reason).toMatch(/content of (\/run\/secrets\/(tls\.key|backup-offsite-secret-key)|\/etc\/nginx\/tls\/server\.crt|\/etc\/mcp\/tls\/edge\.crt)/);
}, 120000);

test("the pack also runs from its TypeScript source exactly as the Pulumi CLI starts it (ts-node, type-checked)", async () => {
  const r = await runPreflight({ stack: "dev", projectDir: ROOT, packMode: "source" });
  expect(r.timings.packBuild).toBe("source");
  expect(r.exitCode).toBe(0);
  expect(r.report.items.length).toBeGreaterThan(40);
}, 120000);
