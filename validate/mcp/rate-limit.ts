/**
 * The per-client rate limit on the MCP path (SEC-NET-05, PRE-SEC-03): a burst above it gets
 * 429, and every 429 says when to come back (Retry-After, RFC 9110 §10.2.3). Exclusive, and
 * waits for the allowance to refill, like edge.rate-limit.
 */
import { fail, pass, type Check } from "../core/types";
import { header } from "../net/http";
import { awaitRefill, burstSize, sendBurst } from "../edge/rate-limit";
import type { VerifyTarget } from "../target";

/** Retry-After is delay-seconds or an HTTP-date. */
export function validRetryAfter(value: string | undefined): boolean {
  if (value === undefined) return false;
  return /^\d+$/.test(value.trim()) || !Number.isNaN(Date.parse(value));
}

export const mcpRateLimitCheck: Check<VerifyTarget> = {
  id: "mcp.rate-limit",
  title: "A burst above the rate limit on the MCP path gets 429 with Retry-After",
  checklistIds: ["SEC-NET-05", "PRE-SEC-03"],
  needs: ["edge"],
  exclusive: true,
  timeoutMs: 15_000,
  async run({ mcp, edge }, { signal, log }) {
    const { requestsPerSecond, burst } = edge.rateLimit;
    const n = burstSize(requestsPerSecond, burst);
    log(`sending ${n} requests to ${mcp.url}`);
    // No token: the app's 401 is cheap, and Nginx limits before the app is asked.
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    const answers: ({ status: number; retryAfter?: string } | string)[] = (
      await sendBurst(mcp.url, mcp.http, n, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        signal,
      })
    ).map((a) => (typeof a === "string" ? a : { status: a.status, retryAfter: header(a.headers, "retry-after") }));
    const limited = answers.filter((a): a is { status: number; retryAfter?: string } => typeof a !== "string" && a.status === 429);
    const without = limited.filter((a) => !validRetryAfter(a.retryAfter));
    const measurements = { requests: n, status429: limited.length, without: without.length, errors: answers.filter((a) => typeof a === "string").length };
    if (limited.length === 0) {
      const counts: Record<string, number> = {};
      for (const a of answers) counts[typeof a === "string" ? a : String(a.status)] = (counts[typeof a === "string" ? a : String(a.status)] ?? 0) + 1;
      return fail(`a burst of ${n} requests to ${mcp.url} got no 429`, {
        expected: `429 once more than ${burst} requests beyond ${requestsPerSecond}/s arrive`,
        actual: Object.entries(counts)
          .map(([k, v]) => `${v}x ${k}`)
          .join(", "),
        remediation: "Apply limit_req to Nginx's MCP location (infra/render/nginx.ts).",
        measurements,
      });
    }
    await awaitRefill(edge.rateLimit, signal);
    if (without.length)
      return fail(`${without.length} of ${limited.length} 429 answers on ${mcp.url} had no valid Retry-After (seen: ${without[0].retryAfter ?? "absent"})`, {
        expected: "Retry-After: <seconds> on every 429",
        actual: without[0].retryAfter ?? "absent",
        remediation: "Nginx's limit_req sends no Retry-After: add it to 429 answers (infra/render/nginx.ts).",
        measurements,
      });
    return pass(`${limited.length} of ${n} burst requests got 429, each with Retry-After ${limited[0].retryAfter}`, { measurements });
  },
};
