/**
 * The whole MCP stack on one Docker host: networks, volumes, secrets, certificates, images
 * and containers, wired from the pure specs in infra/components. Returns the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { StackConfig } from "./config/load";
import type { ServiceName } from "./config/schema";
import { stackSpecs } from "./components";
import { createContainer, containerName } from "./components/container";
import { stackLabels } from "./components/common";
import { createCertificates } from "./tls";
import { createGeneratedSecrets } from "./secrets";
import { resourcePrefix } from "./topology";
import { buildOutputs, StackOutputsInput } from "./outputs";
import type { NetworkName, PublicMaterialName, SecretName, ServiceSpec } from "./spec";

export interface StackHooks {
  /** beforeCreate gate on the first resource the stack creates (host readiness). */
  gate?: pulumi.ResourceHookBinding;
  /** afterCreate/afterUpdate verification for a service's containers. */
  forService?(service: ServiceName, spec: ServiceSpec): pulumi.ResourceHookBinding | undefined;
  /** Receives the outputs once built: verification hooks read endpoints and credentials from them. */
  outputsReady?(outputs: ReturnType<typeof buildOutputs>): void;
}

export interface StackResources {
  specs: ServiceSpec[];
  networks: Record<NetworkName, docker.Network>;
  volumes: Record<string, docker.Volume>;
  images: Partial<Record<ServiceName, docker.RemoteImage>>;
  containers: Record<string, docker.Container>;
  outputs: ReturnType<typeof buildOutputs>;
}

const NETWORKS: Record<NetworkName, { internal: boolean; purpose: string }> = {
  edge: { internal: false, purpose: "Nginx and the services it proxies" },
  internal: { internal: true, purpose: "databases, cache, exporters and monitoring; no route out" },
  egress: { internal: false, purpose: "outbound only: alert notifications and off-site backups" },
};

export function createStack(config: StackConfig, stack: string, hooks: StackHooks = {}): StackResources {
  const prefix = resourcePrefix(stack);
  const ctx = { stack, prefix };
  const specs = stackSpecs(config, ctx);
  const labelList = (extra: Record<string, string>) => Object.entries({ ...stackLabels(config, ctx), ...extra }).map(([label, value]) => ({ label, value }));
  const netLabels = (purpose: string) => labelList({ "com.mcp.purpose": purpose });

  // The edge network is created first and everything depends on it, so its beforeCreate
  // hook is the gate in front of the whole stack.
  const edge = new docker.Network(`${prefix}-edge`, { name: `${prefix}-edge`, driver: "bridge", internal: NETWORKS.edge.internal, labels: netLabels(NETWORKS.edge.purpose) }, { hooks: hooks.gate });
  const after = { dependsOn: [edge] };
  const networks: Record<NetworkName, docker.Network> = {
    edge,
    internal: new docker.Network(`${prefix}-internal`, { name: `${prefix}-internal`, driver: "bridge", internal: true, labels: netLabels(NETWORKS.internal.purpose) }, after),
    egress: new docker.Network(`${prefix}-egress`, { name: `${prefix}-egress`, driver: "bridge", internal: false, labels: netLabels(NETWORKS.egress.purpose) }, after),
  };

  const volumeNames = [...new Set(specs.flatMap((s) => s.volumes.map((v) => v.volume)))];
  const volumes: Record<string, docker.Volume> = Object.fromEntries(
    volumeNames.map((v) => [
      v,
      new docker.Volume(`${prefix}-${v}`, { name: `${prefix}-${v}`, driver: "local", labels: labelList({ "com.mcp.volume": v }) }, { ...after, retainOnDelete: true }),
    ]),
  );

  const certs = createCertificates(config, prefix, after);
  const generated = createGeneratedSecrets(prefix, after);
  const secrets = {
    ...generated,
    tlsPrivateKey: certs.edgeKeyPem,
    postgresTlsKey: certs.postgresKeyPem,
    backupOffsiteSecretKey: pulumi.secret(config.backupOffsiteSecretKey ?? ""),
  } as Record<SecretName, pulumi.Output<string>>;
  const materials: Record<PublicMaterialName, pulumi.Output<string>> = {
    edgeTlsCert: certs.edgeCertPem,
    postgresTlsCert: certs.postgresCertPem,
    internalCaCert: certs.internalCaCertPem,
  };

  const images: Partial<Record<ServiceName, docker.RemoteImage>> = {};
  for (const spec of specs) {
    images[spec.service] ??= new docker.RemoteImage(`${prefix}-image-${spec.service}`, { name: spec.image, keepLocally: true }, after);
  }

  const containers: Record<string, docker.Container> = {};
  for (const spec of specs) {
    // Specs come in start order, so every dependency already exists here.
    const deps = spec.dependsOn.map((instance) => {
      const c = containers[instance];
      if (!c) throw new Error(`spec "${spec.instance}" depends on "${instance}", which is not declared before it`);
      return c;
    });
    containers[spec.instance] = createContainer(spec, {
      prefix,
      image: images[spec.service] as docker.RemoteImage,
      networks,
      volumes,
      secrets,
      materials,
      dependsOn: [edge, ...deps],
      hooks: hooks.forService?.(spec.service, spec),
    });
  }

  const input: StackOutputsInput = { config, stack, prefix, specs, networks, volumes, secrets, materials, containerName: (i) => containerName(prefix, i) };
  const outputs = buildOutputs(input);
  hooks.outputsReady?.(outputs);
  return { specs, networks, volumes, images, containers, outputs };
}
