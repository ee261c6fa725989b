/**
 * The offline preflight: run the infra program under mocks with a stack's config, start
 * the real policy pack as its own process, drive it through gRPC like the engine, and
 * turn its diagnostics into the per-checklist-item report.
 *
 * A PreflightSession keeps one pack process for one stack configuration, so many variants
 * of the stack (the mutation corpus) are analyzed without restarting it: the pack keeps no
 * state between Analyze calls besides its Configure/ConfigureStack settings.
 */
import * as path from "path";
import type { PreflightFindings, PreflightReport } from "../evidence/preflight";
import { collectProvenance, inputFile } from "../evidence/provenance";
import { readStackFile, stackFilePath } from "../infra/config/stack-file";
import type { CollectedResource, ProgramRun, RunProgramOptions } from "./collect";
import { PROJECT } from "./project";
import { AnalyzerHarness, AnalyzerInfo, Diagnostic, NotApplicable, PolicyConfigEntry, type RemediateResult } from "./harness";
import { changedPaths } from "./remediations";
import { buildPack } from "./pack-build";
import { compileCacheDir } from "./compiled-copy";
import { EngineStub, PackProcess, startEngineStub, startPack } from "./pack-process";
import { PolicyConfigFile, readPolicyConfigFile, resolvePolicyConfig } from "./policy-config";
import { buildReport, completeReport, exitCodeFor } from "./report";

type Remediated = NonNullable<PreflightFindings["remediations"]>[number];

export type PackMode = "compiled" | "source";

export interface StackInput {
  stack: string;
  /** Engine-style config ("mcp:key" -> string), with deploy hooks switched off. */
  config: Record<string, string>;
  secretKeys: string[];
}

/** Pulumi.<stack>.yaml as the engine would hand it over, hooks off (they cannot run under mocks). */
export function stackInput(stack: string, projectDir: string, overrides: Record<string, string> = {}): StackInput {
  const sf = readStackFile(stack, projectDir);
  return { stack, config: { ...sf.engineConfig, "mcp:deployHooks": "false", ...overrides }, secretKeys: sf.secretKeys };
}

export interface SessionOptions {
  projectDir: string;
  input: StackInput;
  policyConfig?: PolicyConfigFile;
  policyConfigSource?: string;
  packMode?: PackMode;
  organization?: string;
  /** Parallel Analyze calls in flight (the engine analyzes steps concurrently too). */
  concurrency?: number;
  progress?: (line: string) => void;
}

export interface SessionTimings {
  packStartMs: number;
  packBuild: "cached" | "built" | "source";
}

export class PreflightSession {
  private providersCache = new WeakMap<readonly CollectedResource[], Map<string, CollectedResource>>();

  private constructor(
    readonly opts: SessionOptions,
    readonly info: AnalyzerInfo,
    readonly policyConfig: Record<string, PolicyConfigEntry>,
    private readonly harness: AnalyzerHarness,
    private readonly pack: PackProcess,
    private readonly engine: EngineStub,
    readonly timings: SessionTimings,
  ) {}

  /** Starts the pack and configures it; on any failure nothing is left running. */
  static async start(opts: SessionOptions): Promise<PreflightSession> {
    return (await PreflightSession.launch(opts)).ready();
  }

  /**
   * Spawns the pack and returns as soon as the process exists; `ready()` then waits for its
   * port and configures it. The caller does other work (running the program) in between.
   */
  static async launch(opts: SessionOptions): Promise<{ ready(): Promise<PreflightSession>; abort(): Promise<void> }> {
    const t0 = Date.now();
    const mode = opts.packMode ?? "compiled";
    let packDir = path.join(opts.projectDir, "policies");
    let packBuild: SessionTimings["packBuild"] = "source";
    if (mode === "compiled") {
      const built = buildPack(opts.projectDir);
      packDir = built.packDir;
      packBuild = built.built ? "built" : "cached";
    }
    const engine = await startEngineStub();
    const packP = startPack({
      packDir,
      engineAddress: engine.address,
      compileCacheDir: mode === "compiled" ? compileCacheDir(opts.projectDir, "pack") : undefined,
      deferUnusedModules: mode === "compiled",
      env: {
        PULUMI_CONFIG: JSON.stringify(opts.input.config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(opts.input.secretKeys),
        PULUMI_PROJECT: PROJECT,
        PULUMI_STACK: opts.input.stack,
        PULUMI_ORGANIZATION: opts.organization ?? "organization",
        PULUMI_DRY_RUN: "true",
      },
    });
    const t0Wall = Date.now();
    // Seen here only when this process is free again (the program runs meanwhile): the fallback.
    let observedMs = -1;
    packP.then(
      () => (observedMs = Date.now() - t0),
      () => undefined,
    );
    const abort = async () => {
      await packP.then(
        (p) => p.stop(),
        () => undefined,
      );
      await engine.close();
    };
    const ready = async (): Promise<PreflightSession> => {
      let harness: AnalyzerHarness | undefined;
      try {
        const pack = await packP;
        // The pack's own note of when it listened; the stderr line can trail the port by a moment.
        for (let i = 0; i < 20 && pack.readyAt() === undefined; i++) await new Promise((r) => setTimeout(r, 5));
        const readyAt = pack.readyAt();
        const packStartMs = readyAt !== undefined ? Math.max(0, readyAt - t0Wall) : observedMs;
        opts.progress?.(
          `policy pack started on port ${pack.port} in ${packStartMs} ms (${packBuild === "source" ? "TypeScript source" : `precompiled, ${packBuild}`})`,
        );
        harness = new AnalyzerHarness(pack.port);
        await harness.handshake(engine.address, opts.projectDir, packDir);
        const info = await harness.getAnalyzerInfo();
        const policyConfig = resolvePolicyConfig(info, opts.policyConfig ?? {}, opts.policyConfigSource);
        await harness.configure(policyConfig);
        await harness.configureStack({
          stack: opts.input.stack,
          project: PROJECT,
          organization: opts.organization ?? "organization",
          dryRun: true,
          config: opts.input.config,
          secretKeys: opts.input.secretKeys,
          tags: {},
        });
        return new PreflightSession(opts, info, policyConfig, harness, pack, engine, { packStartMs, packBuild });
      } catch (e) {
        harness?.close();
        await abort();
        throw e;
      }
    };
    return { ready, abort };
  }

  private providers(resources: readonly CollectedResource[]): Map<string, CollectedResource> {
    let m = this.providersCache.get(resources);
    if (!m) {
      m = new Map(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => [r.urn, r]));
      this.providersCache.set(resources, m);
    }
    return m;
  }

  /** Analyze every resource (inputs), then AnalyzeStack (outputs), like `pulumi preview`. */
  async diagnose(resources: readonly CollectedResource[]): Promise<Diagnostic[]> {
    return (await this.diagnoseWithReasons(resources)).diagnostics;
  }

  /** As diagnose, plus every policy the pack said does not apply (to which resource, and why). */
  async diagnoseWithReasons(
    resources: readonly CollectedResource[],
  ): Promise<{ diagnostics: Diagnostic[]; notApplicable: (NotApplicable & { urn?: string })[] }> {
    const providers = this.providers(resources);
    const out: Diagnostic[][] = new Array(resources.length);
    const na: (NotApplicable & { urn?: string })[][] = new Array(resources.length);
    let next = 0;
    const worker = async () => {
      while (next < resources.length) {
        const i = next++;
        const r = resources[i];
        const res = await this.harness.analyzeResource(r, providers);
        // The engine attributes a resource policy's diagnostics to the resource analyzed.
        out[i] = res.diagnostics.map((d) => ({ ...d, urn: d.urn ?? r.urn }));
        na[i] = res.notApplicable.map((n) => ({ ...n, urn: r.urn }));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(this.opts.concurrency ?? 16, resources.length)) }, worker));
    const stack = await this.harness.analyzeStackResult(resources, providers);
    return { diagnostics: [...out.flat(), ...stack.diagnostics], notApplicable: [...na.flat(), ...stack.notApplicable] };
  }

  /** Policies the config runs at the `remediate` level. */
  remediatingPolicies(): string[] {
    return Object.entries(this.policyConfig)
      .filter(([, c]) => c.enforcementLevel === "remediate")
      .map(([name]) => name);
  }

  /** The pack's remediations for one resource of `resources` (the engine's Remediate call). */
  async remediate(resources: readonly CollectedResource[], r: CollectedResource): Promise<RemediateResult> {
    return this.harness.remediate(r, this.providers(resources));
  }

  /**
   * As the engine does before Analyze when a policy runs at `remediate`: every resource through
   * Remediate, the properties the pack returned replacing its inputs (and what they shadow in
   * its outputs), each change recorded for the report.
   */
  async applyRemediations(resources: readonly CollectedResource[]): Promise<{ resources: CollectedResource[]; remediations: Remediated[] }> {
    if (this.remediatingPolicies().length === 0) return { resources: [...resources], remediations: [] };
    const providers = this.providers(resources);
    const remediations: Remediated[] = [];
    const out: CollectedResource[] = [];
    for (const r of resources) {
      const { remediations: made } = await this.harness.remediate(r, providers);
      let props = r.inputs;
      for (const m of made)
        if (m.properties) {
          remediations.push({ policy: m.policyName, urn: r.urn, resourceName: r.name, properties: changedPaths(props, m.properties) });
          props = m.properties;
        }
      out.push(props === r.inputs ? r : { ...r, inputs: props, outputs: { ...r.outputs, ...props } });
    }
    return { resources: out, remediations };
  }

  async analyze(resources: readonly CollectedResource[]): Promise<PreflightFindings> {
    const { resources: judged, remediations } = await this.applyRemediations(resources);
    const diagnostics = await this.diagnose(judged);
    return buildReport({ stack: this.opts.input.stack, info: this.info, config: this.policyConfig, diagnostics, resources, remediations });
  }

  /** Lines the pack wrote to stderr (console.error from policies). */
  packStderr(): string {
    return this.pack.stderr();
  }

  engineLogs() {
    return this.engine.logs;
  }

  async close(): Promise<void> {
    this.harness.close();
    await this.pack.stop();
    await this.engine.close();
  }
}

export interface PreflightOptions {
  stack: string;
  projectDir?: string;
  /** Policy config file; default policies/policy-config.<stack>.json when it exists. */
  policyConfigFile?: string;
  packMode?: PackMode;
  failOnUndecidable?: boolean;
  /** Engine config overrides ("mcp:key" -> string), applied over the stack file. */
  configOverrides?: Record<string, string>;
  /** Changes the collected resources before analysis (the mutation hook). */
  mutate?: (resources: CollectedResource[]) => void;
  /** The mutation's id, recorded in the report (a mutated stack is no evidence for the sign-off). */
  mutation?: string;
  program?: RunProgramOptions["program"];
  progress?: (line: string) => void;
}

export interface PreflightResult {
  report: PreflightReport;
  exitCode: number;
  info: AnalyzerInfo;
  run: ProgramRun;
  timings: { totalMs: number; programMs: number; packStartMs: number; analyzeMs: number; packBuild: string };
}

export function defaultPolicyConfigFile(projectDir: string, stack: string): string | undefined {
  const f = path.join(projectDir, "policies", `policy-config.${stack}.json`);
  return require("fs").existsSync(f) ? f : undefined;
}

/** One complete preflight run; the pack process is stopped before this returns or throws. */
export async function runPreflight(opts: PreflightOptions): Promise<PreflightResult> {
  const t0 = Date.now();
  const projectDir = opts.projectDir ?? process.cwd();
  const input = stackInput(opts.stack, projectDir, opts.configOverrides);
  const policyConfigFile = opts.policyConfigFile ?? defaultPolicyConfigFile(projectDir, opts.stack);
  const policyConfig = policyConfigFile ? readPolicyConfigFile(policyConfigFile) : {};
  // The pack boots (~1 s) while the program runs in this process.
  const launched = await PreflightSession.launch({
    projectDir,
    input,
    policyConfig,
    policyConfigSource: policyConfigFile,
    packMode: opts.packMode,
    progress: opts.progress,
  });
  let run: ProgramRun;
  let programMs: number;
  try {
    const tp = Date.now();
    // Loaded only now: the Pulumi SDK and the program take a second to load, the pack boots meanwhile.
    const { runProgram } = require("./collect") as typeof import("./collect");
    run = await runProgram({ stack: opts.stack, config: input.config, secretKeys: input.secretKeys, projectDir, program: opts.program });
    programMs = Date.now() - tp;
    opts.progress?.(`program registered ${run.resources.length} resources under the mock runtime in ${programMs} ms`);
  } catch (e) {
    await launched.abort();
    throw e;
  }
  const session = await launched.ready();
  try {
    opts.mutate?.(run.resources);
    const ta = Date.now();
    const findings = await session.analyze(run.resources);
    const analyzeMs = Date.now() - ta;
    const policyConfigUsed = policyConfigFile ? inputFile("policy config", policyConfigFile, projectDir) : undefined;
    const report = completeReport(findings, {
      policyConfig: { path: policyConfigUsed?.path ?? null, sha256: policyConfigUsed?.sha256 ?? null },
      // Any change to the stack before analysis makes the report no evidence of the stack file, named or not.
      mutation: opts.mutation ?? (opts.mutate || opts.configOverrides ? "(unnamed)" : null),
      provenance: collectProvenance({
        projectDir,
        inputs: [
          { role: "stack file", file: stackFilePath(opts.stack, projectDir) },
          ...(policyConfigFile ? [{ role: "policy config" as const, file: policyConfigFile }] : []),
        ],
      }),
    });
    opts.progress?.(`analyzed ${run.resources.length} resources and the stack in ${analyzeMs} ms`);
    return {
      report,
      exitCode: exitCodeFor(report, { failOnUndecidable: opts.failOnUndecidable }),
      info: session.info,
      run,
      timings: { totalMs: Date.now() - t0, programMs, packStartMs: session.timings.packStartMs, analyzeMs, packBuild: session.timings.packBuild },
    };
  } finally {
    await session.close();
  }
}
