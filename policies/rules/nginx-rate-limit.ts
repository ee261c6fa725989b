/** PRE-SEC-03 (rate limiting configured), SEC-NET-05 (rate limiting effective): limit_req on everything Nginx proxies over TLS. */
import { stackPolicy } from "../lib/define";
import { loadEdgeConf } from "../lib/edge-conf";
import { workloadsOf } from "../lib/workloads";
import { children, locations, servers } from "../lib/nginx";

export const nginxRateLimit = stackPolicy<{ edgeService: string; configPath: string; maxRatePerSecond: number }>({
  name: "nginx-rate-limit",
  description: "Nginx defines a limit_req_zone and applies limit_req to every proxied location of the HTTPS server.",
  checklistIds: ["PRE-SEC-03", "SEC-NET-05"],
  severity: "high",
  group: "edge",
  remediation:
    "Define `limit_req_zone $binary_remote_addr zone=mcp:10m rate=<mcp:rateLimit.requestsPerSecond>r/s;` in http and `limit_req zone=mcp burst=<burst> nodelay;` in the TLS server.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
    maxRatePerSecond: { type: "number", default: 10000, description: "A zone rate above this per second does not limit anything." },
  },
  check(resources, ctx) {
    for (const w of workloadsOf(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      const zones = new Map<string, number>();
      for (const http of children(edge.conf, "http"))
        for (const z of children(http.block, "limit_req_zone")) {
          const zone = z.args
            .find((a) => a.startsWith("zone="))
            ?.slice(5)
            .split(":")[0];
          const rate = /^rate=(\d+(?:\.\d+)?)r\/(s|m)$/.exec(z.args.find((a) => a.startsWith("rate=")) ?? "");
          if (zone) zones.set(zone, rate ? Number(rate[1]) / (rate[2] === "m" ? 60 : 1) : NaN);
        }
      if (zones.size === 0) {
        ctx.violation(`${w.label}: ${edge.path} defines no limit_req_zone`, w.urn);
        continue;
      }
      for (const [zone, perSec] of zones)
        if (!(perSec > 0 && perSec <= ctx.config.maxRatePerSecond))
          ctx.violation(`${w.label}: limit_req_zone ${zone} has no usable rate (0 < r/s <= ${ctx.config.maxRatePerSecond})`, w.urn);
      const limited = (block: { name: string; args: string[] }[] | undefined) =>
        children(block as never, "limit_req").some((d) => {
          const z = d.args.find((a) => a.startsWith("zone="))?.slice(5);
          return !!z && zones.has(z);
        });
      for (const s of servers(edge.conf).filter((x) => x.listens.some((l) => l.ssl))) {
        const serverLimited = limited(s.server.block) || limited(s.http.block);
        const proxied = locations(s.server.block).filter((l) => children(l.block, "proxy_pass").length > 0);
        if (proxied.length === 0 && !serverLimited) ctx.violation(`${w.label}: TLS server applies no limit_req`, w.urn);
        for (const l of proxied)
          if (!serverLimited && !limited(l.block)) ctx.violation(`${w.label}: location ${l.args.join(" ")} proxies without limit_req`, w.urn);
      }
    }
  },
});
