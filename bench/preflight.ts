/**
 * Preflight benchmarks, each figure against a baseline measured in the same run, in interleaved
 * pairs (this machine's 2 cores are shared: a pair sees the same load, and the ratio is the median
 * of the pairs' ratios):
 *   - preflight.vs-engine-pack-start: `npm run preflight -- --stack prod` end to end, as a user runs
 *     it, against the time the engine's own path takes just to start the TypeScript pack (ts-node
 *     with type-checking, `policies/` as cwd, to its port line). Target <= 0.35; and <= 2 s median
 *     (preflight.wall-ms);
 *   - program.per-resource-ms: the precompiled program under the mock runtime registering the prod
 *     stack once and four times over (distinct stack names), the extra time per extra resource.
 *     Target <= 1 ms;
 *   - analyze.vs-trivial-analyzer: Analyze throughput over gRPC, 16 in flight, on a synthetic
 *     5,000-resource stack (the prod stack's resources renamed, each copy's config files varied so
 *     the pack's parse caches hit only as often as on a real stack), against an Analyzer that
 *     returns nothing (testing/trivial-analyzer), started the same way and sent the same requests.
 *     Target >= 0.9;
 *   - the in-process rule rate (the same rules, no gRPC), for the share the rules take; each
 *     side's CPU per Analyze (the servers' from /proc); and the in-process cost of turning a
 *     request's properties into JavaScript, for the best ratio the conversion and the rules allow.
 *
 *   npm run bench -- --only preflight [--quick]      or      npx ts-node --swc bench/preflight.ts
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { CollectedResource } from "../preflight/collect";
import { runProgram } from "../preflight/collect";
import { AnalyzerHarness, resourceRequest } from "../preflight/harness";
import { evaluateInProcess, toView } from "../preflight/inprocess";
import type { McpResourcePolicy } from "../policies/lib/define";
import { cloneResources } from "../preflight/mutations";
import { buildPack } from "../preflight/pack-build";
import { startEngineStub, startPack } from "../preflight/pack-process";
import { PROJECT } from "../preflight/project";
import { PreflightSession, stackInput, type StackInput } from "../preflight/run";
import { ALL_POLICIES } from "../policies/pack";
import { figure, type BenchResult, type Figure } from "./figures";
import { median } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const TRIVIAL_ANALYZER = path.join(ROOT, "testing", "trivial-analyzer");

export interface BenchOptions {
  /** Fewer runs and a smaller synthetic stack: the figures' shape, not their precision. */
  quick?: boolean;
}

const round = (n: number, d = 0) => Number(n.toFixed(d));
/** The kernel's clock ticks per second, in which /proc reports a process's CPU time. */
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** CPU time (ms, user and system) a process has used, from /proc/<pid>/stat; undefined where there is none. */
function processCpuMs(pid: number): number | undefined {
  try {
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").pop()!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const ms = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
const spread = (xs: readonly number[]) => `${round(Math.min(...xs))}-${round(Math.max(...xs))}`;

/** Config files change with the copy: trailing newlines, which no format reads, so every copy's text is new to a parse cache. */
function varyConfig(r: CollectedResource, copy: number): CollectedResource {
  if (r.type !== "docker:index/serviceConfig:ServiceConfig" || copy === 0) return r;
  const pad = "\n".repeat(copy);
  const inputs = { ...r.inputs };
  if (typeof inputs.dataRaw === "string") inputs.dataRaw = inputs.dataRaw + pad;
  else if (typeof inputs.data === "string" && /^[A-Za-z0-9+/]+=*$/.test(inputs.data) && inputs.data.length % 4 === 0)
    inputs.data = Buffer.from(Buffer.from(inputs.data, "base64").toString("utf8") + pad).toString("base64");
  return { ...r, inputs };
}

/** The prod stack's resources repeated (renamed, config files varied) until there are `n` of them. */
function synthetic(base: readonly CollectedResource[], n: number): CollectedResource[] {
  const out: CollectedResource[] = [];
  for (let copy = 0; out.length < n; copy++) {
    for (const r of cloneResources(base)) {
      if (out.length >= n) break;
      const name = `${r.name}-s${copy}`;
      out.push(varyConfig({ ...r, name, urn: r.urn.replace(/::[^:]+$/, `::${name}`) }, copy));
    }
  }
  return out;
}

/** The stack's provider resources by URN, as the harness takes them for each request. */
const providersOf = (rs: readonly CollectedResource[]) => new Map(rs.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));

async function analyzeAll(h: AnalyzerHarness, rs: readonly CollectedResource[], concurrency: number): Promise<number> {
  const providers = providersOf(rs);
  let next = 0;
  let diagnostics = 0;
  const worker = async () => {
    while (next < rs.length) diagnostics += (await h.analyze(rs[next++], providers)).length;
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return diagnostics;
}

/** µs per resource @pulumi/policy takes to turn an Analyze request's properties, decoded as the pack receives them, into JavaScript. */
function propertyConversionUs(rs: readonly CollectedResource[]): number {
  const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
  const analyzerproto = require(require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [policyDir] }));
  const { deserializeProperties } = require("@pulumi/policy/deserialize") as { deserializeProperties: (s: object, proxySecrets: boolean) => unknown };
  const providers = providersOf(rs);
  const structs = rs.map(
    (r) =>
      analyzerproto.AnalyzeRequest.deserializeBinary(
        (resourceRequest(r, providers, r.inputs) as { serializeBinary(): Uint8Array }).serializeBinary(),
      ).getProperties() as object,
  );
  for (const st of structs.slice(0, 300)) deserializeProperties(st, false); // warm-up
  const t = process.hrtime.bigint();
  for (const st of structs) deserializeProperties(st, false);
  return (ms(t) * 1000) / structs.length;
}

/** The engine's way to start a TypeScript pack: run-policy-pack in policies/, ts-node type-checking it; ms to its port line. */
async function engineTypeScriptPackStart(input: StackInput): Promise<number> {
  const engine = await startEngineStub();
  try {
    const t = process.hrtime.bigint();
    const pack = await startPack({
      packDir: path.join(ROOT, "policies"),
      engineAddress: engine.address,
      env: { PULUMI_CONFIG: JSON.stringify(input.config), PULUMI_PROJECT: PROJECT, PULUMI_STACK: input.stack, PULUMI_DRY_RUN: "true" },
      timeoutMs: 120_000,
    });
    const took = ms(t);
    await pack.stop();
    return took;
  } finally {
    await engine.close();
  }
}

function preflightWall(): number {
  const t = process.hrtime.bigint();
  const r = spawnSync("npm", ["run", "--silent", "preflight", "--", "--stack", "prod", "--quiet"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  const took = ms(t);
  if (r.status !== 0) throw new Error(`npm run preflight -- --stack prod exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return took;
}

/** The prod program registered `copies` times over in one run (distinct stack names, so distinct resources): ms and resources. */
async function programRun(input: StackInput, copies: number): Promise<{ ms: number; cpuMs: number; resources: number }> {
  const t = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const run = await runProgram({
    stack: "prod",
    config: input.config,
    secretKeys: input.secretKeys,
    projectDir: ROOT,
    around: (main) => (config, stack) => {
      const outputs = Array.from({ length: copies }, (_, k) => main(config, k === 0 ? stack : `${stack}x${k}`));
      return outputs[0];
    },
  });
  const used = process.cpuUsage(cpu);
  return { ms: ms(t), cpuMs: (used.user + used.system) / 1000, resources: run.resources.length };
}

export async function run(opts: BenchOptions = {}): Promise<BenchResult> {
  const quick = !!opts.quick;
  const pairs = quick ? 1 : Number(process.env.BENCH_PREFLIGHT_RUNS ?? 5);
  const size = quick ? 500 : 5000;
  const lines: Record<string, number | string> = {};
  const figures: Figure[] = [];
  const input = stackInput("prod", ROOT);

  // 1. The command a new user runs first, against the engine's start of the TypeScript pack.
  //    Compiled copies (pack, program) are set up once, as after a first run.
  buildPack(ROOT);
  preflightWall();
  const walls: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Alternating order within the pair, so a load that rises or falls through the run weighs on both.
    if (i % 2 === 0) {
      walls.push(preflightWall());
      starts.push(await engineTypeScriptPackStart(input));
    } else {
      starts.push(await engineTypeScriptPackStart(input));
      walls.push(preflightWall());
    }
  }
  const pairRatios = walls.map((w, i) => w / starts[i]);
  lines["preflight prod wall median (ms)"] = round(median(walls));
  lines["preflight prod wall min-max (ms)"] = spread(walls);
  lines["engine-path TypeScript pack start median (ms)"] = round(median(starts));
  lines["engine-path TypeScript pack start min-max (ms)"] = spread(starts);
  lines["preflight / pack start, per pair"] = pairRatios.map((r) => r.toFixed(2)).join(" ");
  lines.pairs = pairs;
  figures.push(
    figure("preflight.vs-engine-pack-start", {
      value: median(walls),
      unit: "ms",
      baseline: median(starts),
      ratio: median(pairRatios),
      target: "<= 0.35",
      digits: 0,
    }),
    figure("preflight.wall-ms", { value: median(walls), unit: "ms", target: "<= 2000", digits: 0 }),
  );

  // 2. The program's cost per extra resource: the prod stack once and four times over.
  await programRun(input, 1); // warm-up: module loading and JIT are not per resource
  const small: number[] = [];
  const big: number[] = [];
  const cpuSmall: number[] = [];
  const cpuBig: number[] = [];
  let counts = { small: 0, big: 0 };
  for (let i = 0; i < (quick ? 1 : 5); i++) {
    const a = await programRun(input, 1);
    const b = await programRun(input, 4);
    small.push(a.ms);
    big.push(b.ms);
    cpuSmall.push(a.cpuMs);
    cpuBig.push(b.cpuMs);
    counts = { small: a.resources, big: b.resources };
  }
  const perResource = (median(big) - median(small)) / (counts.big - counts.small);
  lines[`program, ${counts.small} resources, median (ms)`] = round(median(small), 1);
  lines[`program, ${counts.big} resources, median (ms)`] = round(median(big), 1);
  // CPU time beside it (this process, GC threads included): it does not grow when other processes take the cores.
  lines["program per extra resource, CPU time (ms)"] = round((median(cpuBig) - median(cpuSmall)) / (counts.big - counts.small), 3);
  figures.push(figure("program.per-resource-ms", { value: perResource, unit: "ms", target: "<= 1" }));

  // 3. gRPC Analyze throughput against the trivial Analyzer, same requests, same client.
  const base = (await runProgram({ stack: "prod", config: input.config, secretKeys: input.secretKeys, projectDir: ROOT })).resources;
  let serverCpuTrivial: number | undefined;
  const stack = synthetic(base, size);
  const session = await PreflightSession.start({ projectDir: ROOT, input, policyConfig: {} });
  const engine = await startEngineStub();
  const trivialPack = await startPack({ packDir: TRIVIAL_ANALYZER, engineAddress: engine.address, env: {} });
  const trivial = new AnalyzerHarness(trivialPack.port);
  try {
    const pack = (session as unknown as { harness: AnalyzerHarness }).harness;
    // Warm-up (JIT in both servers and in this client) on resources outside the measured stack.
    const warm = synthetic(base, 300).map((r) => ({ ...r, urn: `${r.urn}-warm` }));
    await analyzeAll(pack, warm, 16);
    await analyzeAll(trivial, warm, 16);
    // CPU per resource on each side of the wire: the server's from /proc, this client's own.
    type Cpu = { server: number[]; client: number[] };
    const packCpu: Cpu = { server: [], client: [] };
    const trivialCpu: Cpu = { server: [], client: [] };
    const packPid = (session as unknown as { pack: { pid: number } }).pack.pid;
    const rate = async (h: AnalyzerHarness, pid: number, cpu: Cpu) => {
      const s0 = processCpuMs(pid);
      const c0 = process.cpuUsage();
      const t = process.hrtime.bigint();
      await analyzeAll(h, stack, 16);
      const took = ms(t);
      const c = process.cpuUsage(c0);
      const s1 = processCpuMs(pid);
      if (s0 !== undefined && s1 !== undefined) cpu.server.push(((s1 - s0) * 1000) / size);
      cpu.client.push((c.user + c.system) / size);
      return size / (took / 1000);
    };
    const packRates: number[] = [];
    const trivialRates: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      if (i % 2 === 0) {
        packRates.push(await rate(pack, packPid, packCpu));
        trivialRates.push(await rate(trivial, trivialPack.pid, trivialCpu));
      } else {
        trivialRates.push(await rate(trivial, trivialPack.pid, trivialCpu));
        packRates.push(await rate(pack, packPid, packCpu));
      }
    }
    if (packCpu.server.length && trivialCpu.server.length) {
      serverCpuTrivial = median(trivialCpu.server);
      lines["grpc Analyze server CPU per resource, pack / trivial Analyzer (µs)"] = `${round(median(packCpu.server))} / ${round(serverCpuTrivial)}`;
    }
    lines["grpc Analyze client CPU per resource, pack / trivial Analyzer (µs)"] = `${round(median(packCpu.client))} / ${round(median(trivialCpu.client))}`;
    const ratios = packRates.map((p, i) => p / trivialRates[i]);
    lines[`grpc Analyze ${size} resources, 16 in flight, pack median (resources/s)`] = round(median(packRates));
    lines[`grpc Analyze ${size} resources, 16 in flight, pack min-max (resources/s)`] = spread(packRates);
    lines[`grpc Analyze ${size} resources, 16 in flight, trivial Analyzer median (resources/s)`] = round(median(trivialRates));
    lines[`grpc Analyze ${size} resources, 16 in flight, trivial Analyzer min-max (resources/s)`] = spread(trivialRates);
    figures.push(
      figure("analyze.vs-trivial-analyzer", {
        value: median(packRates),
        unit: "resources/s",
        baseline: median(trivialRates),
        ratio: median(ratios),
        target: ">= 0.9",
        digits: 0,
      }),
    );
    if (!quick) {
      const t = process.hrtime.bigint();
      await analyzeAll(pack, stack, 1);
      lines[`grpc Analyze ${size} resources, sequential, pack (resources/s)`] = round(size / (ms(t) / 1000));
      const ts = process.hrtime.bigint();
      await pack.analyzeStack(stack, new Map());
      lines[`grpc AnalyzeStack ${size} resources (ms)`] = round(ms(ts));
    }
  } finally {
    trivial.close();
    await trivialPack.stop();
    await engine.close();
    await session.close();
  }

  // 4. The same rules in this process (no gRPC, no protobuf): resource rules per resource,
  //    stack rules once over the whole synthetic stack.
  process.env.PULUMI_CONFIG = JSON.stringify(input.config);
  const views = stack.map((r) => toView(r));
  const resourcePolicies = ALL_POLICIES.filter((p): p is McpResourcePolicy => p.meta.kind === "resource");
  for (const p of resourcePolicies) for (const v of views.slice(0, 300)) p.evaluate(v); // warm-up
  const t = process.hrtime.bigint();
  for (const v of views) for (const p of resourcePolicies) p.evaluate(v);
  const s = ms(t) / 1000;
  lines[`in-process resource rules, ${size} resources (resources/s)`] = round(size / s);
  const rulesUs = (s * 1e6) / size;
  lines["in-process rule evaluations (rule x resource)/s"] = round((size * resourcePolicies.length) / s);
  const ts = process.hrtime.bigint();
  evaluateInProcess(
    stack,
    {},
    ALL_POLICIES.filter((p) => p.meta.kind === "stack"),
  );
  lines[`in-process stack rules over ${size} resources (ms)`] = round(ms(ts));

  // 5. What the pack must do per Analyze beyond receiving it, whatever its server: turn the
  //    request's properties into JavaScript (as @pulumi/policy does) and run the rules. Against
  //    the trivial Analyzer's CPU per request, the best ratio those two alone allow.
  const conversionUs = propertyConversionUs(stack);
  lines["in-process property conversion per resource (µs)"] = round(conversionUs, 1);
  if (serverCpuTrivial !== undefined)
    lines["analyze ratio the property conversion and the rules alone allow"] = round(serverCpuTrivial / (serverCpuTrivial + conversionUs + rulesUs), 3);
  lines.policies = ALL_POLICIES.length;
  return { lines, figures };
}

if (require.main === module) {
  run({ quick: process.argv.includes("--quick") }).then(
    (r) => {
      for (const [k, v] of Object.entries(r.lines)) process.stdout.write(`${k}: ${v}\n`);
      for (const f of r.figures) process.stdout.write(`${JSON.stringify(f)}\n`);
    },
    (e) => {
      process.stderr.write(`bench/preflight failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
