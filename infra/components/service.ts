/**
 * Turns a ServiceSpec (plain data) into a docker.Service. The only place that knows the
 * Docker provider's service field names, so hardening, limits, health and rollout
 * behaviour are applied the same way to every service. What a service cannot declare in
 * Docker API 1.41 / @pulumi/docker 5.2.0 (no-new-privileges, ulimits, pids limit, seccomp and
 * AppArmor profiles) the daemon enforces for every container (docs/docker-host.md).
 * Checklist: SEC-CONTAINER-01..04, MON-LOG-04, HA-REDUNDANCY-01/05, ROLLBACK-STEPS-01/02.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { hasHealthcheck, type NetworkName, type ServiceSpec } from "../spec";
import type { StackFiles } from "./files";
import { HEALTHCHECK_WATCH_LABEL, HEALTHCHECK_WATCHED_BY_PROMETHEUS, STATEFUL_CONSTRAINT } from "./common";
import { octalMode } from "./files";

export interface ServiceDeps {
  prefix: string;
  networks: Record<NetworkName, docker.Network>;
  volumes: Record<string, docker.Volume>;
  files: StackFiles;
  dependsOn: pulumi.Resource[];
  hooks?: pulumi.ResourceHookBinding;
}

export function serviceName(prefix: string, name: string): string {
  return `${prefix}-${name}`;
}

const MB = 1024 * 1024;
const nanoCpus = (cpus: string) => Math.round(Number(cpus) * 1e9);
const labelList = (labels: Record<string, string>) => Object.entries(labels).map(([label, value]) => ({ label, value }));

/** A healthy task is one whose health check passed; the deploy waits for every task to get there. */
const CONVERGE = { delay: "5s", timeout: "5m" };

export function serviceArgs(spec: ServiceSpec, deps: Omit<ServiceDeps, "dependsOn" | "hooks">): docker.ServiceArgs {
  const name = serviceName(deps.prefix, spec.name);
  const refs = deps.files.refsFor(spec);
  const hc = spec.healthcheck;
  const labels = labelList(hasHealthcheck(hc) ? spec.labels : { ...spec.labels, [HEALTHCHECK_WATCH_LABEL]: HEALTHCHECK_WATCHED_BY_PROMETHEUS });
  return {
    name,
    labels,
    mode: { replicated: { replicas: spec.replicas } },
    taskSpec: {
      containerSpec: {
        image: spec.image,
        user: spec.user,
        commands: spec.entrypoint,
        args: spec.command,
        env: spec.env,
        readOnly: spec.readOnlyRootfs,
        capDrops: ["ALL"],
        capAdds: spec.capAdd,
        configs: refs.configs,
        secrets: refs.secrets,
        mounts: [
          ...spec.volumes.map((v) => ({ type: "volume", source: deps.volumes[v.volume].name, target: v.containerPath, readOnly: v.readOnly ?? false })),
          ...spec.tmpfs.map((t) => ({ type: "tmpfs", target: t.path, tmpfsOptions: { sizeBytes: t.sizeMb * MB, mode: octalMode(t.mode) } })),
        ],
        // NONE keeps an image's own HEALTHCHECK from applying where the spec says there is none.
        healthcheck: hasHealthcheck(hc)
          ? { tests: hc.test, interval: hc.interval, timeout: hc.timeout, retries: hc.retries, startPeriod: hc.startPeriod }
          : { tests: ["NONE"] },
        stopGracePeriod: spec.stopGracePeriod,
        labels,
      },
      resources: {
        limits: { memoryBytes: spec.memoryMb * MB, nanoCpus: nanoCpus(spec.cpus) },
        reservation: { memoryBytes: spec.reservation.memoryMb * MB, nanoCpus: nanoCpus(spec.reservation.cpus) },
      },
      restartPolicy: { ...spec.restart },
      // The scheduler already spreads a service's replicas over the nodes that qualify. (The
      // provider sends a placement preference verbatim as its spread descriptor, so the CLI's
      // "spread=..." syntax would not parse there.)
      placement: { constraints: spec.stateful ? [STATEFUL_CONSTRAINT] : [] },
      logDriver: { name: "json-file", options: spec.logOpts },
      networksAdvanceds: spec.networks.map((n) => ({ id: deps.networks[n.name].id, aliases: n.aliases })),
    },
    updateConfig: { ...spec.update },
    rollbackConfig: { ...spec.rollback },
    endpointSpec: {
      mode: "vip",
      ports: spec.ports.map((p) => ({ targetPort: p.internal, publishedPort: p.external, protocol: p.protocol, publishMode: p.publishMode })),
    },
    // `pulumi up` waits until every task runs healthy, and fails the deploy when they do not.
    convergeConfig: CONVERGE,
  };
}

export function createService(spec: ServiceSpec, deps: ServiceDeps): docker.Service {
  const name = serviceName(deps.prefix, spec.name);
  // Some service fields are replace-only in the provider (networks, name): a replacement that
  // creates the new service first fails on its fixed name, so the old one goes first.
  return new docker.Service(name, serviceArgs(spec, deps), { dependsOn: deps.dependsOn, hooks: deps.hooks, deleteBeforeReplace: true });
}
