/**
 * A small stand-in for the MCP app, implementing the app contract the runtime checks use
 * (paths from StackOutputs.appContract; documented in validate/app/checks.ts):
 *   GET  health                 200 {"status":"ok"} (503 while a dependency probe fails)
 *   GET  auth                   200 for a bearer JWT (HS256 with the stack key, iss/aud), else 401
 *   GET  listServers            200 { servers: [...] }           (bearer JWT required)
 *   POST createServer           201 { id, name, url, transport }  (bearer JWT required)
 *   DELETE createServer/:id     204 / 404                         (bearer JWT required)
 *   GET  metrics                Prometheus text exposition with the metrics the alert rules
 *                               use (http_requests_total{status}, http_request_duration_seconds)
 *   GET  resourceMetadataPath   RFC 9728 protected resource metadata (no token)
 *   *    mcp                    the MCP endpoint (testing/stand-ins/mcp-server.ts, official SDK):
 *                               401 + WWW-Authenticate resource_metadata without a valid token,
 *                               400 for an MCP-Protocol-Version outside the contract's list,
 *                               sessions shared by the replicas through a SessionDirectory
 *                               (a request for another replica's session is relayed to it)
 * Runs in the test process on a loopback port (`faults` switch behaviours for fault tests),
 * and inside the app image (testing/engine/images/entries/app.ts), where the servers live in
 * PostgreSQL and health probes PostgreSQL and Redis.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { decodeJwt, jwtVerify, type JWTPayload } from "jose";
import type Redis from "ioredis";
import type { StackOutputs } from "../../infra/outputs-types";
import { createMcpEndpoint, type McpEndpointFaults } from "./mcp-server";

/**
 * One switch per requirement of docs/app-contract.md (and the older health, auth and metrics
 * ones), so each check is seen to fail for its own reason.
 */
export interface AppFaults extends McpEndpointFaults {
  /** Added to every health answer. */
  healthDelayMs: number;
  /** Status of the health answer. */
  healthStatus: number;
  /** Accept any bearer token without verifying it (auth disabled). */
  acceptAnyToken: boolean;
  /** Serve malformed exposition on the metrics path. */
  brokenMetrics: boolean;
  /** 401 from the MCP path without a WWW-Authenticate challenge naming the resource metadata. */
  noAuthChallenge: boolean;
  /** 404 at the resource metadata path. */
  noResourceMetadata: boolean;
  /** Which part of a bearer token the MCP path does not check. */
  tokenLaxity: "none" | "expiry" | "issuer" | "audience" | "signature";
  /** A request without a session, or with an unknown one, is served as if sessions did not exist. */
  sessionsUnchecked: boolean;
  /** Sessions stay in the replica that opened them: another replica answers 404. */
  sessionsLocal: boolean;
  /** MCP-Protocol-Version is not looked at. */
  ignoreProtocolVersion: boolean;
}

export interface AppStandIn {
  url: string;
  port: number;
  faults: AppFaults;
  /** Servers currently registered (for asserting cleanup); needs a store with a synchronous view (MemoryServerStore). */
  servers(): { id: string; name: string }[];
  stop(): Promise<void>;
}

/** The paths and JWT settings of the app contract the stand-in serves. */
export type AppContractSettings = Pick<
  StackOutputs["appContract"],
  | "healthPath"
  | "authPath"
  | "listServersPath"
  | "createServerPath"
  | "metricsPath"
  | "mcpPath"
  | "jwtIssuer"
  | "jwtAudience"
  | "resourceMetadataPath"
  | "protocolVersions"
  | "toolCallTimeoutSeconds"
>;

export interface HealthReport {
  ok: boolean;
  /** Per dependency: "ok" or why it failed (no secrets). */
  checks: Record<string, string>;
}

export interface AppStandInOptions {
  contract: AppContractSettings;
  jwtSigningKey: string;
  /**
   * The stack's public base URL (https://domain[:port]): the MCP resource is this plus the MCP
   * path, its origin the only Origin served, its host the only Host.
   */
  publicUrl: string;
  /** SSE keep-alive comment interval on MCP streams (SDK default 15 s). */
  keepAliveMs?: number;
  /** Where the audit lines go (default: stdout). */
  audit?: (line: string) => void;
  /** Label to tell replicas apart in responses. */
  instance?: string;
  /** Registered servers, shared by the replicas (the real app keeps them in PostgreSQL). */
  store?: ServerStore;
  /** Dependency probe behind the health path: health is 200 only while it reports ok. */
  health?: () => Promise<HealthReport>;
  host?: string;
  /** Listen port (default: a free one); a restarted replica takes its old port back. */
  port?: number;
  /**
   * Where MCP sessions live when replicas have MCP servers of their own (the app contract:
   * sessions are shared, so any replica serves any request): a request for a session another
   * replica opened is relayed to that replica.
   */
  sessions?: SessionDirectory;
}

/** Which replica ("host:port" of its app listener) holds each MCP session. */
export interface SessionDirectory {
  self(): string | undefined;
  owner(sessionId: string): Promise<string | undefined>;
  claim(sessionId: string): Promise<void>;
  release(sessionId: string): Promise<void>;
}

/** Marks a request already relayed once to the replica holding its session: never relayed again. */
export const SESSION_RELAY_HEADER = "x-mcp-session-relayed";

export interface ServerEntry {
  id: string;
  name: string;
  url: string;
  transport: string;
  createdAt: string;
}

/** Where registered servers live: one process's memory, or a database every replica shares. */
export interface ServerStore {
  list(): Promise<ServerEntry[]>;
  add(entry: ServerEntry): Promise<void>;
  /** false when there was no such server. */
  remove(id: string): Promise<boolean>;
  count(): Promise<number>;
  /** A synchronous view, when the store can give one (memory). */
  snapshot?(): ServerEntry[];
}

export class MemoryServerStore implements ServerStore {
  private readonly entries = new Map<string, ServerEntry>();
  async list(): Promise<ServerEntry[]> {
    return this.snapshot();
  }
  async add(entry: ServerEntry): Promise<void> {
    this.entries.set(entry.id, entry);
  }
  async remove(id: string): Promise<boolean> {
    return this.entries.delete(id);
  }
  async count(): Promise<number> {
    return this.entries.size;
  }
  snapshot(): ServerEntry[] {
    return [...this.entries.values()];
  }
}

/** The store's failure, answered as 503 rather than a generic 500. */
class StoreUnavailable extends Error {}

async function fromStore<T>(op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (err) {
    throw new StoreUnavailable((err as Error).message);
  }
}

const HEALTHY: AppFaults = {
  healthDelayMs: 0,
  healthStatus: 200,
  acceptAnyToken: false,
  brokenMetrics: false,
  originNotChecked: false,
  noToolCeiling: false,
  noStreamKeepAlive: false,
  audit: "ok",
  noAuthChallenge: false,
  noResourceMetadata: false,
  tokenLaxity: "none",
  sessionsUnchecked: false,
  sessionsLocal: false,
  ignoreProtocolVersion: false,
};
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Headers without the hop-by-hop ones: the body was read, so it goes on with a length of its own (never chunked as well). */
function endToEnd(headers: IncomingMessage["headers"]): IncomingMessage["headers"] {
  const out = { ...headers };
  for (const h of ["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]) delete out[h];
  return out;
}

async function readBody(req: IncomingMessage, max = 1 << 20): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw new Error("body too large");
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export async function startAppStandIn(options: AppStandInOptions): Promise<AppStandIn> {
  const { contract } = options;
  const faults: AppFaults = { ...HEALTHY };
  const key = new TextEncoder().encode(options.jwtSigningKey);
  const servers: ServerStore = options.store ?? new MemoryServerStore();
  const requests = new Map<string, number>();
  const durations = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
  const instance = options.instance ?? "app-0";

  /** The token's subject when the bearer token is valid (under the laxity a fault allows). */
  const callerOf = async (req: IncomingMessage): Promise<{ sub: string; token: string } | undefined> => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    if (!m) return undefined;
    const token = m[1];
    const sub = (p: JWTPayload) => ({ sub: typeof p.sub === "string" ? p.sub : "unknown", token });
    if (faults.acceptAnyToken) return { sub: "unverified", token };
    try {
      if (faults.tokenLaxity === "signature") {
        const p = decodeJwt(token);
        const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
        if (p.iss !== contract.jwtIssuer || !aud.includes(contract.jwtAudience) || (p.exp ?? 0) * 1000 < Date.now()) return undefined;
        return sub(p);
      }
      const { payload } = await jwtVerify(token, key, {
        issuer: faults.tokenLaxity === "issuer" ? undefined : contract.jwtIssuer,
        audience: faults.tokenLaxity === "audience" ? undefined : contract.jwtAudience,
        clockTolerance: faults.tokenLaxity === "expiry" ? 10 * 365 * 86_400 : 0,
        algorithms: ["HS256"],
      });
      return sub(payload);
    } catch {
      return undefined;
    }
  };
  const authorized = async (req: IncomingMessage) => (await callerOf(req)) !== undefined;

  const publicUrl = new URL(options.publicUrl);
  const resourceUrl = `${publicUrl.origin}${contract.mcpPath}`;
  const metadataUrl = `${publicUrl.origin}${contract.resourceMetadataPath}`;
  const mcp = createMcpEndpoint({
    allowedHosts: [publicUrl.hostname, publicUrl.host],
    allowedOrigins: [publicUrl.origin],
    toolCallTimeoutSeconds: contract.toolCallTimeoutSeconds,
    keepAliveMs: options.keepAliveMs,
    faults,
    audit: options.audit ?? ((line) => void process.stdout.write(`${line}\n`)),
    serverInfo: { name: "mcp-gateway-stand-in", version: "1.0.0" },
  });
  if (options.sessions) {
    const directory = options.sessions;
    mcp.onSession(
      (id) => void directory.claim(id).catch(() => undefined),
      (id) => void directory.release(id).catch(() => undefined),
    );
  }

  const metrics = async (): Promise<string> => {
    if (faults.brokenMetrics) return "# TYPE http_requests_total counter\nhttp_requests_total{status=200} one\n";
    const lines = ["# HELP http_requests_total HTTP requests by status.", "# TYPE http_requests_total counter"];
    for (const [status, n] of [...requests.entries()].sort()) lines.push(`http_requests_total{instance_name="${instance}",status="${status}"} ${n}`);
    if (requests.size === 0) lines.push(`http_requests_total{instance_name="${instance}",status="200"} 0`);
    lines.push("# HELP http_request_duration_seconds Request latency.", "# TYPE http_request_duration_seconds histogram");
    let cumulative = 0;
    BUCKETS.forEach((b, i) => {
      cumulative += durations.buckets[i];
      lines.push(`http_request_duration_seconds_bucket{le="${b}"} ${cumulative}`);
    });
    lines.push(
      `http_request_duration_seconds_bucket{le="+Inf"} ${durations.count}`,
      `http_request_duration_seconds_sum ${durations.sum}`,
      `http_request_duration_seconds_count ${durations.count}`,
    );
    // Without the store the gauge is left out: a missing sample, not a wrong one.
    const registered = await servers.count().catch(() => undefined);
    if (registered !== undefined)
      lines.push("# HELP mcp_registered_servers Registered MCP servers.", "# TYPE mcp_registered_servers gauge", `mcp_registered_servers ${registered}`);
    return lines.join("\n") + "\n";
  };

  /** Sends a request whose body was already read to the replica at `owner` ("host:port"), streaming the answer back. */
  const relay = (req: IncomingMessage, res: ServerResponse, owner: string, body: string) => {
    const cut = owner.lastIndexOf(":");
    const upstream = httpRequest(
      {
        host: owner.slice(0, cut),
        port: owner.slice(cut + 1),
        path: req.url,
        method: req.method,
        headers: { ...endToEnd(req.headers), "content-length": String(Buffer.byteLength(body)), [SESSION_RELAY_HEADER]: "1" },
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        // An event stream's headers go out at once, as the replica holding it sent them, not with its first event.
        res.flushHeaders();
        ur.pipe(res);
      },
    );
    upstream.on("error", () => (res.headersSent ? res.destroy() : json(res, 502, { error: "replica holding the session unreachable" })));
    upstream.end(body);
    res.on("close", () => upstream.destroy());
  };

  const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) => {
    const text = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null });
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const isInitialize = (body: unknown) =>
    (Array.isArray(body) ? body : [body]).some((m) => !!m && typeof m === "object" && (m as { method?: unknown }).method === "initialize");

  const handleMcp = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const caller = await callerOf(req);
    if (!caller) {
      const had = !!req.headers.authorization;
      const challenge = `Bearer resource_metadata="${metadataUrl}"${had ? ', error="invalid_token"' : ""}`;
      rpcError(res, 401, -32001, had ? "invalid bearer token" : "bearer token required", faults.noAuthChallenge ? {} : { "www-authenticate": challenge });
      return 401;
    }
    const version = req.headers["mcp-protocol-version"];
    if (faults.ignoreProtocolVersion) delete req.headers["mcp-protocol-version"];
    else if (typeof version === "string" && !contract.protocolVersions.includes(version)) {
      rpcError(res, 400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${contract.protocolVersions.join(", ")})`);
      return 400;
    }
    const raw = req.method === "POST" ? await readBody(req) : "";
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        rpcError(res, 400, -32700, "Parse error: Invalid JSON");
        return 400;
      }
    }
    const sessionId = typeof req.headers["mcp-session-id"] === "string" ? req.headers["mcp-session-id"] : undefined;
    const authed = Object.assign(req, { auth: { token: caller.token, clientId: caller.sub, scopes: [] } });
    if (sessionId && !mcp.has(sessionId)) {
      const sessions = options.sessions;
      if (sessions && !faults.sessionsLocal && !req.headers[SESSION_RELAY_HEADER]) {
        const owner = await sessions.owner(sessionId).catch(() => undefined);
        if (owner && owner !== sessions.self()) return (relay(req, res, owner, raw), 200);
      }
      if (faults.sessionsUnchecked) return (await mcp.handleStateless(authed, res, body), 200);
      rpcError(res, 404, -32001, "Session not found");
      return 404;
    }
    if (!sessionId && req.method !== "POST") {
      rpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return 400;
    }
    if (!sessionId && !isInitialize(body)) {
      if (faults.sessionsUnchecked) return (await mcp.handleStateless(authed, res, body), 200);
      rpcError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return 400;
    }
    await mcp.handle(authed, res, body);
    return res.statusCode;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === contract.mcpPath || path.startsWith(`${contract.mcpPath}/`)) return handleMcp(req, res);
    if (req.method === "GET" && path === contract.resourceMetadataPath) {
      if (faults.noResourceMetadata) return (json(res, 404, { error: "not found" }), 404);
      // RFC 9728 §2: the resource and the authorization servers that issue tokens for it.
      json(res, 200, { resource: resourceUrl, authorization_servers: [contract.jwtIssuer], bearer_methods_supported: ["header"] });
      return 200;
    }
    if (req.method === "GET" && path === contract.healthPath) {
      if (faults.healthDelayMs > 0) await new Promise((r) => setTimeout(r, faults.healthDelayMs));
      const report = options.health ? await options.health().catch((err: Error): HealthReport => ({ ok: false, checks: { probe: err.message } })) : undefined;
      const status = report && !report.ok ? 503 : faults.healthStatus;
      json(res, status, { status: status === 200 ? "ok" : "unhealthy", instance, ...(report ? { checks: report.checks } : {}) });
      return status;
    }
    if (req.method === "GET" && path === contract.metricsPath) {
      const body = await metrics();
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(body);
      return 200;
    }
    if (req.method === "GET" && path === contract.authPath) {
      if (!(await authorized(req))) return (json(res, 401, { error: "invalid or missing bearer token" }), 401);
      return (json(res, 200, { ok: true }), 200);
    }
    const serverPrefix = `${contract.createServerPath.replace(/\/$/, "")}/`;
    const isList = req.method === "GET" && path === contract.listServersPath;
    const isCreate = req.method === "POST" && path === contract.createServerPath;
    const isDelete = req.method === "DELETE" && path.startsWith(serverPrefix);
    if (isList || isCreate || isDelete) {
      if (!(await authorized(req))) return (json(res, 401, { error: "invalid or missing bearer token" }), 401);
      if (isList) return (json(res, 200, { servers: await fromStore(servers.list()) }), 200);
      if (isCreate) {
        let body: { name?: unknown; url?: unknown; transport?: unknown };
        try {
          body = JSON.parse(await readBody(req));
        } catch {
          return (json(res, 400, { error: "body must be JSON" }), 400);
        }
        if (typeof body.name !== "string" || typeof body.url !== "string") return (json(res, 422, { error: "name and url are required" }), 422);
        const entry = {
          id: randomUUID(),
          name: body.name,
          url: body.url,
          transport: typeof body.transport === "string" ? body.transport : "http",
          createdAt: new Date().toISOString(),
        };
        await fromStore(servers.add(entry));
        return (json(res, 201, entry), 201);
      }
      const id = decodeURIComponent(path.slice(serverPrefix.length));
      if (!(await fromStore(servers.remove(id)))) return (json(res, 404, { error: "no such server" }), 404);
      res.writeHead(204).end();
      return 204;
    }
    return (json(res, 404, { error: "not found" }), 404);
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((err: unknown) => {
        const status = err instanceof StoreUnavailable ? 503 : 500;
        if (res.headersSent) res.destroy();
        else json(res, status, { error: status === 503 ? "server store unavailable" : "internal error" });
        return status;
      })
      .then((status) => {
        requests.set(String(status), (requests.get(String(status)) ?? 0) + 1);
        const s = (performance.now() - started) / 1000;
        durations.count++;
        durations.sum += s;
        const i = BUCKETS.findIndex((b) => s <= b);
        if (i >= 0) durations.buckets[i]++;
      })
      // A client gone mid-answer must not become an unhandled rejection (which ends node).
      .catch(() => res.destroy());
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let stopped = false;
  return {
    url: `http://${host}:${port}`,
    port,
    faults,
    servers: () => {
      if (!servers.snapshot) throw new Error("this app stand-in's store has no synchronous view: list the servers through the API");
      return servers.snapshot().map(({ id, name }) => ({ id, name }));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await mcp.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * MCP sessions in Redis: each replica records the sessions it opened under its own address
 * ("host:port" the other replicas reach it at), so a request that lands on another replica
 * is relayed to it. Entries expire after a day, like an idle session.
 */
export function redisSessionDirectory(redis: Redis, self: () => string | undefined): SessionDirectory {
  const key = (id: string) => `mcp:session:${id}`;
  return {
    self,
    owner: async (id) => (await redis.get(key(id))) ?? undefined,
    claim: async (id) => {
      const me = self();
      if (me) await redis.set(key(id), me, "EX", 86_400);
    },
    release: async (id) => void (await redis.del(key(id))),
  };
}
