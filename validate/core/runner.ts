/**
 * The one runner for every runtime check (post-deploy verification, Docker host and
 * container checks, backups): runs checks concurrently, bounds each by its timeout
 * (an AbortSignal the check passes to its clients), retries the failed attempts that may
 * heal while time remains (validate/core/healing.ts), probes the services checks `need`
 * first so one unreachable service is reported once, prints progress to stderr and redacts
 * every known secret from everything it returns or prints.
 */
import { setMaxListeners } from "node:events";
import { fail, skip, type Check, type CheckContext, type CheckRecord, type CheckResult, type Probe } from "./types";
import { createRedactor, redactDeep, type Redactor } from "../../evidence/redact";
import { errorMessage } from "./errors";
import { abortableSleep } from "./sleep";
import { healingOf, type Healing } from "./healing";
import { probeNeeds, type NeedsGate } from "./needs";

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_RETRY_DELAY_MS = 250;
export const DEFAULT_CONCURRENCY = 8;
/** A healthy service answers a probe in milliseconds; this is what "frozen" means. */
export const DEFAULT_PROBE_TIMEOUT_MS = 2000;
/** How long idle workers wait for probes at the start, before running what does not wait on them. */
const PROBE_GRACE_MS = 250;

export interface RunOptions<T = unknown> {
  /** Checks running at once (default 8). */
  concurrency?: number;
  /** Timeout for checks that set none (default 3 s). Bounds all attempts of a check together. */
  defaultTimeoutMs?: number;
  /** Secret values to redact from every message, measurement and progress line. */
  secrets?: readonly (string | undefined | null)[];
  /** Receives progress lines (already redacted). Default: stderr. `false` silences. */
  progress?: ((line: string) => void) | false;
  /** Label in progress lines (default "verify"). */
  label?: string;
  /** Aborts every running check (e.g. Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Check id -> why it cannot apply where these checks run (e.g. a test machine that cannot
   * publish ports). Such a check is not run and is recorded as skipped with that reason, never
   * dropped silently.
   */
  notApplicable?: Readonly<Record<string, string>>;
  /** Dependency name -> how to tell it answers; probed once before the checks that list it in `needs`. */
  probes?: Readonly<Record<string, Probe<T>>>;
  /** Bound of each probe (default 2 s). */
  probeTimeoutMs?: number;
}

/** A failure worth another attempt: dns-temporary at most once, since a resolver that fails twice is not flapping. */
function worthRetrying(h: Healing, dnsRetries: number): boolean {
  return h === "transient" || (h === "dns-temporary" && dnsRetries === 0);
}

interface Outcome {
  result: CheckResult;
  attempts: number;
}

async function runOne<T>(check: Check<T>, target: T, timeoutMs: number, log: (m: string) => void, outer?: AbortSignal): Promise<Outcome> {
  const controller = new AbortController();
  // Every request of a check listens on this signal (a burst check makes hundreds).
  setMaxListeners(0, controller.signal);
  const onOuterAbort = () => controller.abort(new Error("verification cancelled"));
  if (outer?.aborted) onOuterAbort();
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  // Resolves when the deadline passes, so a check that ignores its signal cannot hold the run.
  const deadline = new Promise<"timeout">((resolve) => controller.signal.addEventListener("abort", () => resolve("timeout"), { once: true }));
  const ctx: CheckContext = { signal: controller.signal, log };
  const retries = Math.max(0, Math.min(check.retries ?? 0, 20));
  const retryDelay = Math.max(0, check.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
  let attempts = 0;
  let dnsRetries = 0;
  let last: CheckResult | undefined;
  let timedOut = false;
  try {
    while (attempts <= retries && !controller.signal.aborted) {
      attempts++;
      const attempt = Promise.resolve()
        .then(() => check.run(target, ctx))
        .then(
          (r) => r,
          (err: unknown): CheckResult => fail(`check raised an error: ${errorMessage(err)}`, { cause: err }),
        );
      const r = await Promise.race([attempt, deadline]);
      if (r === "timeout") {
        timedOut = true;
        break;
      }
      last = r;
      if (r.status !== "fail" || attempts > retries) break;
      const healing = healingOf(r);
      if (!worthRetrying(healing, dnsRetries)) break;
      if (healing === "dns-temporary") dnsRetries++;
      log(`attempt ${attempts} failed (${healing}), retrying: ${r.message}`);
      await abortableSleep(retryDelay, controller.signal);
    }
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", onOuterAbort);
    if (!controller.signal.aborted) controller.abort(new Error("check finished"));
  }
  // A deadline that passes between attempts still reports the last attempt's own failure.
  if (last && !timedOut) return { result: last, attempts };
  const reason = controller.signal.reason instanceof Error ? controller.signal.reason.message : `timed out after ${timeoutMs} ms`;
  return {
    attempts,
    result: {
      status: "fail",
      message: `${check.title}: ${reason}${last ? `; last attempt: ${last.message}` : ""}`,
      expected: `an answer within ${timeoutMs} ms`,
      actual: last ? last.message : "no answer",
      remediation: last?.remediation ?? "Check that the service is running and reachable from where the checks run (see README: Post-deploy verification).",
    },
  };
}

const SYMBOL: Record<CheckResult["status"], string> = { pass: "PASS", fail: "FAIL", skip: "SKIP" };

/**
 * Runs `checks` against `target`. Records come back in the order of `checks`, each
 * redacted. Never throws for a failing or hanging check.
 */
export async function runChecks<T>(checks: readonly Check<T>[], target: T, options: RunOptions<T> = {}): Promise<CheckRecord[]> {
  const redact: Redactor = createRedactor(options.secrets ?? []);
  const label = options.label ?? "verify";
  const sink = options.progress === false ? undefined : (options.progress ?? ((line: string) => process.stderr.write(line + "\n")));
  const say = (line: string) => sink?.(redact(`[${label}] ${line}`));
  const ids = new Set<string>();
  for (const c of checks) {
    if (ids.has(c.id)) throw new Error(`duplicate check id "${c.id}"`);
    ids.add(c.id);
  }
  const records: CheckRecord[] = new Array(checks.length);
  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, 64));
  let done = 0;
  say(`running ${checks.length} check${checks.length === 1 ? "" : "s"} (concurrency ${concurrency})`);
  const runnable = checks.filter((c) => options.notApplicable?.[c.id] === undefined);
  const gate: NeedsGate | undefined = options.probes
    ? probeNeeds(runnable, target, options.probes, {
        timeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
        signal: options.signal,
        say: (line) => say(line),
      })
    : undefined;

  // Exclusive checks go last, one at a time, after the concurrent ones.
  const shared = checks.map((_c, i) => i).filter((i) => !checks[i].exclusive);
  const alone = checks.map((_c, i) => i).filter((i) => checks[i].exclusive);

  /** `decided`: whether the check is blocked, when the caller already asked the gate. */
  async function runAt(index: number, decided?: { block: CheckResult | undefined }) {
    const check = checks[index];
    const timeoutMs = check.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = Date.now();
    const reason = options.notApplicable?.[check.id];
    const block = reason === undefined ? (decided ? decided.block : await gate?.blocked(check)) : undefined;
    const { result, attempts } =
      reason !== undefined
        ? { result: skip(`not applicable here: ${reason}`), attempts: 0 }
        : block
          ? { result: block, attempts: 0 }
          : await runOne(check, target, timeoutMs, (m) => say(`${check.id}: ${m}`), options.signal);
    const record: CheckRecord = redactDeep(
      { ...result, id: check.id, title: check.title, checklistIds: [...check.checklistIds], durationMs: Date.now() - started, attempts },
      redact,
    );
    records[index] = record;
    done++;
    say(`[${done}/${checks.length}] ${SYMBOL[record.status]} ${record.id} (${record.durationMs} ms) ${record.message}`);
  }
  // A worker takes the first check whose services have answered (or need none). Checks still
  // waiting on a probe after the first moments (a frozen service) are not waited for: the
  // exclusive checks run meanwhile, and the waiting ones run or are recorded as the probe decides.
  const pending = [...shared];
  const t0 = Date.now();
  async function worker(waitForProbesMs: number) {
    for (;;) {
      const i = gate ? pending.findIndex((index) => gate.ready(checks[index])) : 0;
      if (i >= 0 && pending.length > 0) {
        await runAt(pending.splice(i, 1)[0]);
        continue;
      }
      const left = waitForProbesMs - (Date.now() - t0);
      // Nothing ready although every probe has settled cannot wait its way out: leave it to the next phase.
      if (pending.length === 0 || !gate || left <= 0 || gate.allSettled()) return;
      await gate.settledOrAfter(left);
    }
  }
  const workers = (waitMs: number) => Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, pending.length)) }, () => worker(waitMs)));
  await workers(PROBE_GRACE_MS);
  const waiting = pending.splice(0);
  const runLater: number[] = [];
  const decided = Promise.all(
    waiting.map(async (index) => {
      const block = await gate!.blocked(checks[index]);
      if (block) await runAt(index, { block });
      else runLater.push(index);
    }),
  );
  for (const index of alone) await runAt(index);
  await decided;
  pending.push(...runLater.sort((a, b) => a - b));
  await workers(Infinity);
  return records;
}

/** Checks whose id is in `only` (exact ids or `prefix.*`); unknown ids are an error naming them. */
export function selectChecks<T extends { id: string }>(checks: readonly T[], only: readonly string[] | undefined): T[] {
  if (!only || only.length === 0) return [...checks];
  const matches = (id: string, pattern: string) => (pattern.endsWith(".*") ? id.startsWith(pattern.slice(0, -1)) : id === pattern);
  const unknown = only.filter((p) => !checks.some((c) => matches(c.id, p)));
  if (unknown.length > 0) {
    throw new Error(
      `unknown check id${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")} (known: ${checks.map((c) => c.id).join(", ")})`,
    );
  }
  return checks.filter((c) => only.some((p) => matches(c.id, p)));
}
