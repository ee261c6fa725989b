/**
 * Thresholds of checklist rules that more than one layer judges (the stack schema, the policy
 * pack, the runtime checks): each lives here once, so a stack the schema accepts is one the
 * policy passes and the running edge is held to the same number.
 */

/**
 * SEC-NET-04: the smallest Strict-Transport-Security max-age, 180 days. Below it a browser
 * forgets the HTTPS-only rule between visits of an occasional user; it is also the floor
 * HSTS preload lists expect to grow from.
 */
export const HSTS_MIN_MAX_AGE_SECONDS = 180 * 86_400;

/**
 * FUN-MCP-02: the MCP protocol revisions a deployment may negotiate, newest first (the
 * official SDK client's list in the release this project pins; tests hold it to the SDK).
 * The stack's `mcp:app.protocolVersions` defaults to it and may only narrow it.
 */
export const MCP_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "2024-10-07"] as const;

/**
 * FUN-MCP-04: bounds of the app's tool-call ceiling (`mcp:app.toolCallTimeoutSeconds`). Nginx's
 * read timeout on the MCP location must be at least the ceiling (a call the app still allows is
 * never cut by the edge) and at most the maximum (a stuck upstream is eventually released).
 */
export const MCP_TOOL_CALL_TIMEOUT_DEFAULT_SECONDS = 60;
export const MCP_READ_TIMEOUT_MAX_SECONDS = 3600;

/**
 * FUN-MCP-02: a server-sent-event stream through the edge must survive this long with no
 * event (Nginx's read timeout on the MCP location is the usual culprit).
 */
export const MCP_STREAM_IDLE_MIN_SECONDS = 60;

/**
 * FUN-PERF-03: the smallest cache hit ratio (keyspace hits over lookups), and the fewest lookups
 * the ratio is judged on: below that a fresh stack's handful of misses would read as a failure.
 */
export const CACHE_MIN_HIT_RATIO = 0.8;
export const CACHE_MIN_LOOKUPS = 1000;

/**
 * FUN-PERF-02: a table this large that is read by sequential scans more often than through an
 * index has queries without the index they need (a small table is cheaper to scan).
 */
export const SEQ_SCAN_MIN_ROWS = 10_000;
