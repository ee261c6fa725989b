/**
 * SEC-NET-01 (only necessary ports exposed), PRE-CONFIG-14 (port configuration reviewed):
 * only the edge service publishes ports, only the configured HTTP/HTTPS ports, bound to the
 * configured address; nothing uses publishAllPorts.
 */
import { resourcePolicy } from "../lib/define";
import { displayName, serviceOf, T } from "../lib/docker";
import { stackConfig } from "../lib/stack-config";
import { asArray, asBool, get, isUnknown } from "../lib/values";

export const containerPublishedPorts = resourcePolicy<{ allowedServices: string[]; allowedExternalPorts: number[]; bindAddress: string }>({
  name: "container-published-ports",
  description: "Only Nginx publishes ports (the configured HTTP and HTTPS ports, on the configured bind address); no publishAllPorts.",
  checklistIds: ["SEC-NET-01", "PRE-CONFIG-14"],
  severity: "critical",
  group: "network",
  remediation: "Remove `ports` from every container except nginx; reach internal services over the internal Docker network. Publish only mcp:edge.httpPort/httpsPort on mcp:edge.bindAddress.",
  resourceTypes: [T.container],
  config: {
    allowedServices: { type: "array", items: { type: "string" }, default: ["nginx"], description: "Services (com.mcp.service) that may publish ports." },
    allowedExternalPorts: { type: "array", items: { type: "integer" }, default: [], description: "Host ports that may be published. Empty: mcp:edge.httpPort and httpsPort from stack config (80, 443 by default)." },
    bindAddress: { type: "string", default: "", description: "Host address published ports must bind to. Empty: mcp:edge.bindAddress from stack config (0.0.0.0 by default)." },
  },
  check(r, ctx) {
    const name = displayName(r);
    const all = asBool(get(r.props, "publishAllPorts"));
    if (!all.known) ctx.undecidable("publishAllPorts");
    else if (all.value) ctx.violation(`container ${name} publishes all exposed ports (publishAllPorts)`);
    const ports = asArray(get(r.props, "ports"));
    if (!ports.known) return ctx.undecidable("ports");
    if (ports.value.length === 0) return;
    const service = serviceOf(r);
    if (!service || !ctx.config.allowedServices.includes(service)) {
      const list = ports.value.map((p) => String(get(p, "external") ?? get(p, "internal"))).join(", ");
      return ctx.violation(`container ${name} (service ${service ?? "unlabelled"}) publishes ports ${list}; only ${ctx.config.allowedServices.join(", ")} may`);
    }
    const edge = (stackConfig().edge ?? {}) as { httpPort?: number; httpsPort?: number; bindAddress?: string };
    const allowedPorts = ctx.config.allowedExternalPorts.length ? ctx.config.allowedExternalPorts : [edge.httpPort ?? 80, edge.httpsPort ?? 443];
    const bind = ctx.config.bindAddress || edge.bindAddress || "0.0.0.0";
    for (const [i, p] of ports.value.entries()) {
      const ext = get(p, "external");
      const ip = get(p, "ip");
      if (isUnknown(p) || isUnknown(ext) || isUnknown(ip)) {
        ctx.undecidable(`ports[${i}]`);
        continue;
      }
      // Docker publishes on the same number as the internal port when external is unset.
      const hostPort = Number(ext ?? get(p, "internal"));
      if (!allowedPorts.includes(hostPort)) ctx.violation(`container ${name} publishes host port ${hostPort}; allowed: ${allowedPorts.join(", ")}`);
      const addr = typeof ip === "string" && ip ? ip : "0.0.0.0";
      const isAll = (a: string) => a === "0.0.0.0" || a === "::" || a === "[::]";
      if (addr !== bind && !(isAll(addr) && isAll(bind))) ctx.violation(`container ${name} binds host port ${hostPort} to ${addr}; configuration says ${bind}`);
    }
  },
});
