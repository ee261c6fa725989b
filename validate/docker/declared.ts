/**
 * What the container checks compare against: the declared swarm services, built from the
 * stack outputs (`StackOutputs.services`), so `npm run verify` works from `pulumi stack output
 * --json --show-secrets` alone. Pure.
 */
import type Docker from "dockerode";
import { knownSecrets, type KnownSecret } from "../../evidence/secrets";
import type { MountedFile, StackOutputs } from "../../infra/outputs-types";

export interface DeclaredService {
  /** Swarm service name. */
  name: string;
  service: string;
  replicas: number;
  /** "uid:gid", never root. */
  user: string;
  readOnlyRootfs: boolean;
  memoryMb: number;
  /** Docker `--cpus` as a decimal string, e.g. "0.5". */
  cpus: string;
  /** "external->internal/proto (mode)". */
  publishedPorts: string[];
  /** Capabilities added back after dropping ALL. */
  capAdd: string[];
  /** json-file options, e.g. max-size / max-file. */
  logOpts: Record<string, string>;
  /** false: the image cannot run a health check (docs/images.md); Prometheus' up watches it. */
  healthcheck: boolean;
  secretFiles: MountedFile[];
  configFiles: MountedFile[];
}

/** One running task container of a declared service, as found on the engine. */
export interface DeclaredContainer extends Omit<DeclaredService, "name" | "replicas"> {
  /** Docker container name (`<service>.<slot>.<task id>`). */
  name: string;
  /** Swarm service it is a task of. */
  serviceName: string;
  /** Swarm task ID (label com.docker.swarm.task.id). */
  taskId: string;
}

/** A secret the containers must never carry in their environment. `name` is safe to print, `value` never. */
export type { KnownSecret } from "../../evidence/secrets";

export interface DockerTarget {
  docker: Docker;
  /** For messages: where the engine was reached. */
  endpoint: string;
  /** The engine runs on this machine: container processes can be read under /proc. */
  local: boolean;
  services: DeclaredService[];
  secrets: KnownSecret[];
  /** Pulumi stack: services labelled `com.mcp.stack=<stack>` but not declared are reported. */
  stack?: string;
  /** How long `docker.restarts` watches the service's tasks (default 10 s). */
  restartWindowMs?: number;
  /** How long `docker.health` and `docker.running` wait for tasks to settle (default 60 s). */
  healthWaitMs?: number;
  /** Poll interval while waiting (default 1 s). */
  pollMs?: number;
}

export function secretsFromOutputs(outputs: Pick<StackOutputs, "secrets">): KnownSecret[] {
  return knownSecrets(outputs);
}

export function declaredFromOutputs(outputs: Pick<StackOutputs, "services">): DeclaredService[] {
  return outputs.services.map((s) => ({
    name: s.name,
    service: s.service,
    replicas: s.replicas,
    user: s.user,
    readOnlyRootfs: s.readOnlyRootfs,
    memoryMb: s.memoryMb,
    cpus: s.cpus,
    publishedPorts: [...s.publishedPorts],
    // The program adds no capability unless a spec says so (infra/components/common.ts).
    capAdd: [...(s.capAdd ?? [])],
    logOpts: { ...s.logOpts },
    healthcheck: s.healthcheck,
    secretFiles: s.secretFiles.map((f) => ({ ...f })),
    configFiles: s.configFiles.map((f) => ({ ...f })),
  }));
}

export function dockerTargetFromOutputs(
  outputs: Pick<StackOutputs, "services" | "secrets" | "stack">,
  engine: { docker: Docker; endpoint: string; local: boolean },
  options: Pick<DockerTarget, "restartWindowMs" | "healthWaitMs" | "pollMs"> = {},
): DockerTarget {
  return {
    docker: engine.docker,
    endpoint: engine.endpoint,
    local: engine.local,
    services: declaredFromOutputs(outputs),
    secrets: secretsFromOutputs(outputs),
    stack: outputs.stack,
    ...options,
  };
}
