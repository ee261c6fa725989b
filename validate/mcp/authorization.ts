/**
 * MCP authorization through Nginx (Authorization › Authorization Server Location, Token
 * Handling, Token Audience Binding): without a token the endpoint answers 401 with a
 * `WWW-Authenticate: Bearer` naming the protected resource metadata; the RFC 9728 document
 * is served and names the resource and the issuer; an expired, foreign-issuer,
 * foreign-audience or badly signed token gets 401. Tokens never appear in a message.
 */
import { fail, pass, type Check } from "../core/types";
import { header, requestJson } from "../net/http";
import type { McpTarget, VerifyTarget } from "../target";
import { describe, endSession, openSession } from "./raw";
import { authHeaders, BROKEN_TOKENS, brokenToken } from "./token";

/** The URL the metadata must be found at: the public origin plus mcp:app.resourceMetadataPath. */
export function resourceMetadataUrl(mcp: Pick<McpTarget, "publicUrl" | "resourceMetadataPath">): string {
  return `${new URL(mcp.publicUrl).origin}${mcp.resourceMetadataPath}`;
}

/** The resource_metadata parameter of a Bearer challenge (RFC 9728 §5.1), if any. */
export function challengeMetadata(wwwAuthenticate: string | undefined): string | undefined {
  if (!wwwAuthenticate || !/^\s*Bearer\b/i.test(wwwAuthenticate)) return undefined;
  return /resource_metadata="([^"]*)"/i.exec(wwwAuthenticate)?.[1];
}

export const mcpAuthChallengeCheck: Check<VerifyTarget> = {
  id: "mcp.auth-challenge",
  title: "MCP endpoint without a token answers 401 with WWW-Authenticate naming the resource metadata",
  checklistIds: ["FUN-API-02", "PRE-SEC-04"],
  needs: ["edge"],
  retries: 1,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    const opened = await openSession(mcp.url, mcp.http, {}, mcp.protocolVersions[0], signal);
    const a = opened.answer;
    const www = header(a.headers, "www-authenticate");
    const expectedUrl = resourceMetadataUrl(mcp);
    if (a.status !== 401)
      return fail(`initialize without a token answered ${describe(a)}`, {
        expected: "401",
        actual: String(a.status),
        remediation: "The app must require a bearer token on mcp:app.mcpPath (AUTH_REQUIRED).",
      });
    const named = challengeMetadata(www);
    if (named === undefined)
      return fail(`401 without a Bearer challenge naming the resource metadata: WWW-Authenticate ${www === undefined ? "absent" : `"${www.slice(0, 160)}"`}`, {
        expected: `WWW-Authenticate: Bearer resource_metadata="${expectedUrl}"`,
        actual: www ?? "absent",
        remediation: "The app must send the RFC 9728 challenge, and Nginx must pass WWW-Authenticate through (no proxy_hide_header).",
      });
    if (named !== expectedUrl)
      return fail(`WWW-Authenticate names resource_metadata="${named}"`, {
        expected: expectedUrl,
        actual: named,
        remediation: "The challenge must name the metadata URL under the stack's public origin (mcp:app.resourceMetadataPath).",
      });
    return pass(`401 with WWW-Authenticate: Bearer resource_metadata="${named}"`);
  },
};

export const mcpResourceMetadataCheck: Check<VerifyTarget> = {
  id: "mcp.resource-metadata",
  title: "RFC 9728 protected resource metadata is served and names the MCP resource and its issuer",
  checklistIds: ["FUN-API-02"],
  needs: ["edge"],
  retries: 1,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    const url = resourceMetadataUrl(mcp);
    const r = await requestJson<{ resource?: unknown; authorization_servers?: unknown }>(url, mcp.http, { signal });
    if (r.status !== 200 || !r.json || typeof r.json !== "object")
      return fail(`GET ${url} answered ${r.status}${r.json ? "" : " without a JSON document"}`, {
        expected: "200 with the protected resource metadata (JSON), no token needed",
        actual: `${r.status} ${r.body.slice(0, 120)}`,
        remediation: "Serve the RFC 9728 document at mcp:app.resourceMetadataPath without authentication.",
      });
    const { resource, authorization_servers: servers } = r.json;
    if (resource !== mcp.url)
      return fail(`metadata resource is ${JSON.stringify(resource)}`, {
        expected: mcp.url,
        actual: JSON.stringify(resource),
        remediation: "`resource` must be the stack's MCP URL (the mcpUrl output).",
      });
    const list = Array.isArray(servers) ? servers.filter((s): s is string => typeof s === "string") : [];
    if (!list.includes(mcp.jwtIssuer))
      return fail(`metadata authorization_servers ${JSON.stringify(servers ?? null)} does not name the issuer ${mcp.jwtIssuer}`, {
        expected: `authorization_servers including "${mcp.jwtIssuer}" (mcp:app.jwtIssuer)`,
        actual: JSON.stringify(servers ?? null),
        remediation: "List the authorization server whose tokens the app accepts.",
      });
    return pass(`${url}: resource ${resource}, authorization servers ${list.join(", ")}`);
  },
};

export const mcpTokenValidationCheck: Check<VerifyTarget> = {
  id: "mcp.token-validation",
  title: "MCP endpoint answers 401 to expired, wrong-issuer, wrong-audience and badly signed tokens",
  checklistIds: ["FUN-API-02", "PRE-SEC-04"],
  needs: ["edge"],
  retries: 1,
  timeoutMs: 10_000,
  async run({ mcp }, { signal }) {
    const accepted: string[] = [];
    const statuses: Record<string, number> = {};
    for (const kind of BROKEN_TOKENS) {
      const auth = authHeaders(await brokenToken(mcp, kind));
      const opened = await openSession(mcp.url, mcp.http, auth, mcp.protocolVersions[0], signal);
      await endSession(mcp.url, mcp.http, auth, opened.sessionId, signal);
      statuses[kind] = opened.answer.status;
      if (opened.answer.status !== 401) accepted.push(`${kind} token: ${opened.answer.status}`);
    }
    const measurements = Object.fromEntries(Object.entries(statuses).map(([k, v]) => [k.replace(/ (\w)/, (_m, c: string) => c.toUpperCase()), v]));
    if (accepted.length)
      return fail(`the MCP endpoint did not refuse ${accepted.join(", ")}`, {
        expected: "401 for each of: " + BROKEN_TOKENS.join(", "),
        actual: accepted.join(", "),
        remediation: "Verify every token's signature, issuer (mcp:app.jwtIssuer), audience (mcp:app.jwtAudience) and expiry before serving MCP.",
        measurements,
      });
    return pass(`401 for ${BROKEN_TOKENS.join(", ")} tokens`, { measurements });
  },
};
