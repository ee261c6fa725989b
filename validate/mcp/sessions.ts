/**
 * Session management (Transports › Streamable HTTP › Session Management): where the app issues
 * Mcp-Session-Id, a request without it gets 400, an unknown or ended session 404, and DELETE
 * ends it; and a session opened on one replica works on every other (sessions in Redis).
 */
import { randomUUID } from "node:crypto";
import { fail, pass, skip, type Check } from "../core/types";
import { joinUrl } from "../net/http";
import type { HttpOptions, VerifyTarget } from "../target";
import { describe, endSession, openSession, rpc, sessionHeaders } from "./raw";
import { authHeaders, bearer } from "./token";

export const mcpSessionsCheck: Check<VerifyTarget> = {
  id: "mcp.sessions",
  title: "MCP sessions: no Mcp-Session-Id gets 400, an unknown or ended one 404, DELETE ends it",
  checklistIds: ["FUN-MCP-02"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 1,
  timeoutMs: 10_000,
  async run({ mcp }, { signal }) {
    const auth = authHeaders(await bearer(mcp));
    const s = await openSession(mcp.url, mcp.http, auth, mcp.protocolVersions[0], signal);
    if (s.answer.status !== 200) return fail(`initialize answered ${describe(s.answer)}`, { expected: "200", actual: String(s.answer.status) });
    if (!s.sessionId) return skip("the app issues no Mcp-Session-Id (stateless): no session rules to judge");
    const list = (sessionId: string | undefined) =>
      rpc(mcp.url, mcp.http, sessionHeaders(auth, sessionId, s.protocolVersion), { method: "tools/list" }, signal);
    const steps: { what: string; expected: number[]; run: () => Promise<{ status: number; text: string }> }[] = [
      { what: "tools/list without Mcp-Session-Id", expected: [400], run: async () => answer(await list(undefined)) },
      { what: "tools/list with an unknown Mcp-Session-Id", expected: [404], run: async () => answer(await list(randomUUID())) },
      { what: "tools/list in the session", expected: [200], run: async () => answer(await list(s.sessionId)) },
      {
        what: "DELETE of the session",
        expected: [200, 202, 204],
        run: async () => answer(await rpc(mcp.url, mcp.http, sessionHeaders(auth, s.sessionId), { method: "" }, signal, "DELETE")),
      },
      { what: "tools/list in the ended session", expected: [404], run: async () => answer(await list(s.sessionId)) },
    ];
    const seen: string[] = [];
    for (const step of steps) {
      const r = await step.run();
      seen.push(`${step.what}: ${r.status}`);
      if (!step.expected.includes(r.status)) {
        await endSession(mcp.url, mcp.http, auth, s.sessionId, signal);
        return fail(`${step.what} answered ${r.text}`, {
          expected: step.expected.join(" or "),
          actual: String(r.status),
          remediation:
            "Keep the SDK transport's session rules (400 without the header, 404 for an unknown session, DELETE ends it); Nginx must pass Mcp-Session-Id both ways.",
          measurements: { steps: seen.length },
        });
      }
    }
    return pass(seen.join("; "));
  },
};

function answer(a: Awaited<ReturnType<typeof rpc>>): { status: number; text: string } {
  return { status: a.status, text: describe(a) };
}

export const mcpSessionReplicasCheck: Check<VerifyTarget> = {
  id: "mcp.session-replicas",
  title: "An MCP session opened on one app replica works on every other (shared sessions)",
  checklistIds: ["FUN-MCP-02", "HA-REDUNDANCY-02"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  retries: 1,
  timeoutMs: 10_000,
  async run({ mcp }, { signal }) {
    if (mcp.replicaUrls.length < 2) return skip(`${mcp.replicaUrls.length} app replica reachable on its own: nothing to share a session with`);
    const path = new URL(mcp.url).pathname;
    // Reached without Nginx, so the request names the public host as Nginx would.
    const host = new URL(mcp.publicUrl).hostname;
    const http: HttpOptions = {};
    const auth = { ...authHeaders(await bearer(mcp)), host };
    const urls = mcp.replicaUrls.map((u) => joinUrl(u, path));
    const seen: string[] = [];
    for (let i = 0; i < urls.length; i++) {
      const other = (i + 1) % urls.length;
      const s = await openSession(urls[i], http, auth, mcp.protocolVersions[0], signal);
      if (s.answer.status !== 200)
        return fail(`initialize on replica ${i + 1} answered ${describe(s.answer)}`, { expected: "200", actual: String(s.answer.status) });
      if (!s.sessionId) return skip("the app issues no Mcp-Session-Id (stateless): every replica serves every request");
      try {
        const r = await rpc(urls[other], http, sessionHeaders(auth, s.sessionId, s.protocolVersion), { method: "tools/list" }, signal);
        const ok = r.status === 200 && r.messages.some((m) => m.result);
        seen.push(`replica ${i + 1} -> ${other + 1}: ${r.status}`);
        if (!ok)
          return fail(`a session opened on replica ${i + 1} answered ${describe(r)} on replica ${other + 1}`, {
            expected: "200 with the tools/list result: sessions shared by every replica (Redis)",
            actual: String(r.status),
            remediation: "Keep MCP sessions where every replica finds them (Redis), not in one process's memory.",
          });
      } finally {
        await endSession(urls[i], http, auth, s.sessionId, signal);
      }
    }
    return pass(`sessions work across replicas: ${seen.join(", ")}`, { measurements: { replicas: urls.length } });
  },
};
