/**
 * What the container checks compare against: the declared containers, built from the stack
 * outputs (`StackOutputs.services`), so `npm run verify` works from `pulumi stack output
 * --json --show-secrets` alone. Pure.
 */
import type Docker from "dockerode";
import type { StackOutputs } from "../../infra/outputs-types";

export interface DeclaredContainer {
  /** Docker container name. */
  name: string;
  service: string;
  /** "uid:gid", never root. */
  user: string;
  readOnlyRootfs: boolean;
  memoryMb: number;
  /** Docker `--cpus` as a decimal string, e.g. "0.5". */
  cpus: string;
  /** "ip:external->internal/proto". */
  publishedPorts: string[];
  /** Capabilities added back after dropping ALL. */
  capAdd: string[];
  /** json-file options, e.g. max-size / max-file. */
  logOpts: Record<string, string>;
}

/** A secret the containers must never carry in their environment. `name` is safe to print, `value` never. */
export interface KnownSecret {
  name: string;
  value: string;
}

export interface DockerTarget {
  docker: Docker;
  /** For messages: where the engine was reached. */
  endpoint: string;
  containers: DeclaredContainer[];
  secrets: KnownSecret[];
  /** Pulumi stack: containers labelled `com.mcp.stack=<stack>` but not declared are reported. */
  stack?: string;
  /** How long `docker.restarts` watches the restart counters (default 10 s). */
  restartWindowMs?: number;
  /** How long `docker.health` waits for `healthy` (default 60 s). */
  healthWaitMs?: number;
  /** Poll interval while waiting for health (default 1 s). */
  pollMs?: number;
}

/**
 * Outputs that are not secrets although they sit under `secrets` (the Grafana admin user
 * name is legitimately in Grafana's environment).
 */
const NOT_SECRET = new Set(["grafanaAdminUser"]);

/** What `pulumi stack output` prints for a secret when --show-secrets was not given. */
const MASKED = "[secret]";

export function secretsFromOutputs(outputs: Pick<StackOutputs, "secrets">): KnownSecret[] {
  return Object.entries(outputs.secrets ?? {})
    .filter(([name, value]) => !NOT_SECRET.has(name) && typeof value === "string" && value !== "" && value !== MASKED)
    .map(([name, value]) => ({ name, value: value as string }));
}

export function declaredFromOutputs(outputs: Pick<StackOutputs, "services">): DeclaredContainer[] {
  return outputs.services.flatMap((s) =>
    s.containers.map((name) => ({
      name,
      service: s.service,
      user: s.user,
      readOnlyRootfs: s.readOnlyRootfs,
      memoryMb: s.memoryMb,
      cpus: s.cpus,
      publishedPorts: [...s.publishedPorts],
      // The program adds no capability unless a spec says so (infra/components/common.ts).
      capAdd: [...(s.capAdd ?? [])],
      logOpts: { ...s.logOpts },
    })),
  );
}

export function dockerTargetFromOutputs(
  outputs: Pick<StackOutputs, "services" | "secrets" | "stack">,
  engine: { docker: Docker; endpoint: string },
  options: Pick<DockerTarget, "restartWindowMs" | "healthWaitMs" | "pollMs"> = {},
): DockerTarget {
  return { docker: engine.docker, endpoint: engine.endpoint, containers: declaredFromOutputs(outputs), secrets: secretsFromOutputs(outputs), stack: outputs.stack, ...options };
}
