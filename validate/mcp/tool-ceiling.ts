/**
 * The tool-call ceiling (Basic › Lifecycle › Timeouts): the call mcp:app.ceilingProbe names
 * runs past mcp:app.toolCallTimeoutSeconds and must end with an error at the ceiling, through
 * Nginx, never hang and never succeed. Skipped, saying so, without a configured probe.
 */
import { fail, pass, skip, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import type { VerifyTarget } from "../target";
import { withMcpSession } from "./session";
import { authHeaders, bearer } from "./token";

/** How long past the ceiling the answer may take (scheduling, the round trip): a quarter of it, 5 to 15 s. */
export function ceilingGraceSeconds(ceilingSeconds: number): number {
  return Math.min(15, Math.max(5, Math.ceil(ceilingSeconds / 4)));
}

export const mcpToolCeilingCheck: Check<VerifyTarget> = {
  id: "mcp.tool-ceiling",
  title: "A tool call past the app's ceiling ends with an error at the ceiling, never hangs",
  checklistIds: ["FUN-MCP-04"],
  // The app keeps MCP sessions in Redis (docs/app-contract.md): without it no session opens.
  needs: ["edge", "redis"],
  // Longest possible: the ceiling, the grace, the session around it (bounded by the MCP_READ_TIMEOUT bound of the config).
  timeoutMs: 3_700_000,
  async run({ mcp }, { signal, log }) {
    const probe = mcp.ceilingProbe;
    if (!probe) return skip("no mcp:app.ceilingProbe configured: name a call that runs past mcp:app.toolCallTimeoutSeconds to check the ceiling");
    const ceiling = mcp.toolCallTimeoutSeconds;
    const limitMs = (ceiling + ceilingGraceSeconds(ceiling)) * 1000;
    log(`calling ${probe.tool}, expecting an error after about ${ceiling} s`);
    return withMcpSession(mcp.url, mcp.http, authHeaders(await bearer(mcp)), signal, async ({ client }) => {
      const started = performance.now();
      const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
      const measurements = () => ({ seconds: Number(seconds()), ceilingSeconds: ceiling });
      let outcome: { error: boolean; text: string };
      try {
        const r = await client.callTool({ name: probe.tool, arguments: probe.arguments }, undefined, { signal, timeout: limitMs, maxTotalTimeout: limitMs });
        const content = Array.isArray(r.content) ? (r.content as { type: string; text?: string }[]) : [];
        outcome = {
          error: !!r.isError,
          text: content
            .map((c) => c.text ?? `[${c.type}]`)
            .join(" ")
            .slice(0, 160),
        };
      } catch (err) {
        const message = errorMessage(err);
        if (/timed out|timeout/i.test(message) && performance.now() - started >= limitMs - 50)
          return fail(`tools/call ${probe.tool} had no answer after ${seconds()} s: it hangs`, {
            expected: `an error answer by ${ceiling} s (+${ceilingGraceSeconds(ceiling)} s grace)`,
            actual: `no answer in ${seconds()} s`,
            remediation: "The app must end every tool call at mcp:app.toolCallTimeoutSeconds with an error result.",
            measurements: measurements(),
          });
        if (/HTTP \d{3}/.test(message))
          return fail(`tools/call ${probe.tool} ended with ${/HTTP \d{3}/.exec(message)![0]} after ${seconds()} s`, {
            expected: `an MCP error answer (isError or a JSON-RPC error) at the ceiling of ${ceiling} s`,
            actual: message.slice(0, 200),
            remediation: "Nginx's MCP location must read longer than the ceiling (proxy_read_timeout) so the app's own error reaches the client.",
            measurements: measurements(),
          });
        outcome = { error: true, text: message.slice(0, 160) };
      }
      const elapsed = (performance.now() - started) / 1000;
      if (!outcome.error)
        return fail(`tools/call ${probe.tool} succeeded after ${seconds()} s: ${outcome.text}`, {
          expected: `an error at the ceiling of ${ceiling} s`,
          actual: `success after ${seconds()} s`,
          remediation: "Either the app has no ceiling or mcp:app.ceilingProbe does not run past it.",
          measurements: measurements(),
        });
      if (elapsed < ceiling * 0.9)
        return fail(`tools/call ${probe.tool} ended with an error after ${seconds()} s, before the ceiling of ${ceiling} s: ${outcome.text}`, {
          expected: `an error at about ${ceiling} s`,
          actual: `error after ${seconds()} s`,
          remediation: "mcp:app.ceilingProbe must name a call that runs past the ceiling (check its arguments).",
          measurements: measurements(),
        });
      return pass(`tools/call ${probe.tool} ended with an error after ${seconds()} s (ceiling ${ceiling} s): ${outcome.text}`, {
        measurements: measurements(),
      });
    });
  },
};
