/**
 * The audit trail of tool calls (docs/app-contract.md, MON-LOG-03): one tools/call of the
 * probe tool, under a subject made for this run, leaves exactly one JSON line in the app
 * service's logs (read through the Docker logs API) with caller, tool, duration and outcome,
 * and none of the argument values (each string argument gets a fresh marker value).
 */
import { randomBytes } from "node:crypto";
import { fail, pass, skip, type Check } from "../core/types";
import { abortableSleep } from "../core/sleep";
import type { VerifyTarget } from "../target";
import { withMcpSession } from "./session";
import { authHeaders, bearer } from "./token";

const OUTCOMES = ["ok", "error", "timeout"];
/** How long the check waits for the line to reach the logs (the log driver flushes quickly). */
const WAIT_MS = 10_000;

export interface AuditFinding {
  lines: Record<string, unknown>[];
  /** Names of the arguments whose value appears in the logs. */
  leaked: string[];
}

/** The audit lines of `caller` in a log text, and which marked argument values appear anywhere in it. */
export function findAudit(logText: string, caller: string, markers: Record<string, string>): AuditFinding {
  const lines: Record<string, unknown>[] = [];
  for (const raw of logText.split("\n")) {
    const start = raw.indexOf("{");
    if (start < 0 || !raw.includes(caller)) continue;
    try {
      const line = JSON.parse(raw.slice(start)) as Record<string, unknown>;
      if (line.event === "mcp.tool_call" && line.caller === caller) lines.push(line);
    } catch {
      // Not a JSON line: not an audit line.
    }
  }
  return {
    lines,
    leaked: Object.entries(markers)
      .filter(([, v]) => logText.includes(v))
      .map(([k]) => k),
  };
}

export const mcpAuditCheck: Check<VerifyTarget> = {
  id: "mcp.audit",
  title: "Every MCP tools/call writes one JSON audit line (caller, tool, duration, outcome) without argument values",
  checklistIds: ["FUN-MCP-04"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  timeoutMs: 25_000,
  async run({ mcp }, { signal }) {
    if (!mcp.appLogs) return skip("the app service's logs are not readable here (Docker logs API: set DOCKER_HOST or run on a manager)");
    const logs = mcp.appLogs;
    const caller = `mcp-verify-audit-${randomBytes(6).toString("hex")}`;
    const markers: Record<string, string> = {};
    const args = Object.fromEntries(
      Object.entries(mcp.probeToolArguments).map(([k, v]) => {
        if (typeof v !== "string") return [k, v];
        markers[k] = `audit-marker-${randomBytes(8).toString("hex")}`;
        return [k, markers[k]];
      }),
    );
    await withMcpSession(mcp.url, mcp.http, authHeaders(await bearer(mcp, caller)), signal, ({ client }) =>
      client.callTool({ name: mcp.probeTool, arguments: args }, undefined, { signal }),
    );
    let found: AuditFinding = { lines: [], leaked: [] };
    const deadline = Date.now() + WAIT_MS;
    for (let i = 0; i < 40; i++) {
      found = findAudit(await logs(signal), caller, markers);
      if (found.lines.length > 0 || Date.now() > deadline) break;
      await abortableSleep(250, signal);
    }
    const expected = `one line {"event":"mcp.tool_call","caller":"${caller}","tool":"${mcp.probeTool}","durationMs":<n>,"outcome":"ok|error|timeout"} and no argument value`;
    if (found.leaked.length)
      return fail(`the app's logs hold the value of argument ${found.leaked.join(", ")} of the tools/call`, {
        expected,
        actual: `value of ${found.leaked.join(", ")} logged`,
        remediation: "Log the tool's name, never its arguments' values: they can hold secrets.",
      });
    if (found.lines.length !== 1)
      return fail(`${found.lines.length} audit lines for one tools/call of ${mcp.probeTool} by caller ${caller} in the app's logs`, {
        expected,
        actual: `${found.lines.length} lines`,
        remediation: "Write one JSON line per tools/call to stdout (docs/app-contract.md).",
      });
    const line = found.lines[0];
    const wrong = [
      line.tool === mcp.probeTool ? "" : `tool ${JSON.stringify(line.tool)}`,
      typeof line.durationMs === "number" && line.durationMs >= 0 ? "" : `durationMs ${JSON.stringify(line.durationMs)}`,
      OUTCOMES.includes(line.outcome as string) ? "" : `outcome ${JSON.stringify(line.outcome)}`,
    ].filter(Boolean);
    if (wrong.length)
      return fail(`the audit line has ${wrong.join(", ")}`, {
        expected,
        actual: wrong.join(", "),
        remediation: "Write the audit line in the contract's shape.",
      });
    return pass(`one audit line: caller ${caller}, tool ${line.tool}, ${line.durationMs} ms, outcome ${line.outcome}`);
  },
};
