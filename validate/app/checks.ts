/**
 * The app's API, by the paths of the stack's app contract: every replica healthy
 * (FUN-API-01, HA-REDUNDANCY-01), bearer-JWT authentication (FUN-API-02, PRE-SEC-04),
 * server listing and creation (FUN-API-03/04, FUN-MCP-02/03) through Nginx, and a
 * valid Prometheus exposition on every replica's metrics path (FUN-API-05, MON-METRICS-01).
 *
 * App contract (what the app stand-in in testing/stand-ins/app.ts implements):
 *   GET  healthPath            200 when healthy
 *   GET  authPath              200 for a valid bearer JWT (HS256, iss/aud from the contract), 401 otherwise
 *   GET  listServersPath       200 JSON: an array of servers, or { servers: [...] }; each { id, name, ... }
 *   POST createServerPath      JSON { name, url, transport } -> 201/200 JSON { id, name, ... }
 *   DELETE createServerPath/ID 200/204
 *   GET  metricsPath           Prometheus text exposition (internal only; Nginx answers 404)
 */
import { randomUUID } from "node:crypto";
import { fail, pass, type Check, type CheckResult } from "../core/types";
import { errorMessage } from "../core/errors";
import { joinUrl, request, requestJson } from "../net/http";
import type { AppTarget, VerifyTarget } from "../target";
import { mintJwt } from "./jwt";
import { parseExposition } from "./exposition";

function token(app: AppTarget, key = app.jwtSigningKey): Promise<string> {
  return mintJwt(key, { issuer: app.contract.jwtIssuer, audience: app.contract.jwtAudience });
}

export const appHealthCheck: Check<VerifyTarget> = {
  id: "app.health",
  title: "Every app replica answers its health endpoint",
  checklistIds: ["FUN-API-01", "DEP-CORE-02", "HA-REDUNDANCY-01"],
  needs: ["app"],
  retries: 3,
  retryDelayMs: 300,
  async run({ app }, { signal }) {
    if (app.replicaUrls.length === 0) return fail("no app replicas to check", { expected: "at least one replica address", actual: "none" });
    // Through the service name a request reaches whichever replica the balancer picks: that proves one, not each.
    if (app.replicaUrls.length < app.replicas)
      return fail(`${app.replicaUrls.length} replica address(es) for ${app.replicas} declared replicas: each replica is checked at its own task address`, {
        expected: `${app.replicas} replica addresses`,
        actual: String(app.replicaUrls.length),
        remediation: "Run verify where the swarm's Engine API answers (it lists each task's address), or on the stack network (--direct, tasks.<app> DNS).",
      });
    const results = await Promise.all(
      app.replicaUrls.map(async (base) => {
        const url = joinUrl(base, app.contract.healthPath);
        try {
          const r = await request(url, app.http, { signal });
          return { url, ok: r.status === 200, seen: String(r.status), ms: r.ms, error: undefined as unknown };
        } catch (e) {
          return { url, ok: false, seen: errorMessage(e), ms: NaN, error: e };
        }
      }),
    );
    const bad = results.filter((r) => !r.ok);
    const measurements = { replicas: results.length, healthy: results.length - bad.length };
    if (bad.length > 0) {
      return fail(`${bad.length} of ${results.length} app replicas unhealthy: ${bad.map((b) => `${b.url} -> ${b.seen}`).join("; ")}`, {
        cause: bad.find((b) => b.error !== undefined)?.error,
        expected: `200 from ${app.contract.healthPath} on every replica`,
        actual: bad.map((b) => b.seen).join(", "),
        remediation: "Inspect the failing replica's logs (docker logs <container>) and its dependencies (PostgreSQL, Redis).",
        measurements,
      });
    }
    return pass(`${results.length} app replica${results.length === 1 ? "" : "s"} healthy`, { measurements });
  },
};

export const appAuthCheck: Check<VerifyTarget> = {
  id: "app.auth",
  title: "Auth accepts a valid JWT and rejects invalid or missing ones with 401",
  checklistIds: ["FUN-API-02", "PRE-SEC-04"],
  needs: ["edge"],
  retries: 2,
  async run({ app }, { signal }) {
    const url = joinUrl(app.publicUrl, app.contract.authPath);
    const valid = await request(url, app.http, { signal, headers: { authorization: `Bearer ${await token(app)}` } });
    // Signed with a different key: a server that does not verify signatures would accept it.
    const forged = await request(url, app.http, { signal, headers: { authorization: `Bearer ${await token(app, randomUUID() + randomUUID())}` } });
    const none = await request(url, app.http, { signal });
    const measurements = { validStatus: valid.status, forgedStatus: forged.status, missingStatus: none.status };
    if (valid.status !== 200) {
      return fail(`GET ${url} with a valid JWT answered ${valid.status}`, {
        expected: "200 for a JWT signed with the stack's key (HS256, issuer/audience from the app contract)",
        actual: String(valid.status),
        remediation: "The app must read the same key as the stack's jwtSigningKey secret (JWT_SECRET_FILE) and the configured issuer/audience.",
        measurements,
      });
    }
    if (forged.status !== 401 || none.status !== 401) {
      return fail(`GET ${url} answered ${forged.status} to a JWT with a wrong signature and ${none.status} without a token`, {
        expected: "401 for both",
        actual: `${forged.status} / ${none.status}`,
        remediation: "Authentication must be enabled in production: verify every bearer token's signature, issuer, audience and expiry.",
        measurements,
      });
    }
    return pass(`valid JWT -> 200, wrong signature -> 401, no token -> 401`, { measurements });
  },
};

interface ServerEntry {
  id?: unknown;
  name?: unknown;
}

/** Server array from a listing body (array or { servers } / { items } / { data }). */
export function serverList(json: unknown): ServerEntry[] | undefined {
  if (Array.isArray(json)) return json as ServerEntry[];
  if (json && typeof json === "object") {
    for (const k of ["servers", "items", "data"]) {
      const v = (json as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as ServerEntry[];
    }
  }
  return undefined;
}

async function listServers(app: AppTarget, bearer: string, signal: AbortSignal): Promise<{ status: number; servers?: ServerEntry[]; body: string }> {
  const r = await requestJson(joinUrl(app.publicUrl, app.contract.listServersPath), app.http, { signal, headers: { authorization: `Bearer ${bearer}` } });
  return { status: r.status, servers: serverList(r.json), body: r.body };
}

export const appServersListCheck: Check<VerifyTarget> = {
  id: "app.servers-list",
  title: "Server listing answers a JSON list",
  checklistIds: ["FUN-API-03", "FUN-MCP-02"],
  needs: ["edge"],
  retries: 2,
  async run({ app }, { signal }) {
    const url = joinUrl(app.publicUrl, app.contract.listServersPath);
    const r = await listServers(app, await token(app), signal);
    if (r.status !== 200 || !r.servers) {
      return fail(`GET ${url} answered ${r.status}${r.servers ? "" : " without a server list"}`, {
        expected: "200 with a JSON array (or { servers: [...] })",
        actual: `${r.status} ${r.body.slice(0, 120)}`,
        remediation: `Check the app route ${app.contract.listServersPath} (mcp:app.listServersPath) and its database access.`,
      });
    }
    return pass(`GET ${url} -> 200, ${r.servers.length} server${r.servers.length === 1 ? "" : "s"}`, { measurements: { servers: r.servers.length } });
  },
};

export const appServersCreateCheck: Check<VerifyTarget> = {
  id: "app.servers-create",
  title: "A server can be created, is listed, and is deleted again",
  checklistIds: ["FUN-API-04", "FUN-MCP-03"],
  needs: ["edge"],
  timeoutMs: 8000,
  async run({ app }, { signal }) {
    const bearer = await token(app);
    const auth = { authorization: `Bearer ${bearer}` };
    const name = `verify-probe-${randomUUID().slice(0, 8)}`;
    const createUrl = joinUrl(app.publicUrl, app.contract.createServerPath);
    const created = await requestJson<{ id?: unknown; name?: unknown }>(createUrl, app.http, {
      method: "POST",
      signal,
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ name, url: "http://verify-probe.invalid/mcp", transport: "http" }),
    });
    const id = created.json && typeof created.json === "object" ? created.json.id : undefined;
    if (![200, 201].includes(created.status) || (typeof id !== "string" && typeof id !== "number")) {
      return fail(`POST ${createUrl} answered ${created.status}${id === undefined ? " without an id" : ""}`, {
        expected: "201 (or 200) with JSON { id, name }",
        actual: `${created.status} ${created.body.slice(0, 120)}`,
        remediation: `Check the app route ${app.contract.createServerPath} (mcp:app.createServerPath) and that its database user can write.`,
      });
    }
    const deleteUrl = joinUrl(createUrl, `/${encodeURIComponent(String(id))}`);
    let result: CheckResult | undefined;
    try {
      const listed = await listServers(app, bearer, signal);
      if (!listed.servers?.some((s) => String(s.id) === String(id) && (s.name === undefined || s.name === name))) {
        result = fail(`created server ${id} is not in the listing`, {
          expected: `${name} listed after creation`,
          actual: `${listed.status}, ${listed.servers?.length ?? 0} servers`,
          remediation: "Creation must persist before it answers.",
        });
      }
    } finally {
      // Clean up whatever happened above; a leftover probe server is reported.
      const del = await request(deleteUrl, app.http, { method: "DELETE", signal, headers: auth }).catch((e: unknown) => ({ status: 0, body: errorMessage(e) }));
      if (!result && ![200, 202, 204].includes(del.status)) {
        result = fail(`DELETE ${deleteUrl} answered ${del.status || del.body}`, {
          expected: "200/204",
          actual: String(del.status || del.body),
          remediation: `Delete the probe server ${name} by hand and check the app's delete route.`,
        });
      }
    }
    if (result) return result;
    const after = await listServers(app, bearer, signal);
    if (after.servers?.some((s) => String(s.id) === String(id))) {
      return fail(`server ${id} is still listed after DELETE`, {
        expected: "gone after delete",
        actual: "still listed",
        remediation: `Delete the probe server ${name} by hand.`,
      });
    }
    return pass(`created ${name} (id ${id}), saw it listed, deleted it`);
  },
};

export const appMetricsCheck: Check<VerifyTarget> = {
  id: "app.metrics",
  title: "Every replica's metrics endpoint is valid Prometheus exposition, and not public",
  checklistIds: ["FUN-API-05", "MON-METRICS-01"],
  needs: ["app", "edge"],
  retries: 2,
  async run({ app }, { signal }) {
    const problems: string[] = [];
    let samples = 0;
    for (const base of app.replicaUrls) {
      const url = joinUrl(base, app.contract.metricsPath);
      const r = await request(url, app.http, { signal, maxBodyBytes: 8 << 20 });
      if (r.status !== 200) {
        problems.push(`${url} -> ${r.status}`);
        continue;
      }
      const parsed = parseExposition(r.body);
      samples += parsed.samples;
      if (parsed.problems.length > 0) problems.push(`${url}: ${parsed.problems.slice(0, 3).join("; ")}`);
    }
    const publicUrl = joinUrl(app.publicUrl, app.contract.metricsPath);
    const pub = await request(publicUrl, app.http, { signal });
    if (pub.status === 200) problems.push(`${publicUrl} is served publicly (200)`);
    if (problems.length > 0) {
      return fail(`metrics problems: ${problems.join(" | ")}`, {
        expected: `200 with valid text exposition on ${app.contract.metricsPath} of every replica, 404 from Nginx`,
        actual: problems.join(" | "),
        remediation: "Fix the app's metrics output (names, labels, one # TYPE per family) and keep the metrics path blocked in nginx.conf.",
      });
    }
    return pass(`${app.replicaUrls.length} replica${app.replicaUrls.length === 1 ? "" : "s"} expose valid metrics (${samples} samples); not public`, {
      measurements: { samples },
    });
  },
};
