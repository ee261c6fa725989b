/**
 * The Pulumi SDK keeps `new Error().stack` on every promise it makes (runtime/debuggable.ts), for a
 * leak report the preflight never prints; under a source-map hook (ts-node, jest) each of those
 * frames is mapped, a large share of the program's run. While the program runs here, stacks are
 * kept empty, and for the precompiled program formatted without any mapping. The SDK's source
 * positions do not suffer: it raises the limit for its own one stack per resource, and the
 * precompiled program maps that position back through its source maps (preflight/program-build.ts).
 * PREFLIGHT_DEBUG keeps full, mapped stacks for a program that fails.
 */

/**
 * Every frame as `at <name> (<file>:<line>:<column>)`, parentheses always: the SDK reads a position
 * only from that shape (Resource.framePositionRegExp), and a source-map hook gives an anonymous
 * callback the name of the call it sits in, so its frame has them too.
 */
/**
 * The SDK's own stack per resource (Resource.callsites) gives the source position from its sixth
 * frame; every frame after that is only sent on as the registration's stack trace, which the mock
 * runtime ignores. Formatting (and then parsing, and turning into file URLs) a few dozen of them per
 * resource is a share of the program's cost per resource: that stack keeps its first frames only.
 */
const CALLSITES_FRAMES = 8;

function plainStack(error: Error, frames: NodeJS.CallSite[]): string {
  if (frames[0]?.getFunctionName() === "callsites") frames = frames.slice(0, CALLSITES_FRAMES);
  let out: string;
  try {
    out = Error.prototype.toString.call(error);
  } catch {
    out = "Error";
  }
  for (const f of frames) {
    const name = `${f.isConstructor() ? "new " : ""}${f.getFunctionName() ?? "<anonymous>"}`;
    out += `\n    at ${name} (${f.getFileName() ?? "<anonymous>"}:${f.getLineNumber()}:${f.getColumnNumber()})`;
  }
  return out;
}

export async function withCheapStackTraces<T>(opts: { unmapped: boolean }, fn: () => Promise<T>): Promise<T> {
  if (process.env.PREFLIGHT_DEBUG) return fn();
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = 0;
  if (opts.unmapped) Error.prepareStackTrace = plainStack;
  try {
    return await fn();
  } finally {
    Error.stackTraceLimit = limit;
    if (opts.unmapped) Error.prepareStackTrace = prepare;
  }
}
