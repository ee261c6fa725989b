/**
 * A user-defined test network on the private engine: an internal bridge (no gateway route,
 * no masquerading) with an explicit /24 inside 198.18.0.0/15, the range reserved for network
 * tests, that no host route uses yet (another engine on this machine may have one). Its host
 * interface is named mcpbr<hex> and recorded with the engine, so the engine's teardown
 * deletes it even when the test process dies.
 */
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import type { DockerEngine } from "../docker/engine";

function routedThirdOctets(): Set<number> {
  const r = spawnSync("ip", ["-4", "-o", "route", "show"], { encoding: "utf8", timeout: 5000 });
  const used = new Set<number>();
  for (const m of (r.stdout ?? "").matchAll(/\b198\.18\.(\d+)\.\d+/g)) used.add(Number(m[1]));
  return used;
}

export async function createTestNetwork(engine: DockerEngine, name: string): Promise<{ name: string; subnet: string; remove(): Promise<void> }> {
  const used = routedThirdOctets();
  // The upper half: swarm overlays on this machine number from the bottom of 198.18.0.0/16.
  const free = Array.from({ length: 127 }, (_, i) => 128 + i).filter((x) => !used.has(x));
  if (free.length === 0) throw new Error("every /24 of 198.18.128.0/17 is routed already: no subnet for a test network");
  const third = free[randomInt(free.length)];
  const subnet = `198.18.${third}.0/24`;
  const bridge = `mcpbr${randomBytes(4).toString("hex")}`;
  engine.recordHostLink(bridge);
  const network = await engine.docker.createNetwork({
    Name: name,
    Driver: "bridge",
    Internal: true,
    IPAM: { Driver: "default", Config: [{ Subnet: subnet }] },
    Options: { "com.docker.network.bridge.name": bridge, "com.docker.network.bridge.enable_ip_masquerade": "false" },
  });
  return { name, subnet, remove: () => network.remove().then(() => undefined) };
}
