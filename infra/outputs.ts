/**
 * Stack outputs (shape: infra/outputs-types.ts). Secrets are exported only under
 * `secrets`, marked secret; everywhere else a secret appears as a short fingerprint.
 * Checklist: FUN-MCP-01 (Claude Code .mcp.json), DOC-TECH-05 (service inventory).
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config/load";
import { SERVICE_NAMES } from "./config/schema";
import { CHECKLIST_VERSION } from "../checklist/items";
import { fingerprint, GENERATED_SECRETS } from "./secrets";
import { HOSTS, PORTS, tasksHost, topology } from "./topology";
import type { InternalEndpoints, MountedFile, ServiceInventoryEntry, StackOutputs } from "./outputs-types";
import { hasHealthcheck, type NetworkName, type PublicMaterialName, type SecretName, type ServiceSpec } from "./spec";

export interface StackOutputsInput {
  config: StackConfig;
  stack: string;
  prefix: string;
  specs: ServiceSpec[];
  secrets: Record<SecretName, pulumi.Output<string>>;
  materials: Record<PublicMaterialName, pulumi.Output<string>>;
  serviceName(name: string): string;
  networkName(network: NetworkName): string;
}

/** Name of the MCP server entry in .mcp.json and `claude mcp add`. */
export function mcpServerName(stack: string): string {
  return `mcp-${stack}`;
}

/** Claude Code project config: HTTP transport, bearer token taken from the environment. */
export function mcpJson(stack: string, mcpUrl: string): StackOutputs["mcpJson"] {
  return { mcpServers: { [mcpServerName(stack)]: { type: "http", url: mcpUrl, headers: { Authorization: "Bearer ${MCP_TOKEN}" } } } };
}

export function claudeMcpAddCommand(stack: string, mcpUrl: string): string {
  return `claude mcp add --transport http --scope project ${mcpServerName(stack)} ${mcpUrl} --header "Authorization: Bearer \${MCP_TOKEN}"`;
}

function mounted(path: string, owner: string, mode: string): MountedFile {
  const [uid, gid] = owner.split(":");
  return { path, uid, gid: gid ?? uid, mode };
}

/** "80->8080/tcp (host)" */
export function publishedPortText(p: ServiceSpec["ports"][number]): string {
  return `${p.external}->${p.internal}/${p.protocol} (${p.publishMode})`;
}

/** The service inventory from the specs: pure, so tests and docs can use it without Pulumi. */
export function serviceInventory(
  specs: ServiceSpec[],
  networkName: (n: NetworkName) => string,
  serviceName: (name: string) => string,
): ServiceInventoryEntry[] {
  return SERVICE_NAMES.flatMap((service) =>
    specs
      .filter((s) => s.service === service)
      .map((s) => ({
        service,
        name: serviceName(s.name),
        host: s.name,
        image: s.image,
        replicas: s.replicas,
        stateful: s.stateful,
        networks: s.networks.map((n) => networkName(n.name)),
        publishedPorts: s.ports.map(publishedPortText),
        user: s.user,
        readOnlyRootfs: s.readOnlyRootfs,
        capAdd: s.capAdd,
        memoryMb: s.memoryMb,
        cpus: s.cpus,
        logOpts: s.logOpts,
        healthcheck: hasHealthcheck(s.healthcheck),
        secretFiles: s.secretFiles.map((f) => mounted(f.path, f.owner, f.mode)),
        configFiles: s.configFiles.map((f) => mounted(f.path, f.owner ?? s.user, f.mode)),
      })),
  );
}

export function internalEndpoints(config: StackConfig): InternalEndpoints {
  return {
    postgres: {
      host: HOSTS.postgres,
      port: PORTS.postgres,
      database: config.postgres.database,
      user: config.postgres.user,
      backupUser: config.postgres.backupUser,
    },
    redis: { host: HOSTS.redis, port: PORTS.redis },
    prometheus: `http://${HOSTS.prometheus}:${PORTS.prometheus}`,
    alertmanager: `http://${HOSTS.alertmanager}:${PORTS.alertmanager}`,
    grafana: `http://${HOSTS.grafana}:${PORTS.grafana}`,
    app: { host: HOSTS.app, tasksHost: tasksHost(HOSTS.app), port: config.app.port, replicas: config.app.replicas },
  };
}

type OutputMap = { [K in keyof StackOutputs]: pulumi.Input<StackOutputs[K]> };

export function buildOutputs(i: StackOutputsInput): OutputMap {
  const { config, stack } = i;
  const topo = topology(config);
  const networkNames = { edge: i.networkName("edge"), internal: i.networkName("internal"), egress: i.networkName("egress") };
  const fingerprintNames: SecretName[] = [...GENERATED_SECRETS.map((g) => g.name), "tlsPrivateKey", "postgresTlsKey"];
  const c = config.app;
  return {
    stack,
    environment: config.environment,
    domain: config.domain,
    publicUrl: topo.publicUrl,
    mcpUrl: topo.mcpUrl,
    healthUrl: topo.healthUrl,
    grafanaUrl: `${topo.publicUrl}/grafana/`,
    resourcePrefix: i.prefix,
    networks: networkNames,
    services: serviceInventory(i.specs, i.networkName, i.serviceName),
    internalEndpoints: internalEndpoints(config),
    appContract: {
      healthPath: c.healthPath,
      authPath: c.authPath,
      listServersPath: c.listServersPath,
      createServerPath: c.createServerPath,
      metricsPath: c.metricsPath,
      mcpPath: c.mcpPath,
      staticPath: c.staticPath,
      probeTool: c.probeTool,
      probeToolArguments: c.probeToolArguments,
      jwtIssuer: c.jwtIssuer,
      jwtAudience: c.jwtAudience,
      resourceMetadataPath: c.resourceMetadataPath,
      protocolVersions: c.protocolVersions,
      toolCallTimeoutSeconds: c.toolCallTimeoutSeconds,
      ...(c.ceilingProbe ? { ceilingProbe: c.ceilingProbe } : {}),
      migrationsTable: c.migrationsTable,
      minMigrations: c.minMigrations,
    },
    mcpJson: mcpJson(stack, topo.mcpUrl),
    claudeMcpAddCommand: claudeMcpAddCommand(stack, topo.mcpUrl),
    // A fingerprint reveals nothing usable, so it is deliberately not secret.
    secretFingerprints: pulumi.unsecret(
      pulumi.all(fingerprintNames.map((n) => i.secrets[n])).apply((values) => Object.fromEntries(fingerprintNames.map((n, k) => [n, fingerprint(values[k])]))),
    ),
    internalCaCert: i.materials.internalCaCert,
    tls: { mode: config.tls.mode, minDaysValid: config.tls.minDaysValid },
    backup: {
      interval: config.backup.interval,
      keepLast: config.backup.retention.keepLast,
      maxAgeDays: config.backup.retention.maxAgeDays,
      offsiteEnabled: config.backup.offsite.enabled,
      volume: `${i.prefix}-backups`,
    },
    dr: config.dr,
    rateLimit: { requestsPerSecond: config.rateLimit.requestsPerSecond, burst: config.rateLimit.burst },
    checklistVersion: CHECKLIST_VERSION,
    secrets: pulumi.secret({
      postgresPassword: i.secrets.postgresPassword,
      postgresBackupPassword: i.secrets.postgresBackupPassword,
      redisPassword: i.secrets.redisPassword,
      grafanaAdminUser: config.grafana.adminUser,
      grafanaAdminPassword: i.secrets.grafanaAdminPassword,
      jwtSigningKey: i.secrets.jwtSigningKey,
      backupEncryptionKey: i.secrets.backupEncryptionKey,
    }),
  };
}
