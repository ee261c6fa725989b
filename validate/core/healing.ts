/**
 * Which failures may heal by themselves, decided in one place for every check: the runner
 * retries only those, so a deterministic answer (a wrong status, a rule in health `err`, a
 * missing header, a wrong value) is reported on the first attempt instead of after the
 * check's whole retry budget.
 */
import { errorMessage } from "./errors";

/**
 * - `transient`: nothing answered yet but it may in a moment (refused while a service starts,
 *   reset, a client timeout): retried within the check's bound.
 * - `dns-temporary`: the resolver itself failed (EAI_AGAIN): retried at most once, since a
 *   resolver that fails twice is not flapping.
 * - `deterministic`: the service answered, or the name does not exist (ENOTFOUND): a retry
 *   would get the same answer.
 */
export type Healing = "transient" | "dns-temporary" | "deterministic";

const DNS_TEMPORARY = /EAI_AGAIN/;
// ENOTFOUND is left out on purpose: a name that does not exist stays so for the run.
const TRANSIENT =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ESOCKETTIMEDOUT|EHOSTUNREACH|ENETUNREACH|socket hang up|timed? ?out|Connection terminated unexpectedly|Connection is closed/i;

/** How a thrown error (or the error behind a failure) may heal. */
export function classifyError(err: unknown): Healing {
  const msg = errorMessage(err);
  if (DNS_TEMPORARY.test(msg)) return "dns-temporary";
  if (TRANSIENT.test(msg)) return "transient";
  return "deterministic";
}

/** The name does not exist: nothing behind it can be reached, now or after a retry. */
export function isNameNotFound(err: unknown): boolean {
  return /ENOTFOUND/.test(errorMessage(err));
}

/**
 * What a failed result carries for the runner and nowhere else: the error behind it, or that
 * the service answered with a state that settles by itself (a target not scraped yet, a rule
 * not evaluated yet, a proxy whose upstream is starting). Kept off the enumerable fields so
 * it never reaches a record or a report.
 */
export interface HealingHint {
  cause?: unknown;
  settling?: boolean;
}

const HINT = Symbol("healing");

export function attachHint<R extends object>(result: R, hint: HealingHint): R {
  if (hint.cause !== undefined || hint.settling) Object.defineProperty(result, HINT, { value: hint, enumerable: false });
  return result;
}

/** How a failed result may heal: settling or a transient cause heal; anything else is the answer. */
export function healingOf(result: object): Healing {
  const hint = (result as { [HINT]?: HealingHint })[HINT];
  if (!hint) return "deterministic";
  if (hint.settling) return "transient";
  return hint.cause === undefined ? "deterministic" : classifyError(hint.cause);
}
