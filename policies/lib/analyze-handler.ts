/** What the pack's Analyze speed-ups (analyze-by-type.ts, analyze-loop.ts) and its policies (define.ts) share. */
import type { Policy } from "@pulumi/policy";

/** What a policy of this pack declares on its validate function: the reason it does not apply to `type`, or undefined when it may. */
export const NOT_APPLICABLE_TO = Symbol.for("mcp.notApplicableTo");
export type NotApplicableTo = (type: string) => string | undefined;

/** A policy's NOT_APPLICABLE_TO, when it is one of this pack's own (lib/define.ts). */
export function notApplicableTo(p: Policy): NotApplicableTo | undefined {
  const v = (p as { validateResource?: unknown }).validateResource;
  const f = typeof v === "function" ? (v as unknown as Record<symbol, unknown>)[NOT_APPLICABLE_TO] : undefined;
  return typeof f === "function" ? (f as NotApplicableTo) : undefined;
}

export type Callback = (err: unknown, resp?: unknown) => void;
/** A gRPC unary handler as @pulumi/policy's server registers them. */
export type Handler = (call: { request: unknown }, callback: Callback) => unknown;
/** The server's Analyze handler factory (server.js makeAnalyzeRpcFun), or one shaped like it. */
export type MakeAnalyze = (name: string, version: string, level: string, policies: readonly Policy[]) => Handler;
