/**
 * A test engine configured the way docs/docker-host.md configures a production node: the
 * daemon.json of infra/render/daemon-json.ts, a one-node swarm with autolock on, and the
 * stateful-services node label. Where this machine cannot run the recommended value, the test
 * engine differs in exactly the keys listed by `hardenedDaemonConfig().differences`, each with
 * its reason; the recommended value itself stays as it is.
 */
import { existsSync, readFileSync } from "node:fs";
import type Docker from "dockerode";
import { DAEMON_JSON_DEFAULTS, renderDaemonConfig } from "../../infra/render/daemon-json";
import { STATEFUL_NODE_LABEL, STATEFUL_NODE_LABEL_VALUE } from "../../validate/host/swarm-checks";
import { startDockerEngine, type DockerEngine, type EngineOptions } from "./engine";
import { LOCAL_ADDRESS_POOL } from "./swarm";

/** The kernel confines processes with AppArmor or SELinux (then dockerd uses it too). */
function kernelHasLsm(): boolean {
  const read = (f: string) => (existsSync(f) ? readFileSync(f, "utf8").trim() : "");
  return read("/sys/module/apparmor/parameters/enabled") === "Y" || existsSync("/sys/fs/selinux/enforce");
}

/**
 * Host checks that skip on the hardened engine of this machine, and why (the record's message
 * says so too); every other host check passes there.
 */
export const SKIPPED_ON_HARDENED: Readonly<Record<string, string>> = {
  ...(kernelHasLsm() ? {} : { "host.daemon-apparmor": "this kernel has neither AppArmor nor SELinux: CIS 5.2 applies if applicable" }),
  "host.daemon-pids-limit": "no Docker Engine has a daemon-wide pids limit (docs/docker-host.md: Pids limit)",
};

export interface MachineDifference {
  key: string;
  recommended: unknown;
  here: unknown;
  why: string;
}

/** This process's hard limit for a /proc/self/limits row ("Max open files"); Infinity when unlimited. */
export function processHardLimit(row: string): number {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith(row));
  if (!line) throw new Error(`/proc/self/limits has no "${row}" row`);
  const hard = line.slice(row.length).trim().split(/\s+/)[1];
  return hard === "unlimited" ? Infinity : Number(hard);
}

/** The recommended daemon.json, minus what this machine cannot run, and the list of those differences. */
export function hardenedDaemonConfig(): { config: Record<string, unknown>; differences: MachineDifference[] } {
  const recommended = renderDaemonConfig();
  const config: Record<string, unknown> = { ...recommended };
  const differences: MachineDifference[] = [];
  const differ = (key: string, here: unknown, why: string) => {
    differences.push({ key, recommended: recommended[key], here, why });
    if (here === undefined) delete config[key];
    else config[key] = here;
  };

  // runc cannot raise a container's limit above what dockerd itself may have: a nofile above
  // this sandbox's hard RLIMIT_NOFILE fails every container start ("error setting rlimit type 7:
  // operation not permitted"). dockerd inherits this process's limits.
  const nofileHard = processHardLimit("Max open files");
  if (DAEMON_JSON_DEFAULTS.nofile > nofileHard) {
    const ulimits = recommended["default-ulimits"] as Record<string, { Name: string; Soft: number; Hard: number }>;
    differ(
      "default-ulimits",
      { ...ulimits, nofile: { Name: "nofile", Soft: nofileHard, Hard: nofileHard } },
      `nofile capped at this process's hard RLIMIT_NOFILE (${nofileHard}): a container limit above it cannot be set here`,
    );
  }
  // The test engine runs --iptables=false (nothing may route off this machine), and dockerd
  // refuses icc=false without iptables ("ICC=false uses iptables to function"). With
  // --bridge=none it has no default bridge whose traffic icc would restrict.
  differ("icc", undefined, "dockerd refuses icc=false with --iptables=false, which the test engine must keep; it has no default bridge (--bridge=none) either");
  // Test networks only inside the range reserved for network testing, never a private range.
  differ("default-address-pools", [LOCAL_ADDRESS_POOL], "test networks come from 198.18.0.0/15 only, never from a private range");
  return { config, differences };
}

/**
 * Sets (or, with undefined, removes) labels on a swarm node. The node object changes under us
 * right after `swarm init` (its status settles), which the manager answers with "update out of
 * sequence": read the version again and retry, at most 20 times.
 */
export async function updateNodeLabels(docker: Docker, nodeId: string, change: Record<string, string | undefined>): Promise<void> {
  const node = docker.getNode(nodeId);
  for (let attempt = 1; ; attempt++) {
    const info = (await node.inspect()) as { Version: { Index: number }; Spec: { Labels?: Record<string, string> } & Record<string, unknown> };
    const labels: Record<string, string> = { ...info.Spec.Labels };
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete labels[k];
      else labels[k] = v;
    }
    try {
      // docker-modem sends `_query` as the query string and `_body` as the JSON body.
      await node.update({ _query: { version: info.Version.Index }, _body: { ...info.Spec, Labels: labels } } as never);
      return;
    } catch (err) {
      if (attempt >= 20 || !/out of sequence/.test(String((err as Error).message))) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface HardenedEngine extends DockerEngine {
  /** Where the engine reads its configuration (host:check --daemon-json). */
  daemonJsonPath: string;
  differences: MachineDifference[];
}

/** The hardened one-node swarm manager, its node labelled for the stateful services. */
export async function startHardenedEngine(options: Omit<EngineOptions, "swarm" | "daemonConfig"> = {}): Promise<HardenedEngine> {
  const { config, differences } = hardenedDaemonConfig();
  const engine = await startDockerEngine({ ...options, swarm: true, daemonConfig: config });
  try {
    await updateNodeLabels(engine.docker, engine.swarm!.nodeId, { [STATEFUL_NODE_LABEL]: STATEFUL_NODE_LABEL_VALUE });
  } catch (err) {
    await engine.stop();
    throw err;
  }
  return Object.assign(engine, { daemonJsonPath: `${engine.dir}/daemon.json`, differences });
}
