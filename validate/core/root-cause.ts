/**
 * One clear cause for a run where everything failed the same way (nothing deployed, the wrong
 * network, a name that resolves nowhere): when every failure carries the same network error,
 * the summary says so once, with what usually causes it, instead of leaving the reader to
 * compare N messages. Pure.
 */
import type { CheckRecord } from "./types";

const CAUSES: readonly { code: string; pattern: RegExp; hint: string }[] = [
  {
    code: "ENOTFOUND",
    pattern: /\bENOTFOUND\b/,
    hint: "the stack's names do not resolve here: is it deployed, and does verify reach its network (the Docker socket for the tunnels, or --direct on a host of the stack's network)?",
  },
  { code: "EAI_AGAIN", pattern: /\bEAI_AGAIN\b/, hint: "name resolution is failing on this machine: check its DNS resolver" },
  {
    code: "ECONNREFUSED",
    pattern: /\bECONNREFUSED\b/,
    hint: "nothing listens where the stack should be: is it deployed and are its services running (docker service ls)?",
  },
  {
    code: "EHOSTUNREACH",
    pattern: /\bEHOSTUNREACH\b|\bENETUNREACH\b/,
    hint: "no route to the stack's addresses from here: run verify on a host that reaches them",
  },
  {
    code: "no answer",
    pattern: /did not answer within|gave no answer within|\bETIMEDOUT\b/,
    hint: "the services accept connections but do not answer: overloaded, frozen, or a firewall that drops packets",
  },
];

export interface CommonCause {
  code: string;
  hint: string;
  failures: number;
}

/** The cause every failure shares, when there are at least two failures and they all share one. */
export function commonCause(records: readonly Pick<CheckRecord, "status" | "message">[]): CommonCause | undefined {
  const failed = records.filter((r) => r.status === "fail");
  if (failed.length < 2) return undefined;
  const cause = CAUSES.find((c) => failed.every((r) => c.pattern.test(r.message)));
  return cause && { code: cause.code, hint: cause.hint, failures: failed.length };
}
