/**
 * The services the post-deploy checks depend on, and how to tell each one answers: checks
 * name them in `needs`, the runner probes the needed ones first, and a check whose service
 * does not answer is not run (the first reports why, the rest are skipped naming it).
 */
import type { Probe } from "./core/types";
import { connectTarget } from "./net/http";
import { httpHead, POSTGRES_SSL_REQUEST, probeAnswer, REDIS_PING } from "./net/probe";
import type { VerifyTarget } from "./target";

export type Dependency = "edge" | "app" | "postgres" | "redis" | "prometheus" | "alertmanager" | "grafana";

function httpProbe(url: string, ctx: { signal: AbortSignal; timeoutMs: number }): Promise<void> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  return probeAnswer(host, port, { ...ctx, ...(u.protocol === "https:" ? { tls: { servername: host } } : { send: httpHead(u.host) }) });
}

const CHECK_RUNNING = "is running and reachable from where the checks run (docker service ps; see README: Post-deploy verification)";

export const VERIFY_PROBES: Readonly<Record<Dependency, Probe<VerifyTarget>>> = {
  edge: {
    remediation: `Check that the public name resolves to the edge and that Nginx ${CHECK_RUNNING}.`,
    run({ edge }, ctx) {
      const to = connectTarget(edge.hostname, edge.httpsPort, edge.http);
      return probeAnswer(to.host, to.port, { ...ctx, tls: { servername: edge.hostname } });
    },
  },
  app: {
    remediation: `Check that every app replica ${CHECK_RUNNING}.`,
    async run({ app }, ctx) {
      // Each replica on its own: one that hangs is named, not hidden behind the others.
      const results = await Promise.allSettled(app.replicaUrls.map((u) => httpProbe(u, ctx)));
      const bad = results.flatMap((r, i) => (r.status === "rejected" ? [`replica ${i + 1} of ${results.length}: ${(r.reason as Error).message}`] : []));
      if (bad.length > 0) throw new Error(bad.join("; "));
    },
  },
  postgres: {
    remediation: `Check that PostgreSQL ${CHECK_RUNNING}.`,
    run: ({ postgres: p }, ctx) => probeAnswer(p.host, p.port, { ...ctx, send: POSTGRES_SSL_REQUEST }),
  },
  redis: {
    remediation: `Check that Redis ${CHECK_RUNNING}.`,
    run: ({ redis: r }, ctx) => probeAnswer(r.host, r.port, { ...ctx, send: REDIS_PING }),
  },
  prometheus: { remediation: `Check that Prometheus ${CHECK_RUNNING}.`, run: (t, ctx) => httpProbe(t.prometheus.url, ctx) },
  alertmanager: { remediation: `Check that Alertmanager ${CHECK_RUNNING}.`, run: (t, ctx) => httpProbe(t.alertmanager.url, ctx) },
  grafana: { remediation: `Check that Grafana ${CHECK_RUNNING}.`, run: (t, ctx) => httpProbe(t.grafana.url, ctx) },
};
