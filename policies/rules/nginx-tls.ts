/**
 * SEC-NET-03 (external traffic encrypted), DEP-WEB-02 (certificates loaded): the edge serves
 * HTTPS on the published HTTPS port with a certificate and key, TLS 1.2+ only, no weak ciphers.
 */
import { stackPolicy } from "../lib/define";
import { loadEdgeConf } from "../lib/edge-conf";
import { workloadsOf } from "../lib/workloads";
import { inherited, servers } from "../lib/nginx";

const WEAK_CIPHER = /(^|:)(?!!)[^:]*(NULL|EXPORT|RC4|DES|MD5|anon)[^:]*(?=:|$)/i;

export const nginxTls = stackPolicy<{ edgeService: string; configPath: string; allowedProtocols: string[] }>({
  name: "nginx-tls",
  description: "Nginx terminates TLS on the published HTTPS port with a certificate and key, allows only TLSv1.2/TLSv1.3 and no weak ciphers.",
  checklistIds: ["SEC-NET-03", "DEP-WEB-02"],
  severity: "critical",
  group: "edge",
  remediation:
    "In nginx.conf (infra/render/nginx.ts): `listen <https port> ssl;`, ssl_certificate and ssl_certificate_key, and `ssl_protocols TLSv1.2 TLSv1.3;`.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
    allowedProtocols: { type: "array", items: { type: "string" }, default: ["TLSv1.2", "TLSv1.3"], description: "Accepted ssl_protocols." },
  },
  check(resources, ctx) {
    const edges = workloadsOf(resources, ctx.config.edgeService);
    if (edges.length === 0) return ctx.violation(`no ${ctx.config.edgeService} service or container: nothing terminates TLS`);
    for (const w of edges) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      const tls = servers(edge.conf).filter((s) => s.listens.some((l) => l.ssl));
      if (tls.length === 0) {
        ctx.violation(`${w.label}: ${edge.path} has no TLS server (no "listen ... ssl")`, w.urn);
        continue;
      }
      if (edge.httpsPort === undefined) ctx.violation(`${w.label}: the HTTPS host port is not published`, w.urn);
      else if (!tls.some((s) => s.listens.some((l) => l.ssl && l.port === edge.httpsPort)))
        ctx.violation(`${w.label}: published HTTPS port (container port ${edge.httpsPort}) has no "listen ... ssl" server`, w.urn);
      for (const s of tls) {
        const where = `server on ${s.listens.map((l) => l.port).join("/")}`;
        if (!inherited(s, "ssl_certificate").length || !inherited(s, "ssl_certificate_key").length)
          ctx.violation(`${w.label}: ${where} has no ssl_certificate/ssl_certificate_key`, w.urn);
        const protos = inherited(s, "ssl_protocols")[0]?.args;
        if (!protos) ctx.violation(`${w.label}: ${where} does not set ssl_protocols (older nginx defaults allow TLSv1/TLSv1.1)`, w.urn);
        else {
          const bad = protos.filter((p) => !ctx.config.allowedProtocols.includes(p));
          if (bad.length) ctx.violation(`${w.label}: ${where} allows ${bad.join(", ")} (only ${ctx.config.allowedProtocols.join(", ")} allowed)`, w.urn);
        }
        const ciphers = inherited(s, "ssl_ciphers")[0]?.args[0];
        if (ciphers && WEAK_CIPHER.test(ciphers)) ctx.violation(`${w.label}: ${where} enables weak ciphers (ssl_ciphers)`, w.urn);
      }
    }
  },
});
