/**
 * An MCP client session over Streamable HTTP with the official SDK, through the same
 * connection rules as every other check (trust, --resolve). Always closed, even when the
 * body throws or the check's signal aborts.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { fetchWith } from "../net/http";
import type { HttpOptions } from "../target";
import { fetchHonouringRetryAfter } from "./retry-after";

export interface McpSession {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

export const CLIENT_INFO = { name: "mcp-post-deploy-verify", version: "1.0.0" };

export async function withMcpSession<T>(
  url: string,
  http: HttpOptions,
  headers: Record<string, string>,
  signal: AbortSignal,
  body: (s: McpSession) => Promise<T>,
): Promise<T> {
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: fetchHonouringRetryAfter(fetchWith(http)), requestInit: { headers } });
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  const onAbort = () => void transport.close().catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect(transport, { signal });
    return await body({ client, transport });
  } finally {
    signal.removeEventListener("abort", onAbort);
    // End the server-side session (DELETE) so probes do not pile up; best effort.
    if (transport.sessionId && !signal.aborted) await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}
