/**
 * The pack's Analyze dispatcher (policies/lib/analyze-by-type.ts) against @pulumi/policy's own
 * handler, in this process, on the same requests: every resource of the prod and dev programs
 * and every resource a variant of the mutation corpus changes. The responses must hold the same diagnostics in
 * the same order and the same not-applicable entries; a disabled policy reports nothing.
 */
import * as path from "path";
import type { Policy } from "@pulumi/policy";
import { CollectedResource, runProgram } from "../../preflight/collect";
import { resourceRequest } from "../../preflight/harness";
import { cloneResources, MUTATIONS, NON_BLOCKING } from "../../preflight/mutations";
import { stackInput } from "../../preflight/run";
import { analyzeByType, installAnalyzeByType, tailSerializer, WithTail } from "../../policies/lib/analyze-by-type";
import { ownAnalyze } from "../../policies/lib/analyze-loop";
import { PACK_NAME } from "../../policies/lib/define";
import { ALL_POLICIES } from "../../policies/pack";

const ROOT = path.resolve(__dirname, "../..");
const { makeAnalyzeRpcFun } = require("@pulumi/policy/server");
const { deserializeProperties } = require("@pulumi/policy/deserialize");
const { makeAnalyzeResponse } = require("@pulumi/policy/protoutil");
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");

const POLICIES: Policy[] = ALL_POLICIES.map((p) => p.policy);
const serialize = tailSerializer(analyzerrpc.AnalyzerService.analyze.responseSerialize);

function encodeNotApplicable(entries: readonly { policyName: string; reason: string }[]): Uint8Array {
  const resp = new analyzerproto.AnalyzeResponse();
  resp.setNotApplicableList(
    entries.map((e) => {
      const na = new analyzerproto.PolicyNotApplicable();
      na.setPolicyName(e.policyName);
      na.setReason(e.reason);
      return na;
    }),
  );
  return resp.serializeBinary();
}

type Handler = (call: { request: unknown }, cb: (err: unknown, resp?: unknown) => void) => unknown;

/** What a client reads back from one handler's answer, as the wire carries it. */
function answer(handler: Handler, request: unknown): Promise<{ diagnostics: unknown[]; notApplicable: string[]; tail: boolean }> {
  return new Promise((resolve, reject) =>
    handler({ request }, (err, resp) => {
      if (err) return reject(err);
      const decoded = analyzerproto.AnalyzeResponse.deserializeBinary(serialize(resp));
      resolve({
        tail: resp instanceof WithTail,
        diagnostics: decoded.getDiagnosticsList().map((d: { toObject(): unknown }) => d.toObject()),
        notApplicable: decoded
          .getNotApplicableList()
          .map((n: { getPolicyName(): string; getReason(): string }) => `${n.getPolicyName()}: ${n.getReason()}`)
          .sort(),
      });
    }),
  );
}

const defaultLevel = (p: Policy) => p.enforcementLevel ?? "mandatory";

/** The pack's one-pass loop, with the server's (unconfigured, in this process) config. */
const ownLoop = (levelOf: (p: Policy) => string) =>
  ownAnalyze({
    serverMake: makeAnalyzeRpcFun,
    deserialize: deserializeProperties,
    makeResponse: makeAnalyzeResponse,
    newNotApplicable: () => new analyzerproto.PolicyNotApplicable(),
    levelOf,
    configOf: () => ({}),
  });

function dispatcher(levelOf: (p: Policy) => string = defaultLevel, loop = false): Handler {
  return analyzeByType({
    makeAnalyze: loop ? ownLoop(levelOf) : makeAnalyzeRpcFun,
    encodeNotApplicable,
    name: PACK_NAME,
    version: "1.0.0",
    level: "mandatory",
    policies: POLICIES,
    levelOf,
    generation: () => 0,
  });
}

let stacks: { label: string; resources: CollectedResource[] }[] = [];

beforeAll(async () => {
  for (const stack of ["prod", "dev"]) {
    const input = stackInput(stack, ROOT);
    const run = await runProgram({ stack, config: input.config, secretKeys: input.secretKeys, projectDir: ROOT });
    stacks.push({ label: stack, resources: run.resources });
    if (stack !== "prod") continue;
    process.env.PULUMI_CONFIG = JSON.stringify(input.config);
    for (const m of [...MUTATIONS, ...NON_BLOCKING].filter((x) => !x.config)) {
      const rs = cloneResources(run.resources);
      m.apply(rs);
      stacks.push({ label: m.id, resources: rs });
    }
  }
}, 120000);

afterAll(() => {
  stacks = [];
});

test.each([
  ["the server's handler per type", false],
  ["the pack's one-pass loop per type", true],
])(
  "%s: the same answer as the server's own handler on every resource of prod, dev and the mutation corpus",
  async (_label, loop) => {
    const sdk: Handler = makeAnalyzeRpcFun(PACK_NAME, "1.0.0", "mandatory", POLICIES);
    const ours = dispatcher(defaultLevel, loop);
    const seen = new Set<string>();
    let resources = 0;
    let diagnostics = 0;
    let tails = 0;
    for (const { label, resources: rs } of stacks) {
      const providers = new Map(rs.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
      for (const r of rs) {
        // A variant's unchanged resources are prod's: each distinct request once.
        const key = `${r.urn}\n${r.provider}\n${JSON.stringify(r.inputs)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const request = resourceRequest(r, providers, r.inputs);
        const [want, got] = await Promise.all([answer(sdk, request), answer(ours, request)]);
        expect({ label, urn: r.urn, diagnostics: got.diagnostics, notApplicable: got.notApplicable }).toEqual({
          label,
          urn: r.urn,
          diagnostics: want.diagnostics,
          notApplicable: want.notApplicable,
        });
        resources++;
        diagnostics += want.diagnostics.length;
        if (got.tail) tails++;
      }
    }
    // The comparison means something: every variant seen, findings among the answers, and tails sent.
    expect(stacks.length).toBeGreaterThan(100);
    expect(resources).toBeGreaterThan(stacks.length + 100);
    expect(diagnostics).toBeGreaterThan(100);
    expect(tails).toBeGreaterThan(resources / 2);
  },
  300000,
);

test("a disabled policy gets no not-applicable entry, and the others keep theirs", async () => {
  const multiType = ALL_POLICIES.find((p) => p.meta.kind === "resource" && p.meta.resourceTypes.length > 1)!;
  const singleType = ALL_POLICIES.find((p) => p.meta.kind === "resource" && p.meta.resourceTypes.length === 1)!;
  const { resources: rs } = stacks[0];
  const other = rs.find((r) => !multiType.meta.resourceTypes.includes(r.type) && !singleType.meta.resourceTypes.includes(r.type))!;
  const request = resourceRequest(other, new Map(), other.inputs);
  const names = (a: { notApplicable: string[] }) => a.notApplicable.map((s) => s.split(":")[0]);
  const all = await answer(dispatcher(), request);
  expect(names(all)).toEqual(expect.arrayContaining([multiType.meta.name, singleType.meta.name]));
  expect(all.notApplicable).toContain(`${multiType.meta.name}: applies to ${multiType.meta.resourceTypes.join(", ")}`);
  const disabled = await answer(
    dispatcher((p) => ([multiType.meta.name, singleType.meta.name].includes(p.name) ? "disabled" : (p.enforcementLevel ?? "mandatory"))),
    request,
  );
  expect(names(disabled)).not.toContain(multiType.meta.name);
  expect(names(disabled)).not.toContain(singleType.meta.name);
  expect(disabled.notApplicable.length).toBe(all.notApplicable.length - 2);
});

test("installs into the pinned @pulumi/policy's serve(), once", () => {
  const server = require("@pulumi/policy/server");
  const serve = server.serve;
  try {
    expect(installAnalyzeByType()).toBe(true);
    expect(server.serve).not.toBe(serve);
    expect(installAnalyzeByType()).toBe(false);
  } finally {
    server.serve = serve;
  }
});
