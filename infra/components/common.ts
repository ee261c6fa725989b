/**
 * What every service spec shares: hardening defaults, labels, log rotation, health-check
 * shape, restart/update/rollback behaviour. One place, so a policy that checks "every
 * service has X" has one source.
 */
import type { StackConfig } from "../config/load";
import type { ServiceName } from "../config/schema";
import { CHECKLIST_VERSION } from "../../checklist/items";
import type { HealthcheckSpec, RestartSpec, SecretFileSpec, SecretName, ServiceSpec, TmpfsSpec, UpdateSpec } from "../spec";

export interface SpecContext {
  stack: string;
  /** Docker resource name prefix, e.g. mcp-prod. */
  prefix: string;
}

/** json-file rotation: 5 x 10 MB per container (MON-LOG-04). */
export const LOG_OPTS: Readonly<Record<string, string>> = { "max-size": "10m", "max-file": "5", compress: "true" };

/** Node label the stateful services are pinned to: `docker node update --label-add com.mcp.stateful=true <node>`. */
export const STATEFUL_NODE_LABEL = "com.mcp.stateful";
export const STATEFUL_NODE_LABEL_VALUE = "true";
export const STATEFUL_CONSTRAINT = `node.labels.${STATEFUL_NODE_LABEL}==${STATEFUL_NODE_LABEL_VALUE}`;

/**
 * On a service without a health check (its image cannot run one, infra/image-facts.ts): what
 * watches it instead. Prometheus' up{} series and the ServiceDown alert see it stop answering;
 * the `container-healthcheck` policy accepts a missing health check only with this label.
 */
export const HEALTHCHECK_WATCH_LABEL = "com.mcp.healthcheck";
export const HEALTHCHECK_WATCHED_BY_PROMETHEUS = "prometheus-up";

/** Labels every Docker object of the stack carries. */
export function stackLabels(config: StackConfig, ctx: SpecContext): Record<string, string> {
  return {
    "com.mcp.stack": ctx.stack,
    "com.mcp.environment": config.environment,
    "com.mcp.checklist-version": CHECKLIST_VERSION,
    "com.mcp.managed-by": "pulumi",
  };
}

export function labels(config: StackConfig, ctx: SpecContext, service: ServiceName, name: string): Record<string, string> {
  return { ...stackLabels(config, ctx), "com.mcp.service": service, "com.mcp.instance": name };
}

/**
 * Health-check timing: unhealthy after start period + 3 x 10 s, which is also how long a
 * rolling update waits before it rolls a bad task back.
 */
const HEALTH_TIMING = { interval: "10s", timeout: "5s", retries: 3, startPeriod: "20s" } as const;

/** A health check that needs a shell (pipes, $(...)): only for images that have one (docs/images.md). */
export function shellHealthcheck(command: string, opts: Partial<HealthcheckSpec> = {}): HealthcheckSpec {
  return { test: ["CMD-SHELL", command], ...HEALTH_TIMING, ...opts };
}

/** A health check exec'd directly (no shell needed). */
export function execHealthcheck(argv: string[], opts: Partial<HealthcheckSpec> = {}): HealthcheckSpec {
  return { test: ["CMD", ...argv], ...HEALTH_TIMING, ...opts };
}

/** busybox wget against a loopback URL, exec form: needs wget, not a shell. */
export function httpHealthcheck(url: string, opts: Partial<HealthcheckSpec> = {}): HealthcheckSpec {
  return execHealthcheck(["wget", "-q", "-T", "4", "-O", "/dev/null", url], opts);
}

/**
 * tmpfs for a read-only root filesystem. Swarm tmpfs mounts are owned by root and take no
 * uid, so directories the (non-root) service writes are world-writable with the sticky bit.
 * Where the path already exists in the image, the engine keeps that directory's mode instead
 * (seen on Docker 20.10): only paths the image makes writable for everyone (/tmp, PostgreSQL's
 * socket directory) or does not have are mounted this way.
 */
export function tmpfsFor(paths: string[], sizeMb = 64): TmpfsSpec[] {
  return paths.map((path) => ({ path, sizeMb, mode: "1777" }));
}

/** Restarts a failed task after 5 s, at most 5 times in 2 minutes: a crash loop stops and shows. */
export const RESTART: RestartSpec = { condition: "any", delay: "5s", maxAttempts: 5, window: "2m" };

/**
 * One task at a time, each watched for 30 s after it is healthy; any failure rolls the service
 * back. `stopFirst`: two tasks must never run at once, because they would share a volume
 * (stateful) or a node's host-mode port (the old task holds it, the new one would wait forever).
 */
export function updateFor(stopFirst: boolean): UpdateSpec {
  return { parallelism: 1, delay: "5s", monitor: "30s", order: stopFirst ? "stop-first" : "start-first", failureAction: "rollback", maxFailureRatio: "0" };
}

export function rollbackFor(stopFirst: boolean): ServiceSpec["rollback"] {
  return { parallelism: 1, delay: "0s", monitor: "10s", order: stopFirst ? "stop-first" : "start-first", failureAction: "pause", maxFailureRatio: "0" };
}

/** What the scheduler sets aside: half the memory limit, a tenth of the CPU limit. */
export function reservationFor(memoryMb: number, cpus: string): ServiceSpec["reservation"] {
  return { memoryMb: Math.max(8, Math.floor(memoryMb / 2)), cpus: Math.max(0.01, Number(cpus) / 10).toFixed(2) };
}

type SpecCore = Pick<ServiceSpec, "service" | "name" | "image" | "user" | "healthcheck">;

/**
 * A spec with the hardened defaults filled in: non-root (the caller names the user),
 * read-only root, no extra capabilities, limits and reservations from config, one replica,
 * restart/update/rollback behaviour, rotation, labels.
 */
export function baseSpec(config: StackConfig, ctx: SpecContext, core: SpecCore, rest: Partial<ServiceSpec> = {}): ServiceSpec {
  const limits = config.limits[core.service];
  const stateful = rest.stateful ?? false;
  const stopFirst = stateful || (rest.ports ?? []).some((p) => p.publishMode === "host");
  return {
    env: {},
    configFiles: [],
    secretFiles: [],
    networks: [],
    ports: [],
    volumes: [],
    tmpfs: tmpfsFor(["/tmp"]),
    readOnlyRootfs: true,
    capAdd: [],
    memoryMb: limits.memoryMb,
    cpus: limits.cpus,
    reservation: reservationFor(limits.memoryMb, limits.cpus),
    replicas: 1,
    stateful,
    restart: { ...RESTART },
    update: updateFor(stopFirst),
    rollback: rollbackFor(stopFirst),
    stopGracePeriod: "30s",
    labels: labels(config, ctx, core.service, core.name),
    logOpts: { ...LOG_OPTS },
    dependsOn: [],
    ...core,
    ...rest,
  };
}

/** A file holding exactly one secret, readable only by the service user (0400). */
export function secretFile(path: string, secret: SecretName, owner: string): SecretFileSpec {
  return { path, secrets: [secret], render: (s) => s[secret], mode: "0400", owner };
}
