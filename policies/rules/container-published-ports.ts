/**
 * SEC-NET-01 (only necessary ports exposed), PRE-CONFIG-14 (port configuration reviewed):
 * only the edge service publishes ports, only the configured HTTP/HTTPS ports; a container
 * binds them to the configured address, a swarm service publishes them in host mode (the
 * routing mesh would open them on every node); nothing uses publishAllPorts.
 */
import { edgePorts } from "../lib/edge-conf";
import { resourcePolicy } from "../lib/define";
import { stackConfig } from "../lib/stack-config";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

const isAll = (a: string) => a === "0.0.0.0" || a === "::" || a === "[::]";

export const containerPublishedPorts = resourcePolicy<{
  allowedServices: string[];
  allowedExternalPorts: number[];
  bindAddress: string;
  requireHostMode: boolean;
}>({
  name: "container-published-ports",
  description:
    "Only Nginx publishes ports, only the configured HTTP and HTTPS ports: containers on the configured bind address, swarm services in host mode (not through the routing mesh); no publishAllPorts.",
  checklistIds: ["SEC-NET-01", "PRE-CONFIG-14"],
  severity: "critical",
  group: "network",
  remediation:
    'Remove published ports from every workload except nginx; reach internal services over the internal network. Publish only mcp:edge.httpPort/httpsPort: containers on mcp:edge.bindAddress, services with `publishMode: "host"` (a swarm port cannot choose a host address: the node\'s firewall and docs/docker-host.md decide which address answers).',
  resourceTypes: WORKLOAD_TYPES,
  config: {
    allowedServices: { type: "array", items: { type: "string" }, default: ["nginx"], description: "Services (com.mcp.service) that may publish ports." },
    allowedExternalPorts: {
      type: "array",
      items: { type: "integer" },
      default: [],
      description: "Host ports that may be published. Empty: mcp:edge.httpPort and httpsPort from stack config (80, 443 by default).",
    },
    bindAddress: {
      type: "string",
      default: "",
      description:
        "Host address a container's published ports must bind to. Empty: mcp:edge.bindAddress from stack config (0.0.0.0 by default). Not applicable to swarm services.",
    },
    requireHostMode: {
      type: "boolean",
      default: true,
      description: "Swarm services publish in host mode only; ingress (the routing mesh) publishes the port on every node of the swarm.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.publishAllPorts.known) ctx.undecidable("publishAllPorts");
    else if (w.publishAllPorts.value) ctx.violation(`${w.label} publishes all exposed ports (publishAllPorts)`);
    if (!w.ports.known) return ctx.undecidable("ports");
    const ports = w.ports.value;
    if (ports.length === 0) return;
    const hostPort = (p: (typeof ports)[number]) => (p.external === undefined ? "a random host port" : `host port ${p.external}`);
    if (!w.service || !ctx.config.allowedServices.includes(w.service)) {
      return ctx.violation(
        `${w.label} (service ${w.service ?? "unlabelled"}) publishes ${ports.map(hostPort).join(", ")}; only ${ctx.config.allowedServices.join(", ")} may`,
      );
    }
    const edge = edgePorts();
    const allowedPorts = ctx.config.allowedExternalPorts.length ? ctx.config.allowedExternalPorts : [edge.httpPort, edge.httpsPort];
    const bind = ctx.config.bindAddress || ((stackConfig().edge ?? {}) as { bindAddress?: string }).bindAddress || "0.0.0.0";
    for (const p of ports) {
      if (p.external === undefined || !allowedPorts.includes(p.external))
        ctx.violation(`${w.label} publishes ${hostPort(p)}; allowed: ${allowedPorts.join(", ")}`);
      if (p.mode !== undefined) {
        if (ctx.config.requireHostMode && p.mode !== "host")
          ctx.violation(`${w.label} publishes ${hostPort(p)} through the routing mesh (publishMode ${p.mode}): every node of the swarm would answer on it`);
      } else if (p.ip !== undefined && p.ip !== bind && !(isAll(p.ip) && isAll(bind))) {
        ctx.violation(`${w.label} binds ${hostPort(p)} to ${p.ip}; configuration says ${bind}`);
      }
    }
  },
});
