/**
 * Health endpoint latency through the edge (FUN-PERF-01, HA-REDUNDANCY-05): N sequential
 * requests, p50/p95 reported, p95 under the threshold, every answer 200. Stops early once
 * the p95 is certain to exceed the threshold, so a slow service cannot stretch the run.
 */
import { fail, pass, type Check } from "../core/types";
import { request } from "../net/http";
import type { VerifyTarget } from "../target";
import { httpsUrl } from "./urls";

/** Nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

export const healthLatencyCheck: Check<VerifyTarget> = {
  id: "edge.health-latency",
  title: "Health endpoint p95 latency under the threshold",
  checklistIds: ["FUN-PERF-01", "HA-REDUNDANCY-05", "SIGN-PO-03", "SIGN-TECH-02"],
  needs: ["edge"],
  // Measured alone, so the other checks' own load does not count against the stack.
  exclusive: true,
  timeoutMs: 15_000,
  async run({ edge }, { signal }) {
    const { samples, p95Ms } = edge.health;
    const url = httpsUrl(edge, edge.healthPath);
    // More than this many slow samples puts the nearest-rank p95 over the threshold.
    const slowAllowed = samples - Math.ceil(0.95 * samples);
    const times: number[] = [];
    const bad: string[] = [];
    let slow = 0;
    for (let i = 0; i < samples && !signal.aborted; i++) {
      const res = await request(url, edge.http, { signal });
      times.push(res.ms);
      if (res.status !== 200) bad.push(String(res.status));
      if (res.ms >= p95Ms) slow++;
      if (slow > slowAllowed || bad.length > 0) break;
    }
    const p50 = Math.round(percentile(times, 50));
    const p95 = Math.round(percentile(times, 95));
    const measurements = { samples: times.length, p50Ms: p50, p95Ms: p95, maxMs: Math.round(Math.max(...times)), thresholdMs: p95Ms };
    if (bad.length > 0) {
      return fail(`health endpoint ${url} answered ${bad.join(", ")}`, {
        expected: "200 on every request",
        actual: bad.join(", "),
        remediation: "The app replicas behind Nginx must be healthy.",
        measurements,
      });
    }
    if (slow > slowAllowed) {
      return fail(`health p95 is ${p95} ms over ${times.length} requests (p50 ${p50} ms), at least ${slow} at or above ${p95Ms} ms`, {
        expected: `p95 < ${p95Ms} ms over ${samples} requests`,
        actual: `p95 ${p95} ms, p50 ${p50} ms`,
        remediation: "Profile the app's health handler and its dependencies; it must answer without slow I/O.",
        measurements,
      });
    }
    return pass(`health p50 ${p50} ms, p95 ${p95} ms over ${times.length} requests`, { measurements });
  },
};
