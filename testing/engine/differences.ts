/**
 * The ONE place where applying the program on this machine differs from applying it in prod.
 * Everything else the applier sends is what terraform-provider-docker would send. The
 * differences are forced by the machine, not chosen:
 *
 * - images: no registry is reachable, so every image the program names is replaced by a
 *   local one (an image the test imported, best by ID so the engine never tries a pull);
 * - endpoint mode dnsrr: the kernel has no ip_vs, so a service's virtual IP (VIP load
 *   balancing) does not work here;
 * - published ports removed: the routing mesh needs ip_vs, and host-mode publishing binds
 *   every address with no DNAT under --iptables=false; tests reach a port through the
 *   loopback forwarder instead (forward.ts), on 127.0.0.1 only;
 * - node labels: the test sets on its one node the labels the program's placement
 *   constraints ask for (the stateful services are pinned with node.labels.com.mcp.stateful),
 *   which a prod operator sets on the chosen node; the services' placement is not touched.
 *
 * And one call the provider's Go client makes is left out: on create it asks the registry for
 * the image's digest to pin it (QueryRegistry). No registry is reachable, where that query
 * fails and the client keeps the image reference as given, which is what the applier sends.
 */
import type Docker from "dockerode";
import { EngineApi } from "./api";
import type { PortConfig, ServiceSpec } from "./engine-types";
import { ApplyError } from "./inputs";

export interface EngineDifferences {
  /** The program's image reference (exactly as written) -> a local image reference or ID. */
  images: Record<string, string>;
  /** Labels the test sets on its one node (labelTestNode) so the program's placement constraints can be met. */
  nodeLabels: Record<string, string>;
}

/** What the differences changed in one service, kept so tests can reach removed ports. */
export interface ServiceDifferences {
  image: { program: string; local: string };
  endpointMode: { program: string | undefined; forced: "dnsrr" };
  removedPorts: PortConfig[];
}

export const FORCED_ENDPOINT_MODE = "dnsrr" as const;

export function checkDifferences(d: EngineDifferences): void {
  for (const [name, value] of Object.entries(d.nodeLabels)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`EngineDifferences.nodeLabels: "${name}" is not a plain label name`);
    if (!/^[A-Za-z0-9._-]*$/.test(value)) throw new Error(`EngineDifferences.nodeLabels.${name}: "${value}" is not a plain label value`);
  }
}

/** Applies every difference to one service's spec (a copy); the only function that does. */
export function applyDifferences(spec: ServiceSpec, d: EngineDifferences, resource: string): { spec: ServiceSpec; applied: ServiceDifferences } {
  const out: ServiceSpec = JSON.parse(JSON.stringify(spec));
  const cs = (out.TaskTemplate.ContainerSpec ??= {});
  const program = cs.Image ?? "";
  const local = d.images[program];
  if (!local)
    throw new ApplyError(
      resource,
      "taskSpec.containerSpec.image",
      `image "${program}" has no local image in EngineDifferences.images (no registry is reachable here)`,
    );
  cs.Image = local;
  const removedPorts = out.EndpointSpec?.Ports ?? [];
  const programMode = out.EndpointSpec?.Mode;
  out.EndpointSpec = { Mode: FORCED_ENDPOINT_MODE };
  return { spec: out, applied: { image: { program, local }, endpointMode: { program: programMode, forced: FORCED_ENDPOINT_MODE }, removedPorts } };
}

/** The differences as lines to print (a test's header, a report). */
export function describeDifferences(d: EngineDifferences): string[] {
  const images = Object.entries(d.images).sort(([a], [b]) => a.localeCompare(b));
  return [
    ...images.map(([from, to]) => `image ${from} -> local ${to} (no registry is reachable)`),
    `every service: endpoint mode forced to ${FORCED_ENDPOINT_MODE} (no ip_vs in this kernel: no VIP load balancing)`,
    "every service: published ports removed (no routing mesh without ip_vs, no DNAT with --iptables=false); reached through a 127.0.0.1 forwarder to the task's docker_gwbridge address",
    ...Object.entries(d.nodeLabels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `node label ${k}=${v} set on the test's one node (what the program's placement constraints ask of a node)`),
    "service create: no registry digest query (QueryRegistry); with no registry reachable it fails and the image stays as given",
  ];
}

/** Sets the differences' node labels on the engine's only node (NodeUpdate against its current version). */
export async function labelTestNode(docker: Docker, d: EngineDifferences): Promise<string> {
  checkDifferences(d);
  const api = await EngineApi.connect(docker);
  const nodes = await api.nodeList();
  if (nodes.length !== 1) throw new Error(`labelTestNode expects the test engine's one-node swarm, found ${nodes.length} nodes`);
  const info = await api.call<{ ID: string; Version: { Index: number }; Spec: { Labels?: Record<string, string> } }>(
    "GET",
    `/nodes/${nodes[0].ID}`,
    "inspect node",
  );
  const spec = { ...info.Spec, Labels: { ...(info.Spec.Labels ?? {}), ...d.nodeLabels } };
  await api.call("POST", `/nodes/${info.ID}/update`, "label the test node", { query: { version: String(info.Version.Index) }, body: spec });
  return info.ID;
}

/**
 * Runtime checks that cannot apply on this machine, each with the difference that forces it;
 * the engine suite passes them to the runner (never silently dropped: they are recorded as
 * skipped with this reason).
 */
export const NOT_APPLICABLE_HERE: Readonly<Record<string, string>> = {
  "docker.ports":
    "published ports are removed on this machine (host-mode publishing binds every address, and there is no DNAT with --iptables=false); the edge is reached through a 127.0.0.1 forwarder",
  "host.registries": "no registry is reachable from this machine: the images are local stand-ins",
};
