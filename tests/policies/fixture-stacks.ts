/**
 * The fixture stacks as the engine sees them: the programs of fixture-programs.ts run once
 * per test process under the preflight's mock runtime (real registrations: URNs, engine
 * encoding, providers, IDs), then copied per test. Edit helpers change inputs and outputs
 * alike (preflight/mutations.ts `both`), the way the mutation corpus does.
 */
import * as path from "path";
import type { CollectedResource } from "../../preflight/collect";
import { isSecretValue, secret, type EngineValue } from "../../preflight/engine-encoding";
import { evaluateInProcess, type InProcessFinding } from "../../preflight/inprocess";
import { both, cloneResources, MutationTargetError } from "../../preflight/mutations";
import { stackInput } from "../../preflight/run";
import { ALL_POLICIES } from "../../policies/pack";
import type { McpPolicy } from "../../policies/lib/define";
import { containerStack, PREFIX, serviceStack } from "./fixture-programs";

export const ROOT = path.resolve(__dirname, "../..");
/** The prod stack's engine config: environment prod, edge 0.0.0.0:80/443 (the pack reads it as PULUMI_CONFIG). */
export const INPUT = stackInput("prod", ROOT);

export type Kind = "service" | "container";
type Props = Record<string, EngineValue>;

const runs = new Map<Kind, Promise<CollectedResource[]>>();
// The mock runtime is process-wide: one program at a time.
let queue: Promise<unknown> = Promise.resolve();

/** The registered resources of one fixture stack (a fresh copy each call). */
export async function fixtureStack(kind: Kind): Promise<CollectedResource[]> {
  let run = runs.get(kind);
  if (!run) {
    // Loaded lazily: the SDK takes a moment, and only the tests that need a stack pay for it.
    const { runProgram } = require("../../preflight/collect") as typeof import("../../preflight/collect");
    const program = () => (kind === "service" ? serviceStack() : containerStack());
    run = queue
      .then(() => runProgram({ stack: INPUT.stack, config: INPUT.config, secretKeys: INPUT.secretKeys, projectDir: ROOT, program }))
      .then((r) => r.resources);
    queue = run.catch(() => undefined);
    runs.set(kind, run);
  }
  return cloneResources(await run);
}

export function policy(name: string): McpPolicy {
  const p = ALL_POLICIES.find((x) => x.meta.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

/** One policy through its in-process evaluate: resource policies on every resource's inputs, stack policies on the outputs. */
export function evaluate(name: string, rs: readonly CollectedResource[], config: Record<string, unknown> = {}): InProcessFinding[] {
  const previous = process.env.PULUMI_CONFIG;
  process.env.PULUMI_CONFIG = JSON.stringify(INPUT.config);
  try {
    return evaluateInProcess(rs, { [name]: config }, [policy(name)]);
  } finally {
    if (previous === undefined) delete process.env.PULUMI_CONFIG;
    else process.env.PULUMI_CONFIG = previous;
  }
}

const isObj = (v: unknown): v is Props => !!v && typeof v === "object" && !Array.isArray(v);

function labelOf(p: Props, label: string): string | undefined {
  const l = Array.isArray(p.labels) ? (p.labels as Props[]).find((x) => isObj(x) && x.label === label) : undefined;
  return typeof l?.value === "string" ? l.value : undefined;
}

/** The fixture container of an instance ("redis", "app-0"). */
export function container(rs: CollectedResource[], instance: string): CollectedResource {
  const c = rs.find((r) => r.type === "docker:index/container:Container" && labelOf(r.inputs, "com.mcp.instance") === instance);
  if (!c) throw new MutationTargetError(`no container ${instance}`);
  return c;
}

/** A resource by its Pulumi name without the fixture prefix ("internal", "pgdata", "ca-key"). */
export function named(rs: CollectedResource[], type: string, name: string): CollectedResource {
  const r = rs.find((x) => x.type === type && x.name === `${PREFIX}-${name}`);
  if (!r) throw new MutationTargetError(`no ${type} ${name}`);
  return r;
}

export function addEnvs(r: CollectedResource, ...entries: string[]): void {
  both(r, (p) => void (p.envs = [...(Array.isArray(p.envs) ? p.envs : []), ...entries]));
}

/** Rewrites a container's uploaded file (secret wrapping kept). */
export function editUpload(r: CollectedResource, file: string, edit: (text: string) => string): void {
  both(r, (p) => {
    const u = (Array.isArray(p.uploads) ? (p.uploads as Props[]) : []).find((x) => x.file === file);
    if (!u) throw new MutationTargetError(`${r.name} uploads no ${file}`);
    const wrapped = isSecretValue(u.content);
    const text = String(wrapped ? (u.content as { value: EngineValue }).value : u.content);
    const next = edit(text);
    if (next === text) throw new MutationTargetError(`edit of ${r.name} ${file} changed nothing`);
    u.content = wrapped ? secret(next) : next;
  });
}

export function setUploadField(r: CollectedResource, file: string, key: string, value: EngineValue): void {
  both(r, (p) => {
    const u = (Array.isArray(p.uploads) ? (p.uploads as Props[]) : []).find((x) => x.file === file);
    if (!u) throw new MutationTargetError(`${r.name} uploads no ${file}`);
    u[key] = value;
  });
}

export const CONTAINER_TYPE = "docker:index/container:Container";
export const SERVICE_TYPE = "docker:index/service:Service";
