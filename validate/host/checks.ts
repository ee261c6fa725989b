/**
 * Host readiness, before anything is created: the engine answers, it is new enough, the
 * host has the memory and disk the stack needs, the registries answer, and the ports the
 * stack publishes are free; then the daemon's hardening (daemon-checks.ts) and the swarm
 * (swarm-checks.ts). Used by `npm run host:check` and by the pre-deploy gate.
 */
import { statfs } from "node:fs/promises";
import { fail, pass, skip, type Check } from "../core/types";
import { describeError, engineInfo, enginePing, engineVersion } from "../docker/engine-api";
import type { CisCheck } from "./cis";
import { DAEMON_CHECKS } from "./daemon-checks";
import { probePort, probeRegistry } from "./probes";
import { SWARM_CHECKS } from "./swarm-checks";
import type { HostTarget } from "./target";
import { compareVersions, formatGb, GB, parseVersion } from "./thresholds";

const ENGINE_FIX = "Start the Docker engine (systemctl start docker) or point DOCKER_HOST (or --docker-host) at the engine the stack deploys to.";
const DEFAULT_REGISTRY_TIMEOUT_MS = 5000;

const unreachable = (t: HostTarget, what: string, err: unknown) =>
  fail(`cannot read ${what} from the Docker engine at ${t.endpoint}: ${describeError(err)}`, {
    expected: "an engine answering on its API",
    actual: "no answer",
    remediation: ENGINE_FIX,
  });

export const engineCheck: Check<HostTarget> = {
  id: "host.engine",
  title: "Docker engine running and reachable",
  checklistIds: ["PRE-INFRA-01"],
  timeoutMs: 15_000,
  async run(t, ctx) {
    try {
      await enginePing(t.docker, ctx.signal);
    } catch (err) {
      return fail(`cannot reach the Docker engine at ${t.endpoint}: ${describeError(err)}`, {
        expected: `an engine answering at ${t.endpoint}`,
        actual: "no answer",
        remediation: ENGINE_FIX,
      });
    }
    return pass(`Docker engine answers at ${t.endpoint}`, { measurements: { endpoint: t.endpoint } });
  },
};

export const dockerVersionCheck: Check<HostTarget> = {
  id: "host.docker-version",
  title: "Docker engine version at least the minimum",
  checklistIds: ["PRE-INFRA-01"],
  timeoutMs: 15_000,
  async run(t, ctx) {
    let v: { Version: string; ApiVersion: string };
    try {
      v = await engineVersion(t.docker, ctx.signal);
    } catch (err) {
      return unreachable(t, "the engine version", err);
    }
    const min = t.thresholds.minDockerVersion;
    const expected = `Docker engine >= ${min}`;
    const have = parseVersion(v.Version);
    const want = parseVersion(min);
    if (!want)
      return fail(`minimum Docker version "${min}" is not a version`, {
        expected: "mcp:host.minDockerVersion like 20.10",
        actual: min,
        remediation: "Fix mcp:host.minDockerVersion.",
      });
    const measurements = { version: v.Version, apiVersion: v.ApiVersion };
    if (!have)
      return fail(`engine reports version "${v.Version}", which has no numeric release to compare with ${min}`, {
        expected,
        actual: v.Version,
        measurements,
        remediation: "Install a Docker Engine release >= " + min + ".",
      });
    if (compareVersions(have, want) < 0)
      return fail(`Docker engine ${v.Version} is older than the required ${min}`, {
        expected,
        actual: v.Version,
        measurements,
        remediation: `Upgrade the Docker engine to ${min} or newer.`,
      });
    return pass(`Docker engine ${v.Version} (API ${v.ApiVersion}) >= ${min}`, { expected, actual: v.Version, measurements });
  },
};

export const memoryCheck: Check<HostTarget> = {
  id: "host.memory",
  title: "Host memory at least the minimum",
  checklistIds: ["PRE-INFRA-03"],
  timeoutMs: 15_000,
  async run(t, ctx) {
    let info: { MemTotal: number };
    try {
      info = await engineInfo(t.docker, ctx.signal);
    } catch (err) {
      return unreachable(t, "the host's memory", err);
    }
    const min = t.thresholds.minMemoryGb;
    const expected = `MemTotal >= ${min} GB`;
    const actual = formatGb(info.MemTotal);
    const measurements = { memTotalBytes: info.MemTotal, minMemoryGb: min };
    if (info.MemTotal < min * GB)
      return fail(`host memory ${actual} is below the required ${min} GB`, {
        expected,
        actual,
        measurements,
        remediation: "Run the stack on a host with more memory, or lower the services' limits and mcp:host.minMemoryGb together.",
      });
    return pass(`host memory ${actual} >= ${min} GB`, { expected, actual, measurements });
  },
};

export const diskCheck: Check<HostTarget> = {
  id: "host.disk",
  title: "Free disk on the engine's data root at least the minimum",
  checklistIds: ["PRE-INFRA-04"],
  timeoutMs: 15_000,
  async run(t, ctx) {
    let root: string;
    try {
      root = (await engineInfo(t.docker, ctx.signal)).DockerRootDir;
    } catch (err) {
      return unreachable(t, "the engine's data root", err);
    }
    if (!t.local)
      return skip(`engine at ${t.endpoint} is remote: the Engine API does not report free disk, measure ${root} on that host (run host:check there)`);
    const min = t.thresholds.minDiskGb;
    const expected = `free space on ${root} >= ${min} GB`;
    let free: number;
    try {
      const s = await statfs(root);
      // bavail: what an unprivileged writer can still use (excludes the root-reserved blocks).
      free = Number(s.bavail) * Number(s.bsize);
    } catch (err) {
      return fail(`cannot measure free disk at the engine's data root ${root}: ${describeError(err)}`, {
        expected,
        actual: "not measurable",
        remediation: "Run host:check on the Docker host itself (the data root must be visible here).",
      });
    }
    const actual = formatGb(free);
    const measurements = { dataRoot: root, freeBytes: free, minDiskGb: min };
    if (free < min * GB)
      return fail(`free disk on ${root} is ${actual}, below the required ${min} GB`, {
        expected,
        actual,
        measurements,
        remediation: "Free space on the Docker data root (docker system prune, larger volume) or move data-root to a larger disk.",
      });
    return pass(`free disk on ${root} ${actual} >= ${min} GB`, { expected, actual, measurements });
  },
};

export const registriesCheck: Check<HostTarget> = {
  id: "host.registries",
  title: "Image registries answer",
  checklistIds: ["PRE-INFRA-05"],
  timeoutMs: 20_000,
  async run(t, ctx) {
    const regs = t.thresholds.registries;
    if (regs.length === 0) return skip("no registries configured (mcp:host.registries is empty)");
    if (!t.local)
      return skip(
        `engine at ${t.endpoint} is remote: pulls happen there, so reaching the registries from here proves nothing; run host:check on the Docker host`,
      );
    const timeoutMs = Math.min(t.registryTimeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS, 15_000);
    const probes = await Promise.all(regs.map((r) => probeRegistry(r, timeoutMs, ctx.signal)));
    const bad = probes.filter((p) => !p.reachable);
    const measurements = Object.fromEntries(probes.map((p) => [p.url, p.reachable ? `HTTP ${p.status} in ${p.ms} ms` : "unreachable"]));
    const expected = "each registry's /v2/ answers 200 or 401";
    if (bad.length) {
      const lines = bad.map((p) => `${p.url}: ${"reason" in p ? p.reason : ""}`);
      return fail(`${bad.length} of ${regs.length} registr${regs.length === 1 ? "y" : "ies"} unreachable: ${lines.join("; ")}`, {
        expected,
        actual: lines.join("; "),
        measurements,
        remediation:
          "Open outbound HTTPS to the registries (firewall, proxy in the engine's configuration), or mirror the images to a registry the host can reach and list it in mcp:host.registries.",
      });
    }
    return pass(`${regs.length} registr${regs.length === 1 ? "y answers" : "ies answer"}: ${probes.map((p) => `${p.url} (HTTP ${p.status})`).join(", ")}`, {
      expected,
      measurements,
    });
  },
};

/** Host ports published by containers of `stack` (a redeploy holds its own ports). */
async function portsOfStack(t: HostTarget, signal: AbortSignal): Promise<Map<number, string>> {
  const owned = new Map<number, string>();
  if (!t.stack) return owned;
  const listed = await t.docker.listContainers({ all: false, filters: { label: [`com.mcp.stack=${t.stack}`] }, abortSignal: signal });
  for (const c of listed) for (const p of c.Ports ?? []) if (p.PublicPort) owned.set(p.PublicPort, (c.Names?.[0] ?? c.Id).replace(/^\//, ""));
  return owned;
}

export const portsFreeCheck: Check<HostTarget> = {
  id: "host.ports-free",
  title: "Ports the stack publishes are free",
  // Not a firewall check (PRE-INFRA-06 stays an attestation): a free port says nothing about
  // what the host or cloud firewall lets through. This only keeps Nginx's bind from failing.
  checklistIds: [],
  timeoutMs: 15_000,
  async run(t, ctx) {
    if (t.ports.length === 0) return skip("the stack publishes no host ports");
    if (!t.local) return skip(`engine at ${t.endpoint} is remote: its host's ports cannot be probed from here; run host:check on the Docker host`);
    let owned = new Map<number, string>();
    try {
      owned = await portsOfStack(t, ctx.signal);
    } catch (err) {
      ctx.log(`could not list the stack's containers (${describeError(err)}); every busy port counts as a conflict`);
    }
    const lines: string[] = [];
    const problems: string[] = [];
    for (const p of t.ports) {
      const where = `${p.address}:${p.port} (${p.purpose})`;
      const r = await probePort(p.address, p.port);
      if (r.state === "free") lines.push(`${where} free${r.method === "connect" ? " (checked by connect: binding needs root)" : ""}`);
      else if (r.state === "in-use" && owned.has(p.port)) lines.push(`${where} held by this stack's container ${owned.get(p.port)} (redeploy)`);
      else if (r.state === "in-use") problems.push(`${where} is already in use by another process`);
      else if (r.state === "address-not-local") problems.push(`${where}: ${r.detail}`);
      else problems.push(`${where}: could not tell (${r.detail})`);
    }
    const expected = `bindable: ${t.ports.map((p) => `${p.address}:${p.port}`).join(", ")}`;
    if (problems.length) {
      return fail(problems.join("; "), {
        expected,
        actual: [...problems, ...lines].join("; "),
        remediation: "Stop whatever listens there (ss -ltnp 'sport = :PORT'), or set mcp:edge.httpPort / mcp:edge.httpsPort / mcp:edge.bindAddress.",
      });
    }
    return pass(lines.join("; "), { expected });
  },
};

/** Engine, version, memory, disk, registries, ports: what the host must have (no CIS control). */
export const RESOURCE_CHECKS: readonly CisCheck<HostTarget>[] = [engineCheck, dockerVersionCheck, memoryCheck, diskCheck, registriesCheck, portsFreeCheck].map(
  (c) => ({ ...c, cis: [] }),
);

/** Everything host:check and the pre-deploy gate run: resources, daemon hardening, swarm facts. */
export const HOST_CHECKS: readonly CisCheck<HostTarget>[] = [...RESOURCE_CHECKS, ...DAEMON_CHECKS, ...SWARM_CHECKS];
