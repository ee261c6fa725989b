/**
 * Turns a ServiceSpec (plain data) into a docker.Container. The only place that knows the
 * Docker provider's field names, so hardening is applied the same way to every service.
 * Checklist: SEC-CONTAINER-01..04, MON-LOG-04, SEC-DATA-02, SEC-DATA-03.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { NetworkName, PublicMaterialName, SecretName, ServiceSpec } from "../spec";

export interface ContainerDeps {
  prefix: string;
  image: docker.RemoteImage;
  networks: Record<NetworkName, docker.Network>;
  volumes: Record<string, docker.Volume>;
  secrets: Record<SecretName, pulumi.Output<string>>;
  materials: Record<PublicMaterialName, pulumi.Output<string>>;
  dependsOn: pulumi.Resource[];
  hooks?: pulumi.ResourceHookBinding;
}

export function containerName(prefix: string, instance: string): string {
  return `${prefix}-${instance}`;
}

/** Docker's `user` field takes uid:gid; upload ownership takes the uid and gid apart. */
function owner(user: string): { owner: string; group: string } {
  const [uid, gid] = user.split(":");
  return { owner: uid, group: gid ?? uid };
}

function uploads(spec: ServiceSpec, deps: ContainerDeps): pulumi.Input<docker.types.input.ContainerUpload>[] {
  const files: pulumi.Input<docker.types.input.ContainerUpload>[] = spec.configFiles.map((f) => ({
    file: f.path,
    content: typeof f.content === "string" ? f.content : deps.materials[f.content.material],
    permissions: f.mode,
    ...owner(f.owner ?? spec.user),
  }));
  for (const f of spec.secretFiles) {
    const needed = f.secrets.map((n) => deps.secrets[n]);
    const content = pulumi.all(needed).apply((values) => {
      const byName = Object.fromEntries(f.secrets.map((n, i) => [n, values[i]])) as Record<SecretName, string>;
      return f.render(byName);
    });
    files.push({ file: f.path, content: pulumi.secret(content), permissions: f.mode, ...owner(f.owner) });
  }
  return files;
}

export function createContainer(spec: ServiceSpec, deps: ContainerDeps): docker.Container {
  const name = containerName(deps.prefix, spec.instance);
  return new docker.Container(
    name,
    {
      name,
      image: deps.image.imageId,
      hostname: spec.instance,
      user: spec.user,
      command: spec.command,
      entrypoints: spec.entrypoint,
      envs: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      uploads: uploads(spec, deps),
      networksAdvanced: spec.networks.map((n) => ({ name: deps.networks[n.name].name, aliases: n.aliases })),
      ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external, ip: p.ip, protocol: p.protocol })),
      publishAllPorts: false,
      volumes: spec.volumes.map((v) => ({ volumeName: deps.volumes[v.volume].name, containerPath: v.containerPath, readOnly: v.readOnly ?? false })),
      tmpfs: spec.tmpfs,
      readOnly: spec.readOnlyRootfs,
      privileged: false,
      capabilities: { drops: ["ALL"], adds: spec.capAdd },
      securityOpts: ["no-new-privileges:true"],
      memory: spec.memoryMb,
      memorySwap: spec.memoryMb,
      cpus: spec.cpus,
      // Explicit so behaviour does not depend on the daemon default.
      ulimits: [{ name: "nofile", soft: 65536, hard: 65536 }],
      healthcheck: {
        tests: spec.healthcheck.test,
        interval: spec.healthcheck.interval,
        timeout: spec.healthcheck.timeout,
        retries: spec.healthcheck.retries,
        startPeriod: spec.healthcheck.startPeriod,
      },
      restart: spec.restart,
      logDriver: "json-file",
      logOpts: spec.logOpts,
      labels: Object.entries(spec.labels).map(([label, value]) => ({ label, value })),
      // Fail the deploy when the container never becomes healthy, instead of leaving it looping.
      wait: true,
      waitTimeout: 180,
      mustRun: true,
    },
    { dependsOn: deps.dependsOn, hooks: deps.hooks },
  );
}
