/**
 * FUN-MCP-02 (the MCP endpoint works through the edge), FUN-MCP-04 (a tool call the app still
 * allows is not cut by the edge), PRE-SEC-04 (the app sees the caller's token): the location that
 * serves mcp:app.mcpPath streams server-sent events unbuffered over HTTP/1.1, waits long enough
 * for the longest tool call but not forever, and passes the transport's and authorization's
 * headers through unchanged (MCP specification: Transports › Streamable HTTP, Authorization).
 */
import { stackPolicy } from "../lib/define";
import { nginxTimeSeconds } from "../lib/durations";
import { loadEdgeConf } from "../lib/edge-conf";
import { appContract } from "../lib/app-contract";
import { children, servers } from "../lib/nginx";
import { effective, effectiveValue, locationFor, locationLabel, tlsServersFor } from "../lib/nginx-location";
import { stackDomain } from "../lib/stack-config";
import { workloadsOf } from "../lib/workloads";
import { MCP_READ_TIMEOUT_MAX_SECONDS, MCP_STREAM_IDLE_MIN_SECONDS } from "../../checklist/thresholds";

/** Request headers the client sends that the app must see as sent (Authorization, DNS-rebinding check, sessions, revision, stream resumption). */
export const MCP_REQUEST_HEADERS = ["Authorization", "Origin", "Mcp-Session-Id", "MCP-Protocol-Version", "Last-Event-ID"] as const;
/** Response headers the client must see (where to get a token, which session it is in). */
export const MCP_RESPONSE_HEADERS = ["WWW-Authenticate", "Mcp-Session-Id"] as const;

/** `$http_mcp_session_id` for Mcp-Session-Id: the one value that passes a header on unchanged. */
const passThrough = (header: string) => `$http_${header.toLowerCase().replace(/-/g, "_")}`;

export const nginxMcpLocation = stackPolicy<{ edgeService: string; configPath: string }>({
  name: "nginx-mcp-location",
  description:
    "The location serving mcp:app.mcpPath proxies over HTTP/1.1 without buffering or compressing event streams, with a read timeout of at least the tool-call ceiling and the stream idle minimum and at most the maximum, and passes Authorization, Origin and the MCP headers on and WWW-Authenticate back unchanged.",
  checklistIds: ["FUN-MCP-02", "FUN-MCP-04", "PRE-SEC-04"],
  severity: "high",
  group: "edge",
  remediation:
    "In the location serving mcp:app.mcpPath set `proxy_http_version 1.1;`, `proxy_buffering off;`, `gzip off;` and `proxy_read_timeout 3600s;` (at least mcp:app.toolCallTimeoutSeconds and MCP_STREAM_IDLE_MIN_SECONDS, at most MCP_READ_TIMEOUT_MAX_SECONDS of checklist/thresholds.ts); remove `proxy_set_header` for Authorization, Origin, Mcp-Session-Id, MCP-Protocol-Version and Last-Event-ID (or set them to `$http_authorization` and the like), every `proxy_hide_header` of WWW-Authenticate or Mcp-Session-Id, `auth_basic` and `proxy_pass_request_headers off`. infra/render/nginx.ts renderNginxConf renders such a location.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
  },
  check(resources, ctx) {
    const { mcpPath, toolCallTimeoutSeconds } = appContract();
    // A ceiling the contract policy refuses still must not lower this bound below the stream minimum.
    const ceiling = typeof toolCallTimeoutSeconds === "number" ? toolCallTimeoutSeconds : 0;
    const minRead = Math.max(ceiling, MCP_STREAM_IDLE_MIN_SECONDS);
    for (const w of workloadsOf(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      for (const s of tlsServersFor(servers(edge.conf), stackDomain(), edge.httpsPort)) {
        const m = locationFor(s, mcpPath);
        const where = `${w.label}: ${locationLabel(m)} (serving ${mcpPath} on ${s.listens.map((l) => l.port).join("/")})`;
        const bad = (what: string) => ctx.violation(`${where} ${what}`, w.urn);
        if (!m.location || children(m.location.block, "proxy_pass").length === 0 || children(m.location.block, "return").length > 0) {
          bad("does not proxy to the app");
          continue;
        }
        const http = effectiveValue(m, "proxy_http_version", "1.0");
        if (http !== "1.1") bad(`proxies over HTTP/${http}: event streams need proxy_http_version 1.1`);
        if (effectiveValue(m, "proxy_buffering", "on") !== "off") bad("buffers responses (proxy_buffering is not off): events reach the client late or never");
        const gzipTypes = effective(m, "gzip_types").flatMap((d) => d.args);
        if (effectiveValue(m, "gzip", "off") === "on" && gzipTypes.some((t) => t === "*" || t === "text/event-stream"))
          bad("compresses text/event-stream (gzip buffers it)");
        const readText = effective(m, "proxy_read_timeout")[0]?.args.join(" ") ?? "60s";
        const read = nginxTimeSeconds(readText);
        if (read === undefined) bad(`has proxy_read_timeout "${readText}", which this policy cannot read as an nginx time (write it like 3600s or 1h)`);
        else if (read > MCP_READ_TIMEOUT_MAX_SECONDS) bad(`has proxy_read_timeout ${readText} (${read}s), above the maximum ${MCP_READ_TIMEOUT_MAX_SECONDS}s`);
        else if (read < minRead)
          bad(
            `has proxy_read_timeout ${readText} (${read}s), below ${minRead}s (the tool-call ceiling mcp:app.toolCallTimeoutSeconds ${ceiling}s, the stream idle minimum ${MCP_STREAM_IDLE_MIN_SECONDS}s)`,
          );
        if (effectiveValue(m, "proxy_pass_request_headers", "on") === "off")
          bad("does not pass request headers (proxy_pass_request_headers off): the app never sees Authorization");
        if (effectiveValue(m, "auth_basic", "off") !== "off")
          bad("asks for basic auth (auth_basic), which takes the Authorization header the app's bearer token travels in");
        const set = new Map(effective(m, "proxy_set_header").map((d) => [(d.args[0] ?? "").toLowerCase(), d.args[1] ?? ""]));
        for (const h of MCP_REQUEST_HEADERS) {
          const value = set.get(h.toLowerCase());
          // The value is never echoed: an overwritten Authorization holds a credential.
          if (value !== undefined && value !== passThrough(h))
            bad(`${value === "" ? "clears" : "overwrites"} the client's ${h} header (proxy_set_header ${h}); expected it passed on unchanged`);
        }
        const hidden = new Set(effective(m, "proxy_hide_header").map((d) => (d.args[0] ?? "").toLowerCase()));
        for (const h of MCP_RESPONSE_HEADERS) if (hidden.has(h.toLowerCase())) bad(`hides the app's ${h} header from the client (proxy_hide_header ${h})`);
      }
    }
  },
});
