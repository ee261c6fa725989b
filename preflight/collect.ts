/**
 * Runs the infra program under Pulumi's mock runtime with a stack's configuration and
 * collects every resource it registers, as the engine would see it: engine URNs, parent,
 * dependencies, options, default providers, inputs (engine-encoded, secrets and unknowns
 * included) and the state the mock provider returned (used as outputs).
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../infra/config/load";
import { EngineValue, goDurationSeconds, toEngineProperties } from "./engine-encoding";
import { PreflightMocks } from "./mocks";
import { loadCompiledProgram } from "./program-build";
import { withCheapStackTraces } from "./stack-traces";
import { withStructDecodeShared } from "./struct-memo";

import { PROJECT, ROOT_STACK_TYPE } from "./project";

export { PROJECT, ROOT_STACK_TYPE };

export interface CollectedOptions {
  protect: boolean;
  /** Removed from the stack (state) without deleting the object itself. */
  retainOnDelete: boolean;
  ignoreChanges: string[];
  deleteBeforeReplace?: boolean;
  additionalSecretOutputs: string[];
  aliases: string[];
  customTimeouts: { create: number; update: number; delete: number };
  parent?: string;
}

import type { SourcePosition } from "./program-build";
export type { SourcePosition };

export interface CollectedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** ID the (mock) provider gave the resource: other resources' inputs refer to it (e.g. a service's secretId). */
  id?: string;
  parent?: string;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  /** URN of the provider resource (custom resources). */
  provider?: string;
  inputs: Record<string, EngineValue>;
  outputs: Record<string, EngineValue>;
  options: CollectedOptions;
  /** Absent when the SDK could not tell (no user frame on the stack) or the resource was not registered by the program. */
  source?: SourcePosition;
}

export interface ProgramRun {
  stack: string;
  project: string;
  resources: CollectedResource[];
  /** Secrets the mock providers generated (for leak tests; never printed). */
  generatedSecrets: string[];
  /** The program's stack outputs, resolved (secrets in clear: never print them). */
  outputs: Record<string, unknown>;
}

export interface RunProgramOptions {
  stack: string;
  /** Engine-style config: "mcp:key" -> string. */
  config: Record<string, string>;
  secretKeys: string[];
  /** Project root (where infra/ lives). */
  projectDir?: string;
  /** The program; default: program/main.ts (the same steps as program/index.ts), precompiled. */
  program?: (config: StackConfig, stack: string) => unknown;
  /** Wraps the precompiled program (the bench registers it several times over, for a larger stack); ignored with `program`. */
  around?: (main: (config: StackConfig, stack: string) => unknown) => (config: StackConfig, stack: string) => unknown;
  /** Provider stand-ins (default: the preflight's); a real-engine test passes ones that make real certificates. */
  mocks?: PreflightMocks;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getProtect(): boolean | undefined;
  getRetainondelete?(): boolean | undefined;
  getDependenciesList(): string[];
  getProvider(): string;
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getVersion(): string;
  getIgnorechangesList(): string[];
  getAdditionalsecretoutputsList(): string[];
  getAliasurnsList(): string[];
  getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
  getSourceposition?(): { getUri(): string; getLine(): number; getColumn(): number } | undefined;
}

interface MonitorLike {
  registerResource(
    req: RegisterRequest,
    cb: (err: unknown, resp?: { getUrn(): string; getId(): string; getObject(): { toJavaScript(): Record<string, unknown> } | undefined }) => void,
  ): void;
  registerResourceHook?: unknown;
}

export async function runProgram(opts: RunProgramOptions): Promise<ProgramRun> {
  const projectDir = opts.projectDir ?? process.cwd();
  const mocks = opts.mocks ?? new PreflightMocks();
  pulumi.runtime.setAllConfig(opts.config, opts.secretKeys);
  // preview=true: anything the mocks do not know stays unknown (never silently dropped).
  await pulumi.runtime.setMocks(mocks, PROJECT, opts.stack, true);
  const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MonitorLike };
  const monitor = settings.getMonitor();

  const raw: RawRegistration[] = [];
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, resp) => {
      // Decoded here, while the SDK's own decode of the same Structs is shared (struct-memo.ts).
      if (!err && resp)
        raw.push({
          req,
          inputs: req.getObject()?.toJavaScript() ?? {},
          mockUrn: resp.getUrn(),
          id: resp.getId() || undefined,
          state: resp.getObject()?.toJavaScript() ?? {},
        });
      cb(err, resp);
    });
  // Resource hooks cannot run under mocks (pulumi/pulumi#20874): accept and ignore them.
  if (!monitor.registerResourceHook) monitor.registerResourceHook = (_req: unknown, cb: (e: unknown, r: unknown) => void) => cb(null, {});

  // The project's own program and config reader (not this module's), compiled once per content.
  const compiled = loadCompiledProgram(projectDir);
  const program = opts.program ?? (opts.around ? opts.around(compiled.main) : compiled.main);
  // Validated before the stack resource exists: a ConfigError surfaces as itself (naming every key).
  const config = compiled.loadStackConfig();
  // A failed registration rejects promises inside the SDK that nobody awaits; held here so it
  // is reported once, as this function's error, instead of crashing the process.
  const stray: unknown[] = [];
  let outputs: Record<string, unknown>;
  const onStray = (e: unknown) => void stray.push(e);
  process.on("unhandledRejection", onStray);
  try {
    // The program's own error is caught inside the stack callback, so the SDK's Stack resource
    // never holds a rejected promise for it.
    let programError: { error: unknown } | undefined;
    let exported: unknown;
    // A program passed in (a test's fixture) keeps the host's stack mapping: its positions come from it.
    const run = async () => {
      await pulumi.runtime.runInPulumiStack(async () => {
        try {
          exported = await program(config, opts.stack);
          return exported;
        } catch (error) {
          programError = { error };
          return undefined;
        }
      });
      if (programError) throw programError.error;
      const resolved = await resolveOutputs(exported);
      const internal = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
      await internal.waitForRPCs?.();
      return resolved;
    };
    outputs = await withCheapStackTraces({ unmapped: !opts.program }, () => withStructDecodeShared(run));
    // Let a rejection from the last registrations reach the handler before it is removed.
    await new Promise((r) => setImmediate(r));
    if (stray.length) throw stray[0];
  } finally {
    process.removeListener("unhandledRejection", onStray);
  }

  const resources = toEngineResources(raw, opts.stack, (pos) => compiled.originalPosition(pos));
  return { stack: opts.stack, project: PROJECT, resources, generatedSecrets: [...mocks.generatedSecrets], outputs };
}

/** The exported outputs as plain data; a value still unknown after the run stays out (the engine would not know it either). */
async function resolveOutputs(exported: unknown): Promise<Record<string, unknown>> {
  if (!exported || typeof exported !== "object") return {};
  const entries = await Promise.all(
    Object.entries(exported as Record<string, unknown>).map(
      ([k, v]) =>
        new Promise<[string, unknown] | undefined>((resolve) => {
          // An unknown output never calls apply: bounded, so a preview-only value cannot hang the run.
          const timer = setTimeout(() => resolve(undefined), 5000);
          (pulumi.output(v as object) as pulumi.Output<unknown>).apply((x: unknown) => {
            clearTimeout(timer);
            resolve([k, x]);
            return x;
          });
        }),
    ),
  );
  return Object.fromEntries(entries.filter((e): e is [string, unknown] => !!e));
}

interface RawRegistration {
  req: RegisterRequest;
  inputs: Record<string, unknown>;
  mockUrn: string;
  id?: string;
  state: Record<string, unknown>;
}

/** Mock registrations -> engine view (URNs without the root-stack type prefix, default providers). */
function toEngineResources(raw: RawRegistration[], stack: string, original: (pos: SourcePosition) => SourcePosition): CollectedResource[] {
  const urnMap = new Map<string, string>();
  const qualifiedType = new Map<string, string>();
  const out: CollectedResource[] = [];
  const providers = new Map<string, CollectedResource>();
  const urnOf = (qt: string, name: string) => `urn:pulumi:${stack}::${PROJECT}::${qt}::${name}`;
  const noOptions = (): CollectedOptions => ({
    protect: false,
    retainOnDelete: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    customTimeouts: { create: 0, update: 0, delete: 0 },
  });

  for (const { req, inputs, mockUrn, id, state } of raw) {
    const type = req.getType();
    const parentMock = req.getParent();
    const parent = parentMock ? urnMap.get(parentMock) : undefined;
    // The engine leaves the root stack's type out of its children's URNs.
    const parentQt = parent ? qualifiedType.get(parent) : undefined;
    const qt = parentQt && parentQt !== ROOT_STACK_TYPE ? `${parentQt}$${type}` : type;
    const urn = urnOf(qt, req.getName());
    urnMap.set(mockUrn, urn);
    qualifiedType.set(urn, qt);

    let provider: string | undefined;
    if (req.getCustom()) {
      const ref = req.getProvider();
      if (ref) provider = urnMap.get(ref.split("::").slice(0, -1).join("::")) ?? ref.split("::").slice(0, -1).join("::");
      else {
        // The engine registers one default provider per package and version.
        const pkg = type.split(":")[0];
        const version = req.getVersion() || "0.0.0";
        const pName = `default_${version.replace(/[.-]/g, "_")}`;
        const pUrn = urnOf(`pulumi:providers:${pkg}`, pName);
        if (!providers.has(pUrn)) {
          const p: CollectedResource = {
            urn: pUrn,
            type: `pulumi:providers:${pkg}`,
            name: pName,
            custom: true,
            dependencies: [],
            propertyDependencies: {},
            inputs: { version },
            outputs: { version },
            options: noOptions(),
          };
          providers.set(pUrn, p);
          out.push(p);
        }
        provider = pUrn;
      }
    }
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
      propertyDependencies[k] = v.getUrnsList().map((u) => urnMap.get(u) ?? u);
    });
    const t = req.getCustomtimeouts();
    const dbr = req.getDeletebeforereplacedefined();
    const at = sourcePositionOf(req);
    const source = at && original(at);
    out.push({
      urn,
      type,
      name: req.getName(),
      custom: req.getCustom(),
      ...(id ? { id } : {}),
      parent,
      dependencies: req.getDependenciesList().map((u) => urnMap.get(u) ?? u),
      propertyDependencies,
      provider,
      inputs: toEngineProperties(inputs),
      // Bridged providers (pulumi-docker among them) report the ID in the state as `id`, so
      // stack policies can match a reference by ID (a service's networks, configs, secrets).
      outputs: toEngineProperties(req.getCustom() && id && !type.startsWith("pulumi:providers:") ? { ...state, id } : state),
      options: {
        protect: req.getProtect() ?? false,
        retainOnDelete: req.getRetainondelete?.() ?? false,
        ignoreChanges: req.getIgnorechangesList(),
        ...(dbr ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        aliases: req.getAliasurnsList(),
        customTimeouts: {
          create: goDurationSeconds(t?.getCreate() ?? ""),
          update: goDurationSeconds(t?.getUpdate() ?? ""),
          delete: goDurationSeconds(t?.getDelete() ?? ""),
        },
        parent,
      },
      ...(source ? { source } : {}),
    });
  }
  return out;
}

/** The SDK's own record of where the resource was constructed, the position `pulumi up` sends the engine too. */
function sourcePositionOf(req: RegisterRequest): SourcePosition | undefined {
  const pos = req.getSourceposition?.();
  if (!pos || !pos.getUri() || pos.getLine() < 1) return undefined;
  return { uri: pos.getUri(), line: pos.getLine(), column: pos.getColumn() };
}
