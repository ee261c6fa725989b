/**
 * Engine-wide calls with an AbortSignal. dockerode accepts `{ abortSignal }` on ping, info
 * and version, but its type definitions only declare the callback forms.
 */
import type Docker from "dockerode";
import { errorMessage } from "../core/errors";

type WithSignal<R> = (opts: { abortSignal?: AbortSignal }) => Promise<R>;

export interface EngineInfo {
  ServerVersion: string;
  MemTotal: number;
  NCPU: number;
  DockerRootDir: string;
  OperatingSystem?: string;
  /** e.g. ["name=seccomp,profile=default", "name=apparmor"]; "name=no-new-privileges" from Docker 24 (API 1.43). */
  SecurityOptions?: string[];
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  LiveRestoreEnabled?: boolean;
  /** Kernel support for the pids cgroup. */
  PidsLimit?: boolean;
  DefaultAddressPools?: { Base: string; Size: number }[] | null;
  Swarm?: EngineSwarmInfo;
}

export interface EngineSwarmInfo {
  NodeID: string;
  NodeAddr: string;
  /** "inactive" | "pending" | "active" | "error" | "locked" */
  LocalNodeState: string;
  /** True on a manager. */
  ControlAvailable: boolean;
  Error: string;
  Managers?: number;
  Nodes?: number;
}

/**
 * GET `path` on the Engine API, bounded by `signal`. Rejects on any status but 200; the error
 * carries `statusCode` (404 no such object, 503 not a swarm manager) and the engine's message.
 */
export function engineGet<T>(docker: Docker, path: string, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      { path, method: "GET", options: {}, abortSignal: signal, isStream: false, statusCodes: { 200: true } } as never,
      (err: unknown, data: unknown) => (err ? reject(err) : resolve(data as T)),
    );
  });
}

/** The engine's own message for an API error ("This node is not a swarm manager. ..."), else the error. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | undefined)?.json;
  return typeof json?.message === "string" ? json.message.trim() : describeError(err);
}

/** HTTP status of an Engine API error from engineGet (undefined for a transport error). */
export function engineStatus(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === "number" ? code : undefined;
}

export function enginePing(docker: Docker, signal?: AbortSignal): Promise<unknown> {
  return (docker.ping as unknown as WithSignal<unknown>).call(docker, { abortSignal: signal });
}

export function engineInfo(docker: Docker, signal?: AbortSignal): Promise<EngineInfo> {
  return (docker.info as unknown as WithSignal<EngineInfo>).call(docker, { abortSignal: signal });
}

export function engineVersion(docker: Docker, signal?: AbortSignal): Promise<Docker.DockerVersion> {
  return (docker.version as unknown as WithSignal<Docker.DockerVersion>).call(docker, { abortSignal: signal });
}

/**
 * Errors from Node's own modules (net, undici) can come from another JavaScript realm (a jest
 * vm context), where `instanceof Error` is false and core/errors.ts would print them as JSON.
 * Rebuilds them as local Errors, cause chain included, before describing them.
 */
function localError(err: unknown, depth = 0): unknown {
  if (depth > 5 || err instanceof Error || !err || typeof err !== "object" || typeof (err as { message?: unknown }).message !== "string") return err;
  const src = err as { message: string; name?: string; code?: string; cause?: unknown; errors?: unknown[] };
  const copy = new Error(src.message, src.cause === undefined ? undefined : { cause: localError(src.cause, depth + 1) }) as Error & { code?: string };
  if (src.name) copy.name = src.name;
  if (src.code) copy.code = src.code;
  if (Array.isArray(src.errors))
    return new AggregateError(
      src.errors.map((e) => localError(e, depth + 1)),
      src.message,
    );
  return copy;
}

export function describeError(err: unknown): string {
  return errorMessage(localError(err));
}
