/**
 * One line from any thrown value. Node's fetch hides the useful part in `cause`
 * ("fetch failed" → "connect ECONNREFUSED 127.0.0.1:5432"), AggregateError in `errors`.
 */
// Duck-typed, not instanceof: errors made by Node's internals in another realm (a jest VM context) are no instance of this realm's Error.
const isErrorLike = (v: unknown): v is Error => v instanceof Error || (typeof v === "object" && v !== null && typeof (v as Error).message === "string");

export function errorMessage(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    const errors = isErrorLike(cur) ? (cur as { errors?: unknown }).errors : undefined;
    if (isErrorLike(cur) && Array.isArray(errors) && errors.length > 0) {
      const inner = errors.map((e) => errorMessage(e)).filter((m, i, all) => all.indexOf(m) === i);
      parts.push(...(cur.message ? [cur.message] : []), inner.join("; "));
      break;
    }
    if (isErrorLike(cur)) {
      const code = (cur as NodeJS.ErrnoException).code;
      const msg = cur.message || cur.name;
      parts.push(code && !msg.includes(code) ? `${msg} (${code})` : msg);
      cur = (cur as Error & { cause?: unknown }).cause;
    } else {
      parts.push(typeof cur === "string" ? cur : JSON.stringify(cur));
      break;
    }
  }
  return parts.filter((p, i) => p && parts.indexOf(p) === i).join(": ") || "unknown error";
}

/** Error codes that mean "nothing listens there / cannot get there": the service is down or unreachable. */
export function isConnectionError(err: unknown): boolean {
  return /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up/i.test(errorMessage(err));
}
