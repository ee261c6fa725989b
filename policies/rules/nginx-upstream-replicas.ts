/** HA-REDUNDANCY-02 (load balancing configured): Nginx's app upstream lists every app replica, none marked down. */
import { stackPolicy } from "../lib/define";
import { containersOf, displayName, instanceOf, networksOf } from "../lib/docker";
import { edgeContainers, loadEdgeConf } from "../lib/nginx-container";
import { upstreams } from "../lib/nginx";

export const nginxUpstreamReplicas = stackPolicy<{ edgeService: string; appService: string; configPath: string }>({
  name: "nginx-upstream-replicas",
  description: "Nginx load-balances the MCP application: one upstream names every app replica (by instance name or network alias), none marked down or backup-only.",
  checklistIds: ["HA-REDUNDANCY-02"],
  severity: "high",
  group: "availability",
  remediation: "Render the upstream from the replica list (infra/topology.ts appReplicaHosts) so each app-N is a `server app-N:<port>;` entry.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the load balancer." },
    appService: { type: "string", default: "app", description: "Service (com.mcp.service) of the MCP application." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the container; empty: from `-c` on its command line." },
  },
  check(resources, ctx) {
    const apps = containersOf(resources, ctx.config.appService);
    if (apps.length === 0) return;
    for (const r of edgeContainers(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(r, { ...ctx, violation: (m) => ctx.violation(m, r.urn), undecidable: (w) => ctx.undecidable(`container ${displayName(r)} ${w}`, r.urn) }, ctx.config.configPath);
      if (!edge) continue;
      const nameSets = new Map(
        apps.map((a) => {
          const n = networksOf(a.props);
          return [a, new Set([instanceOf(a), displayName(a), ...(n.known ? n.value.flatMap((x) => x.aliases) : [])])] as const;
        }),
      );
      const names = (a: typeof apps[number]) => nameSets.get(a)!;
      const ups = upstreams(edge.conf);
      // The app upstream: the one naming the most app replicas.
      const scored = ups.map((u) => ({ u, hits: apps.filter((a) => u.servers.some((s) => names(a).has(s.host))).length })).sort((x, y) => y.hits - x.hits);
      const best = scored[0];
      if (!best || best.hits === 0) {
        ctx.violation(`container ${displayName(r)}: no upstream in ${edge.path} routes to the ${ctx.config.appService} replicas`, r.urn);
        continue;
      }
      for (const a of apps) {
        const entry = best.u.servers.find((s) => names(a).has(s.host));
        if (!entry) ctx.violation(`upstream ${best.u.name} does not include replica ${instanceOf(a)}`, r.urn);
        else if (entry.flags.includes("down") || entry.flags.includes("backup")) ctx.violation(`upstream ${best.u.name} marks replica ${instanceOf(a)} ${entry.flags.includes("down") ? "down" : "backup-only"}`, r.urn);
      }
    }
  },
});
