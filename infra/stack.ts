/**
 * The whole MCP stack on a Docker swarm: overlay networks, volumes, certificates, generated
 * secrets, Docker configs and secrets for every file, and one swarm service per spec of
 * infra/components. Returns the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import type { StackConfig } from "./config/load";
import type { ServiceName } from "./config/schema";
import { stackSpecs } from "./components";
import { createService, serviceName } from "./components/service";
import { createStackFiles } from "./components/files";
import { stackLabels } from "./components/common";
import { createCertificates } from "./tls";
import { createGeneratedSecrets } from "./secrets";
import { resourcePrefix } from "./topology";
import { buildOutputs, StackOutputsInput } from "./outputs";
import type { NetworkName, PublicMaterialName, SecretName, ServiceSpec } from "./spec";

export interface StackHooks {
  /** beforeCreate gate on the first resource the stack creates (host readiness). */
  gate?: pulumi.ResourceHookBinding;
  /** afterCreate/afterUpdate verification for a service. */
  forService?(service: ServiceName, spec: ServiceSpec): pulumi.ResourceHookBinding | undefined;
  /** Receives the outputs once built: verification hooks read endpoints and credentials from them. */
  outputsReady?(outputs: ReturnType<typeof buildOutputs>): void;
}

export interface StackResources {
  specs: ServiceSpec[];
  networks: Record<NetworkName, docker.Network>;
  volumes: Record<string, docker.Volume>;
  configs: docker.ServiceConfig[];
  secrets: docker.Secret[];
  services: Record<string, docker.Service>;
  outputs: ReturnType<typeof buildOutputs>;
}

/**
 * Overlays span every node of the swarm, so each is encrypted (IPsec between nodes, CIS
 * Docker 7.4). Only `internal` has no route off the swarm; `egress` exists for the two
 * services that must reach outside (alert notifications, off-site backups).
 */
export const NETWORKS: Record<NetworkName, { internal: boolean; purpose: string }> = {
  edge: { internal: false, purpose: "Nginx and the services it proxies" },
  internal: { internal: true, purpose: "databases, cache, exporters and monitoring; no route out" },
  egress: { internal: false, purpose: "outbound only: alert notifications and off-site backups" },
};

export function networkName(prefix: string, network: NetworkName): string {
  return `${prefix}-${network}`;
}

export function createStack(config: StackConfig, stack: string, hooks: StackHooks = {}): StackResources {
  const prefix = resourcePrefix(stack);
  const ctx = { stack, prefix };
  const specs = stackSpecs(config, ctx);
  const labels = stackLabels(config, ctx);
  const labelList = (extra: Record<string, string>) => Object.entries({ ...labels, ...extra }).map(([label, value]) => ({ label, value }));
  const overlay = (network: NetworkName, opts: pulumi.CustomResourceOptions) =>
    new docker.Network(
      networkName(prefix, network),
      {
        name: networkName(prefix, network),
        driver: "overlay",
        internal: NETWORKS[network].internal,
        // Only the stack's own services join; `docker run --network` cannot.
        attachable: false,
        options: { encrypted: "true" },
        labels: labelList({ "com.mcp.purpose": NETWORKS[network].purpose }),
      },
      opts,
    );

  // The edge network is created first and everything depends on it, so its beforeCreate
  // hook is the gate in front of the whole stack.
  const edge = overlay("edge", { hooks: hooks.gate });
  const after = { dependsOn: [edge] };
  const networks: Record<NetworkName, docker.Network> = { edge, internal: overlay("internal", after), egress: overlay("egress", after) };

  const volumeNames = [...new Set(specs.flatMap((s) => s.volumes.map((v) => v.volume)))];
  const volumes: Record<string, docker.Volume> = Object.fromEntries(
    volumeNames.map((v) => [
      v,
      new docker.Volume(
        `${prefix}-${v}`,
        { name: `${prefix}-${v}`, driver: "local", labels: labelList({ "com.mcp.volume": v }) },
        { ...after, retainOnDelete: true },
      ),
    ]),
  );

  const certs = createCertificates(config, prefix, after);
  const generated = createGeneratedSecrets(prefix, after);
  // What the services are given as secret files (which stack outputs are secret is evidence/secrets.ts).
  const secretMaterial = {
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

  const files = createStackFiles(specs, { prefix, secrets: secretMaterial, materials, labels, opts: after });

  const services: Record<string, docker.Service> = {};
  for (const spec of specs) {
    // Specs come in start order, so every dependency already exists here.
    const deps = spec.dependsOn.map((name) => {
      const s = services[name];
      if (!s) throw new Error(`service "${spec.name}" depends on "${name}", which is not declared before it`);
      return s;
    });
    services[spec.name] = createService(spec, { prefix, networks, volumes, files, dependsOn: [edge, ...deps], hooks: hooks.forService?.(spec.service, spec) });
  }

  const input: StackOutputsInput = {
    config,
    stack,
    prefix,
    specs,
    secrets: secretMaterial,
    materials,
    serviceName: (n) => serviceName(prefix, n),
    networkName: (n) => networkName(prefix, n),
  };
  const outputs = buildOutputs(input);
  hooks.outputsReady?.(outputs);
  return { specs, networks, volumes, configs: [...files.configs.values()], secrets: [...files.secrets.values()], services, outputs };
}
