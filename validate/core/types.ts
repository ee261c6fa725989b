/**
 * The one check framework every runtime check uses: post-deploy validation (edge, app,
 * MCP, PostgreSQL, Redis, monitoring, backups) and Docker host/container checks alike.
 * A check proves checklist items (`checklistIds`) and reports what it expected, what it saw
 * and how to fix it. Messages must never contain a secret value: the runner also
 * redacts every known secret from results as a second line of defence.
 */

export type { CheckStatus, CheckResult, CheckRecord } from "../../evidence/checks";
import type { CheckResult } from "../../evidence/checks";

export interface CheckContext {
  /** Aborted when the check's timeout elapses: pass it to fetch / clients. */
  signal: AbortSignal;
  /** Progress line for long checks (goes to stderr, redacted). */
  log(message: string): void;
}

export interface Check<T = unknown> {
  /** Stable ID, e.g. `edge.tls-chain`. Named from the checklist mapping. */
  id: string;
  title: string;
  /** Checklist item IDs this check proves. */
  checklistIds: readonly string[];
  /** Per-check timeout; the runner's default applies when unset. */
  timeoutMs?: number;
  /** Extra attempts for things that settle after deploy (a failed attempt is retried). */
  retries?: number;
  retryDelayMs?: number;
  /**
   * Runs after every other check, alone: for checks that disturb what others measure
   * (a burst that spends the client's rate-limit allowance).
   */
  exclusive?: boolean;
  run(target: T, ctx: CheckContext): Promise<CheckResult>;
}

export const pass = (message: string, extra: Omit<CheckResult, "status" | "message"> = {}): CheckResult => ({ status: "pass", message, ...extra });
export const fail = (message: string, extra: Omit<CheckResult, "status" | "message"> = {}): CheckResult => ({ status: "fail", message, ...extra });
export const skip = (message: string, extra: Omit<CheckResult, "status" | "message"> = {}): CheckResult => ({ status: "skip", message, ...extra });
