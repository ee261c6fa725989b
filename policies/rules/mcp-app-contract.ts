/**
 * FUN-MCP-02 (clients discover and negotiate with the MCP endpoint), PRE-SEC-04 (clients find
 * where to get a token), FUN-MCP-04 (tool calls end): the app contract the stack config states
 * (mcp:app.*, docs/app-contract.md) is one a client built on the pinned SDK can use, and the
 * edge routes the protected resource metadata document to the app without credentials. How the
 * edge waits for a tool call against the ceiling is nginx-mcp-location's judgement, not this one's.
 */
import { stackPolicy } from "../lib/define";
import { appContract } from "../lib/app-contract";
import { loadEdgeConf } from "../lib/edge-conf";
import { children, servers, type Directive } from "../lib/nginx";
import { effectiveValue, locationFor, locationLabel, tlsServersFor, type LocationMatch } from "../lib/nginx-location";
import { stackDomain } from "../lib/stack-config";
import { workloadsOf } from "../lib/workloads";
import { MCP_PROTOCOL_VERSIONS, MCP_READ_TIMEOUT_MAX_SECONDS } from "../../checklist/thresholds";

/** RFC 9728 §3: the metadata of a resource lives under this well-known prefix. */
export const PROTECTED_RESOURCE_WELL_KNOWN = "/.well-known/oauth-protected-resource";

/**
 * The metadata paths a client looks at for the MCP endpoint at `mcpPath`: the well-known prefix
 * inserted before the resource's path (RFC 9728 §3.1), then the prefix alone (MCP Authorization ›
 * Authorization Server Location: clients fall back to the root).
 */
export function metadataPathsFor(mcpPath: string): string[] {
  const path = mcpPath.replace(/\/+$/, "");
  return path ? [`${PROTECTED_RESOURCE_WELL_KNOWN}${path}`, PROTECTED_RESOURCE_WELL_KNOWN] : [PROTECTED_RESOURCE_WELL_KNOWN];
}

/** The allow/deny rules in effect: nginx's access module takes the innermost level's list as a whole. */
function accessRules(m: LocationMatch): Directive[] {
  const level = m.levels.find((l) => l.some((d) => d.name === "allow" || d.name === "deny"));
  return (level ?? []).filter((d) => d.name === "allow" || d.name === "deny");
}

export const mcpAppContract = stackPolicy<{ edgeService: string; configPath: string }>({
  name: "mcp-app-contract",
  description:
    "The stack's MCP app contract is usable: mcp:app.resourceMetadataPath is the RFC 9728 well-known path of mcp:app.mcpPath and the edge proxies it to the app without credentials or address rules, mcp:app.protocolVersions names only revisions the pinned SDK supports and includes the newest, and mcp:app.toolCallTimeoutSeconds is a whole number of seconds within the edge's maximum read timeout.",
  checklistIds: ["FUN-MCP-02", "PRE-SEC-04", "FUN-MCP-04"],
  severity: "high",
  group: "services",
  remediation:
    "Set mcp:app.resourceMetadataPath to /.well-known/oauth-protected-resource followed by mcp:app.mcpPath (the default), leave no Nginx location that answers it itself or asks for credentials (for example a `location ~ /\\.` that denies dot paths must spare /.well-known/), list in mcp:app.protocolVersions only entries of MCP_PROTOCOL_VERSIONS in checklist/thresholds.ts with the first (newest) among them, and keep mcp:app.toolCallTimeoutSeconds between 1 and MCP_READ_TIMEOUT_MAX_SECONDS.",
  config: {
    edgeService: { type: "string", default: "nginx", description: "Service (com.mcp.service) of the TLS edge." },
    configPath: { type: "string", default: "", description: "nginx.conf path in the workload; empty: from `-c` on its command line." },
  },
  check(resources, ctx) {
    const contract = appContract();
    const stackWide = (message: string) => ctx.violation(message);

    const metadataPath = contract.resourceMetadataPath;
    const expected = metadataPathsFor(contract.mcpPath);
    if (typeof metadataPath !== "string" || !expected.includes(metadataPath))
      stackWide(
        `mcp:app.resourceMetadataPath ${JSON.stringify(metadataPath)} is not where a client looks for the metadata of ${contract.mcpPath}: expected ${expected.join(" or ")} (RFC 9728 §3.1)`,
      );

    const versions = contract.protocolVersions;
    const supported: readonly string[] = MCP_PROTOCOL_VERSIONS;
    if (!Array.isArray(versions) || versions.length === 0) stackWide("mcp:app.protocolVersions names no protocol revision");
    else {
      const unknown = versions.filter((v) => typeof v !== "string" || !supported.includes(v));
      if (unknown.length)
        stackWide(
          `mcp:app.protocolVersions names ${unknown.map((v) => JSON.stringify(v)).join(", ")}, which the pinned SDK does not support (${supported.join(", ")})`,
        );
      if (!versions.includes(supported[0]))
        stackWide(`mcp:app.protocolVersions leaves out the newest revision ${supported[0]}: a current client negotiates down or fails`);
    }

    const ceiling = contract.toolCallTimeoutSeconds;
    if (typeof ceiling !== "number" || !Number.isInteger(ceiling) || ceiling < 1 || ceiling > MCP_READ_TIMEOUT_MAX_SECONDS)
      stackWide(
        `mcp:app.toolCallTimeoutSeconds ${JSON.stringify(ceiling)} is not a whole number of seconds from 1 to ${MCP_READ_TIMEOUT_MAX_SECONDS} (the edge's maximum read timeout)`,
      );

    // Where the path is wrong the client looks elsewhere anyway: the routing judged is that of the configured path.
    if (typeof metadataPath !== "string") return;
    for (const w of workloadsOf(resources, ctx.config.edgeService)) {
      const edge = loadEdgeConf(w, ctx, ctx.config.configPath);
      if (!edge) continue;
      for (const s of tlsServersFor(servers(edge.conf), stackDomain(), edge.httpsPort)) {
        const m = locationFor(s, metadataPath);
        const where = `${w.label}: ${locationLabel(m)} (serving ${metadataPath} on ${s.listens.map((l) => l.port).join("/")})`;
        const bad = (what: string) => ctx.violation(`${where} ${what}; a client cannot discover where to get a token`, w.urn);
        if (!m.location) bad("is missing: nothing proxies it to the app");
        else if (accessRules(m).some((d) => d.name === "deny")) bad("restricts it by address (deny)");
        else if (children(m.location.block, "return").length > 0) bad("answers it itself (return) instead of proxying it to the app");
        else if (children(m.location.block, "proxy_pass").length === 0) bad("does not proxy it to the app");
        else if (effectiveValue(m, "auth_basic", "off") !== "off" || effectiveValue(m, "auth_request", "off") !== "off")
          bad("asks for credentials (auth_basic or auth_request) before the app answers");
      }
    }
  },
});
