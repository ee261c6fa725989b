/**
 * Rate limiting bites (PRE-SEC-03, SEC-NET-05): a bounded burst larger than the limit
 * allows gets at least one 429. The burst spends this client's allowance, so the check
 * runs alone after the others and waits (bounded) until the limit lets requests through
 * again, leaving the stack as it found it.
 */
import { Agent } from "node:https";
import { fail, pass, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import { request } from "../net/http";
import type { VerifyTarget } from "../target";
import { httpsUrl } from "./urls";
import { abortableSleep } from "../core/sleep";

/** Requests in the burst: enough to exceed burst + one second of refill, never unbounded. */
export function burstSize(requestsPerSecond: number, burst: number): number {
  return Math.min(burst + requestsPerSecond + 10, 600);
}

const CONNECTIONS = 8;

export const rateLimitCheck: Check<VerifyTarget> = {
  id: "edge.rate-limit",
  title: "A burst above the rate limit gets 429",
  checklistIds: ["SEC-NET-05", "PRE-SEC-03"],
  needs: ["edge"],
  exclusive: true,
  timeoutMs: 15_000,
  async run({ edge }, { signal, log }) {
    const { path, requestsPerSecond, burst } = edge.rateLimit;
    const url = httpsUrl(edge, path);
    const n = burstSize(requestsPerSecond, burst);
    log(`sending ${n} requests to ${url} over ${CONNECTIONS} kept-alive connections`);
    // Few connections, many requests: the burst arrives fast without paying a TLS handshake per request.
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    let statuses: (number | string)[];
    try {
      statuses = await Promise.all(
        Array.from({ length: n }, () =>
          request(url, edge.http, { signal, agent }).then(
            (r) => r.status,
            (e: unknown) => errorMessage(e),
          ),
        ),
      );
    } finally {
      agent.destroy();
    }
    const counts: Record<string, number> = {};
    for (const s of statuses) counts[String(s)] = (counts[String(s)] ?? 0) + 1;
    const limited = counts["429"] ?? 0;
    const errors = statuses.filter((s) => typeof s === "string").length;
    const measurements = {
      requests: n,
      status429: limited,
      errors,
      ...Object.fromEntries(
        Object.entries(counts)
          .filter(([k]) => /^\d+$/.test(k))
          .map(([k, v]) => [`status${k}`, v]),
      ),
    };
    if (limited === 0) {
      const seen = Object.entries(counts)
        .map(([k, v]) => `${v}x ${k}`)
        .join(", ");
      return fail(`a burst of ${n} requests to ${url} got no 429`, {
        expected: `429 once more than ${burst} requests beyond ${requestsPerSecond}/s arrive`,
        actual: seen,
        remediation: "Apply limit_req (zone per client address, limit_req_status 429) to the proxied locations (infra/render/nginx.ts).",
        measurements,
      });
    }
    // Let the allowance refill completely (burst / rate), so nothing after this sees a 429
    // caused by our own burst; bounded, and the check's timeout still applies.
    await abortableSleep(Math.min(5000, Math.ceil((burst / requestsPerSecond) * 1000) + 50), signal);
    return pass(`${limited} of ${n} burst requests got 429`, { measurements });
  },
};
