/**
 * From stack outputs to a ready VerifyTarget, the same way for `npm run verify` and the
 * deploy hooks: the Docker Engine API (DOCKER_HOST or the default socket, as `pulumi up`
 * uses) opens exec tunnels through a task container of a service on the internal network,
 * lists each app replica's address from the swarm's tasks, serves the PostgreSQL log, and
 * is the target of the service and container checks. `close()` must always run.
 */
import { lookup } from "node:dns/promises";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "../infra/config/load";
import type { StackOutputs } from "../infra/outputs-types";
import { errorMessage } from "./core/errors";
import { connectDocker } from "./docker/client";
import { dockerTargetFromOutputs } from "./docker/declared";
import { call, taskAddresses } from "./docker/tasks";
import { dockerExecReach, RELAY_SERVICES, staticReach, type Docker, type Reach } from "./reach";
import { dockerLogSource, dockerServiceLogSource } from "./reach/docker-logs";
import { DOCKER_EXTRA, HOST_EXTRA } from "./registry";
import { hostTargetFromConfig } from "./host";
import { BACKUP_EXTRA, backupTargetFromStack } from "./backup";
import { targetFromOutputs, type TargetOptions } from "./target-from-outputs";
import type { LogSource, VerifyTarget } from "./target";

export interface ConnectOptions {
  config: StackConfig;
  /** Docker engine address (DOCKER_HOST syntax); default DOCKER_HOST or the local socket. */
  dockerHost?: string;
  /** Container to relay through (default: a running task of redis, postgres or backup). */
  relayContainer?: string;
  /** The checks run on the stack's internal network themselves: connect to internal names directly. */
  direct?: boolean;
  /** Replaces the Docker exec tunnels (tests). */
  reach?: Reach;
  edgeCa?: string;
  resolve?: Record<string, string>;
  connectTo?: Record<string, string>;
  healthSamples?: number;
  expect?: TargetOptions["expect"];
  /** Replaces the PostgreSQL container log (tests). */
  postgresLogs?: LogSource;
  /** Each app replica's address on the stack network (tests); default: from the swarm's tasks. */
  appReplicaHosts?: string[];
  /** The engine's daemon.json on this host (its --config-file); default /etc/docker/daemon.json. */
  daemonJsonPath?: string;
  /** Backup checks: the restore drills are opt-in (they take minutes on a big database). */
  backup?: { drill?: boolean; projectDir?: string };
  log?: (line: string) => void;
}

export interface StackConnection {
  target: VerifyTarget;
  /** How internal services are reached, for progress output. */
  via: string;
  close(): Promise<void>;
}

/** A running task container of `service` on this engine (its swarm service name from the outputs). */
export async function taskContainerOf(docker: Docker, outputs: Pick<StackOutputs, "services">, service: string): Promise<string | undefined> {
  const entry = outputs.services.find((x) => x.service === service);
  if (!entry) return undefined;
  const list = (await call(docker, "listContainers", { filters: { label: [`com.docker.swarm.service.name=${entry.name}`], status: ["running"] } })) as {
    Names?: string[];
    Id: string;
  }[];
  return list[0] ? (list[0].Names?.[0] ?? list[0].Id).replace(/^\//, "") : undefined;
}

export async function relayContainerFor(docker: Docker, outputs: Pick<StackOutputs, "services">, explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit;
  for (const s of RELAY_SERVICES) {
    const c = await taskContainerOf(docker, outputs, s);
    if (c) return c;
  }
  return undefined;
}

/** Each app replica's address on the internal network: from the swarm's tasks, or (on the network itself) tasks.<app> DNS. */
async function appReplicaHosts(outputs: StackOutputs, engine: ReturnType<typeof connectDocker> | undefined, direct: boolean): Promise<string[] | undefined> {
  const app = outputs.services.find((s) => s.service === "app");
  if (!app) return undefined;
  if (engine) {
    const addrs = await taskAddresses(engine.docker, app.name, outputs.networks.internal).catch(() => []);
    if (addrs.length) return addrs;
  }
  // getaddrinfo, as the stack's own services resolve names (Docker's embedded DNS on the network).
  if (direct)
    return lookup(outputs.internalEndpoints.app.tasksHost, { all: true, family: 4 }).then(
      (as) => [...new Set(as.map((a) => a.address))],
      () => undefined,
    );
  return undefined;
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function connectToStack(outputs: StackOutputs, options: ConnectOptions): Promise<StackConnection> {
  const log = options.log ?? (() => undefined);
  let engine: ReturnType<typeof connectDocker> | undefined;
  let dockerError = "";
  // The engine serves the tunnels, the PostgreSQL log and the container checks; without it those are skipped or fail clearly.
  try {
    engine = connectDocker(options.dockerHost, 10_000);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([engine.docker.ping(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("no answer within 3 s")), 3000)))]);
    } finally {
      clearTimeout(timer);
    }
  } catch (e) {
    dockerError = `Docker Engine API not reachable (${errorMessage(e)})`;
    engine = undefined;
  }
  let reach = options.reach;
  if (!reach) {
    const relay = engine ? await relayContainerFor(engine.docker, outputs, options.relayContainer).catch(() => undefined) : undefined;
    if (options.direct) reach = staticReach();
    else if (engine && relay) reach = dockerExecReach({ docker: engine.docker, container: relay, onError: (m) => log(m) });
    else {
      log(
        `${dockerError || "no relay container in the outputs (pass --relay-container)"}: internal services are tried by name and will fail unless this runs on the stack's network`,
      );
      reach = staticReach();
    }
  }
  const pgContainer = engine ? await taskContainerOf(engine.docker, outputs, "postgres").catch(() => undefined) : undefined;
  // The audit lines of every replica, through the manager's service logs (mcp.audit).
  const appService = outputs.services.find((s) => s.service === "app")?.name;
  const extra: Record<string, unknown> = {};
  if (engine) {
    extra[DOCKER_EXTRA] = dockerTargetFromOutputs(outputs, engine);
    extra[HOST_EXTRA] = hostTargetFromConfig(options.config, engine, { stack: outputs.stack, daemonJsonPath: options.daemonJsonPath });
  }
  // The backup checks read the volumes from the engine's data root: only on the Docker host, with access to it.
  const dockerRoot = engine?.local
    ? await engine.docker.info().then(
        (i: { DockerRootDir?: string }) => i.DockerRootDir,
        () => undefined,
      )
    : undefined;
  if (dockerRoot && readable(join(dockerRoot, "volumes"))) {
    const drill = !!options.backup?.drill;
    extra[BACKUP_EXTRA] = backupTargetFromStack({
      stack: outputs.stack,
      config: options.config,
      outputs,
      dockerRoot,
      drill: drill ? {} : false,
      projectDir: drill ? options.backup?.projectDir : undefined,
    });
  }
  try {
    const target = await targetFromOutputs(outputs, {
      config: options.config,
      reach,
      edgeCa: options.edgeCa,
      resolve: options.resolve,
      connectTo: options.connectTo,
      healthSamples: options.healthSamples,
      expect: options.expect,
      postgresLogs: options.postgresLogs ?? (engine && pgContainer ? dockerLogSource(engine.docker, pgContainer) : undefined),
      appLogs: engine && appService ? dockerServiceLogSource(engine.docker, appService) : undefined,
      appReplicaHosts: options.appReplicaHosts ?? (options.reach ? undefined : await appReplicaHosts(outputs, engine, !!options.direct)),
      extra,
    });
    const r = reach;
    return { target, via: r.describe(), close: () => r.close() };
  } catch (e) {
    await reach.close();
    throw e;
  }
}
