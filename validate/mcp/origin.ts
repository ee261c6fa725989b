/**
 * DNS-rebinding protection (Transports › Streamable HTTP › Security Warning): an initialize
 * carrying a foreign Origin is refused with 403 through Nginx, one without Origin is served.
 */
import { fail, pass, type Check } from "../core/types";
import type { VerifyTarget } from "../target";
import { describe, endSession, openSession } from "./raw";
import { authHeaders, bearer } from "./token";

/** An origin no stack serves (RFC 6761 .invalid). */
export const FOREIGN_ORIGIN = "https://rebinding.invalid";

export const mcpOriginCheck: Check<VerifyTarget> = {
  id: "mcp.origin",
  title: "MCP endpoint refuses a foreign Origin with 403 and serves requests without one",
  checklistIds: ["FUN-MCP-02", "PRE-SEC-04"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 1,
  timeoutMs: 8000,
  async run({ mcp }, { signal }) {
    const auth = authHeaders(await bearer(mcp));
    const version = mcp.protocolVersions[0];
    const foreign = await openSession(mcp.url, mcp.http, { ...auth, origin: FOREIGN_ORIGIN }, version, signal);
    await endSession(mcp.url, mcp.http, auth, foreign.sessionId, signal);
    if (foreign.answer.status !== 403)
      return fail(`initialize with Origin ${FOREIGN_ORIGIN} answered ${describe(foreign.answer)}`, {
        expected: "403 for an Origin other than the stack's own",
        actual: String(foreign.answer.status),
        remediation:
          "Turn on the app's DNS-rebinding protection (the SDK's StreamableHTTPServerTransport enableDnsRebindingProtection with allowedOrigins) and keep Nginx from rewriting Origin.",
      });
    const plain = await openSession(mcp.url, mcp.http, auth, version, signal);
    await endSession(mcp.url, mcp.http, auth, plain.sessionId, signal);
    if (plain.answer.status !== 200)
      return fail(`initialize without Origin answered ${describe(plain.answer)}`, {
        expected: "200: non-browser clients send no Origin",
        actual: String(plain.answer.status),
        remediation: "Only a present, foreign Origin may be refused.",
      });
    return pass(`Origin ${FOREIGN_ORIGIN} refused with 403; initialize without Origin served (200)`);
  },
};
