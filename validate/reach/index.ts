/**
 * Reach: turns an internal endpoint (a host:port on the stack's Docker network, as in
 * StackOutputs.internalEndpoints) into an address the checks can connect to from here.
 * The CLI and the deploy hooks use Docker exec tunnels; tests map the internal names to
 * the loopback servers they started. Either way the checks get plain host/port pairs.
 */
import type Docker from "dockerode";
import { openExecTunnel, type ExecTunnelOptions, type Tunnel } from "./exec-tunnel";

export interface Address {
  host: string;
  port: number;
}

export interface Reach {
  /** Local address for host:port inside the stack. Opens a tunnel on first use. */
  to(host: string, port: number): Promise<Address>;
  /** Human description for progress output. */
  describe(): string;
  close(): Promise<void>;
}

/** Internal names mapped to addresses (tests), falling back to the name itself (same network). */
export function staticReach(map: Record<string, Address> = {}): Reach {
  return {
    async to(host, port) {
      return map[`${host}:${port}`] ?? { host, port };
    },
    describe: () => (Object.keys(map).length ? `static map of ${Object.keys(map).length} endpoints` : "direct"),
    async close() {},
  };
}

export function dockerExecReach(options: ExecTunnelOptions): Reach {
  const tunnels = new Map<string, Promise<Tunnel>>();
  return {
    to(host, port) {
      const key = `${host}:${port}`;
      let t = tunnels.get(key);
      if (!t) {
        t = openExecTunnel(options, host, port);
        tunnels.set(key, t);
      }
      return t.then((x) => ({ host: x.host, port: x.port }));
    },
    describe: () => `Docker exec relay in container ${options.container}`,
    async close() {
      const all = await Promise.allSettled(tunnels.values());
      await Promise.all(all.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
      tunnels.clear();
    },
  };
}

/** Rewrites an http(s) URL's host:port through `reach` (path kept). */
export async function reachUrl(reach: Reach, url: string): Promise<string> {
  const u = new URL(url);
  const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  const a = await reach.to(u.hostname.replace(/^\[|\]$/g, ""), port);
  const host = a.host.includes(":") ? `[${a.host}]` : a.host;
  // URL() adds "/" to a bare origin; keep the caller's form so paths join cleanly.
  const path = u.pathname === "/" && !url.endsWith("/") ? "" : u.pathname;
  return `${u.protocol}//${host}:${a.port}${path}${u.search}`;
}

/** Services whose images carry busybox `nc` and sit on the internal network, in order of preference. */
export const RELAY_SERVICES = ["redis", "postgres", "backup"] as const;

export type { Docker };
