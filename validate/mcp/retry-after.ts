/**
 * The checks' own MCP traffic behaves as the app contract asks of a client: a 429 is answered
 * by waiting the Retry-After it names, then asking again. Every MCP check counts against the
 * same per-client limit, so on a stack with a low `mcp:rateLimit` the checks started together
 * could otherwise fail each other. Bounded: a few attempts, a short wait each, and the check's
 * signal ends the wait. The rate-limit checks themselves send without this: they want the 429s.
 */
import { abortableSleep } from "../core/sleep";

export const RETRY_AFTER_ATTEMPTS = 3;
/** The longest wait honoured; a longer Retry-After is answered by the third attempt's 429. */
export const RETRY_AFTER_MAX_MS = 2000;

/** Milliseconds a Retry-After value asks for (delay-seconds or an HTTP-date), 1 s when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number {
  const v = value?.trim();
  if (v && /^\d+$/.test(v)) return Number(v) * 1000;
  const at = v ? Date.parse(v) : NaN;
  return Number.isNaN(at) ? 1000 : Math.max(0, at - now);
}

export async function honouringRetryAfter<T>(
  send: () => Promise<T>,
  answer: (r: T) => { status: number; retryAfter: string | null | undefined; discard?: () => unknown },
  signal: AbortSignal | null | undefined,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await send();
    const a = answer(r);
    if (a.status !== 429 || attempt >= RETRY_AFTER_ATTEMPTS || signal?.aborted) return r;
    await a.discard?.();
    await abortableSleep(Math.min(retryAfterMs(a.retryAfter), RETRY_AFTER_MAX_MS), signal ?? new AbortController().signal);
  }
}

type Fetch = (input: string | URL | { url: string }, init?: RequestInit) => Promise<Response>;

/** A fetch that honours 429 Retry-After, for the SDK client's transport. */
export function fetchHonouringRetryAfter(fetch: Fetch): Fetch {
  return (input, init) =>
    honouringRetryAfter(
      () => fetch(input, init),
      (res) => ({ status: res.status, retryAfter: res.headers.get("retry-after"), discard: () => res.body?.cancel().catch(() => undefined) }),
      init?.signal,
    );
}
