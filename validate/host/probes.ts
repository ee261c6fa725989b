/**
 * The two things the host checks measure outside the Engine API: whether a registry's
 * /v2/ endpoint answers, and whether a host port is free to bind.
 */
import { connect, createServer } from "node:net";
import { describeError } from "../docker/engine-api";

export type RegistryProbe =
  { url: string; reachable: true; status: number; ms: number } | { url: string; reachable: false; status?: number; reason: string; ms: number };

/** The Docker Registry HTTP API v2 base endpoint: 200, or 401 asking for a token, means a registry answered. */
export function registryEndpoint(base: string): string {
  return `${base.replace(/\/+$/, "")}/v2/`;
}

export async function probeRegistry(base: string, timeoutMs: number, outer?: AbortSignal): Promise<RegistryProbe> {
  const url = registryEndpoint(base);
  const started = Date.now();
  const signal = outer ? AbortSignal.any([outer, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { method: "GET", redirect: "manual", signal });
    await res.body?.cancel();
    const ms = Date.now() - started;
    if (res.status === 200 || res.status === 401) return { url, reachable: true, status: res.status, ms };
    return { url, reachable: false, status: res.status, reason: `answered HTTP ${res.status} (a registry answers 200 or 401)`, ms };
  } catch (err) {
    const ms = Date.now() - started;
    const reason = signal.aborted && !outer?.aborted ? `no answer within ${timeoutMs} ms` : describeError(err);
    return { url, reachable: false, reason, ms };
  }
}

export type PortState = "free" | "in-use" | "address-not-local" | "unknown";

export interface PortProbe {
  state: PortState;
  /** How it was decided: a bind, or a connect when binding needs privileges we lack. */
  method: "bind" | "connect";
  detail?: string;
}

function tryBind(address: string, port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

function tryConnect(address: string, port: number, timeoutMs: number): Promise<"open" | "refused" | string> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (r: string) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once("connect", () => done("open"));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED" ? "refused" : describeError(err)));
  });
}

/**
 * Whether `address:port` can be bound on this machine. Binding a privileged port needs root;
 * without it a connect decides (refused = nothing listens = free).
 */
export async function probePort(address: string, port: number, connectTimeoutMs = 1000): Promise<PortProbe> {
  const err = await tryBind(address, port);
  if (!err) return { state: "free", method: "bind" };
  if (err.code === "EADDRINUSE") return { state: "in-use", method: "bind" };
  if (err.code === "EADDRNOTAVAIL") return { state: "address-not-local", method: "bind", detail: `${address} is not an address of this host` };
  if (err.code !== "EACCES") return { state: "unknown", method: "bind", detail: describeError(err) };
  const wildcard = address === "0.0.0.0" || address === "::";
  const r = await tryConnect(wildcard ? "127.0.0.1" : address, port, connectTimeoutMs);
  if (r === "open") return { state: "in-use", method: "connect" };
  if (r === "refused") return { state: "free", method: "connect", detail: "no permission to bind (not root); nothing accepts connections" };
  return { state: "unknown", method: "connect", detail: r };
}
