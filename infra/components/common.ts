/**
 * What every service spec shares: hardening defaults, labels, log rotation, health-check
 * shape. One place, so a policy that checks "every container has X" has one source.
 */
import type { StackConfig } from "../config/load";
import type { ServiceName } from "../config/schema";
import { CHECKLIST_VERSION } from "../../checklist/items";
import type { HealthcheckSpec, SecretFileSpec, SecretName, ServiceSpec } from "../spec";

export interface SpecContext {
  stack: string;
  /** Docker resource name prefix, e.g. mcp-prod. */
  prefix: string;
}

/** json-file rotation: 5 x 10 MB per container (MON-LOG-04). */
export const LOG_OPTS: Readonly<Record<string, string>> = { "max-size": "10m", "max-file": "5", compress: "true" };

/** Labels every Docker object of the stack carries. */
export function stackLabels(config: StackConfig, ctx: SpecContext): Record<string, string> {
  return {
    "com.mcp.stack": ctx.stack,
    "com.mcp.environment": config.environment,
    "com.mcp.checklist-version": CHECKLIST_VERSION,
    "com.mcp.managed-by": "pulumi",
  };
}

export function labels(config: StackConfig, ctx: SpecContext, service: ServiceName, instance: string): Record<string, string> {
  return { ...stackLabels(config, ctx), "com.mcp.service": service, "com.mcp.instance": instance };
}

/** A health check that runs a shell command inside the container. */
export function shellHealthcheck(command: string, opts: Partial<HealthcheckSpec> = {}): HealthcheckSpec {
  return { test: ["CMD-SHELL", command], interval: "15s", timeout: "5s", retries: 5, startPeriod: "30s", ...opts };
}

/** busybox wget against a loopback URL: present in every default image (alpine/busybox based). */
export function httpHealthcheck(url: string, opts: Partial<HealthcheckSpec> = {}): HealthcheckSpec {
  return shellHealthcheck(`wget -q -T 4 -O /dev/null ${url} || exit 1`, opts);
}

/** tmpfs for a read-only root filesystem, owned by the container user. */
export function tmpfsFor(user: string, paths: string[], sizeMb = 64): Record<string, string> {
  const [uid, gid] = user.split(":");
  return Object.fromEntries(paths.map((p) => [p, `rw,noexec,nosuid,nodev,size=${sizeMb}m,mode=0700,uid=${uid},gid=${gid ?? uid}`]));
}

type SpecCore = Pick<ServiceSpec, "service" | "instance" | "image" | "user" | "healthcheck">;

/**
 * A spec with the hardened defaults filled in: non-root (the caller names the user),
 * read-only root, no extra capabilities, limits from config, restart, rotation, labels.
 */
export function baseSpec(config: StackConfig, ctx: SpecContext, core: SpecCore, rest: Partial<ServiceSpec> = {}): ServiceSpec {
  const limits = config.limits[core.service];
  return {
    env: {},
    configFiles: [],
    secretFiles: [],
    networks: [],
    ports: [],
    volumes: [],
    tmpfs: tmpfsFor(core.user, ["/tmp"]),
    readOnlyRootfs: true,
    capAdd: [],
    memoryMb: limits.memoryMb,
    cpus: limits.cpus,
    restart: "unless-stopped",
    labels: labels(config, ctx, core.service, core.instance),
    logOpts: { ...LOG_OPTS },
    dependsOn: [],
    ...core,
    ...rest,
  };
}

/** A file holding exactly one secret, readable only by the container user (0400). */
export function secretFile(path: string, secret: SecretName, owner: string): SecretFileSpec {
  return { path, secrets: [secret], render: (s) => s[secret], mode: "0400", owner };
}
