/**
 * Preflight benchmarks (figures, not pass/fail):
 *   - wall time of `npm run preflight -- --stack prod` as a user runs it (median of N runs;
 *     target <= 3 s on a 2-core machine);
 *   - Analyze throughput through the gRPC harness on a synthetic 5,000-resource stack
 *     (target >= 2,000 resources/s), concurrent as the engine analyzes, and sequential;
 *   - in-process rule evaluation rate (the same rules, no gRPC), for the gRPC overhead.
 *
 *   npm run bench -- --only preflight      or      npx ts-node --swc bench/preflight.ts
 */
import { spawnSync } from "child_process";
import * as path from "path";
import type { CollectedResource } from "../preflight/collect";
import { runProgram } from "../preflight/collect";
import { AnalyzerHarness } from "../preflight/harness";
import { evaluateInProcess, toView } from "../preflight/inprocess";
import type { McpResourcePolicy } from "../policies/lib/define";
import { cloneResources } from "../preflight/mutations";
import { buildPack } from "../preflight/pack-build";
import { PreflightSession, stackInput } from "../preflight/run";
import { ALL_POLICIES } from "../policies/pack";
import { median } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const CLI_RUNS = Number(process.env.BENCH_PREFLIGHT_RUNS ?? 5);
const SYNTHETIC = 5000;

const round = (n: number, d = 0) => Number(n.toFixed(d));

/** The prod stack's resources repeated (renamed) until there are `n` of them. */
function synthetic(base: readonly CollectedResource[], n: number): CollectedResource[] {
  const out: CollectedResource[] = [];
  for (let copy = 0; out.length < n; copy++) {
    for (const r of cloneResources(base)) {
      if (out.length >= n) break;
      const name = `${r.name}-s${copy}`;
      out.push({ ...r, name, urn: r.urn.replace(/::[^:]+$/, `::${name}`) });
    }
  }
  return out;
}

async function analyzeAll(h: AnalyzerHarness, rs: readonly CollectedResource[], concurrency: number): Promise<number> {
  const providers = new Map(rs.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
  let next = 0;
  let diagnostics = 0;
  const worker = async () => {
    while (next < rs.length) diagnostics += (await h.analyze(rs[next++], providers)).length;
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return diagnostics;
}

export async function run(): Promise<Record<string, number | string>> {
  const figures: Record<string, number | string> = {};

  // 1. The command a new user runs first, end to end (npm, ts-node, program, pack, report).
  buildPack(ROOT); // the pack's compile cache is part of setup, not of the measured runs
  const walls: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync("npm", ["run", "--silent", "preflight", "--", "--stack", "prod", "--quiet"], { cwd: ROOT, encoding: "utf8", timeout: 120000 });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`npm run preflight -- --stack prod exited ${r.status}: ${r.stderr.slice(-2000)}`);
    walls.push(ms);
  }
  figures["preflight prod wall median (ms)"] = round(median(walls));
  figures["preflight prod wall min (ms)"] = round(Math.min(...walls));
  figures["preflight prod runs"] = CLI_RUNS;

  // 2. gRPC Analyze throughput on synthetic stacks: the prod stack's own mix (a quarter of the
  //    resources are containers carrying rendered configs, 5-50 KB each) and a mix without
  //    containers, to show what the per-request floor is.
  const input = stackInput("prod", ROOT);
  const base = await runProgram({ stack: "prod", config: input.config, secretKeys: input.secretKeys, projectDir: ROOT });
  const big = synthetic(base.resources, SYNTHETIC);
  const small = synthetic(
    base.resources.filter((r) => r.type !== "docker:index/container:Container"),
    SYNTHETIC,
  );
  const session = await PreflightSession.start({ projectDir: ROOT, input, policyConfig: {} });
  try {
    const h = (session as unknown as { harness: AnalyzerHarness }).harness;
    await analyzeAll(h, big.slice(0, 300), 16); // warm-up (JIT in the pack)
    for (const [label, rs, c] of [
      ["prod mix", big, 1],
      ["prod mix", big, 16],
      ["prod mix", big, 64],
      ["no containers", small, 16],
    ] as const) {
      const t = process.hrtime.bigint();
      await analyzeAll(h, rs, c);
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      figures[`grpc Analyze ${SYNTHETIC} resources (${label}), ${c} in flight (resources/s)`] = round(SYNTHETIC / s);
    }
    const t = process.hrtime.bigint();
    await h.analyzeStack(big, new Map());
    figures[`grpc AnalyzeStack ${SYNTHETIC} resources (prod mix) (ms)`] = round(Number(process.hrtime.bigint() - t) / 1e6);
  } finally {
    await session.close();
  }

  // 3. The same rules in this process (no gRPC, no protobuf): resource rules per resource,
  //    stack rules once over the whole synthetic stack.
  process.env.PULUMI_CONFIG = JSON.stringify(input.config);
  const views = big.map((r) => toView(r));
  const resourcePolicies = ALL_POLICIES.filter((p): p is McpResourcePolicy => p.meta.kind === "resource");
  for (const p of resourcePolicies) for (const v of views.slice(0, 300)) p.evaluate(v); // warm-up
  const t = process.hrtime.bigint();
  for (const v of views) for (const p of resourcePolicies) p.evaluate(v);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  figures[`in-process resource rules, ${SYNTHETIC} resources (resources/s)`] = round(SYNTHETIC / s);
  figures["in-process rule evaluations (rule x resource)/s"] = round((SYNTHETIC * resourcePolicies.length) / s);
  const ts = process.hrtime.bigint();
  evaluateInProcess(
    big,
    {},
    ALL_POLICIES.filter((p) => p.meta.kind === "stack"),
  );
  figures[`in-process stack rules over ${SYNTHETIC} resources (ms)`] = round(Number(process.hrtime.bigint() - ts) / 1e6);
  figures.policies = ALL_POLICIES.length;
  return figures;
}

if (require.main === module) {
  run().then(
    (f) => {
      for (const [k, v] of Object.entries(f)) process.stdout.write(`${k}: ${v}\n`);
    },
    (e) => {
      process.stderr.write(`bench/preflight failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
