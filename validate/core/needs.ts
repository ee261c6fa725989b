/**
 * One root cause, reported once: probes each service the checks `need`, once, and turns every
 * check of a service that did not answer into a result without running it. The first such
 * check (in list order, so the report is the same on every run) fails with the probe's
 * finding; the others are skipped naming that check and the cause.
 */
import { errorMessage } from "./errors";
import { fail, skip, type Check, type CheckRecord, type CheckResult, type Probe } from "./types";

/** Start of the message of a check skipped because a service it needs did not answer. */
export const BLOCKED_PREFIX = "skipped: ";

/** A record skipped because a service it needs did not answer (worth running again once it does, e.g. by a deploy hook). */
export function isBlocked(record: Pick<CheckRecord, "status" | "message">): boolean {
  return record.status === "skip" && record.message.startsWith(BLOCKED_PREFIX);
}

async function runProbe<T>(name: string, probe: Probe<T>, target: T, timeoutMs: number, outer?: AbortSignal): Promise<string | undefined> {
  const controller = new AbortController();
  const onOuter = () => controller.abort();
  outer?.addEventListener("abort", onOuter, { once: true });
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  // A probe that ignores its signal still cannot hold the run past its bound.
  let guard: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (guard = setTimeout(() => resolve(`${name} gave no answer within ${timeoutMs} ms`), timeoutMs + 250)));
  try {
    return await Promise.race([
      probe.run(target, { signal: controller.signal, timeoutMs }).then(
        () => undefined,
        (e: unknown) => errorMessage(e),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
    clearTimeout(guard);
    outer?.removeEventListener("abort", onOuter);
  }
}

/**
 * Probes start at once, all together; a check waits only for the services it needs, so the
 * other checks run meanwhile and a frozen service costs its own checks the probe bound, not
 * the whole run.
 */
export interface NeedsGate {
  /** Whether `check`'s needs are settled (a worker prefers such checks over ones that would wait). */
  ready(check: Check<unknown>): boolean;
  allSettled(): boolean;
  /** Resolves when one more probe settles, or after `ms` (at once when all have). */
  settledOrAfter(ms: number): Promise<void>;
  /** Undefined: run the check. Otherwise the result to record instead of running it. */
  blocked(check: Check<unknown>): Promise<CheckResult | undefined>;
}

export function probeNeeds<T>(
  checks: readonly Check<T>[],
  target: T,
  probes: Readonly<Record<string, Probe<T>>>,
  o: { timeoutMs: number; signal?: AbortSignal; say: (line: string) => void },
): NeedsGate {
  const wanted = [...new Set(checks.flatMap((c) => c.needs ?? []))];
  const unknown = wanted.filter((n) => !probes[n]);
  if (unknown.length > 0) throw new Error(`checks need ${unknown.map((n) => `"${n}"`).join(", ")} but no probe is given for it`);
  const settled = new Set<string>();
  const started = Date.now();
  const outcome = new Map<string, Promise<string | undefined>>(
    wanted.map((name) => [
      name,
      runProbe(name, probes[name], target, o.timeoutMs, o.signal).then((cause) => {
        settled.add(name);
        o.say(cause === undefined ? `${name} answers (${Date.now() - started} ms)` : `${name} does not answer: ${cause}`);
        return cause;
      }),
    ]),
  );
  /** The first need of `check` that did not answer, with why. */
  const firstDown = async (check: Check<T>): Promise<[string, string] | undefined> => {
    for (const n of check.needs ?? []) {
      const cause = await outcome.get(n)!;
      if (cause !== undefined) return [n, cause];
    }
    return undefined;
  };
  // The reporter of a service is the first check in list order that it blocks: the same on every run, whatever the scheduling.
  const reporters = new Map<string, Promise<string | undefined>>();
  const reporterOf = (dependency: string) => {
    let r = reporters.get(dependency);
    if (!r) {
      r = (async () => {
        for (const c of checks) if (c.needs?.includes(dependency) && (await firstDown(c))?.[0] === dependency) return c.id;
        return undefined;
      })();
      reporters.set(dependency, r);
    }
    return r;
  };
  return {
    // A need nobody probes (the check is not applicable here) is never waited for.
    ready: (check) => (check.needs ?? []).every((n) => settled.has(n) || !outcome.has(n)),
    allSettled: () => settled.size === outcome.size,
    settledOrAfter(ms) {
      const open = [...outcome].filter(([n]) => !settled.has(n)).map(([, p]) => p.then(() => undefined));
      if (open.length === 0) return Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([...open, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
    },
    async blocked(check) {
      const down = await firstDown(check as Check<T>);
      if (!down) return undefined;
      const [dependency, cause] = down;
      const first = await reporterOf(dependency);
      if (first === check.id)
        return fail(`${dependency} unreachable: ${cause}`, {
          expected: `${dependency} answers within ${o.timeoutMs} ms`,
          actual: cause,
          remediation: probes[dependency].remediation,
        });
      return skip(`${BLOCKED_PREFIX}${dependency} unreachable, reported by ${first}: ${cause}`);
    },
  };
}
