/**
 * One root cause, reported once: probes each service the checks `need` before running them,
 * then turns every check of a service that did not answer into a result without running it.
 * The first such check (in list order, so the report is the same on every run) fails with
 * the probe's finding; the others are skipped naming that check and the cause.
 */
import { errorMessage } from "./errors";
import { fail, skip, type Check, type CheckRecord, type CheckResult, type Probe } from "./types";

/** Start of the message of a check skipped because a service it needs did not answer. */
export const BLOCKED_PREFIX = "skipped: ";

export interface Blocked {
  dependency: string;
  result: CheckResult;
}

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

export async function probeNeeds<T>(
  checks: readonly Check<T>[],
  target: T,
  probes: Readonly<Record<string, Probe<T>>>,
  o: { timeoutMs: number; signal?: AbortSignal; say: (line: string) => void },
): Promise<Map<string, Blocked>> {
  const wanted = [...new Set(checks.flatMap((c) => c.needs ?? []))];
  const unknown = wanted.filter((n) => !probes[n]);
  if (unknown.length > 0) throw new Error(`checks need ${unknown.map((n) => `"${n}"`).join(", ")} but no probe is given for it`);
  const started = Date.now();
  const causes = new Map<string, string>();
  await Promise.all(
    wanted.map(async (name) => {
      const cause = await runProbe(name, probes[name], target, o.timeoutMs, o.signal);
      if (cause !== undefined) causes.set(name, cause);
    }),
  );
  if (wanted.length > 0)
    o.say(
      causes.size === 0
        ? `${wanted.length} services answer (${wanted.join(", ")}) in ${Date.now() - started} ms`
        : `not answering: ${[...causes].map(([n, c]) => `${n} (${c})`).join("; ")}`,
    );
  const blocked = new Map<string, Blocked>();
  const reporter = new Map<string, string>();
  for (const check of checks) {
    const dependency = (check.needs ?? []).find((n) => causes.has(n));
    if (!dependency) continue;
    const cause = causes.get(dependency)!;
    const first = reporter.get(dependency);
    if (first === undefined) {
      reporter.set(dependency, check.id);
      blocked.set(check.id, {
        dependency,
        result: fail(`${dependency} unreachable: ${cause}`, {
          expected: `${dependency} answers within ${o.timeoutMs} ms`,
          actual: cause,
          remediation: probes[dependency].remediation,
        }),
      });
    } else {
      blocked.set(check.id, { dependency, result: skip(`${BLOCKED_PREFIX}${dependency} unreachable, reported by ${first}: ${cause}`) });
    }
  }
  return blocked;
}
