/** SEC-NET-04 (no plain HTTP in production), DEP-WEB-03 (HTTP to HTTPS redirect): the plain HTTP port only redirects to https://. */
import { stackPolicy } from "../lib/define";
import { loadEdgeConf } from "../lib/edge-conf";
import { workloadsOf } from "../lib/workloads";
import { children, Directive, locations, servers } from "../lib/nginx";

const isHttpsRedirect = (d: Directive | undefined) => !!d && /^(301|302|307|308)$/.test(d.args[0] ?? "") && /^https:\/\//.test(d.args[1] ?? "");

/** ACME HTTP-01 challenges must stay on plain HTTP; nothing else may. */
const ACME = /^\/\.well-known\/acme-challenge\/?$/;

export const nginxHttpsRedirect = stackPolicy<{ edgeService: string; configPath: string }>({
  name: "nginx-https-redirect",
  description: "The published plain-HTTP port answers only with a redirect to https:// (301/308); no content is served over plain HTTP.",
  checklistIds: ["SEC-NET-04", "DEP-WEB-03"],
  severity: "high",
  group: "edge",
  remediation: "Give the port-80 server block only `return 301 https://$host$request_uri;` (an ACME challenge location may stay).",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
  },
  check(resources, ctx) {
    for (const w of workloadsOf(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      if (edge.httpPort === undefined) {
        ctx.violation(`${w.label}: the HTTP host port is not published, so http:// clients get no redirect to HTTPS`, w.urn);
        continue;
      }
      const plain = servers(edge.conf).filter((s) => s.listens.some((l) => l.port === edge.httpPort && !l.ssl));
      if (plain.length === 0)
        ctx.violation(`${w.label}: nothing listens on the published HTTP port (container port ${edge.httpPort}) to redirect to HTTPS`, w.urn);
      for (const s of plain) {
        const serverReturn = children(s.server.block, "return")[0];
        if (isHttpsRedirect(serverReturn)) continue;
        const locs = locations(s.server.block);
        const serving = locs.filter((l) => !ACME.test(l.args[l.args.length - 1] ?? "") && !isHttpsRedirect(children(l.block, "return")[0]));
        if (locs.length === 0 || serving.length > 0)
          ctx.violation(`${w.label}: the plain-HTTP server (port ${edge.httpPort}) serves content instead of redirecting to https://`, w.urn);
      }
    }
  },
});
