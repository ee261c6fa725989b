/**
 * What the host readiness checks look at: the engine the deploy talks to, the thresholds,
 * and the host ports the stack will publish. Built from the stack config.
 */
import type Docker from "dockerode";
import type { StackConfig } from "../../infra/config/load";
import type { DockerEndpoint } from "../docker/client";
import { thresholdsFromConfig, type HostThresholds } from "./thresholds";

/** Where dockerd reads its configuration unless started with --config-file. */
export const DEFAULT_DAEMON_JSON = "/etc/docker/daemon.json";

/** Host files the daemon and swarm checks read; tests point them at fixtures. */
export interface HostPaths {
  /** Directory with the kernel's socket tables `tcp` and `tcp6` (the swarm listener). */
  procNet: string;
  /** "Y" when the kernel has AppArmor enabled. */
  apparmorEnabled: string;
}

export const DEFAULT_HOST_PATHS: HostPaths = { procNet: "/proc/net", apparmorEnabled: "/sys/module/apparmor/parameters/enabled" };

export interface HostPort {
  address: string;
  port: number;
  purpose: string;
}

export interface HostTarget {
  docker: Docker;
  endpoint: string;
  /** Engine on this machine (unix socket): disk and ports can be measured from here. */
  local: boolean;
  thresholds: HostThresholds;
  ports: HostPort[];
  /** Pulumi stack: ports already held by this stack's own containers (a redeploy) are not a conflict. */
  stack?: string;
  /** Per-registry answer timeout (default 5 s). */
  registryTimeoutMs?: number;
  /** The engine's daemon.json on this machine (read only when `local`). */
  daemonJsonPath: string;
  /** Default DEFAULT_HOST_PATHS. */
  hostPaths?: Partial<HostPaths>;
}

/** The host ports the stack publishes: Nginx's HTTP and HTTPS on the edge bind address. */
export function publishedHostPorts(config: Pick<StackConfig, "edge">): HostPort[] {
  return [
    { address: config.edge.bindAddress, port: config.edge.httpPort, purpose: "edge HTTP (redirects to HTTPS)" },
    { address: config.edge.bindAddress, port: config.edge.httpsPort, purpose: "edge HTTPS" },
  ];
}

export function hostTargetFromConfig(
  config: Pick<StackConfig, "edge" | "host">,
  engine: DockerEndpoint,
  options: { overrides?: Partial<HostThresholds>; stack?: string; registryTimeoutMs?: number; daemonJsonPath?: string } = {},
): HostTarget {
  return {
    docker: engine.docker,
    endpoint: engine.endpoint,
    local: engine.local,
    thresholds: thresholdsFromConfig(config.host, options.overrides),
    ports: publishedHostPorts(config),
    stack: options.stack,
    registryTimeoutMs: options.registryTimeoutMs,
    daemonJsonPath: options.daemonJsonPath ?? DEFAULT_DAEMON_JSON,
  };
}
