/**
 * Reaching a service's port on this machine, where nothing can be published (differences.ts):
 * a TCP listener on 127.0.0.1:<free port> relays each connection to a running task's address
 * on the engine's gateway bridge `docker_gwbridge`. That bridge is a host interface with an
 * address in 198.19.0.0/16 (testing/docker/swarm.ts), so the host reaches the task directly;
 * a task is on it when one of its overlays is not internal.
 *
 * The relay only connects to addresses inside 198.18.0.0/15 (the engine's own networks) and
 * only listens on loopback.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import type Docker from "dockerode";
import { EngineApi } from "./api";

export interface TaskAddress {
  taskId: string;
  containerId: string;
  /** IPv4 address on docker_gwbridge. */
  address: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inEngineRange(ip: string): boolean {
  const m = /^198\.(18|19)\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  return !!m && Number(m[2]) <= 255 && Number(m[3]) <= 255;
}

/**
 * The docker_gwbridge address of a running task of `service` (name or ID), polled every
 * 200 ms up to `timeoutMs` (tasks of a just-converged service are there at once).
 */
export async function taskGatewayAddress(docker: Docker, service: string, timeoutMs = 15_000): Promise<TaskAddress> {
  const api = await EngineApi.connect(docker);
  const deadline = Date.now() + timeoutMs;
  let why = "no running task";
  // Bounded by the deadline.
  while (Date.now() < deadline) {
    const tasks = await api.taskList({ service: [service], "desired-state": ["running"] });
    const running = tasks.filter((t) => t.Status?.State === "running" && t.Status.ContainerStatus?.ContainerID);
    if (running.length) {
      const gw =
        (await api.call<{ Containers?: Record<string, { IPv4Address?: string }> }>("GET", "/networks/docker_gwbridge", "inspect docker_gwbridge")).Containers ??
        {};
      for (const t of running) {
        const cid = t.Status.ContainerStatus?.ContainerID as string;
        const addr = gw[cid]?.IPv4Address?.split("/")[0];
        if (addr && inEngineRange(addr)) return { taskId: t.ID, containerId: cid, address: addr };
        why = `task ${t.ID} is not on docker_gwbridge (are all of its overlays internal?)`;
      }
    }
    await sleep(200);
  }
  throw new Error(`service ${service}: ${why} after ${timeoutMs} ms`);
}

export interface Forwarder {
  /** 127.0.0.1 */
  host: string;
  port: number;
  target: { address: string; port: number };
  close(): Promise<void>;
}

/** A loopback TCP relay to `target` (an address on the engine's networks). */
export async function startForwarder(target: { address: string; port: number }): Promise<Forwarder> {
  if (!inEngineRange(target.address)) throw new Error(`forwarder target ${target.address} is not on the test engine's networks (198.18.0.0/15)`);
  return startRelay(async () => target.address, target);
}

/**
 * A loopback relay to `port` of whichever task of `service` runs now: the address is looked
 * up again once a connection to the last one fails (the task was replaced by an update,
 * a restart or a rollback), the way a client behind a load balancer would see it.
 */
export async function startServiceForwarder(docker: Docker, service: string, port: number): Promise<Forwarder> {
  let current: string | undefined = (await taskGatewayAddress(docker, service)).address;
  const target = { address: current, port };
  const lookup = async (stale: boolean) => {
    if (stale || !current) current = (await taskGatewayAddress(docker, service, 30_000)).address;
    target.address = current;
    return current;
  };
  return startRelay(lookup, target);
}

async function startRelay(lookup: (stale: boolean) => Promise<string>, target: { address: string; port: number }): Promise<Forwarder> {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new Error(`forwarder target port ${target.port} is not a TCP port`);
  const sockets = new Set<Socket>();
  const dial = async (client: Socket, stale: boolean): Promise<Socket> => {
    const address = await lookup(stale);
    if (!inEngineRange(address)) throw new Error(`forwarder target ${address} is not on the test engine's networks (198.18.0.0/15)`);
    return new Promise((resolve, reject) => {
      const s = connect({ host: address, port: target.port, allowHalfOpen: true });
      s.once("connect", () => resolve(s));
      s.once("error", reject);
      client.once("close", () => s.destroy());
    });
  };
  // allowHalfOpen: a client that finished sending (FIN) still gets the rest of the answer.
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    sockets.add(client);
    // One retry against a fresh address: the first failure may only mean the task moved.
    void dial(client, false)
      .catch(() => dial(client, true))
      .then(
        (upstream) => relay(client, upstream),
        () => client.destroy(),
      );
  });
  const relay = (client: Socket, upstream: Socket) => {
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // Idle streams (server-sent events) may wait long between events: bounded, but not short.
    upstream.setTimeout(300_000, drop);
    client.setTimeout(300_000, drop);
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  };
  server.unref();
  // Port 0: the kernel picks a free port, so parallel test workers never collide.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    host: "127.0.0.1",
    port,
    target,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}

/** A forwarder to `targetPort` of a running task of `service`. */
export async function forwardServicePort(docker: Docker, service: string, targetPort: number, timeoutMs?: number): Promise<Forwarder & { task: TaskAddress }> {
  const task = await taskGatewayAddress(docker, service, timeoutMs);
  const fwd = await startForwarder({ address: task.address, port: targetPort });
  return { ...fwd, task };
}
