/**
 * The MCP server of the app stand-in, built with the official SDK: one McpServer and one
 * StreamableHTTPServerTransport per session, with DNS-rebinding protection (allowed Host and
 * Origin), an event store (so each request stream opens with the specification's priming
 * event) and SSE keep-alive comments. Tools: `echo` (the probe tool), `slow` (runs for the
 * seconds asked, the ceiling probe); one resource. Every tools/call ends within the app's
 * ceiling and writes one audit line (docs/app-contract.md). Faults are read per request.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport, type StreamableHTTPServerTransportOptions } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { CallToolResult, JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

type EventStore = NonNullable<StreamableHTTPServerTransportOptions["eventStore"]>;

/** The app contract's audit line for one tools/call (docs/app-contract.md). */
export interface AuditLine {
  event: "mcp.tool_call";
  caller: string;
  tool: string;
  durationMs: number;
  outcome: "ok" | "error" | "timeout";
  arguments?: Record<string, unknown>;
}

export interface McpEndpointFaults {
  /** No DNS-rebinding protection: a foreign Origin is served. */
  originNotChecked: boolean;
  /** No tool-call ceiling: a slow call runs as long as it likes. */
  noToolCeiling: boolean;
  /** Event streams carry no keep-alive comments: an idle stream sends nothing at all. */
  noStreamKeepAlive: boolean;
  /** "silent": no audit line; "arguments": the line carries the argument values. */
  audit: "ok" | "silent" | "arguments";
}

export interface McpEndpointOptions {
  /** Host header values the transport accepts (the public host name). */
  allowedHosts: string[];
  /** Origins the transport accepts (the stack's public origin). */
  allowedOrigins: string[];
  toolCallTimeoutSeconds: number;
  /** Interval of SSE keep-alive comments (SDK default 15 s). */
  keepAliveMs?: number;
  faults: McpEndpointFaults;
  /** Where audit lines go (the process's stdout in the image). */
  audit: (line: string) => void;
  serverInfo?: { name: string; version: string };
  /** Sessions held at most; the oldest is closed beyond it. */
  maxSessions?: number;
}

export interface McpEndpoint {
  /** Serves one request of a session this process holds, or an initialize (parsed body given). */
  handle(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body: unknown): Promise<void>;
  /** Serves one request with no session at all, as a sessionless server would (a fault). */
  handleStateless(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body: unknown): Promise<void>;
  has(sessionId: string): boolean;
  /** Called with each session id this process opens and ends. */
  onSession(opened: (id: string) => void, ended: (id: string) => void): void;
  close(): Promise<void>;
}

/** Events of the open streams, bounded; enough to replay a short reconnect. */
function memoryEventStore(max = 1000): EventStore {
  const events = new Map<string, { streamId: string; message: JSONRPCMessage }>();
  return {
    async storeEvent(streamId, message) {
      const id = `${streamId}_${Date.now()}_${randomUUID().slice(0, 8)}`;
      events.set(id, { streamId, message });
      if (events.size > max) events.delete(events.keys().next().value as string);
      return id;
    },
    async getStreamIdForEventId(eventId) {
      return events.get(eventId)?.streamId;
    },
    async replayEventsAfter(lastEventId, { send }) {
      const from = events.get(lastEventId);
      if (!from) return "";
      let after = false;
      for (const [id, e] of events) {
        if (id === lastEventId) after = true;
        else if (after && e.streamId === from.streamId) await send(id, e.message);
      }
      return from.streamId;
    },
  };
}

const text = (t: string): CallToolResult => ({ content: [{ type: "text", text: t }] });

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("cancelled"));
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), reject(new Error("cancelled"))), { once: true });
  });
}

export function createMcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const { faults } = options;
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const listeners: { opened: (id: string) => void; ended: (id: string) => void }[] = [];
  const maxSessions = options.maxSessions ?? 500;

  /** Runs a tool body under the ceiling and writes its audit line. */
  const audited = async (
    tool: string,
    args: Record<string, unknown>,
    caller: string,
    signal: AbortSignal,
    body: (signal: AbortSignal) => Promise<CallToolResult>,
  ): Promise<CallToolResult> => {
    const started = performance.now();
    const ceilingMs = options.toolCallTimeoutSeconds * 1000;
    const inner = new AbortController();
    const onAbort = () => inner.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    let outcome: AuditLine["outcome"] = "ok";
    let timer: NodeJS.Timeout | undefined;
    try {
      const ceiling = new Promise<CallToolResult>((resolve) => {
        if (faults.noToolCeiling) return;
        timer = setTimeout(() => {
          inner.abort();
          resolve({ isError: true, content: [{ type: "text", text: `tool call exceeded the ceiling of ${options.toolCallTimeoutSeconds} s` }] });
        }, ceilingMs);
      });
      const timedOut = Symbol("timeout");
      const result = await Promise.race([
        body(inner.signal).catch((err: Error): CallToolResult => ({ isError: true, content: [{ type: "text", text: err.message }] })),
        ceiling.then((r) => Object.assign(r, { [timedOut]: true })),
      ]);
      outcome = (result as Record<symbol, unknown>)[timedOut] ? "timeout" : result.isError ? "error" : "ok";
      return result;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (faults.audit !== "silent") {
        const line: AuditLine = { event: "mcp.tool_call", caller, tool, durationMs: Math.round(performance.now() - started), outcome };
        if (faults.audit === "arguments") line.arguments = args;
        options.audit(JSON.stringify(line));
      }
    }
  };

  const callerOf = (authInfo: AuthInfo | undefined) => authInfo?.clientId ?? "anonymous";

  const newServer = (): McpServer => {
    const server = new McpServer(options.serverInfo ?? { name: "mcp-gateway-stand-in", version: "1.0.0" }, {
      capabilities: { tools: {}, resources: {}, logging: {} },
    });
    server.registerTool(
      "echo",
      { description: "Echoes the message back (the post-deploy probe tool).", inputSchema: { message: z.string().max(4096) } },
      async (args, extra) => audited("echo", args, callerOf(extra.authInfo), extra.signal, async () => text(`Echo: ${args.message}`)),
    );
    server.registerTool(
      "slow",
      {
        description: "Runs for the given seconds, reporting progress when asked; past the app's ceiling it ends with an error.",
        inputSchema: { seconds: z.number().min(0).max(86_400) },
      },
      async (args, extra) =>
        audited("slow", args, callerOf(extra.authInfo), extra.signal, async (signal) => {
          const token = extra._meta?.progressToken;
          if (token !== undefined)
            await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: 0, total: args.seconds } });
          await sleep(args.seconds * 1000, signal);
          return text(`slept ${args.seconds} s`);
        }),
    );
    server.registerResource("readme", "stand-in://readme", { title: "About this server", mimeType: "text/plain" }, async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "The MCP app stand-in of the runtime-check tests." }],
    }));
    return server;
  };

  const open = async (req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body: unknown) => {
    if (transports.size >= maxSessions) {
      const [oldest, t] = transports.entries().next().value as [string, StreamableHTTPServerTransport];
      transports.delete(oldest);
      await t.close().catch(() => undefined);
    }
    const server = newServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableDnsRebindingProtection: !faults.originNotChecked,
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
      eventStore: memoryEventStore(),
      keepAliveMs: faults.noStreamKeepAlive ? 0 : options.keepAliveMs,
      onsessioninitialized: (id) => {
        transports.set(id, transport);
        for (const l of listeners) l.opened(id);
      },
      onsessionclosed: (id) => {
        transports.delete(id);
        for (const l of listeners) l.ended(id);
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && transports.get(id) === transport) {
        transports.delete(id);
        for (const l of listeners) l.ended(id);
      }
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    // Refused before a session began (wrong Origin, bad request): nothing to keep.
    if (!transport.sessionId) await server.close().catch(() => undefined);
  };

  return {
    async handle(req, res, body) {
      const id = typeof req.headers["mcp-session-id"] === "string" ? req.headers["mcp-session-id"] : undefined;
      const transport = id ? transports.get(id) : undefined;
      if (transport) return transport.handleRequest(req, res, body);
      return open(req, res, body);
    },
    async handleStateless(req, res, body) {
      const server = newServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      try {
        await transport.handleRequest(req, res, body);
      } finally {
        await server.close().catch(() => undefined);
      }
    },
    has: (id) => transports.has(id),
    onSession(opened, ended) {
      listeners.push({ opened, ended });
    },
    async close() {
      const all = [...transports.values()];
      transports.clear();
      await Promise.allSettled(all.map((t) => t.close()));
    },
  };
}
