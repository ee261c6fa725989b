/**
 * terraform-plugin-sdk v2 (v2.40.1, the provider's go.mod) helper/retry StateChangeConf
 * .WaitForStateContext, which every wait of the provider goes through:
 *
 * - sleep `Delay`, then refresh at once; after each refresh that is not the target the wait
 *   doubles from 100 ms, raised to at least `MinTimeout` and capped at 10 s: with the
 *   provider's MinTimeout of 5 s that is refreshes after Delay, +5 s, +10 s, +10 s, ...;
 * - a refresh error ends the wait with that error; a state in neither Target nor Pending ends
 *   it with "unexpected state"; a nil result counts towards NotFoundChecks (20);
 * - `Timeout` runs from the start (Delay included) and ends the wait with "timeout while
 *   waiting for state to become ..."; the SDK then grants a refresh already running a grace
 *   period of up to 30 s to report the target, which is what happens here too, since a
 *   refresh in flight is awaited (each refresh is a few API calls).
 */

export interface StateChangeConf<T> {
  pending: string[];
  target: string[];
  refresh: () => Promise<{ result: T | undefined; state: string }>;
  timeoutMs: number;
  minTimeoutMs: number;
  delayMs: number;
  notFoundChecks?: number;
  /** Test-only ceiling on the whole wait (never longer than timeoutMs). */
  ceilingMs?: number;
}

export class StateTimeoutError extends Error {
  constructor(
    readonly lastState: string,
    readonly target: string[],
    readonly timeoutMs: number,
    readonly ceiling: boolean,
  ) {
    // The SDK's TimeoutError text, so callers can match it the way the provider does
    // (containsIgnorableErrorMessage(err.Error(), "timeout while waiting for state")).
    super(
      `timeout while waiting for state to become '${target.join(", ")}' (last state: '${lastState}', timeout: ${goDurationString(timeoutMs)})${ceiling ? " [the applier's convergeTimeoutMs ceiling]" : ""}`,
    );
    this.name = "StateTimeoutError";
  }
}

export class UnexpectedStateError extends Error {
  constructor(state: string, target: string[]) {
    super(`unexpected state '${state}', wanted target '${target.join(", ")}'`);
    this.name = "UnexpectedStateError";
  }
}

/** time.Duration.String() for whole milliseconds (enough for the provider's messages). */
export function goDurationString(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  if (h === 0 && m === 0 && s < 1) return `${ms}ms`;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function waitForState<T>(conf: StateChangeConf<T>): Promise<T | undefined> {
  const started = Date.now();
  const ceiling = conf.ceilingMs !== undefined && conf.ceilingMs < conf.timeoutMs;
  const limit = ceiling ? (conf.ceilingMs as number) : conf.timeoutMs;
  const deadline = started + limit;
  const notFoundChecks = conf.notFoundChecks ?? 20;
  let lastState = "";
  let notFound = 0;
  let wait = 0;
  await sleep(Math.min(conf.delayMs, deadline - Date.now()));
  // Bounded by the deadline: every pass sleeps at least MinTimeout (or 100 ms) and stops at the deadline.
  for (;;) {
    if (Date.now() >= deadline) throw new StateTimeoutError(lastState, conf.target, limit, ceiling);
    if (wait > 0) await sleep(Math.min(wait, deadline - Date.now()));
    if (Date.now() >= deadline) throw new StateTimeoutError(lastState, conf.target, limit, ceiling);
    if (wait === 0) wait = 100;
    const { result, state } = await conf.refresh();
    lastState = state;
    if (result === undefined) {
      notFound++;
      if (notFound > notFoundChecks) throw new Error(`couldn't find resource (${notFound} retries)`);
    } else {
      notFound = 0;
      if (conf.target.includes(state)) return result;
      if (!conf.pending.includes(state) && conf.pending.length > 0) throw new UnexpectedStateError(state, conf.target);
    }
    wait *= 2;
    if (wait < conf.minTimeoutMs) wait = conf.minTimeoutMs;
    else if (wait > 10_000) wait = 10_000;
  }
}
