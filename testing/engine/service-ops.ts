/**
 * The docker.Service CRUD of terraform-provider-docker v4.5.0
 * (internal/provider/resource_docker_service_funcs.go, cited as `funcs.go L<a>-<b>`):
 * create, converge, read-until-exposed, update with the current version, delete with the
 * grace-period container wait. Convergence is what the provider does, no more: it waits only
 * when the service has a converge_config, for replicated tasks to be running.
 *
 * HEAD 83c00e0b differs only in deleteService: it first collects the last 10 log lines of
 * the service's failed tasks and appends them to the DidNotConvergeError message (#959).
 * The applier follows v4.5.0 here: task logs can carry anything an application prints.
 */
import type { EngineApi } from "./api";
import { goDurationOrZero } from "./go";
import { EngineCallError } from "./api";
import type { MappedService } from "./service-spec";
import type { ServiceInfo, ServiceSpec, TaskInfo } from "./engine-types";
import { goDurationString, StateTimeoutError, waitForState } from "./state-change";

export interface ServiceOpsContext {
  api: EngineApi;
  log: (line: string) => void;
  /** Test-only ceiling on each convergence wait (ms); the program's timeout applies when shorter. */
  convergeCeilingMs?: number;
}

/** DidNotConvergeError (funcs.go L343-355). */
export class DidNotConvergeError extends Error {
  constructor(serviceId: string, timeoutNs: number) {
    super(`Service with ID (${serviceId}) did not converge after ${goDurationString(timeoutNs / 1e6)}`);
    this.name = "DidNotConvergeError";
  }
}

/** The convergence failures the update refresh reports (funcs.go L443-448, L468-470). */
export class ServiceUpdateStateError extends Error {
  constructor(
    readonly state: "rollback_completed" | "paused" | "rollback_paused",
    message: string,
  ) {
    super(message);
    this.name = "ServiceUpdateStateError";
  }
}

// numberedStates (funcs.go L667-686).
const NUMBERED: Record<string, number> = {
  new: 1,
  allocated: 2,
  pending: 3,
  assigned: 4,
  accepted: 5,
  preparing: 6,
  ready: 7,
  starting: 8,
  running: 9,
  complete: 10,
  shutdown: 11,
  failed: 12,
  rejected: 13,
};
const num = (s: string | undefined) => NUMBERED[s ?? ""] ?? 0;
// terminalState (funcs.go L599-601).
const terminal = (s: string) => num(s) > NUMBERED.running;
// serviceCreatePendingStates / serviceUpdatePendingStates (funcs.go L689-706).
const CREATE_PENDING = ["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting", "creating", "paused"];
const UPDATE_PENDING = ["creating", "updating"];

/**
 * reference.ParseNormalizedNamed + TagNameOnly + FamiliarString, as client.ServiceCreate and
 * ServiceUpdate apply them to the image (client/service_create.go imageWithTagString): a
 * name without tag or digest gets ":latest"; docker.io/library/ prefixes are dropped; a
 * string that does not parse is left alone.
 */
export function imageWithTag(image: string): string {
  if (/^[a-f0-9]{64}$/.test(image)) return image;
  const at = image.indexOf("@");
  const namePart = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at) : "";
  if (digest && !/^@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) return image;
  const slash = namePart.lastIndexOf("/");
  const colon = namePart.lastIndexOf(":");
  const tag = colon > slash ? namePart.slice(colon + 1) : "";
  let name = colon > slash ? namePart.slice(0, colon) : namePart;
  if (tag && !/^[\w][\w.-]{0,127}$/.test(tag)) return image;
  // splitDockerDomain: the first component is a domain when it has "." or ":" or is localhost.
  const first = name.split("/")[0];
  const hasDomain = name.includes("/") && (/[.:]/.test(first) || first === "localhost" || first.toLowerCase() !== first);
  let domain = hasDomain ? first : "docker.io";
  let path = hasDomain ? name.slice(first.length + 1) : name;
  if (domain === "index.docker.io") domain = "docker.io";
  const component = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
  if (!path.split("/").every((c) => component.test(c))) return image;
  if (domain === "docker.io" && path.startsWith("library/") && path.split("/").length === 2) path = path.slice("library/".length);
  name = domain === "docker.io" ? path : `${domain}/${path}`;
  return `${name}${tag ? `:${tag}` : !digest ? ":latest" : ""}${digest}`;
}

/** What client.ServiceCreate / ServiceUpdate change in the spec before sending it. */
function clientSide(spec: ServiceSpec): ServiceSpec {
  const out: ServiceSpec = JSON.parse(JSON.stringify(spec));
  // "Make sure containerSpec is not nil when no runtime is set or the runtime is set to container."
  if (!out.TaskTemplate.ContainerSpec && (!out.TaskTemplate.Runtime || out.TaskTemplate.Runtime === "container")) out.TaskTemplate.ContainerSpec = {};
  const cs = out.TaskTemplate.ContainerSpec;
  if (cs?.Image) cs.Image = imageWithTag(cs.Image);
  return out;
}

/** getActiveNodes (funcs.go L479-492): every node not "down". */
async function activeNodes(api: EngineApi): Promise<Set<string>> {
  const nodes = await api.nodeList();
  return new Set(nodes.filter((n) => n.Status?.State !== "down").map((n) => n.ID));
}

/** replicatedConsoleLogUpdater.update with tasksBySlot (funcs.go L510-595), from a fresh updater as each refresh makes one. */
function replicatedRunning(service: ServiceInfo, tasks: TaskInfo[], nodes: Set<string>): { done: boolean; running: number; replicas: number } {
  const replicas = service.Spec.Mode?.Replicated?.Replicas;
  // L511-513.
  if (replicas === undefined || replicas === null) throw new Error("no replica count");
  const bySlot = new Map<number, TaskInfo>();
  for (const task of tasks) {
    if (num(task.DesiredState) === 0 || num(task.Status?.State) === 0) continue;
    const slot = task.Slot ?? 0;
    const existing = bySlot.get(slot);
    if (existing) {
      if (num(existing.DesiredState) < num(task.DesiredState)) continue;
      if (num(existing.DesiredState) === num(task.DesiredState) && num(existing.Status.State) <= num(task.Status.State)) continue;
    }
    if (task.NodeID && !nodes.has(task.NodeID)) continue;
    bySlot.set(slot, task);
  }
  let running = 0;
  for (const task of bySlot.values()) if (!terminal(task.DesiredState) && task.Status.State === "running") running++;
  return { done: running === replicas, running, replicas };
}

const runningTasks = (api: EngineApi, serviceId: string) => api.taskList({ service: [serviceId], "desired-state": ["running"] });

/** resourceDockerServiceCreateRefreshFunc (funcs.go L358-403). */
function createRefresh(ctx: ServiceOpsContext, id: string) {
  return async () => {
    const service = await ctx.api.serviceInspect(id);
    const tasks = await runningTasks(ctx.api, id);
    const nodes = await activeNodes(ctx.api);
    const p = replicatedRunning(service, tasks, nodes);
    ctx.log(`service ${service.Spec.Name}: ${p.running}/${p.replicas} running`);
    return { result: service, state: p.done ? "running" : "creating" };
  };
}

/** resourceDockerServiceUpdateRefreshFunc (funcs.go L406-476). */
function updateRefresh(ctx: ServiceOpsContext, id: string) {
  return async () => {
    const service = await ctx.api.serviceInspect(id);
    let rollback = false;
    const st = service.UpdateStatus;
    if (st) {
      switch (st.State) {
        case "updating":
          rollback = false;
          break;
        case "completed":
          return { result: service, state: "completed" };
        case "rollback_started":
          rollback = true;
          break;
        case "rollback_completed":
          throw new ServiceUpdateStateError("rollback_completed", `service rollback completed: ${st.Message ?? ""}`);
        case "paused":
          throw new ServiceUpdateStateError("paused", `service update paused: ${st.Message ?? ""}`);
        case "rollback_paused":
          throw new ServiceUpdateStateError("rollback_paused", `service rollback paused: ${st.Message ?? ""}`);
      }
    }
    const tasks = await runningTasks(ctx.api, id);
    const nodes = await activeNodes(ctx.api);
    const p = replicatedRunning(service, tasks, nodes);
    ctx.log(`service ${service.Spec.Name}: update ${st?.State ?? "(no status)"}, ${p.running}/${p.replicas} running`);
    if (p.done) {
      // L467-471: all replicas running during a rollback is reported as the rollback's end.
      if (rollback) throw new ServiceUpdateStateError("rollback_completed", `service rollback completed: ${st?.Message ?? ""}`);
      return { result: service, state: "completed" };
    }
    return { result: service, state: "updating" };
  };
}

/**
 * resourceDockerServiceRead + ReadRefreshFunc (funcs.go L83-167): waits (Delay 2 s, MinTimeout
 * 5 s, Timeout 30 s) until the endpoint mode is exposed; returns the service as read.
 */
export async function readService(ctx: ServiceOpsContext, id: string, name: string): Promise<ServiceInfo> {
  const service = await waitForState<ServiceInfo>({
    pending: ["pending"],
    target: ["all_fields", "removed"],
    timeoutMs: 30_000,
    minTimeoutMs: 5_000,
    delayMs: 2_000,
    refresh: async () => {
      // fetchDockerService (L245-258): by ID or by name among all services.
      const all = await ctx.api.serviceList();
      const found = all.find((s) => s.ID === id || s.Spec?.Name === name);
      if (!found) return { result: { ID: "" } as ServiceInfo, state: "removed" };
      const s = await ctx.api.serviceInspect(found.ID);
      if (!s.Endpoint?.Spec?.Mode && !s.Spec.EndpointSpec?.Mode) return { result: s, state: "pending" };
      return { result: s, state: "all_fields" };
    },
  });
  // "removed" clears the resource's ID in the provider (L118-122): the service is gone.
  if (!service || !service.ID) throw new Error(`service "${name}" (${id}) is gone: the provider's read would drop it from the state`);
  return service;
}

/** resourceDockerServiceCreate (funcs.go L31-81). Returns the service as read after create. */
export async function createService(ctx: ServiceOpsContext, mapped: MappedService): Promise<ServiceInfo> {
  const spec = clientSide(mapped.spec);
  // L42-48: ServiceCreate with the marshalled auth. The client's QueryRegistry digest pinning
  // (L45) is not done: see differences.ts (no registry is reachable from this machine).
  const created = await ctx.api.serviceCreate(spec, mapped.registryAuth);
  for (const w of created.Warnings ?? []) ctx.log(`service ${spec.Name}: engine warning: ${w.trim()}`);
  const id = created.ID;
  ctx.log(`service ${spec.Name} created (${id})`);
  if (mapped.converge) {
    const c = mapped.converge;
    ctx.log(`service ${spec.Name}: waiting to converge (delay ${goDurationString(c.delayNs / 1e6)}, timeout ${c.timeoutRaw})`);
    try {
      // L56-66: Target running/complete, MinTimeout 5 s, Delay = converge_config.delay.
      await waitForState({
        pending: CREATE_PENDING,
        target: ["running", "complete"],
        refresh: createRefresh(ctx, id),
        timeoutMs: c.timeoutNs / 1e6,
        minTimeoutMs: 5_000,
        delayMs: c.delayNs / 1e6,
        ceilingMs: ctx.convergeCeilingMs,
      });
    } catch (err) {
      // L67-76: a service that cannot converge is deleted, then the error reported.
      await deleteService(ctx, id, spec.Name, graceFromInput(mapped.stopGracePeriod));
      if (err instanceof StateTimeoutError && !err.ceiling) throw new DidNotConvergeError(id, c.timeoutNs);
      throw err;
    }
  }
  return readService(ctx, id, spec.Name);
}

/** resourceDockerServiceUpdate (funcs.go L169-225). Returns the service as read after the update. */
export async function updateService(ctx: ServiceOpsContext, id: string, mapped: MappedService): Promise<ServiceInfo> {
  // L175-178: the current version, then ServiceUpdate against it (L192).
  const current = await ctx.api.serviceInspect(id);
  const spec = clientSide(mapped.spec);
  const res = await ctx.api.serviceUpdate(id, current.Version.Index, spec, mapped.registryAuth);
  for (const w of res?.Warnings ?? []) ctx.log(`service ${spec.Name}: engine warning: ${w.trim()}`);
  ctx.log(`service ${spec.Name} updated from version ${current.Version.Index}`);
  if (mapped.converge) {
    const c = mapped.converge;
    ctx.log(`service ${spec.Name}: waiting for the update to converge (delay 7s, timeout ${c.timeoutRaw})`);
    try {
      // L204-211: Target completed, MinTimeout 5 s and a fixed Delay of 7 s (not converge_config.delay).
      await waitForState({
        pending: UPDATE_PENDING,
        target: ["completed"],
        refresh: updateRefresh(ctx, id),
        timeoutMs: c.timeoutNs / 1e6,
        minTimeoutMs: 5_000,
        delayMs: 7_000,
        ceilingMs: ctx.convergeCeilingMs,
      });
    } catch (err) {
      // L216-221 (no delete on update).
      if (err instanceof StateTimeoutError && !err.ceiling) throw new DidNotConvergeError(id, c.timeoutNs);
      throw err;
    }
  }
  return readService(ctx, id, spec.Name);
}

/**
 * When deleteService waits for containers: `d.GetOk(stop_grace_period)` and not "0s"
 * (funcs.go L264, L293). On a failed create `d` holds the program's value.
 */
export function graceFromInput(value: string | undefined): number | undefined {
  if (!value || value === "0s") return undefined;
  // `destroyGraceTime, _ := time.ParseDuration(v)` (L295): an unparsable value waits 0.
  return goDurationOrZero(value) / 1e6;
}

/**
 * When destroying, `d` holds what the read stored: shortDur of the engine's StopGracePeriod,
 * which is "0s" exactly when the period is 0.
 */
export function graceFromEngine(spec: ServiceSpec | undefined): number | undefined {
  const ns = spec?.TaskTemplate?.ContainerSpec?.StopGracePeriod ?? 0;
  return ns > 0 ? ns / 1e6 : undefined;
}

const ignorable = (message: string, ...needles: string[]) => needles.some((n) => message.includes(n));

/** deleteService (funcs.go L261-337). `graceMs` undefined: no container wait (stop_grace_period unset or "0s"). */
export async function deleteService(ctx: ServiceOpsContext, id: string, name: string, graceMs: number | undefined): Promise<void> {
  const containers: string[] = [];
  if (graceMs !== undefined) {
    // L265-283: the service's tasks by name; containers of tasks not yet shut down.
    const tasks = await ctx.api.taskList({ service: [name] });
    for (const t of tasks) {
      const task = await ctx.api.taskInspect(t.ID).catch(() => t);
      const cid = task.Status?.ContainerStatus?.ContainerID ?? "";
      if (cid.trim() !== "" && task.Status.State !== "shutdown") containers.push(cid);
    }
  }
  // L286-290.
  try {
    await ctx.api.serviceRemove(id);
  } catch (err) {
    throw new Error(`Error deleting service with ID '${id}': ${(err as Error).message}`, { cause: err });
  }
  ctx.log(`service ${name} removed (${id})`);
  if (graceMs === undefined) return;
  // L293-333: per container, its own timeout of the grace period for the wait and the removal.
  for (const cid of containers) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), graceMs);
    try {
      try {
        const r = await ctx.api.containerWaitRemoved(cid, controller.signal);
        if (r?.Error?.Message && !ignorable(r.Error.Message, "No such container"))
          throw new Error(`failed to wait for container with ID '${cid}': '${r.Error.Message}'`);
      } catch (err) {
        if (controller.signal.aborted) throw new Error(`error on wait for container with ID '${cid}': context deadline exceeded`, { cause: err });
        const msg = err instanceof EngineCallError ? err.engineMessage : (err as Error).message;
        if (!ignorable(msg, "No such container")) throw new Error(`error on wait for container with ID '${cid}': ${msg}`, { cause: err });
      }
      try {
        await ctx.api.containerRemove(cid);
      } catch (err) {
        const msg = err instanceof EngineCallError ? err.engineMessage : (err as Error).message;
        if (!ignorable(msg, "No such container", "is already in progress"))
          throw new Error(`Error deleting container with ID '${cid}': ${msg}`, { cause: err });
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
