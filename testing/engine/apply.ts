/**
 * Applies the Docker resources a Pulumi program registers (as preflight/collect.ts's
 * runProgram collects them) to a real swarm engine, field for field the way the Docker
 * provider (terraform-provider-docker v4.5.0, bridged by @pulumi/docker) would, and in the
 * order Pulumi's engine would:
 *
 * - applyStack: every resource once its dependencies are done (independent ones at once, as
 *   the engine runs steps in parallel); mock IDs in inputs (secretId, configId,
 *   networksAdvanceds[].id, volume mount sources) become the engine's IDs of the resources
 *   with those URNs; secrets are unwrapped; an unknown input, an unknown resource type or a
 *   schema violation fails before the first API call (like a preview), naming the resource
 *   and the key, never a value.
 * - updateStack: the next version of the same program, diffed the way the bridge diffs:
 *   a service whose ForceNew attributes are unchanged is updated in place (ServiceUpdate
 *   against its current version); networks, volumes, secrets and configs have only ForceNew
 *   attributes, so a change replaces them, create-before-delete (Pulumi's default): the new
 *   one first, its dependents moved to it, the old one deleted at the end.
 * - destroyStack: everything, dependents first, every wait bounded by the provider's own
 *   timeouts and one overall deadline.
 *
 * The machine's differences from prod are applied in exactly one place (differences.ts).
 * Resource types handled elsewhere by the engine (random:, tls:, providers, the stack) and
 * component resources are not applied; any other type is refused.
 */
import { createHash, randomBytes } from "node:crypto";
import type Docker from "dockerode";
import type { CollectedResource } from "../../preflight/collect";
import { EngineApi } from "./api";
import { createDataObject, deleteDataObject, mapDataObject, type DataKind } from "./data-objects";
import { applyDifferences, checkDifferences, type EngineDifferences, type ServiceDifferences } from "./differences";
import type { ServiceInfo, ServiceSpec } from "./engine-types";
import { ApplyError, describeResource, InputReader, resolveInputs, scrub, type Plain } from "./inputs";
import { checkTestNetwork, createNetwork, deleteNetwork, mapNetwork } from "./network";
import { createService, deleteService, graceFromEngine, updateService, type ServiceOpsContext } from "./service-ops";
import { mapService, type MappedService, type ReferenceResolver } from "./service-spec";
import { createVolume, deleteVolume, mapVolume } from "./volume";

export type { EngineDifferences } from "./differences";
export { describeDifferences, labelTestNode } from "./differences";

export const DOCKER_TYPES = {
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  secret: "docker:index/secret:Secret",
  config: "docker:index/serviceConfig:ServiceConfig",
  service: "docker:index/service:Service",
} as const;

export type Kind = keyof typeof DOCKER_TYPES;

const KIND_OF: Record<string, Kind> = Object.fromEntries(Object.entries(DOCKER_TYPES).map(([k, t]) => [t, k as Kind]));

/** Types the engine handles without the Docker provider: nothing to apply on the Docker engine. */
const NOT_APPLIED = [/^random:/, /^tls:/, /^pulumi:providers:/, /^pulumi:pulumi:Stack$/];

export interface ApplyOptions {
  differences: EngineDifferences;
  log?: (line: string) => void;
  /**
   * Test-only ceiling on each convergence wait. The program's convergeConfig.timeout applies
   * when it is shorter; hitting the ceiling is reported as such (never as the provider's
   * DidNotConvergeError), so a suite stays bounded without changing what converges.
   */
  convergeTimeoutMs?: number;
}

export interface DestroyOptions {
  log?: (line: string) => void;
  /** Overall deadline for the destroy (default 150 s); each step also has the provider's own bound. */
  timeoutMs?: number;
}

export interface AppliedResource {
  urn: string;
  type: string;
  /** Pulumi logical name. */
  name: string;
  kind: Kind;
  /** ID the engine gave the object (a volume's is its name, as in the provider). */
  id: string;
  /** The object's name on the engine (the program's `name`, or Pulumi's auto-name). */
  engineName: string;
  /** The collected resource as last applied (inputs engine-encoded, secrets still wrapped). */
  source: CollectedResource;
  /** sha256 of the desired state the last apply sent (secret data only as its own digest). */
  digest: string;
  /** Services: the spec sent (after the differences), the differences applied, the read-back. */
  service?: { spec: ServiceSpec; differences: ServiceDifferences; read: ServiceInfo; forceNewDigest: string };
  /** Replaced or removed, but its delete has not happened (a failed update stopped before it). */
  pendingDelete?: boolean;
}

export interface AppliedStack {
  resources: AppliedResource[];
}

export interface UpdateResult {
  stack: AppliedStack;
  created: string[];
  /** Services updated in place (ServiceUpdate), by logical name. */
  updated: string[];
  replaced: string[];
  deleted: string[];
  unchanged: string[];
}

/** A failed apply/update/destroy: what failed, and the stack as it now is on the engine. */
export class StackOperationError extends Error {
  constructor(
    message: string,
    readonly failures: { resource: string; error: Error }[],
    readonly state: AppliedStack,
    readonly result?: Omit<UpdateResult, "stack">,
  ) {
    super(message);
    this.name = "StackOperationError";
  }
}

/** The applied resource with this logical name (and kind), for tests. */
export function appliedResource(stack: AppliedStack, name: string, kind?: Kind): AppliedResource {
  const found = stack.resources.filter((r) => r.name === name && !r.pendingDelete && (!kind || r.kind === kind));
  if (found.length !== 1) throw new Error(`${found.length} applied resources named "${name}"${kind ? ` of kind ${kind}` : ""}`);
  return found[0];
}

// ---------------------------------------------------------------------------------------
// Planning: what to apply, validated before any API call.

interface Planned {
  r: CollectedResource;
  kind: Kind;
  label: string;
  plain: Record<string, Plain>;
}

function plan(resources: readonly CollectedResource[]): { planned: Planned[]; secrets: string[] } {
  const planned: Planned[] = [];
  const secrets: string[] = [];
  const urns = new Set<string>();
  for (const r of resources) {
    if (urns.has(r.urn)) throw new ApplyError(describeResource(r), undefined, "registered twice (duplicate URN)");
    urns.add(r.urn);
    if (NOT_APPLIED.some((re) => re.test(r.type))) continue;
    // Component resources have no provider: the engine never sends them anywhere.
    if (!r.custom) continue;
    const kind = KIND_OF[r.type];
    if (!kind)
      throw new ApplyError(
        describeResource(r),
        undefined,
        `resource type ${r.type} is not one the applier knows (it applies ${Object.values(DOCKER_TYPES).join(", ")})`,
      );
    if (r.options.ignoreChanges.length) throw new ApplyError(describeResource(r), "ignoreChanges", "ignoreChanges is not supported by the applier");
    const resolved = resolveInputs(r);
    secrets.push(...resolved.secretStrings);
    planned.push({ r, kind, label: describeResource(r), plain: resolved.values });
  }
  return { planned, secrets };
}

/** Dependencies among the planned resources only (the rest are done by the engine elsewhere). */
function dependencyMap(planned: readonly Planned[]): Map<string, string[]> {
  const urns = new Set(planned.map((p) => p.r.urn));
  return new Map(
    planned.map((p) => [
      p.r.urn,
      [...new Set([...p.r.dependencies, ...Object.values(p.r.propertyDependencies).flat()])].filter((u) => urns.has(u) && u !== p.r.urn),
    ]),
  );
}

/** Pulumi's auto-name (pulumi-docker SetAutonaming(255, "-"): logical name, "-", 7 random hex). */
function autoName(logical: string): string {
  return `${logical}-${randomBytes(4).toString("hex").slice(0, 7)}`.slice(0, 255);
}

const sha = (v: unknown) =>
  createHash("sha256")
    .update(typeof v === "string" ? v : canonicalJson(v))
    .digest("hex");

/** JSON with sorted keys; lists that are sets in the schema are sorted by their JSON (order carries no meaning there). */
function canonicalJson(v: unknown, setPaths: ReadonlySet<string> = new Set(), path = ""): string {
  if (Array.isArray(v)) {
    const items = v.map((e) => canonicalJson(e, setPaths, `${path}[]`));
    if (setPaths.has(path)) items.sort();
    return `[${items.join(",")}]`;
  }
  if (v && typeof v === "object") {
    const keys = Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k], setPaths, path ? `${path}.${k}` : k)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** TypeSet attributes of the service schema (resource_docker_service.go): their order is not a change. */
const SERVICE_SETS = new Set([
  "TaskTemplate.ContainerSpec.Mounts",
  "TaskTemplate.ContainerSpec.Secrets",
  "TaskTemplate.ContainerSpec.Configs",
  "TaskTemplate.ContainerSpec.Hosts",
  "TaskTemplate.ContainerSpec.Env",
  "TaskTemplate.Networks",
  "TaskTemplate.Networks[].Aliases",
  "TaskTemplate.Placement.Constraints",
  "TaskTemplate.Placement.Preferences",
  "TaskTemplate.Placement.Platforms",
  "TaskTemplate.Resources.Reservations.GenericResources",
]);

/**
 * Optional+Computed attributes of the service schema: absent from the next program, Terraform
 * keeps the prior value (no diff, and the update sends it again). The prior state is taken as
 * the previous inputs. Nested computed attributes (endpoint_spec.mode, published_port) are
 * covered through their blocks.
 */
const SERVICE_COMPUTED = [
  "labels",
  "mode",
  "endpointSpec",
  "taskSpec.resources",
  "taskSpec.restartPolicy",
  "taskSpec.placement",
  "taskSpec.forceUpdate",
  "taskSpec.runtime",
  "taskSpec.containerSpec.stopGracePeriod",
  "taskSpec.containerSpec.healthcheck",
  "taskSpec.containerSpec.dnsConfig",
  "taskSpec.containerSpec.init",
];

function carryComputed(next: Record<string, Plain>, prev: Record<string, Plain>): Record<string, Plain> {
  const out = JSON.parse(JSON.stringify(next)) as Record<string, Plain>;
  for (const path of SERVICE_COMPUTED) {
    const parts = path.split(".");
    let src: Plain | undefined = prev;
    let dst: Plain | undefined = out;
    for (const p of parts.slice(0, -1)) {
      src = src && typeof src === "object" && !Array.isArray(src) ? src[p] : undefined;
      dst = dst && typeof dst === "object" && !Array.isArray(dst) ? dst[p] : undefined;
    }
    const leaf = parts[parts.length - 1];
    if (!src || typeof src !== "object" || Array.isArray(src) || !dst || typeof dst !== "object" || Array.isArray(dst)) continue;
    if ((dst[leaf] === undefined || dst[leaf] === null) && src[leaf] !== undefined && src[leaf] !== null) dst[leaf] = JSON.parse(JSON.stringify(src[leaf]));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Execution.

interface Runtime {
  api: EngineApi;
  ops: ServiceOpsContext;
  options: ApplyOptions;
  secrets: string[];
  log: (line: string) => void;
  /** URN -> the current applied resource (the newest one when replaced). */
  current: Map<string, AppliedResource>;
  /** Next program's mock IDs -> URN, per kind (the reference a service input carries). */
  mockIds: Map<string, string>;
  /** Applied resources that are replaced/removed and still to be deleted. */
  doomed: AppliedResource[];
}

const mockKey = (kind: Kind, id: string) => `${kind}\u0000${id}`;

function resolver(rt: Runtime, label: string, dryRun: boolean): ReferenceResolver {
  const lookup = (kind: Kind, mockId: string, key: string, optional: boolean): string | undefined => {
    const urn = rt.mockIds.get(mockKey(kind, mockId));
    if (!urn) {
      if (optional) return undefined;
      throw new ApplyError(label, key, `refers to ${kind} ID ${mockId}, which no ${DOCKER_TYPES[kind]} of the stack has`);
    }
    if (dryRun) return `<${kind}:${urn}>`;
    const applied = rt.current.get(urn);
    if (!applied) throw new ApplyError(label, key, `refers to ${urn}, which has not been applied (missing dependency?)`);
    return applied.id;
  };
  return {
    secret: (id, key) => lookup("secret", id, key, false) as string,
    config: (id, key) => lookup("config", id, key, false) as string,
    network: (id, key) => lookup("network", id, key, false) as string,
    // A source that is not a stack volume is an engine volume name (or a bind path) as written.
    volumeSource: (source, key) => lookup("volume", source, key, true) ?? source,
  };
}

interface Desired {
  digest: string;
  forceNewDigest?: string;
  engineName: string;
  run: () => Promise<AppliedResource>;
  update?: (existing: AppliedResource) => Promise<AppliedResource>;
}

/** The desired state of one planned resource, with references resolved against what is applied now. */
function desired(rt: Runtime, p: Planned, previous: AppliedResource | undefined, dryRun: boolean): Desired {
  const prevPlain = previous ? resolveInputs(previous.source).values : undefined;
  const plain = p.kind === "service" && prevPlain ? carryComputed(p.plain, prevPlain) : p.plain;
  const reader = new InputReader(p.label, plain);
  // Pulumi keeps an auto-name across updates; a replacement gets a new one.
  const given = reader.str("name");
  const engineName = given ?? (previous && previous.source.inputs.name === undefined ? previous.engineName : autoName(p.r.name));
  const base = (id: string, digest: string): AppliedResource => ({
    urn: p.r.urn,
    type: p.r.type,
    name: p.r.name,
    kind: p.kind,
    id,
    engineName,
    source: p.r,
    digest,
  });
  switch (p.kind) {
    case "network": {
      const body = mapNetwork(reader, engineName);
      checkTestNetwork(reader, body);
      const digest = sha(body);
      return {
        digest,
        engineName,
        run: async () => {
          const id = await createNetwork(rt.api, body);
          rt.log(`network ${engineName} created (${id})`);
          return base(id, digest);
        },
      };
    }
    case "volume": {
      const body = mapVolume(reader, engineName, rt.api.version);
      const digest = sha(body);
      return {
        digest,
        engineName,
        run: async () => {
          const id = await createVolume(rt.api, body);
          rt.log(`volume ${engineName} created`);
          return base(id, digest);
        },
      };
    }
    case "secret":
    case "config": {
      const kind: DataKind = p.kind;
      const { spec, size } = mapDataObject(kind, reader, engineName);
      const digest = sha({ ...spec, Data: sha(spec.Data) });
      return {
        digest,
        engineName,
        run: async () => {
          const id = await createDataObject(rt.api, kind, spec);
          rt.log(`${kind} ${engineName} created (${id}, ${size} bytes)`);
          return base(id, digest);
        },
      };
    }
    case "service": {
      const mapped: MappedService = mapService(reader, engineName, resolver(rt, p.label, dryRun), { apiVersion: rt.api.version });
      const { spec, applied } = applyDifferences(mapped.spec, rt.options.differences, p.label);
      const toSend: MappedService = { ...mapped, spec };
      // ForceNew attributes of the schema: name, auth, mode, hosts, sysctl, networks_advanced.
      const cs = spec.TaskTemplate.ContainerSpec ?? {};
      const forceNewDigest = sha(
        canonicalJson(
          { name: spec.Name, auth: sha(mapped.registryAuth), mode: spec.Mode, hosts: cs.Hosts, sysctl: cs.Sysctls, networks: spec.TaskTemplate.Networks },
          new Set(["hosts", "networks", "networks[].Aliases"]),
        ),
      );
      const digest = sha(
        canonicalJson({ spec, auth: sha(mapped.registryAuth), converge: mapped.converge ?? null }, new Set([...SERVICE_SETS].map((s) => `spec.${s}`))),
      );
      const record = (read: ServiceInfo): AppliedResource => ({ ...base(read.ID, digest), service: { spec, differences: applied, read, forceNewDigest } });
      return {
        digest,
        forceNewDigest,
        engineName,
        run: async () => record(await createService(rt.ops, toSend)),
        update: async (existing) => record(await updateService(rt.ops, existing.id, toSend)),
      };
    }
  }
}

async function deleteApplied(rt: Pick<Runtime, "api" | "ops" | "log">, a: AppliedResource): Promise<void> {
  // Pulumi forgets a retainOnDelete resource and leaves the object on the engine.
  if (a.source.options.retainOnDelete) {
    rt.log(`${a.kind} ${a.engineName} retained (retainOnDelete): left on the engine`);
    return;
  }
  switch (a.kind) {
    case "service":
      await deleteService(rt.ops, a.id, a.engineName, graceFromEngine(a.service?.read.Spec));
      break;
    case "network":
      await deleteNetwork(rt.api, a.id);
      rt.log(`network ${a.engineName} removed`);
      break;
    case "volume":
      await deleteVolume(rt.api, a.id);
      rt.log(`volume ${a.engineName} removed`);
      break;
    case "secret":
    case "config":
      await deleteDataObject(rt.api, a.kind, a.id);
      rt.log(`${a.kind} ${a.engineName} removed`);
      break;
  }
}

/**
 * Runs `step` for every node once its dependencies succeeded, independent nodes at once.
 * After a failure no new step starts (the engine's default), unless `continueOnError`, where
 * only the failed node's dependents are skipped (used by destroy, to remove what it can).
 */
async function runGraph(
  nodes: string[],
  deps: Map<string, string[]>,
  step: (urn: string) => Promise<void>,
  continueOnError = false,
): Promise<{ failed: { urn: string; error: Error }[]; done: Set<string> }> {
  const done = new Set<string>();
  const failed: { urn: string; error: Error }[] = [];
  const started = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  const inGraph = new Set(nodes);
  // Bounded: each pass starts at least one node or waits for one to finish; nodes are finite.
  for (;;) {
    if (!failed.length || continueOnError) {
      for (const urn of nodes) {
        if (started.has(urn)) continue;
        if ((deps.get(urn) ?? []).every((d) => done.has(d) || !inGraph.has(d))) {
          started.add(urn);
          inFlight.set(
            urn,
            step(urn).then(
              () => void done.add(urn),
              (error: unknown) => void failed.push({ urn, error: error instanceof Error ? error : new Error(String(error)) }),
            ),
          );
        }
      }
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight.values());
    for (const urn of [...inFlight.keys()]) if (done.has(urn) || failed.some((f) => f.urn === urn)) inFlight.delete(urn);
  }
  const notRun = nodes.filter((u) => !started.has(u));
  if (!failed.length && notRun.length) failed.push({ urn: notRun[0], error: new Error(`dependency cycle among ${notRun.join(", ")}`) });
  return { failed, done };
}

/** Dependents before their dependencies: reverses the dependency edges among `list`. */
function reverseDeps(list: AppliedResource[]): Map<string, string[]> {
  const ids = new Map(list.map((a) => [a.urn + (a.pendingDelete ? "#old" : ""), a]));
  const out = new Map<string, string[]>();
  for (const key of ids.keys()) out.set(key, []);
  for (const [key, a] of ids) {
    const deps = [...new Set([...a.source.dependencies, ...Object.values(a.source.propertyDependencies).flat()])];
    for (const d of deps) for (const other of [d, `${d}#old`]) if (ids.has(other)) out.get(other)?.push(key);
  }
  return out;
}

async function runtime(docker: Docker, options: ApplyOptions, secrets: string[]): Promise<Runtime> {
  checkDifferences(options.differences);
  const api = await EngineApi.connect(docker);
  const base = options.log ?? (() => undefined);
  const log = (line: string) => base(scrub(line, secrets));
  return { api, ops: { api, log, convergeCeilingMs: options.convergeTimeoutMs }, options, secrets, log, current: new Map(), mockIds: new Map(), doomed: [] };
}

function indexMockIds(rt: Runtime, planned: readonly Planned[]): void {
  rt.mockIds.clear();
  for (const p of planned) {
    // A volume's provider ID is its name; the mocks give the name (or logical name) as its ID.
    if (p.r.id) rt.mockIds.set(mockKey(p.kind, p.r.id), p.r.urn);
  }
}

const scrubbed = (e: Error, secrets: string[]): Error => {
  const msg = scrub(e.message, secrets);
  if (msg === e.message) return e;
  const out = new Error(msg);
  out.name = e.name;
  return out;
};

function stateOf(rt: Runtime): AppliedStack {
  return { resources: [...rt.current.values(), ...rt.doomed.map((d) => ({ ...d, pendingDelete: true }))] };
}

/** Creates every Docker resource of `resources` on the engine. */
export async function applyStack(docker: Docker, resources: readonly CollectedResource[], options: ApplyOptions): Promise<AppliedStack> {
  const { planned, secrets } = plan(resources);
  const rt = await runtime(docker, options, secrets);
  indexMockIds(rt, planned);
  // Preview: every mapping (and reference) checked before the first call.
  for (const p of planned) desired(rt, p, undefined, true);
  const byUrn = new Map(planned.map((p) => [p.r.urn, p]));
  const { failed: failures } = await runGraph([...byUrn.keys()], dependencyMap(planned), async (urn) => {
    const p = byUrn.get(urn) as Planned;
    const applied = await desired(rt, p, undefined, false).run();
    rt.current.set(urn, applied);
  });
  if (failures.length) {
    const list = failures.map((f) => ({ resource: byUrn.get(f.urn)?.label ?? f.urn, error: scrubbed(f.error, secrets) }));
    throw new StackOperationError(`apply failed: ${list.map((f) => `${f.resource}: ${f.error.message}`).join("; ")}`, list, stateOf(rt));
  }
  return stateOf(rt);
}

/** Applies the next version of the program to a stack applied before (see the file comment). */
export async function updateStack(docker: Docker, applied: AppliedStack, next: readonly CollectedResource[], options: ApplyOptions): Promise<UpdateResult> {
  const { planned, secrets: nextSecrets } = plan(next);
  const oldSecrets = applied.resources.flatMap((a) => resolveInputs(a.source).secretStrings);
  const secrets = [...nextSecrets, ...oldSecrets];
  const rt = await runtime(docker, options, secrets);
  for (const a of applied.resources) {
    if (a.pendingDelete) rt.doomed.push(a);
    else rt.current.set(a.urn, a);
  }
  indexMockIds(rt, planned);
  for (const p of planned) desired(rt, p, rt.current.get(p.r.urn), true);
  const result: Omit<UpdateResult, "stack"> = { created: [], updated: [], replaced: [], deleted: [], unchanged: [] };
  const byUrn = new Map(planned.map((p) => [p.r.urn, p]));
  const { failed: failures } = await runGraph([...byUrn.keys()], dependencyMap(planned), async (urn) => {
    const p = byUrn.get(urn) as Planned;
    const old = rt.current.get(urn);
    if (old && old.kind !== p.kind) throw new ApplyError(p.label, undefined, `changed type from ${old.type}: not supported`);
    const want = desired(rt, p, old, false);
    if (!old) {
      rt.current.set(urn, await want.run());
      result.created.push(p.r.name);
      return;
    }
    const replace = p.kind === "service" ? want.forceNewDigest !== old.service?.forceNewDigest : want.digest !== old.digest;
    if (!replace && want.digest === old.digest) {
      // Nothing to do, but the program's latest inputs are the state from now on.
      rt.current.set(urn, { ...old, source: p.r });
      result.unchanged.push(p.r.name);
      return;
    }
    if (!replace && want.update) {
      try {
        rt.current.set(urn, await want.update(old));
      } catch (err) {
        // A failed update still records the new inputs (the SDK returns the planned state
        // with the error, and Pulumi saves it), so the next update diffs against them.
        rt.current.set(urn, { ...old, source: p.r, digest: want.digest });
        throw err;
      }
      result.updated.push(p.r.name);
      return;
    }
    if (p.r.options.deleteBeforeReplace) {
      await deleteApplied(rt, old);
      rt.current.delete(urn);
      rt.current.set(urn, await want.run());
    } else {
      // Create-before-delete: the new object first; the old one is deleted after every
      // dependent moved to the new one (below), as Pulumi's engine does.
      const created = await want.run();
      rt.doomed.push(old);
      rt.current.set(urn, created);
    }
    result.replaced.push(p.r.name);
  });
  // Resources the next program no longer declares.
  for (const [urn, a] of [...rt.current]) {
    if (!byUrn.has(urn)) {
      rt.doomed.push(a);
      rt.current.delete(urn);
    }
  }
  const toList = (fs: { urn: string; error: Error }[]) => fs.map((f) => ({ resource: byUrn.get(f.urn)?.label ?? f.urn, error: scrubbed(f.error, secrets) }));
  if (failures.length) {
    const list = toList(failures);
    throw new StackOperationError(`update failed: ${list.map((f) => `${f.resource}: ${f.error.message}`).join("; ")}`, list, stateOf(rt), result);
  }
  // Deletes last, dependents first.
  const doomed = [...rt.doomed];
  const keyOf = (a: AppliedResource) => a.urn + "#old";
  const marked = doomed.map((a) => ({ ...a, pendingDelete: true }));
  const { failed: deleteFailures } = await runGraph(marked.map(keyOf), reverseDeps(marked), async (key) => {
    const a = marked.find((m) => keyOf(m) === key) as AppliedResource;
    await deleteApplied(rt, a);
    rt.doomed = rt.doomed.filter((d) => !(d.urn === a.urn && d.id === a.id));
    result.deleted.push(a.name);
  });
  if (deleteFailures.length) {
    const list = deleteFailures.map((f) => ({ resource: f.urn.replace(/#old$/, ""), error: scrubbed(f.error, secrets) }));
    throw new StackOperationError(
      `update failed while deleting: ${list.map((f) => `${f.resource}: ${f.error.message}`).join("; ")}`,
      list,
      stateOf(rt),
      result,
    );
  }
  return { stack: stateOf(rt), ...result };
}

/** Removes everything the stack applied, dependents first, within one overall deadline. */
export async function destroyStack(docker: Docker, applied: AppliedStack, options: DestroyOptions = {}): Promise<void> {
  const api = await EngineApi.connect(docker);
  const secrets = applied.resources.flatMap((a) => resolveInputs(a.source).secretStrings);
  const log = (line: string) => (options.log ?? (() => undefined))(scrub(line, secrets));
  const rt = { api, log, ops: { api, log } };
  const deadline = Date.now() + (options.timeoutMs ?? 150_000);
  const list = applied.resources.map((a) => ({ ...a }));
  const keyOf = (a: AppliedResource) => a.urn + (a.pendingDelete ? "#old" : "");
  const { failed, done } = await runGraph(
    list.map(keyOf),
    reverseDeps(list),
    async (key) => {
      if (Date.now() > deadline) throw new Error("destroy deadline passed before this resource was deleted");
      const a = list.find((x) => keyOf(x) === key) as AppliedResource;
      await deleteApplied(rt, a);
    },
    true,
  );
  if (failed.length || done.size < list.length) {
    const out = failed.map((f) => ({ resource: f.urn.replace(/#old$/, ""), error: scrubbed(f.error, secrets) }));
    const left = list.filter((a) => !done.has(keyOf(a)));
    throw new StackOperationError(
      `destroy failed: ${out.map((f) => `${f.resource}: ${f.error.message}`).join("; ")}; left on the engine: ${left.map((a) => a.name).join(", ")}`,
      out,
      { resources: left },
    );
  }
}
