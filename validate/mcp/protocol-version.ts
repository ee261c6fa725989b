/**
 * MCP-Protocol-Version (Transports › Streamable HTTP › Protocol Version Header): every
 * revision in mcp:app.protocolVersions is negotiated as asked and accepted in the header of
 * the next request; a revision outside the list answers 400.
 */
import { fail, pass, type Check } from "../core/types";
import type { VerifyTarget } from "../target";
import { describe, endSession, openSession, rpc, sessionHeaders } from "./raw";
import { authHeaders, bearer } from "./token";

/** A revision no server supports. */
export const UNSUPPORTED_VERSION = "1999-01-01";

export const mcpProtocolVersionCheck: Check<VerifyTarget> = {
  id: "mcp.protocol-version",
  title: "Every configured MCP revision is negotiated and accepted in MCP-Protocol-Version; an unsupported one gets 400",
  checklistIds: ["FUN-MCP-02"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 1,
  timeoutMs: 15_000,
  async run({ mcp }, { signal }) {
    const auth = authHeaders(await bearer(mcp));
    const problems: string[] = [];
    const negotiated: string[] = [];
    let unsupported: string | undefined;
    for (const version of mcp.protocolVersions) {
      const s = await openSession(mcp.url, mcp.http, auth, version, signal);
      try {
        if (s.answer.status !== 200 || !s.protocolVersion) {
          problems.push(`initialize asking ${version} answered ${describe(s.answer)}`);
          continue;
        }
        if (s.protocolVersion !== version) {
          problems.push(`initialize asking ${version} negotiated ${s.protocolVersion}`);
          continue;
        }
        negotiated.push(version);
        const next = await rpc(mcp.url, mcp.http, sessionHeaders(auth, s.sessionId, version), { method: "tools/list" }, signal);
        if (next.status !== 200) problems.push(`tools/list with MCP-Protocol-Version ${version} answered ${describe(next)}`);
        if (unsupported === undefined) {
          const bad = await rpc(mcp.url, mcp.http, sessionHeaders(auth, s.sessionId, UNSUPPORTED_VERSION), { method: "tools/list" }, signal);
          unsupported = describe(bad);
          if (bad.status !== 400) problems.push(`tools/list with MCP-Protocol-Version ${UNSUPPORTED_VERSION} answered ${unsupported}, expected 400`);
        }
      } finally {
        await endSession(mcp.url, mcp.http, auth, s.sessionId, signal);
      }
    }
    const measurements = { protocolVersion: negotiated[0] ?? "", accepted: negotiated.length, configured: mcp.protocolVersions.length };
    if (problems.length)
      return fail(problems.join("; "), {
        expected: `each of ${mcp.protocolVersions.join(", ")} negotiated as asked and accepted in MCP-Protocol-Version; ${UNSUPPORTED_VERSION} answered 400`,
        actual: problems.join("; "),
        remediation: "Upgrade the app's MCP SDK or narrow mcp:app.protocolVersions to the revisions it speaks; the app must check MCP-Protocol-Version.",
        measurements,
      });
    return pass(`negotiated and accepted ${negotiated.join(", ")}; ${UNSUPPORTED_VERSION} answered 400`, { measurements });
  },
};
