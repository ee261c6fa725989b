/**
 * The one check framework every runtime check uses: post-deploy validation (edge, app,
 * MCP, PostgreSQL, Redis, monitoring, backups) and Docker host/container checks alike.
 * A check proves checklist items (`checklistIds`) and reports what it expected, what it saw
 * and how to fix it. Messages must never contain a secret value: the runner also
 * redacts every known secret from results as a second line of defence.
 */

export type { CheckStatus, CheckResult, CheckRecord } from "../../evidence/checks";
import type { CheckResult } from "../../evidence/checks";
import { attachHint, type HealingHint } from "./healing";

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
  /**
   * Extra attempts for things that settle after deploy. Only a failure that may heal is
   * retried (validate/core/healing.ts): a thrown connection error or timeout, or a `fail`
   * carrying such a `cause` or `settling`; any other failure is the answer.
   */
  retries?: number;
  retryDelayMs?: number;
  /**
   * Runs after every other check, alone: for checks that disturb what others measure
   * (a burst that spends the client's rate-limit allowance).
   */
  exclusive?: boolean;
  /**
   * Services this check cannot work without (keys of the runner's `probes`, e.g. "redis").
   * When one is unreachable the first such check reports it and the others are skipped
   * naming it, instead of each failing on its own.
   */
  needs?: readonly string[];
  run(target: T, ctx: CheckContext): Promise<CheckResult>;
}

/**
 * Quick proof that a service the checks need answers at all, run before them (runner option
 * `probes`, keyed by the names checks list in `needs`). Rejects with why not, naming the address.
 */
export interface Probe<T = unknown> {
  run(target: T, ctx: { signal: AbortSignal; timeoutMs: number }): Promise<void>;
  /** What to do when it does not answer. */
  remediation: string;
}

export const pass = (message: string, extra: Omit<CheckResult, "status" | "message"> = {}): CheckResult => ({ status: "pass", message, ...extra });
/** A failure; `cause` (the error behind it) or `settling` tell the runner it may heal and is worth retrying. */
export const fail = (message: string, extra: Omit<CheckResult, "status" | "message"> & HealingHint = {}): CheckResult => {
  const { cause, settling, ...rest } = extra;
  return attachHint({ status: "fail", message, ...rest }, { cause, settling });
};
export const skip = (message: string, extra: Omit<CheckResult, "status" | "message"> = {}): CheckResult => ({ status: "skip", message, ...extra });
