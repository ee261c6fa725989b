/**
 * Event streams through Nginx (Transports › Streamable HTTP › Listening for Messages): the
 * session's GET stream answers text/event-stream, what the app writes on it reaches the
 * client while it is open (Nginx does not buffer it), and it stays open for the idle time
 * (MCP_STREAM_IDLE_MIN_SECONDS) without an event. Opt-in: it takes that long.
 */
import * as http from "node:http";
import * as https from "node:https";
import { fail, pass, skip, type Check, type CheckResult } from "../core/types";
import { connectOptions } from "../net/http";
import type { HttpOptions, VerifyTarget } from "../target";
import { describe, endSession, openSession, sessionHeaders } from "./raw";
import { authHeaders, bearer } from "./token";

export interface StreamWatch {
  /** 0: no answer headers within the watch. */
  status: number;
  contentType: string;
  /** Seconds from the request to the answer's headers. */
  headersAt?: number;
  /** Seconds from the answer's headers to each chunk, and to the end if the stream ended. */
  chunksAt: number[];
  endedAt?: number;
  /** JSON-RPC events (not keep-alive comments) seen. */
  events: number;
}

/** Headers may take this long beyond the idle time before the watch gives up on them. */
const HEADERS_GRACE_SECONDS = 5;

/**
 * Opens a GET stream and watches it for `seconds` from its headers (or until it ends), then
 * closes it; a stream whose headers do not come within seconds + grace is given up on.
 */
export function watchStream(url: string, opts: HttpOptions, headers: Record<string, string>, seconds: number, signal: AbortSignal): Promise<StreamWatch> {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : http;
  const started = performance.now();
  const watch: StreamWatch = { status: 0, contentType: "", chunksAt: [], events: 0 };
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      req.destroy();
      resolve(watch);
    };
    timer = setTimeout(done, (seconds + HEADERS_GRACE_SECONDS) * 1000);
    const req = lib.request(
      { ...connectOptions(u, opts), method: "GET", headers: { host: u.host, accept: "text/event-stream", ...headers }, signal },
      (res) => {
        const opened = performance.now();
        const at = () => (performance.now() - opened) / 1000;
        watch.status = res.statusCode ?? 0;
        watch.contentType = String(res.headers["content-type"] ?? "");
        watch.headersAt = (opened - started) / 1000;
        clearTimeout(timer);
        timer = setTimeout(done, watch.status === 200 ? seconds * 1000 : 0);
        res.on("data", (c: Buffer) => {
          watch.chunksAt.push(at());
          watch.events += (c.toString("utf8").match(/^data:/gm) ?? []).length;
        });
        res.on("end", () => ((watch.endedAt = at()), done()));
        res.on("error", () => ((watch.endedAt ??= at()), done()));
      },
    );
    req.on("error", (err) => (clearTimeout(timer), watch.status === 0 ? reject(err) : resolve(watch)));
    req.end();
  });
}

const READ_TIMEOUT_FIX = "Raise proxy_read_timeout of Nginx's MCP location above the idle time (or let the app send keep-alive comments more often than it).";

/** The verdict on a watched stream. */
export function judgeStream(w: StreamWatch, idleSeconds: number): CheckResult {
  if (w.status === 0)
    return fail(`no answer headers to the GET of the session's event stream within ${idleSeconds + HEADERS_GRACE_SECONDS} s`, {
      expected: "200 text/event-stream at once, its bytes passed on as they come",
      actual: "no headers",
      remediation: "Nginx buffers the stream: proxy_buffering off on the MCP location, and do not ignore X-Accel-Buffering.",
    });
  if (w.status !== 200 || !w.contentType.includes("text/event-stream"))
    return fail(`GET of the session's event stream answered ${w.status} ${w.contentType || "(no content-type)"} after ${(w.headersAt ?? 0).toFixed(1)} s`, {
      expected: "200 text/event-stream",
      actual: `${w.status} ${w.contentType}`,
      // A late error answer is Nginx giving up on an idle upstream and retrying the GET elsewhere.
      remediation: `The app must offer the session's GET event stream (Streamable HTTP). ${READ_TIMEOUT_FIX}`,
    });
  const measurements = { idleSeconds, chunks: w.chunksAt.length, events: w.events };
  if (w.endedAt !== undefined && w.endedAt < idleSeconds)
    return fail(`the event stream ended after ${w.endedAt.toFixed(1)} s with ${w.events} events`, {
      expected: `open at least ${idleSeconds} s without an event`,
      actual: `closed after ${w.endedAt.toFixed(1)} s`,
      remediation: READ_TIMEOUT_FIX,
      measurements,
    });
  if (w.chunksAt.length === 0)
    return fail(`nothing reached the client in ${idleSeconds} s on the open event stream`, {
      expected: "the app's keep-alive comments arriving while the stream is open (unbuffered)",
      actual: "no bytes",
      remediation:
        "Nginx buffers the stream: proxy_buffering off on the MCP location, and do not ignore X-Accel-Buffering; the app must send SSE keep-alive comments.",
      measurements,
    });
  return pass(`event stream open ${idleSeconds} s without an event; first bytes after ${w.chunksAt[0].toFixed(1)} s (unbuffered)`, { measurements });
}

export const mcpStreamIdleCheck: Check<VerifyTarget> = {
  id: "mcp.stream-idle",
  title: "An MCP event stream through Nginx is not buffered and stays open idle for 60 s (opt-in: --stream-idle)",
  checklistIds: ["FUN-MCP-04", "DEP-WEB-04"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  timeoutMs: 600_000,
  async run({ mcp }, { signal, log }) {
    if (!mcp.checkStreams) return skip("opt-in: run `npm run verify -- --stream-idle` to hold an event stream open for the idle time");
    const auth = authHeaders(await bearer(mcp));
    const s = await openSession(mcp.url, mcp.http, auth, mcp.protocolVersions[0], signal);
    if (s.answer.status !== 200) return fail(`initialize answered ${describe(s.answer)}`, { expected: "200", actual: String(s.answer.status) });
    try {
      log(`holding the session's event stream open for ${mcp.streamIdleSeconds} s`);
      const w = await watchStream(mcp.url, mcp.http, sessionHeaders(auth, s.sessionId, s.protocolVersion), mcp.streamIdleSeconds, signal);
      return judgeStream(w, mcp.streamIdleSeconds);
    } finally {
      await endSession(mcp.url, mcp.http, auth, s.sessionId, signal);
    }
  },
};
