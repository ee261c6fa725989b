/**
 * What Prometheus kept of the app's real traffic: the performance baseline of the first week
 * (MON-METRICS-04, POST-WEEK-01) and the errors of the first day (POST-24H-03), computed
 * from the request counter and latency histogram every replica exports and the blackbox probe
 * of the public endpoint. Both judge history,
 * so on a stack younger than their window they skip, saying how much Prometheus holds.
 */
import { SCRAPE_JOBS } from "../../infra/render/prometheus";
import { APP_METRICS } from "../../infra/render/alert-rules";
import { fail, pass, skip, type Check } from "../core/types";
import type { CheckResult } from "../../evidence/checks";
import type { PrometheusTarget, VerifyTarget } from "../target";
import { prometheusApi } from "./prometheus";

/** The checklist's "first week" and "first 24 hours", in seconds. */
export const BASELINE_WINDOW_SECONDS = 7 * 86_400;
export const FIRST_DAY_SECONDS = 86_400;
/** Step of the coverage scan: an hour of the window with no request sample is a gap. */
const COVERAGE_STEP_SECONDS = 3600;
/** A baseline with more hours missing than this share is not a week of traffic. */
export const MIN_COVERAGE = 0.9;
/** Resolution of the error-rate scan: the HighErrorRate alert's own 5-minute rate. */
const ERROR_STEP_SECONDS = 300;

const JOB = `job="${SCRAPE_JOBS.app}"`;
const REQ = APP_METRICS.requestsTotal;
const BUCKETS = `${APP_METRICS.durationHistogram}_bucket`;
const STATUS_5XX = `${APP_METRICS.statusLabel}=~"5.."`;

export const historyQueries = {
  /** Any replica served requests during the hour before each step. */
  coverage: `sum(rate(${REQ}{${JOB}}[1h]))`,
  requestRate: (w: string) => `sum(rate(${REQ}{${JOB}}[${w}]))`,
  // `or vector(0)`: a stack that never answered 5xx has no such series, and that is 0 %, not unknown.
  errorPercent: (w: string) => `100 * (sum(rate(${REQ}{${JOB},${STATUS_5XX}}[${w}])) or vector(0)) / sum(rate(${REQ}{${JOB}}[${w}]))`,
  latencyMs: (q: number, w: string) => `1000 * histogram_quantile(${q}, sum by (le) (rate(${BUCKETS}{${JOB}}[${w}])))`,
  /** The blackbox probe of the public health URL: what users saw when no request reached the app at all. */
  // min_over_time: every failed probe counts, not only those a step happens to land on.
  edgeProbe: `min(min_over_time(probe_success{job="${SCRAPE_JOBS.edgeProbe}"}[1m]))`,
};
/** Resolution of the edge probe scan: EndpointDown's own view is minutes. */
const PROBE_STEP_SECONDS = 60;

type Sample = [number, string];
interface Vector {
  resultType: "vector";
  result: { metric: Record<string, string>; value: Sample }[];
}
interface Matrix {
  resultType: "matrix";
  result: { metric: Record<string, string>; values: Sample[] }[];
}

async function instant(p: PrometheusTarget, query: string, at: number, signal: AbortSignal): Promise<number | undefined> {
  const data = await prometheusApi<Vector>(p, `/api/v1/query?query=${encodeURIComponent(query)}&time=${at}`, signal);
  const v = data.result[0] ? Number(data.result[0].value[1]) : undefined;
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

async function range(p: PrometheusTarget, query: string, start: number, end: number, step: number, signal: AbortSignal): Promise<Sample[]> {
  const path = `/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&end=${end}&step=${step}`;
  const data = await prometheusApi<Matrix>(p, path, signal);
  return data.result[0]?.values ?? [];
}

export interface Coverage {
  /** Steps of the window with data, and steps in it. */
  covered: number;
  steps: number;
  /** Seconds from the oldest step with data to the end of the window. */
  spanSeconds: number;
}

/** How much of [end - window, end] the samples (one per step) cover. Pure. */
export function coverageOf(samples: readonly Sample[], end: number, windowSeconds: number, stepSeconds: number): Coverage {
  const steps = Math.floor(windowSeconds / stepSeconds) + 1;
  const times = samples.filter(([, v]) => Number.isFinite(Number(v))).map(([t]) => t);
  return { covered: times.length, steps, spanSeconds: times.length ? end - Math.min(...times) : 0 };
}

const days = (s: number) => `${(s / 86_400).toFixed(1)} d`;
const fmt = (n: number, digits = 1) => (Number.isInteger(n) ? String(n) : n.toFixed(digits));

/**
 * Decides whether the window holds enough history: skip when Prometheus has not been collecting
 * for the whole window yet (a young stack, not a fault), fail when it has but with gaps.
 */
export function judgeCoverage(c: Coverage, windowSeconds: number, what: string): CheckResult | undefined {
  const window = days(windowSeconds);
  // One step of slack: the oldest step sees only the hour before it.
  if (c.spanSeconds < windowSeconds - COVERAGE_STEP_SECONDS)
    return skip(
      c.covered === 0
        ? `Prometheus holds no ${REQ}{${JOB}} samples yet; ${what} needs ${window} of the app's traffic`
        : `Prometheus holds ${days(c.spanSeconds)} of ${REQ}{${JOB}}; ${what} needs ${window} (run verify again once the stack has served that long)`,
      { measurements: { daysOfData: Number((c.spanSeconds / 86_400).toFixed(2)) } },
    );
  if (c.covered / c.steps < MIN_COVERAGE)
    return fail(`${c.steps - c.covered} of ${c.steps} hours of the last ${window} have no ${REQ}{${JOB}} samples: ${what} has gaps`, {
      expected: `app request samples in at least ${Math.round(MIN_COVERAGE * 100)} % of the hours of the last ${window}`,
      actual: `${c.covered} of ${c.steps} hours`,
      remediation:
        "Find why the app targets were not scraped (prometheus.targets, the ServiceDown alert history); the figures of a window with holes are not a baseline.",
      measurements: { hoursCovered: c.covered, hours: c.steps },
    });
  return undefined;
}

export const prometheusBaselineCheck: Check<VerifyTarget> = {
  id: "prometheus.baseline",
  title: "A week of app traffic in Prometheus gives the performance baseline (p50/p95 latency, request rate, error rate)",
  checklistIds: ["MON-METRICS-04", "POST-WEEK-01"],
  needs: ["prometheus"],
  retries: 2,
  timeoutMs: 20_000,
  async run({ prometheus: p }, { signal }) {
    const end = Math.floor(Date.now() / 1000);
    const w = "7d";
    const samples = await range(p, historyQueries.coverage, end - BASELINE_WINDOW_SECONDS, end, COVERAGE_STEP_SECONDS, signal);
    const c = coverageOf(samples, end, BASELINE_WINDOW_SECONDS, COVERAGE_STEP_SECONDS);
    const notYet = judgeCoverage(c, BASELINE_WINDOW_SECONDS, "a baseline");
    if (notYet) return notYet;
    const [rate, errors, p50, p95] = await Promise.all([
      instant(p, historyQueries.requestRate(w), end, signal),
      instant(p, historyQueries.errorPercent(w), end, signal),
      instant(p, historyQueries.latencyMs(0.5, w), end, signal),
      instant(p, historyQueries.latencyMs(0.95, w), end, signal),
    ]);
    const missing = [
      ...(rate === undefined ? ["request rate"] : []),
      ...(errors === undefined ? ["error rate"] : []),
      ...(p50 === undefined || p95 === undefined ? [`p50/p95 latency (${BUCKETS}{${JOB}} has no samples)`] : []),
    ];
    if (missing.length)
      return fail(`a week of requests is stored but the baseline cannot be computed: no ${missing.join(", ")} over the last 7 d`, {
        expected: `${REQ} and ${BUCKETS} of job ${SCRAPE_JOBS.app} over the last 7 d`,
        actual: `missing: ${missing.join(", ")}`,
        remediation: `The app must export ${APP_METRICS.durationHistogram} (a histogram) next to ${REQ} (docs/app-contract.md); check its /metrics.`,
      });
    const measurements = {
      days: 7,
      hoursCovered: c.covered,
      p50Ms: Number(p50!.toFixed(1)),
      p95Ms: Number(p95!.toFixed(1)),
      requestsPerSecond: Number(rate!.toFixed(3)),
      errorRatePercent: Number(errors!.toFixed(3)),
    };
    return pass(
      `baseline over 7 d: p50 ${fmt(measurements.p50Ms)} ms, p95 ${fmt(measurements.p95Ms)} ms, ${fmt(measurements.requestsPerSecond, 3)} req/s, ${fmt(measurements.errorRatePercent, 3)} % 5xx`,
      { measurements },
    );
  },
};

export interface ErrorPeak {
  /** Highest 5-minute 5xx share (%) and when it was seen (unix seconds). */
  peak: number;
  at: number;
  /** 5-minute steps above the threshold. */
  stepsAbove: number;
}

/** The peak of the 5-minute error share and how often it crossed the threshold. Pure. */
export function errorPeak(samples: readonly Sample[], thresholdPercent: number): ErrorPeak {
  let peak = 0;
  let at = 0;
  let stepsAbove = 0;
  for (const [t, s] of samples) {
    const v = Number(s);
    if (!Number.isFinite(v)) continue;
    if (v > peak) [peak, at] = [v, t];
    if (v > thresholdPercent) stepsAbove++;
  }
  return { peak, at, stepsAbove };
}

/** Minutes the edge probe failed, and the first of them (unix seconds). Pure. */
export function probeFailures(samples: readonly Sample[]): { minutes: number; first?: number } {
  const failed = samples.filter(([, v]) => Number(v) === 0).map(([t]) => t);
  return { minutes: failed.length, first: failed[0] };
}

export const prometheusFirstDayErrorsCheck: Check<VerifyTarget> = {
  id: "prometheus.error-rate-24h",
  title: "Over the last 24 h the app's 5xx share stayed under the HighErrorRate threshold and the public endpoint's probe never failed",
  checklistIds: ["POST-24H-03"],
  needs: ["prometheus"],
  retries: 2,
  timeoutMs: 20_000,
  async run({ prometheus: p }, { signal }) {
    const end = Math.floor(Date.now() / 1000);
    const start = end - FIRST_DAY_SECONDS;
    const threshold = p.alertThresholds.errorRatePercent;
    const samples = await range(p, historyQueries.coverage, start, end, COVERAGE_STEP_SECONDS, signal);
    const notYet = judgeCoverage(coverageOf(samples, end, FIRST_DAY_SECONDS, COVERAGE_STEP_SECONDS), FIRST_DAY_SECONDS, "the first-day error review");
    if (notYet) return notYet;
    const [overall, series, probe] = await Promise.all([
      instant(p, historyQueries.errorPercent("24h"), end, signal),
      range(p, historyQueries.errorPercent("5m"), start, end, ERROR_STEP_SECONDS, signal),
      range(p, historyQueries.edgeProbe, start, end, PROBE_STEP_SECONDS, signal),
    ]);
    const e = errorPeak(series, threshold);
    const down = probeFailures(probe);
    const measurements = {
      errorRatePercent24h: Number((overall ?? 0).toFixed(3)),
      peakPercent5m: Number(e.peak.toFixed(3)),
      minutesAboveThreshold: e.stepsAbove * (ERROR_STEP_SECONDS / 60),
      thresholdPercent: threshold,
      edgeProbeFailedMinutes: down.minutes,
    };
    // A request that never reached the app (it was down, Nginx answered 502) is not in its counter: the edge probe saw it.
    const problems = [
      ...(e.stepsAbove > 0 || (overall ?? 0) > threshold
        ? [
            `the 5xx share reached ${fmt(measurements.peakPercent5m, 2)} % at ${new Date(e.at * 1000).toISOString()} and was above ${threshold} % for ${measurements.minutesAboveThreshold} min of the last 24 h (24 h share ${fmt(measurements.errorRatePercent24h, 3)} %)`,
          ]
        : []),
      ...(probe.length === 0
        ? [`no probe_success{job="${SCRAPE_JOBS.edgeProbe}"} samples in the last 24 h: the public endpoint was not probed`]
        : down.minutes > 0
          ? [`the public endpoint's HTTPS probe failed in ${down.minutes} minute(s) of the last 24 h, first at ${new Date(down.first! * 1000).toISOString()}`]
          : []),
    ];
    if (problems.length)
      return fail(problems.join("; "), {
        expected: `5-minute 5xx share of job ${SCRAPE_JOBS.app} at most ${threshold} % (mcp:alerting.errorRatePercent) and every probe of the public endpoint successful throughout the last 24 h`,
        actual: problems.join("; "),
        remediation:
          "Look up the failing requests in the Nginx access log and the app's log around that time (docs/runbooks/), ticket the cause, and run verify again.",
        measurements,
      });
    return pass(
      `5xx share over the last 24 h ${fmt(measurements.errorRatePercent24h, 3)} %, 5-minute peak ${fmt(measurements.peakPercent5m, 2)} % (threshold ${threshold} %), edge probe never failed`,
      { measurements },
    );
  },
};
