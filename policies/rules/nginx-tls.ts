/**
 * SEC-NET-03 (external traffic encrypted), DEP-WEB-02 (certificates loaded): the edge serves
 * HTTPS on the published HTTPS port with a certificate and key, TLS 1.2+ only, no weak ciphers.
 */
import { stackPolicy } from "../lib/define";
import { displayName } from "../lib/docker";
import { edgeContainers, loadEdgeConf } from "../lib/nginx-container";
import { inherited, servers } from "../lib/nginx";

const WEAK_CIPHER = /(^|:)(?!!)[^:]*(NULL|EXPORT|RC4|DES|MD5|anon)[^:]*(?=:|$)/i;

export const nginxTls = stackPolicy<{ edgeService: string; configPath: string; allowedProtocols: string[] }>({
  name: "nginx-tls",
  description: "Nginx terminates TLS on the published HTTPS port with a certificate and key, allows only TLSv1.2/TLSv1.3 and no weak ciphers.",
  checklistIds: ["SEC-NET-03", "DEP-WEB-02"],
  severity: "critical",
  group: "edge",
  remediation: "In nginx.conf (infra/render/nginx.ts): `listen <https port> ssl;`, ssl_certificate and ssl_certificate_key, and `ssl_protocols TLSv1.2 TLSv1.3;`.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the container; empty: from `-c` on its command line." },
    allowedProtocols: { type: "array", items: { type: "string" }, default: ["TLSv1.2", "TLSv1.3"], description: "Accepted ssl_protocols." },
  },
  check(resources, ctx) {
    const edges = edgeContainers(resources, ctx.config.edgeService);
    if (edges.length === 0) return ctx.violation(`no ${ctx.config.edgeService} container: nothing terminates TLS`);
    for (const r of edges) {
      const edge = loadEdgeConf(r, { ...ctx, violation: (m) => ctx.violation(m, r.urn), undecidable: (w) => ctx.undecidable(`container ${displayName(r)} ${w}`, r.urn) }, ctx.config.configPath);
      if (!edge) continue;
      const name = displayName(r);
      const tls = servers(edge.conf).filter((s) => s.listens.some((l) => l.ssl));
      if (tls.length === 0) {
        ctx.violation(`container ${name}: ${edge.path} has no TLS server (no "listen ... ssl")`, r.urn);
        continue;
      }
      if (edge.httpsPort === undefined) ctx.violation(`container ${name}: the HTTPS host port is not published`, r.urn);
      else if (!tls.some((s) => s.listens.some((l) => l.ssl && l.port === edge.httpsPort))) ctx.violation(`container ${name}: published HTTPS port (container port ${edge.httpsPort}) has no "listen ... ssl" server`, r.urn);
      for (const s of tls) {
        const where = `server on ${s.listens.map((l) => l.port).join("/")}`;
        if (!inherited(s, "ssl_certificate").length || !inherited(s, "ssl_certificate_key").length) ctx.violation(`container ${name}: ${where} has no ssl_certificate/ssl_certificate_key`, r.urn);
        const protos = inherited(s, "ssl_protocols")[0]?.args;
        if (!protos) ctx.violation(`container ${name}: ${where} does not set ssl_protocols (older nginx defaults allow TLSv1/TLSv1.1)`, r.urn);
        else {
          const bad = protos.filter((p) => !ctx.config.allowedProtocols.includes(p));
          if (bad.length) ctx.violation(`container ${name}: ${where} allows ${bad.join(", ")} (only ${ctx.config.allowedProtocols.join(", ")} allowed)`, r.urn);
        }
        const ciphers = inherited(s, "ssl_ciphers")[0]?.args[0];
        if (ciphers && WEAK_CIPHER.test(ciphers)) ctx.violation(`container ${name}: ${where} enables weak ciphers (ssl_ciphers)`, r.urn);
      }
    }
  },
});
