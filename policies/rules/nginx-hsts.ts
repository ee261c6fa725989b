/** SEC-NET-04, SEC-NET-03: HTTPS responses carry Strict-Transport-Security, in every location (add_header does not merge). */
import { stackPolicy } from "../lib/define";
import { loadEdgeConf } from "../lib/edge-conf";
import { workloadsOf } from "../lib/workloads";
import { addedHeaders, locations, servers } from "../lib/nginx";
import { HSTS_MIN_MAX_AGE_SECONDS } from "../../checklist/thresholds";

const HSTS = "strict-transport-security";

export const nginxHsts = stackPolicy<{ edgeService: string; configPath: string }>({
  name: "nginx-hsts",
  description: "Every HTTPS server sends Strict-Transport-Security with a max-age of at least 180 days, also in locations that set their own headers.",
  checklistIds: ["SEC-NET-04", "SEC-NET-03"],
  severity: "medium",
  group: "edge",
  remediation:
    'Add `add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;` to the TLS server and to every location there that has its own add_header.',
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
  },
  check(resources, ctx) {
    for (const w of workloadsOf(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      for (const s of servers(edge.conf).filter((x) => x.listens.some((l) => l.ssl))) {
        const where = `TLS server on ${s.listens.map((l) => l.port).join("/")}`;
        const own = addedHeaders(s.server.block);
        // nginx: a level's add_header replaces (not extends) the headers of the level above.
        const serverHeaders = own.size ? own : addedHeaders(s.http.block);
        const value = serverHeaders.get(HSTS);
        if (value === undefined) {
          ctx.violation(`${w.label}: ${where} sends no Strict-Transport-Security header`, w.urn);
          continue;
        }
        const age = Number(/max-age=(\d+)/i.exec(value)?.[1] ?? NaN);
        // The one minimum (checklist/thresholds.ts), not a per-stack knob: the schema refuses less, the runtime check holds the edge to it.
        if (!(age >= HSTS_MIN_MAX_AGE_SECONDS))
          ctx.violation(`${w.label}: ${where} HSTS max-age ${Number.isNaN(age) ? "missing" : age} is below ${HSTS_MIN_MAX_AGE_SECONDS}s`, w.urn);
        for (const loc of locations(s.server.block)) {
          const h = addedHeaders(loc.block);
          if (h.size && !h.has(HSTS))
            ctx.violation(`${w.label}: location ${loc.args.join(" ")} sets its own headers and so drops Strict-Transport-Security`, w.urn);
        }
      }
    }
  },
});
