/**
 * The swarm side of what runs: each declared service, its tasks (cluster-wide, from the
 * managers) and the task containers on the engine the checks talk to. Read through the
 * Engine API; nothing here changes the swarm.
 */
import type Docker from "dockerode";
import type { DeclaredContainer, DeclaredService } from "./declared";

export interface ServiceFacts {
  id: string;
  name: string;
  /** Replicas asked for by the spec the swarm runs now. */
  replicas: number | undefined;
  /** UpdateStatus.State: updating, paused, completed, rollback_started, rollback_paused, rollback_completed. */
  updateState: string | undefined;
  updateMessage: string | undefined;
  /** The swarm keeps the spec before the last update: what a rollback returns to. */
  hasPreviousSpec: boolean;
  image: string | undefined;
  labels: Record<string, string>;
}

export interface TaskFacts {
  id: string;
  slot: number | undefined;
  nodeId: string | undefined;
  state: string;
  desiredState: string;
  /** Status.Err: why a task failed or was rejected (engine text, no secret content). */
  err: string;
  exitCode: number | undefined;
  containerId: string | undefined;
  createdAtMs: number;
  /** Status.Timestamp: when the task last changed state (a long-running task that just failed has an old CreatedAt). */
  statusAtMs: number;
  /** Addresses by network ID, without the prefix length. */
  addresses: { networkId: string; networkName: string | undefined; addr: string }[];
}

interface RawService {
  ID: string;
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate?: { ContainerSpec?: { Image?: string } };
  };
  PreviousSpec?: unknown;
  UpdateStatus?: { State?: string; Message?: string };
}

interface RawTask {
  ID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status?: { Timestamp?: string; State?: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  NetworksAttachments?: { Network?: { ID?: string; Spec?: { Name?: string } }; Addresses?: string[] }[];
}

export function serviceFacts(s: RawService): ServiceFacts {
  return {
    id: s.ID,
    name: s.Spec?.Name ?? s.ID,
    replicas: s.Spec?.Mode?.Replicated?.Replicas,
    updateState: s.UpdateStatus?.State,
    updateMessage: s.UpdateStatus?.Message,
    hasPreviousSpec: !!s.PreviousSpec,
    image: s.Spec?.TaskTemplate?.ContainerSpec?.Image,
    labels: s.Spec?.Labels ?? {},
  };
}

export function taskFacts(t: RawTask): TaskFacts {
  return {
    id: t.ID,
    slot: t.Slot,
    nodeId: t.NodeID,
    state: t.Status?.State ?? "unknown",
    desiredState: t.DesiredState ?? "unknown",
    err: t.Status?.Err ?? "",
    exitCode: t.Status?.ContainerStatus?.ExitCode,
    containerId: t.Status?.ContainerStatus?.ContainerID,
    createdAtMs: Date.parse(t.CreatedAt ?? "") || 0,
    statusAtMs: Date.parse(t.Status?.Timestamp ?? t.CreatedAt ?? "") || 0,
    addresses: (t.NetworksAttachments ?? []).flatMap((a) =>
      (a.Addresses ?? []).map((addr) => ({ networkId: a.Network?.ID ?? "", networkName: a.Network?.Spec?.Name, addr: addr.replace(/\/\d+$/, "") })),
    ),
  };
}

/** dockerode's list calls take `abortSignal` at run time; its typings only know the callback form with it. */
export function call(docker: Docker, method: "listTasks" | "listContainers" | "listServices", opts: object): Promise<unknown> {
  return (docker[method] as unknown as (o: object) => Promise<unknown>).call(docker, opts);
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}

/** The service and all its tasks (the swarm keeps a few finished ones per slot); null when the service does not exist. */
export async function inspectService(docker: Docker, name: string, signal?: AbortSignal): Promise<{ service: ServiceFacts; tasks: TaskFacts[] } | null> {
  let raw: RawService;
  try {
    raw = (await (docker.getService(name).inspect as unknown as (o: object) => Promise<unknown>).call(docker.getService(name), {
      abortSignal: signal,
    })) as RawService;
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  const tasks = (await call(docker, "listTasks", { filters: { service: [raw.ID] }, abortSignal: signal })) as RawTask[];
  return { service: serviceFacts(raw), tasks: tasks.map(taskFacts) };
}

export async function inspectServices(
  docker: Docker,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, { service: ServiceFacts; tasks: TaskFacts[] } | null>> {
  const entries = await Promise.all(names.map(async (n) => [n, await inspectService(docker, n, signal)] as const));
  return new Map(entries);
}

/** Tasks the swarm wants running and that are running. */
export function runningTasks(tasks: readonly TaskFacts[]): TaskFacts[] {
  return tasks.filter((t) => t.desiredState === "running" && t.state === "running");
}

/** Replicas running: slots with a running task (during a start-first update a slot briefly has two). */
export function runningSlots(tasks: readonly TaskFacts[]): number {
  return new Set(runningTasks(tasks).map((t) => t.slot ?? t.id)).size;
}

/** Running task containers of each declared service on this engine (tasks on other nodes are not visible to container calls). */
export async function localTaskContainers(
  docker: Docker,
  services: readonly DeclaredService[],
  signal?: AbortSignal,
): Promise<Map<string, DeclaredContainer[]>> {
  const out = new Map<string, DeclaredContainer[]>();
  await Promise.all(
    services.map(async (s) => {
      const list = (await call(docker, "listContainers", {
        filters: { label: [`com.docker.swarm.service.name=${s.name}`], status: ["running"] },
        abortSignal: signal,
      })) as Docker.ContainerInfo[];
      const { name: _n, replicas: _r, ...rest } = s;
      out.set(
        s.name,
        list.map((c) => ({
          ...rest,
          name: (c.Names?.[0] ?? c.Id).replace(/^\//, ""),
          serviceName: s.name,
          taskId: c.Labels?.["com.docker.swarm.task.id"] ?? "",
        })),
      );
    }),
  );
  return out;
}

/** The address of each running task of `service` on `network` (by name): how one replica is reached on its own. */
export async function taskAddresses(docker: Docker, service: string, network: string, signal?: AbortSignal): Promise<string[]> {
  const s = await inspectService(docker, service, signal);
  if (!s) return [];
  return runningTasks(s.tasks)
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))
    .flatMap((t) => t.addresses.filter((a) => a.networkName === network).map((a) => a.addr));
}
