/**
 * Rate limiting bites (PRE-SEC-03, SEC-NET-05): a bounded burst larger than the limit
 * allows gets at least one 429. The burst spends this client's allowance, so the check
 * runs alone after the others and waits (bounded) until the limit lets requests through
 * again, leaving the stack as it found it.
 */
import { Agent } from "node:https";
import { fail, pass, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import { request, type HttpResponse, type RequestOptions } from "../net/http";
import type { HttpOptions, VerifyTarget } from "../target";
import { httpsUrl } from "./urls";
import { abortableSleep } from "../core/sleep";

/** Requests in the burst: enough to exceed burst + one second of refill, never unbounded. */
export function burstSize(requestsPerSecond: number, burst: number): number {
  return Math.min(burst + requestsPerSecond + 10, 600);
}

const CONNECTIONS = 8;

/**
 * `n` requests at once over a few kept-alive connections (the burst arrives fast without paying
 * a TLS handshake per request): each one's answer, or the error that ended it.
 */
export async function sendBurst(url: string, http: HttpOptions, n: number, r: Omit<RequestOptions, "agent"> = {}): Promise<(HttpResponse | string)[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    return await Promise.all(
      Array.from({ length: n }, () =>
        request(url, http, { ...r, agent }).then(
          (res) => res,
          (e: unknown) => errorMessage(e),
        ),
      ),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * Waits until the allowance a burst spent has refilled completely (burst / rate), so nothing
 * after it sees a 429 the burst caused; bounded, and the check's timeout still applies.
 */
export function awaitRefill(rateLimit: { requestsPerSecond: number; burst: number }, signal: AbortSignal): Promise<void> {
  return abortableSleep(Math.min(5000, Math.ceil((rateLimit.burst / rateLimit.requestsPerSecond) * 1000) + 50), signal);
}

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
    const statuses = (await sendBurst(url, edge.http, n, { signal })).map((a) => (typeof a === "string" ? a : a.status));
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
    await awaitRefill(edge.rateLimit, signal);
    return pass(`${limited} of ${n} burst requests got 429`, { measurements });
  },
};
