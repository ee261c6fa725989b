/**
 * SEC-NET-02 (services communicate internally), PRE-SEC-05 (network security groups): the
 * database, cache and other data services are attached only to internal Docker networks
 * (`internal: true`, no route off the host) and never to the default bridge or
 * another network by networkMode.
 */
import { stackPolicy } from "../lib/define";
import { containersOf, displayName, networksOf } from "../lib/docker";
import { networkIndex } from "../lib/networks";
import { asString, get } from "../lib/values";

export const dataServicesInternalNetwork = stackPolicy<{ dataServices: string[] }>({
  name: "data-services-internal-network",
  description: "PostgreSQL, Redis (and other listed data services) are attached only to internal Docker networks declared in the stack, never to the default bridge or an external network.",
  checklistIds: ["SEC-NET-02", "PRE-SEC-05"],
  severity: "critical",
  group: "network",
  remediation: "Attach the service only to the stack's internal network (docker.Network with internal: true) via networksAdvanced, and set networkMode to that network so Docker does not also attach the default bridge.",
  config: { dataServices: { type: "array", items: { type: "string" }, default: ["postgres", "redis"], description: "Services (com.mcp.service) that must be internal-only." } },
  check(resources, ctx) {
    const nets = networkIndex(resources);
    for (const service of ctx.config.dataServices) {
      for (const c of containersOf(resources, service)) {
        const name = displayName(c);
        const attached = networksOf(c.props);
        if (!attached.known) {
          ctx.undecidable(`container ${name} networksAdvanced`, c.urn);
          continue;
        }
        if (attached.value.length === 0) ctx.violation(`container ${name} (${service}) is attached to no stack network`, c.urn);
        for (const [i, n] of attached.value.entries()) {
          if (n.name === undefined) {
            ctx.undecidable(`container ${name} networksAdvanced[${i}].name`, c.urn);
            continue;
          }
          const net = nets.get(n.name);
          if (!net) ctx.violation(`container ${name} (${service}) is attached to network ${n.name}, which this stack does not declare`, c.urn);
          else if (net.internal === undefined) ctx.undecidable(`network ${n.name} internal flag`, c.urn);
          else if (!net.internal) ctx.violation(`container ${name} (${service}) is attached to non-internal network ${n.name}`, c.urn);
        }
        const mode = asString(get(c.props, "networkMode"));
        if (!mode.known) ctx.undecidable(`container ${name} networkMode`, c.urn);
        else {
          const m = (mode.value ?? "").trim();
          // With networksAdvanced set, the provider disconnects the default bridge (networkMode's
          // default); without it the container sits on the default bridge (reported above).
          if (m === "" || m === "bridge" || m === "default") continue;
          if (!nets.has(m)) ctx.violation(`container ${name} (${service}) uses networkMode ${m}, not a network of this stack`, c.urn);
          else if (nets.get(m)!.internal === false) ctx.violation(`container ${name} (${service}) uses non-internal network ${m} as networkMode`, c.urn);
        }
      }
    }
  },
});
