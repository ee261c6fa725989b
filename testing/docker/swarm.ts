/**
 * Turns the private test engine into a one-node swarm manager without touching anything a
 * second engine on the same machine (a parallel jest worker) could be using:
 *
 * - the gateway bridge (`docker_gwbridge`, which swarm creates lazily for tasks on
 *   non-internal overlays) is created first, under a bridge name of its own and a /24 inside
 *   198.19.0.0/16 that no host route uses yet: Docker's default would be 172.17.0.0/16;
 * - the manager listens on 127.0.0.1 only, on a free TCP port, and the VXLAN data path on a
 *   free UDP port, so two swarms never share 2377 or 4789;
 * - overlay networks come from 198.18.0.0/16 (`DefaultAddrPool`), and autolock is on, as
 *   docs/docker-host.md asks of a production manager.
 *
 * The kernel here has no ip_vs: tasks run, but a service's virtual IP and the routing mesh do
 * not balance anything, so services under test use endpoint mode dnsrr (see
 * testing/engine/differences.ts).
 *
 * One swarm at a time on this machine: the managers' gossip (port 7946, which swarm init
 * cannot move) is host-wide, and a second swarm's agent fails to start on it ("error in
 * agentInit"), after which its encrypted overlays get no keys. `acquireSwarmLock` makes the
 * test processes (jest workers) take turns.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes, randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import type Docker from "dockerode";
import { freePort } from "../../local/ports";
import { processAlive } from "../../local/pids";

/** Swarm-scope networks (overlays, ingress). */
export const SWARM_ADDRESS_POOL = "198.18.0.0/16";
/** Local-scope networks the engine allocates itself, and the gateway bridge. */
export const LOCAL_ADDRESS_POOL = { base: "198.19.0.0/16", size: 24 } as const;

export interface SwarmInfo {
  nodeId: string;
  /** 127.0.0.1:<port> the manager listens and advertises on. */
  listenAddr: string;
  dataPathPort: number;
  /** Host interface of docker_gwbridge. */
  gatewayBridge: string;
  gatewaySubnet: string;
  /** Key that unlocks the manager after a daemon restart (autolock). Never printed. */
  unlockKey: string;
}

/** /24s of 198.19.0.0/16 that some host route already covers. */
function usedGatewaySubnets(): Set<number> {
  const r = spawnSync("ip", ["-4", "-o", "route", "show"], { encoding: "utf8", timeout: 5000 });
  const used = new Set<number>();
  for (const m of (r.stdout ?? "").matchAll(/\b198\.19\.(\d+)\.\d+/g)) used.add(Number(m[1]));
  return used;
}

async function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    s.once("error", () => resolve(false));
    s.bind(port, () => s.close(() => resolve(true)));
  });
}

/** A free UDP port inside the range swarm accepts for its data path (1024–49151). */
async function freeDataPathPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(20000, 30000);
    if (await udpPortFree(port)) return port;
  }
  throw new Error("no free UDP port for the swarm data path in 20000-29999 after 50 attempts");
}

async function dial<T>(docker: Docker, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path,
        method,
        options: body ?? {},
        isStream: false,
        statusCodes: { 200: true, 201: true, 400: "bad request", 406: "node is not part of a swarm", 500: "server error", 503: "node is not part of a swarm" },
      },
      (err, data) => (err ? reject(err) : resolve(data as T)),
    );
  });
}

export async function initSwarm(docker: Docker, recordLink: (name: string) => void): Promise<SwarmInfo> {
  const used = usedGatewaySubnets();
  const free = Array.from({ length: 254 }, (_, i) => i + 1).filter((x) => !used.has(x));
  if (free.length === 0) throw new Error("every /24 of 198.19.0.0/16 is routed already: no subnet for the gateway bridge");
  const third = free[randomInt(free.length)];
  const gatewaySubnet = `198.19.${third}.0/24`;
  const gatewayBridge = `mcpgw${randomBytes(4).toString("hex")}`;
  recordLink(gatewayBridge);
  await docker.createNetwork({
    Name: "docker_gwbridge",
    Driver: "bridge",
    IPAM: { Driver: "default", Config: [{ Subnet: gatewaySubnet, Gateway: `198.19.${third}.1` }] },
    Options: {
      "com.docker.network.bridge.name": gatewayBridge,
      "com.docker.network.bridge.enable_icc": "false",
      "com.docker.network.bridge.enable_ip_masquerade": "false",
    },
  });
  const port = await freePort();
  const dataPathPort = await freeDataPathPort();
  const listenAddr = `127.0.0.1:${port}`;
  const nodeId = await dial<string>(docker, "POST", "/swarm/init", {
    ListenAddr: listenAddr,
    AdvertiseAddr: listenAddr,
    DataPathPort: dataPathPort,
    DefaultAddrPool: [SWARM_ADDRESS_POOL],
    SubnetSize: 24,
    ForceNewCluster: false,
    Spec: { EncryptionConfig: { AutoLockManagers: true } },
  });
  const { UnlockKey } = await dial<{ UnlockKey: string }>(docker, "GET", "/swarm/unlockkey");
  // Bounded: a fresh manager reports ready within a second or two.
  for (let i = 0; i < 100; i++) {
    const node = await docker
      .getNode(String(nodeId).replace(/"/g, ""))
      .inspect()
      .catch(() => undefined);
    if (node?.Status?.State === "ready") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { nodeId: String(nodeId).replace(/"/g, ""), listenAddr, dataPathPort, gatewayBridge, gatewaySubnet, unlockKey: UnlockKey };
}

const LOCK_DIR = join(tmpdir(), "mcp-test-swarm.lock");

function lockOwner(): number | undefined {
  try {
    return Number(readFileSync(join(LOCK_DIR, "pid"), "utf8")) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits (bounded) until no other live process holds the machine's swarm lock, takes it, and
 * returns its release. A lock whose holder died (SIGKILL) is taken over. mkdir is the atomic step.
 */
export async function acquireSwarmLock(log: (line: string) => void, timeoutMs = 20 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, "pid"), String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (lockOwner() === process.pid) rmSync(LOCK_DIR, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = lockOwner();
    // Nested in one process (a test that also starts a swarm it expects to fail): its own business.
    if (owner === process.pid) return () => undefined;
    // A holder that died (SIGKILL) left a stale lock.
    if (owner !== undefined && !processAlive(owner)) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`another test process (pid ${owner ?? "unknown"}) has held the swarm engine lock ${LOCK_DIR} for ${Math.round(timeoutMs / 1000)} s`);
    if (Date.now() - lastLog > 30_000) {
      log(`waiting for the swarm test engine of pid ${owner ?? "?"} to stop (one swarm per machine)`);
      lastLog = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
