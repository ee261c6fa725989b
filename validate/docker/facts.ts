/**
 * The part of `GET /containers/{id}/json` the container checks read, as plain data, so the
 * rules are pure functions over values a test can also write by hand.
 */
import type Docker from "dockerode";

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export type PortMap = Record<string, PortBinding[] | null | undefined>;

export interface ContainerFacts {
  name: string;
  status: string;
  running: boolean;
  restarting: boolean;
  paused: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** State.StartedAt as epoch ms (0 when never started). */
  startedAtMs: number;
  /** Engine error for a container that could not start (no secret content: it is about the runtime). */
  error: string;
  /** Undefined when the container has no health check. */
  health?: { status: string; failingStreak: number; lastExitCode?: number };
  restartCount: number;
  /** Main process on the host (0 when not running). */
  pid: number;
  user: string;
  /** "NAME=value" entries. Values are read only to compare with known secrets, never printed. */
  env: string[];
  labels: Record<string, string>;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  readonlyRootfs: boolean;
  memoryBytes: number;
  nanoCpus: number;
  cpuQuota: number;
  cpuPeriod: number;
  networkMode: string;
  publishAllPorts: boolean;
  /** HostConfig.PortBindings: what the engine was asked to publish. */
  portBindings: PortMap;
  /** NetworkSettings.Ports: what is bound while the container runs (null entries: exposed only). */
  boundPorts: PortMap;
  logType: string;
  logConfig: Record<string, string>;
}

export function factsFromInspect(info: Docker.ContainerInspectInfo): ContainerFacts {
  const hc = info.HostConfig ?? {};
  const health = info.State?.Health;
  const lastLog = health?.Log?.[health.Log.length - 1];
  return {
    name: (info.Name ?? "").replace(/^\//, ""),
    status: info.State?.Status ?? "unknown",
    running: !!info.State?.Running,
    restarting: !!info.State?.Restarting,
    paused: !!info.State?.Paused,
    exitCode: info.State?.ExitCode ?? 0,
    oomKilled: !!info.State?.OOMKilled,
    startedAtMs: Date.parse(info.State?.StartedAt ?? "") > 0 ? Date.parse(info.State.StartedAt) : 0,
    error: info.State?.Error ?? "",
    health: health ? { status: health.Status, failingStreak: health.FailingStreak ?? 0, lastExitCode: lastLog?.ExitCode } : undefined,
    restartCount: info.RestartCount ?? 0,
    pid: info.State?.Pid ?? 0,
    user: info.Config?.User ?? "",
    env: info.Config?.Env ?? [],
    labels: info.Config?.Labels ?? {},
    privileged: !!hc.Privileged,
    capAdd: (hc.CapAdd as string[] | null | undefined) ?? [],
    capDrop: (hc.CapDrop as string[] | null | undefined) ?? [],
    securityOpt: (hc.SecurityOpt as string[] | null | undefined) ?? [],
    readonlyRootfs: !!hc.ReadonlyRootfs,
    memoryBytes: hc.Memory ?? 0,
    nanoCpus: hc.NanoCpus ?? 0,
    cpuQuota: hc.CpuQuota ?? 0,
    cpuPeriod: hc.CpuPeriod ?? 0,
    networkMode: hc.NetworkMode ?? "",
    publishAllPorts: !!hc.PublishAllPorts,
    portBindings: (hc.PortBindings as PortMap | null | undefined) ?? {},
    boundPorts: (info.NetworkSettings?.Ports as PortMap | null | undefined) ?? {},
    logType: hc.LogConfig?.Type ?? "",
    logConfig: (hc.LogConfig?.Config as Record<string, string> | null | undefined) ?? {},
  };
}

function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number })?.statusCode === 404;
}

/** Inspects every named container at once; a container that does not exist maps to null. */
export async function inspectAll(docker: Docker, names: readonly string[], signal?: AbortSignal): Promise<Map<string, ContainerFacts | null>> {
  const entries = await Promise.all(
    names.map(async (name): Promise<[string, ContainerFacts | null]> => {
      try {
        return [name, factsFromInspect(await docker.getContainer(name).inspect({ abortSignal: signal }))];
      } catch (err) {
        if (isNotFound(err)) return [name, null];
        throw err;
      }
    }),
  );
  return new Map(entries);
}
