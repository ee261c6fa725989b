/**
 * SEC-NET-02 (services communicate internally), PRE-SEC-05 (network security groups): the
 * database, cache and other data services are attached only to internal Docker networks
 * (`internal: true`, no route off the host or swarm) declared in the stack, never to the
 * default bridge or another network by networkMode.
 */
import { stackPolicy } from "../lib/define";
import { displayName } from "../lib/docker";
import { networkIndex } from "../lib/networks";
import { workloadsOf } from "../lib/workloads";

export const dataServicesInternalNetwork = stackPolicy<{ dataServices: string[] }>({
  name: "data-services-internal-network",
  description:
    "PostgreSQL, Redis (and other listed data services) are attached only to internal Docker networks declared in the stack, never to the default bridge or an external network.",
  checklistIds: ["SEC-NET-02", "PRE-SEC-05"],
  severity: "critical",
  group: "network",
  remediation:
    "Attach the service only to the stack's internal network (docker.Network with internal: true): services through taskSpec.networksAdvanceds[].id, containers through networksAdvanced plus networkMode set to that network so Docker does not also attach the default bridge.",
  config: {
    dataServices: {
      type: "array",
      items: { type: "string" },
      default: ["postgres", "redis"],
      description: "Services (com.mcp.service) that must be internal-only.",
    },
  },
  check(resources, ctx) {
    const nets = networkIndex(resources);
    for (const service of ctx.config.dataServices) {
      for (const w of workloadsOf(resources, service)) {
        if (!w.networks.known) {
          ctx.undecidable(`${w.label} networks`, w.urn);
          continue;
        }
        if (w.networks.value.length === 0) ctx.violation(`${w.label} (${service}) is attached to no stack network`, w.urn);
        for (const [i, n] of w.networks.value.entries()) {
          if (n.ref === undefined) {
            ctx.undecidable(`${w.label} network #${i + 1}`, w.urn);
            continue;
          }
          const net = nets.get(n.ref);
          if (!net) ctx.violation(`${w.label} (${service}) is attached to network ${n.ref}, which this stack does not declare`, w.urn);
          else if (net.internal === undefined) ctx.undecidable(`network ${displayName(net.r)} internal flag`, w.urn);
          else if (!net.internal) ctx.violation(`${w.label} (${service}) is attached to non-internal network ${displayName(net.r)}`, w.urn);
        }
        if (!w.namespaces.known) {
          ctx.undecidable(`${w.label} networkMode`, w.urn);
          continue;
        }
        const m = (w.namespaces.value.network ?? "").trim();
        // With networksAdvanced set, the provider disconnects the default bridge (networkMode's
        // default); without it the container sits on the default bridge (reported above).
        if (m === "" || m === "bridge" || m === "default") continue;
        if (!nets.has(m)) ctx.violation(`${w.label} (${service}) uses networkMode ${m}, not a network of this stack`, w.urn);
        else if (nets.get(m)!.internal === false) ctx.violation(`${w.label} (${service}) uses non-internal network ${m} as networkMode`, w.urn);
      }
    }
  },
});
