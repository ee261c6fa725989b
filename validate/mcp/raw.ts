/**
 * Single MCP messages over Streamable HTTP, sent by hand: the checks that judge the transport
 * itself (status codes, headers, sessions) need to send what the SDK client never would (a
 * foreign Origin, no session, an unknown protocol version) and to see the raw answer.
 */
import type { IncomingHttpHeaders } from "node:http";
import { request, header } from "../net/http";
import type { HttpOptions } from "../target";
import { CLIENT_INFO } from "./session";
import { honouringRetryAfter } from "./retry-after";

export interface RpcAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** JSON-RPC messages of the answer, from a JSON body or the events of an SSE body. */
  messages: { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string }; method?: string }[];
  /** Start of the body, for messages (no secrets: the server's own words). */
  excerpt: string;
}

/** The data of each event in an SSE body that holds JSON. */
export function sseMessages(body: string): unknown[] {
  const out: unknown[] = [];
  for (const block of body.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).replace(/^ /, ""))
      .join("\n");
    if (!data.trim()) continue;
    try {
      out.push(JSON.parse(data));
    } catch {
      // Not JSON: not a JSON-RPC message, so not ours to judge.
    }
  }
  return out;
}

let nextId = 1;

/** POSTs one JSON-RPC message (a request when `id` is wanted) and reads the whole answer. */
export async function rpc(
  url: string,
  http: HttpOptions,
  headers: Record<string, string>,
  message: { method: string; params?: unknown; notification?: boolean },
  signal: AbortSignal,
  method = "POST",
): Promise<RpcAnswer> {
  const body =
    method === "POST"
      ? JSON.stringify({
          jsonrpc: "2.0",
          method: message.method,
          ...(message.params ? { params: message.params } : {}),
          ...(message.notification ? {} : { id: nextId++ }),
        })
      : undefined;
  const res = await honouringRetryAfter(
    () =>
      request(url, http, {
        method,
        signal,
        body,
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        maxBodyBytes: 256 * 1024,
      }),
    (r) => ({ status: r.status, retryAfter: header(r.headers, "retry-after") }),
    signal,
  );
  const type = header(res.headers, "content-type") ?? "";
  let messages: unknown[] = [];
  if (type.includes("text/event-stream")) messages = sseMessages(res.body);
  else if (res.body.trim()) {
    try {
      const parsed: unknown = JSON.parse(res.body);
      messages = Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      messages = [];
    }
  }
  return { status: res.status, headers: res.headers, messages: messages as RpcAnswer["messages"], excerpt: res.body.slice(0, 200).replace(/\s+/g, " ") };
}

export interface OpenedSession {
  answer: RpcAnswer;
  sessionId?: string;
  /** The version the server answered initialize with. */
  protocolVersion?: string;
}

/** initialize (asking for `version`) and, when it worked, notifications/initialized. */
export async function openSession(
  url: string,
  http: HttpOptions,
  headers: Record<string, string>,
  version: string,
  signal: AbortSignal,
): Promise<OpenedSession> {
  const answer = await rpc(
    url,
    http,
    headers,
    { method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: CLIENT_INFO } },
    signal,
  );
  const result = answer.messages.find((m) => m.result)?.result;
  const sessionId = header(answer.headers, "mcp-session-id");
  const protocolVersion = typeof result?.protocolVersion === "string" ? result.protocolVersion : undefined;
  if (answer.status === 200 && result) {
    await rpc(url, http, sessionHeaders(headers, sessionId, protocolVersion), { method: "notifications/initialized", notification: true }, signal);
  }
  return { answer, sessionId, protocolVersion };
}

/** Headers of a request inside a session. */
export function sessionHeaders(headers: Record<string, string>, sessionId?: string, version?: string): Record<string, string> {
  return { ...headers, ...(sessionId ? { "mcp-session-id": sessionId } : {}), ...(version ? { "mcp-protocol-version": version } : {}) };
}

/** DELETE of the session, best effort (probes must not pile up sessions). */
export async function endSession(
  url: string,
  http: HttpOptions,
  headers: Record<string, string>,
  sessionId: string | undefined,
  signal: AbortSignal,
): Promise<number | undefined> {
  if (!sessionId || signal.aborted) return undefined;
  return rpc(url, http, { ...headers, "mcp-session-id": sessionId }, { method: "" }, signal, "DELETE").then(
    (a) => a.status,
    () => undefined,
  );
}

/** "401 (bearer token required)": the status and the server's own error message, for check messages. */
export function describe(a: RpcAnswer): string {
  const err = a.messages.find((m) => m.error)?.error?.message;
  if (err) return `${a.status} (${err.slice(0, 160)})`;
  return a.status >= 400 && a.excerpt ? `${a.status} (${a.excerpt.slice(0, 120)})` : String(a.status);
}
