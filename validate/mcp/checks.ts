/**
 * The MCP endpoint through Nginx with the official SDK client: initialize, tools/list,
 * tools/call of the configured probe tool, resources/list + resources/read (FUN-MCP-02,
 * FUN-MCP-04, FUN-MCP-05), and the `.mcp.json` stack output is a valid Claude Code
 * project config whose URL works (FUN-MCP-01).
 */
import { z } from "zod";
import { fail, pass, type Check } from "../core/types";
import { mintJwt } from "../app/jwt";
import type { McpTarget, VerifyTarget } from "../target";
import { withMcpSession } from "./session";

async function bearer(mcp: McpTarget): Promise<string> {
  return mintJwt(mcp.jwtSigningKey, { issuer: mcp.jwtIssuer, audience: mcp.jwtAudience });
}

async function session<T>(mcp: McpTarget, signal: AbortSignal, body: Parameters<typeof withMcpSession<T>>[4]): Promise<T> {
  return withMcpSession(mcp.url, mcp.http, { Authorization: `Bearer ${await bearer(mcp)}` }, signal, body);
}

const FIX_ENDPOINT = "Check the MCP location in nginx.conf (no buffering) and that the app serves Streamable HTTP at mcp:app.mcpPath.";

export const mcpInitializeCheck: Check<VerifyTarget> = {
  id: "mcp.initialize",
  title: "MCP initialize over Streamable HTTP through Nginx",
  checklistIds: ["FUN-MCP-02", "DEP-WEB-04"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 2,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    return session(mcp, signal, async ({ client, transport }) => {
      const version = transport.protocolVersion;
      const caps = client.getServerCapabilities();
      const server = client.getServerVersion();
      const measurements = {
        protocolVersion: version ?? "",
        server: `${server?.name ?? "?"} ${server?.version ?? ""}`.trim(),
        tools: !!caps?.tools,
        resources: !!caps?.resources,
      };
      if (!version || !mcp.protocolVersions.includes(version)) {
        return fail(`server negotiated protocol version ${version ?? "none"}`, {
          expected: `one of ${mcp.protocolVersions.join(", ")} (mcp:app.protocolVersions)`,
          actual: String(version),
          remediation: "Upgrade the app's MCP SDK, or list the revision it speaks in mcp:app.protocolVersions.",
          measurements,
        });
      }
      if (!caps?.tools)
        return fail("server did not announce the tools capability", {
          expected: "capabilities.tools",
          actual: JSON.stringify(caps ?? {}),
          remediation: FIX_ENDPOINT,
          measurements,
        });
      return pass(`initialized ${measurements.server}, negotiated protocol ${version}, capabilities ${Object.keys(caps).join(", ")}`, { measurements });
    });
  },
};

export const mcpToolsListCheck: Check<VerifyTarget> = {
  id: "mcp.tools-list",
  title: "MCP tools/list includes the probe tool",
  checklistIds: ["FUN-MCP-02"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 2,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    return session(mcp, signal, async ({ client }) => {
      const { tools } = await client.listTools(undefined, { signal });
      const names = tools.map((t) => t.name);
      if (!names.includes(mcp.probeTool)) {
        return fail(`tools/list has no tool "${mcp.probeTool}"`, {
          expected: `"${mcp.probeTool}" (mcp:app.probeTool)`,
          actual: names.slice(0, 20).join(", ") || "no tools",
          remediation: "Set mcp:app.probeTool to a side-effect-free tool the server offers.",
        });
      }
      return pass(`tools/list: ${names.length} tools including ${mcp.probeTool}`, { measurements: { tools: names.length } });
    });
  },
};

export const mcpToolCallCheck: Check<VerifyTarget> = {
  id: "mcp.tool-call",
  title: "MCP tools/call of the probe tool succeeds",
  checklistIds: ["FUN-MCP-04"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 2,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    return session(mcp, signal, async ({ client }) => {
      const result = await client.callTool({ name: mcp.probeTool, arguments: mcp.probeToolArguments }, undefined, { signal });
      const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
      const text = content
        .map((c) => (c.type === "text" ? c.text : `[${c.type}]`))
        .join(" ")
        .slice(0, 200);
      if (result.isError) {
        return fail(`tools/call ${mcp.probeTool} returned isError: ${text}`, {
          expected: "isError false",
          actual: `isError true: ${text}`,
          remediation: "Check mcp:app.probeToolArguments against the tool's input schema and the tool's dependencies.",
        });
      }
      return pass(`tools/call ${mcp.probeTool} -> ${text || `${content.length} content items`}`, { measurements: { contentItems: content.length } });
    });
  },
};

export const mcpResourcesCheck: Check<VerifyTarget> = {
  id: "mcp.resources",
  title: "MCP resources/list and resources/read work",
  checklistIds: ["FUN-MCP-05"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 2,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    return session(mcp, signal, async ({ client }) => {
      if (!client.getServerCapabilities()?.resources)
        return fail("server does not announce the resources capability", {
          expected: "capabilities.resources",
          actual: "absent",
          remediation: "The MCP server must expose resources.",
        });
      const { resources } = await client.listResources(undefined, { signal });
      if (resources.length === 0)
        return fail("resources/list returned no resources", {
          expected: "at least one resource",
          actual: "0",
          remediation: "The MCP server must list its resources.",
        });
      const uri = resources[0].uri;
      const read = await client.readResource({ uri }, { signal });
      if (read.contents.length === 0) return fail(`resources/read ${uri} returned no contents`, { expected: "contents", actual: "[]" });
      return pass(`resources/list: ${resources.length}; read ${uri} (${read.contents.length} content item${read.contents.length === 1 ? "" : "s"})`, {
        measurements: { resources: resources.length },
      });
    });
  },
};

/** Claude Code's project `.mcp.json` with an HTTP server entry (`claude mcp add --transport http`). */
export const claudeMcpJsonSchema = z
  .object({
    mcpServers: z.record(
      z.string().regex(/^[A-Za-z0-9_-]+$/, "server names are letters, digits, - and _"),
      z.object({
        type: z.literal("http"),
        url: z.url({ protocol: /^https$/ }),
        headers: z.record(z.string(), z.string()).optional(),
      }),
    ),
  })
  .strict();

/** `${VAR}` references in header values, expanded the way Claude Code does from the environment. */
export function expandEnv(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, dflt?: string) => env[name] ?? dflt ?? "");
}

export const mcpClaudeConfigCheck: Check<VerifyTarget> = {
  id: "mcp.claude-config",
  title: ".mcp.json output is valid Claude Code config and its URL works",
  checklistIds: ["FUN-MCP-01"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 2,
  timeoutMs: 6000,
  async run({ mcp }, { signal }) {
    const parsed = claudeMcpJsonSchema.safeParse(mcp.mcpJson);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
      return fail(`.mcp.json is not valid Claude Code config: ${issues}`, {
        expected: '{ "mcpServers": { "<name>": { "type": "http", "url": "https://..." } } }',
        actual: issues,
        remediation: "Fix mcpJson in infra/outputs.ts.",
      });
    }
    const entry = parsed.data.mcpServers[mcp.serverName];
    if (!entry)
      return fail(`.mcp.json has no server "${mcp.serverName}"`, { expected: mcp.serverName, actual: Object.keys(parsed.data.mcpServers).join(", ") });
    if (entry.url !== mcp.url)
      return fail(`.mcp.json points at ${entry.url}`, { expected: mcp.url, actual: entry.url, remediation: "mcpJson must use the stack's mcpUrl." });
    // Claude Code expands ${MCP_TOKEN} from the user's environment; here it is a fresh JWT.
    const env = { MCP_TOKEN: await bearer(mcp) };
    const headers = Object.fromEntries(Object.entries(entry.headers ?? {}).map(([k, v]) => [k, expandEnv(v, env)]));
    return withMcpSession(entry.url, mcp.http, headers, signal, async ({ client }) => {
      const { tools } = await client.listTools(undefined, { signal });
      return pass(`.mcp.json entry ${mcp.serverName} (type http) reaches ${entry.url}: ${tools.length} tools`, { measurements: { tools: tools.length } });
    });
  },
};
