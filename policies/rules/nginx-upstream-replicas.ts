/**
 * HA-REDUNDANCY-02 (load balancing configured): Nginx's app upstream reaches every app
 * replica, none marked down. A swarm service is one DNS name whose virtual IP (or, with
 * dnsrr, its round-robin records; `tasks.<name>` either way) balances over its replicas, so
 * naming the service is enough once it runs the minimum replicas; containers are each their
 * own name, so every one must be listed (and together reach the minimum).
 */
import { loadEdgeConf } from "../lib/edge-conf";
import { stackPolicy } from "../lib/define";
import { upstreams } from "../lib/nginx";
import { stackEnvironment } from "../lib/stack-config";
import { replicaCount, workloadsOf } from "../lib/workloads";

export const nginxUpstreamReplicas = stackPolicy<{ edgeService: string; appService: string; configPath: string; minReplicas: number }>({
  name: "nginx-upstream-replicas",
  description:
    "Nginx load-balances the MCP application: one upstream names the app service (whose virtual IP balances over its replicas, at least the minimum of them) or, for containers, every app replica; none marked down or backup-only.",
  checklistIds: ["HA-REDUNDANCY-02"],
  severity: "high",
  group: "availability",
  remediation:
    "Render the upstream from infra/topology.ts: `server app:<port>;` naming the app service's alias (with mcp:app.replicas at the minimum), or one `server app-N:<port>;` per app container.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the load balancer." },
    appService: { type: "string", default: "app", description: "Service (com.mcp.service) of the MCP application." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
    minReplicas: { type: "integer", default: 0, description: "Fewest replicas behind a swarm service upstream. 0: 2 when mcp:environment is prod, else 1." },
  },
  check(resources, ctx) {
    const apps = workloadsOf(resources, ctx.config.appService);
    if (apps.length === 0) return;
    const min = ctx.config.minReplicas || (stackEnvironment() === "prod" ? 2 : 1);
    const names = new Map(apps.map((a) => [a, new Set(a.dnsNames)] as const));
    for (const w of workloadsOf(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      // The app upstream: the one naming the most app workloads.
      const scored = upstreams(edge.conf)
        .map((u) => ({ u, hits: apps.filter((a) => u.servers.some((s) => names.get(a)!.has(s.host))).length }))
        .sort((x, y) => y.hits - x.hits);
      const best = scored[0];
      if (!best || best.hits === 0) {
        ctx.violation(`${w.label}: no upstream in ${edge.path} routes to the ${ctx.config.appService} workloads`, w.urn);
        continue;
      }
      let listed = true;
      for (const a of apps) {
        const entry = best.u.servers.find((s) => names.get(a)!.has(s.host));
        if (!entry) ctx.violation(`upstream ${best.u.name} does not include ${a.label}`, w.urn);
        else if (entry.flags.includes("down") || entry.flags.includes("backup"))
          ctx.violation(`upstream ${best.u.name} marks ${a.label} ${entry.flags.includes("down") ? "down" : "backup-only"}`, w.urn);
        else continue;
        listed = false;
      }
      if (!listed) continue;
      // What the upstream balances over: every replica of every app workload it names.
      const { count, unknown } = replicaCount(apps);
      if (unknown.length) for (const a of unknown) ctx.undecidable(`${a.label} replicas`, a.urn);
      else if (count < min)
        ctx.violation(`upstream ${best.u.name} balances over ${count} ${ctx.config.appService} replica${count === 1 ? "" : "s"}; needs at least ${min}`, w.urn);
    }
  },
});
