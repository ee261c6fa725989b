/**
 * prometheus.baseline and prometheus.error-rate-24h on a real Prometheus whose TSDB is backfilled
 * with the app's request counter and latency histogram (`promtool tsdb create-blocks-from
 * openmetrics`): a healthy week passes with the figures the history holds; a fresh Prometheus and
 * a three-day-old one skip saying how much they hold; a week without the histogram, a week with
 * holes and a day with an error spike fail naming what is missing or when the spike was.
 */
import { prometheusInputFromConfig, SCRAPE_JOBS } from "../../infra/render/prometheus";
import { runChecks } from "../../validate/core/runner";
import { coverageOf, errorPeak, prometheusBaselineCheck, prometheusFirstDayErrorsCheck } from "../../validate/monitoring/prometheus-history";
import type { CheckRecord } from "../../validate/core/types";
import type { VerifyTarget } from "../../validate/target";
import { startPrometheus, type PrometheusServer } from "../../testing/servers/prometheus";
import { localStackConfig } from "../../testing/stack";

jest.setTimeout(90_000);

const config = localStackConfig({ http: 80, https: 443 });
const STEP = 120;
const HOUR = 3600;
const DAY = 86_400;
/** Cumulative share of requests at or under each bucket bound: p50 is 50 ms, p95 250 ms. */
const BUCKETS: [string, number][] = [
  ["0.05", 0.5],
  ["0.1", 0.8],
  ["0.25", 0.95],
  ["0.5", 0.99],
  ["1", 1],
  ["+Inf", 1],
];

interface History {
  days: number;
  histogram?: boolean;
  /** [from, to) seconds before now with no samples. */
  hole?: [number, number];
  /** [from, to) seconds before now where 30 % of requests fail. */
  spike?: [number, number];
  /** [from, to) seconds before now where the edge probe fails; false: no probe series at all. */
  probeDown?: [number, number] | false;
}

/** OpenMetrics text of one app replica's counters, one sample every 2 minutes up to 2 minutes ago. */
function openMetrics(h: History, now = Math.floor(Date.now() / 1000)): string {
  const job = `job="${SCRAPE_JOBS.app}",instance="app-1:8080"`;
  const ok: string[] = [];
  const err: string[] = [];
  const buckets: string[][] = BUCKETS.map(() => []);
  const count: string[] = [];
  const probe: string[] = [];
  let [okN, errN] = [0, 0];
  for (let t = now - h.days * DAY; t <= now - STEP; t += STEP) {
    const ago = now - t;
    const inSpike = h.spike && ago <= h.spike[1] && ago > h.spike[0];
    okN += 120;
    errN += inSpike ? 50 : 1.2;
    if (h.hole && ago <= h.hole[1] && ago > h.hole[0]) continue;
    ok.push(`http_requests_total{${job},status="200"} ${okN} ${t}`);
    err.push(`http_requests_total{${job},status="500"} ${errN.toFixed(1)} ${t}`);
    BUCKETS.forEach(([le, share], i) => buckets[i].push(`http_request_duration_seconds_bucket{${job},le="${le}"} ${(okN * share).toFixed(1)} ${t}`));
    count.push(`http_request_duration_seconds_count{${job}} ${okN} ${t}`);
    // The probe every 15 s, as the stack scrapes it.
    for (let u = t; u < t + STEP; u += 15) {
      const down = h.probeDown && now - u <= h.probeDown[1] && now - u > h.probeDown[0];
      probe.push(`probe_success{job="${SCRAPE_JOBS.edgeProbe}",instance="https://mcp.example.test/health"} ${down ? 0 : 1} ${u}`);
    }
  }
  const histogram = h.histogram === false ? [] : ["# TYPE http_request_duration_seconds histogram", ...buckets.flat(), ...count];
  const probes = h.probeDown === false ? [] : ["# TYPE probe_success gauge", ...probe];
  return ["# TYPE http_requests counter", ...ok, ...err, ...histogram, ...probes, "# EOF", ""].join("\n");
}

let prom: PrometheusServer | undefined;
afterEach(async () => {
  await prom?.stop();
  prom = undefined;
});

async function checksOn(history: History | undefined): Promise<Record<string, CheckRecord>> {
  prom = await startPrometheus({
    input: { ...prometheusInputFromConfig(config), alertmanagers: [], jobs: [], probe: undefined },
    rules: "groups: []\n",
    retention: { time: "30d", size: "1GB" },
    backfill: history && openMetrics(history),
  });
  const target = {
    prometheus: { url: prom.url, expectedJobs: [], retention: { time: "30d", size: "1GB" }, expectedAlerts: [], alertThresholds: { errorRatePercent: 5 } },
  } as unknown as VerifyTarget;
  const records = await runChecks([prometheusBaselineCheck, prometheusFirstDayErrorsCheck], target, { secrets: [], progress: false });
  return Object.fromEntries(records.map((r) => [r.id, r]));
}

test("a healthy week: the baseline figures the history holds, and a first day under the threshold", async () => {
  const r = await checksOn({ days: 8 });
  const b = r["prometheus.baseline"];
  expect(`${b.status} ${b.message}`).toMatch(/^pass baseline over 7 d: p50 50 ms, p95 250 ms, 1\.010 req\/s, 0\.99\d* % 5xx$/);
  expect(b.measurements).toEqual(expect.objectContaining({ p50Ms: 50, p95Ms: 250, requestsPerSecond: 1.01, hoursCovered: 169 }));
  const e = r["prometheus.error-rate-24h"];
  expect(`${e.status} ${e.message}`).toMatch(
    /^pass 5xx share over the last 24 h 0\.99\d* %, 5-minute peak 0\.99 % \(threshold 5 %\), edge probe never failed$/,
  );
});

test("a fresh Prometheus: both skip, saying it holds no app samples yet", async () => {
  const r = await checksOn(undefined);
  expect(`${r["prometheus.baseline"].status} ${r["prometheus.baseline"].message}`).toBe(
    `skip Prometheus holds no http_requests_total{job="${SCRAPE_JOBS.app}"} samples yet; a baseline needs 7.0 d of the app's traffic`,
  );
  expect(r["prometheus.error-rate-24h"].status).toBe("skip");
  expect(r["prometheus.error-rate-24h"].message).toMatch(/needs 1\.0 d of the app's traffic$/);
});

test("three days of history: the baseline skips naming what is there, the first-day review runs", async () => {
  const r = await checksOn({ days: 3 });
  expect(r["prometheus.baseline"].status).toBe("skip");
  expect(r["prometheus.baseline"].message).toMatch(/^Prometheus holds 3\.0 d of http_requests_total\{job="mcp-app"\}; a baseline needs 7\.0 d/);
  expect(r["prometheus.error-rate-24h"].status).toBe("pass");
});

test("a week without the latency histogram: the baseline fails naming the missing series", async () => {
  const r = await checksOn({ days: 8, histogram: false });
  const b = r["prometheus.baseline"];
  expect(b.status).toBe("fail");
  expect(b.message).toBe(
    'a week of requests is stored but the baseline cannot be computed: no p50/p95 latency (http_request_duration_seconds_bucket{job="mcp-app"} has no samples) over the last 7 d',
  );
});

test("a week with a two-day hole: the baseline fails counting the hours without samples", async () => {
  const r = await checksOn({ days: 8, hole: [2 * DAY, 4 * DAY] });
  const b = r["prometheus.baseline"];
  expect(b.status).toBe("fail");
  expect(b.message).toMatch(/^(4[6-9]|5\d) of 169 hours of the last 7\.0 d have no http_requests_total\{job="mcp-app"\} samples: a baseline has gaps$/);
  expect(r["prometheus.error-rate-24h"].status).toBe("pass");
});

test("a 30-minute error spike three hours ago: the first-day review fails naming the peak, when and how long", async () => {
  const r = await checksOn({ days: 2, spike: [3 * HOUR - 30 * 60, 3 * HOUR] });
  const e = r["prometheus.error-rate-24h"];
  expect(e.status).toBe("fail");
  expect(e.message).toMatch(/^the 5xx share reached 29\.\d+ % at \S+Z and was above 5 % for (2\d|3\d) min of the last 24 h \(24 h share \d\.\d+ %\)$/);
  const at = Date.parse(/ at (\S+Z) /.exec(e.message)![1]);
  expect(Math.abs(Date.now() - at - 2.75 * HOUR * 1000)).toBeLessThan(20 * 60 * 1000);
  expect(e.expected).toMatch(/at most 5 % \(mcp:alerting\.errorRatePercent\)/);
});

test("a 10-minute outage the app never saw (no request reached it): the first-day review fails on the edge probe", async () => {
  const r = await checksOn({ days: 2, probeDown: [HOUR, HOUR + 10 * 60] });
  const e = r["prometheus.error-rate-24h"];
  expect(e.status).toBe("fail");
  expect(e.message).toMatch(/^the public endpoint's HTTPS probe failed in (10|11) minute\(s\) of the last 24 h, first at \S+Z$/);
  expect(e.measurements).toEqual(expect.objectContaining({ peakPercent5m: 0.99 }));
});

test("no probe of the public endpoint at all: the first-day review fails saying so", async () => {
  const r = await checksOn({ days: 2, probeDown: false });
  expect(r["prometheus.error-rate-24h"].message).toBe('no probe_success{job="edge-https-probe"} samples in the last 24 h: the public endpoint was not probed');
});

test("coverage and peak of raw samples", () => {
  expect(coverageOf([], 1000, 100, 10)).toEqual({ covered: 0, steps: 11, spanSeconds: 0 });
  expect(
    coverageOf(
      [
        [950, "1"],
        [960, "NaN"],
        [1000, "2"],
      ],
      1000,
      100,
      10,
    ),
  ).toEqual({ covered: 2, steps: 11, spanSeconds: 50 });
  expect(
    errorPeak(
      [
        [1, "1"],
        [2, "7"],
        [3, "6"],
        [4, "NaN"],
      ],
      5,
    ),
  ).toEqual({ peak: 7, at: 2, stepsAbove: 2 });
});
