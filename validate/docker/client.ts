/**
 * The Docker Engine API client for the host and container checks. Which engine: an explicit
 * `host` (same syntax as DOCKER_HOST), else DOCKER_HOST, else the default socket, exactly as
 * the Docker CLI and the Pulumi Docker provider pick it, so the checks look at the engine
 * the deploy talks to.
 */
import Docker from "dockerode";

export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

export interface DockerEndpoint {
  docker: Docker;
  /** Where the engine was reached, for messages: `unix:///var/run/docker.sock`, `tcp://h:2376`. */
  endpoint: string;
  /**
   * True for a unix socket: the engine runs on this machine, so its data root's free disk
   * and the host's ports can be measured from here.
   */
  local: boolean;
}

export type DockerHostTarget = { socketPath: string } | { protocol: "http" | "https" | "ssh"; host: string; port: number; username?: string };

const ACCEPTED_FORMS = "unix:///var/run/docker.sock, /path/to/docker.sock, tcp://host:2376, https://host:2376 or ssh://user@host";

/**
 * Parses a DOCKER_HOST-style address. Throws naming the value when it cannot be used. An
 * address without a scheme is refused rather than read as tcp://: a typo would otherwise point
 * the checks at a made-up engine on port 2375.
 */
export function parseDockerHost(host: string | undefined): DockerHostTarget {
  if (!host || host === "unix://") return { socketPath: DEFAULT_DOCKER_SOCKET };
  if (host.startsWith("unix://")) return { socketPath: host.slice("unix://".length) };
  if (host.startsWith("/")) return { socketPath: host };
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) throw new Error(`Docker host "${host}" has no scheme and is not a socket path (use ${ACCEPTED_FORMS})`);
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new Error(`Docker host "${host}" is not an address (use ${ACCEPTED_FORMS})`);
  }
  if (!["tcp:", "http:", "https:", "ssh:"].includes(url.protocol))
    throw new Error(`Docker host "${host}": unsupported scheme ${url.protocol} (use unix://, tcp://, https:// or ssh://)`);
  if (!url.hostname) throw new Error(`Docker host "${host}" names no host (use ${ACCEPTED_FORMS})`);
  const tls = url.protocol === "https:" || process.env.DOCKER_TLS_VERIFY === "1" || url.port === "2376";
  const protocol = url.protocol === "ssh:" ? "ssh" : tls ? "https" : "http";
  const port = Number(url.port || (protocol === "ssh" ? 22 : tls ? 2376 : 2375));
  // The ssh user decides which account (and which engine socket permissions) the checks get.
  if (protocol === "ssh" && url.username) return { protocol, host: url.hostname, port, username: decodeURIComponent(url.username) };
  return { protocol, host: url.hostname, port };
}

export function connectDocker(host: string | undefined = process.env.DOCKER_HOST, timeoutMs = 10_000): DockerEndpoint {
  const target = parseDockerHost(host);
  if ("socketPath" in target) {
    // host/port cleared explicitly: docker-modem merges DOCKER_HOST defaults under our options.
    const docker = new Docker({ socketPath: target.socketPath, host: undefined, port: undefined, protocol: undefined, timeout: timeoutMs });
    return { docker, endpoint: `unix://${target.socketPath}`, local: true };
  }
  // TLS material comes from DOCKER_CERT_PATH through docker-modem's defaults (as with the CLI).
  const user = "username" in target && target.username ? { username: target.username } : {};
  const docker = new Docker({ protocol: target.protocol, host: target.host, port: target.port, ...user, timeout: timeoutMs });
  const scheme = target.protocol === "ssh" ? "ssh" : "tcp";
  return { docker, endpoint: `${scheme}://${user.username ? `${user.username}@` : ""}${target.host}:${target.port}`, local: false };
}
