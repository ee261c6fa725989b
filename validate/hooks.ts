/**
 * Deploy gates: Pulumi resource hooks (afterCreate/afterUpdate) that run the same checks
 * as `npm run verify` on the swarm service that was just created or updated, so
 * `pulumi up` fails when that service is not actually working. The checks per service
 * are SERVICE_CHECK_IDS (validate/registry.ts); the stack is reached exactly as the CLI
 * reaches it (validate/connect.ts).
 *
 * A service can take a moment to come up after its container is created, so failing
 * checks are re-run until `settleMs` has passed; only then does the hook throw (which
 * fails the deployment). The error lists what failed and never contains a secret.
 *
 * Hooks cannot run under Pulumi's mock runtime (pulumi/pulumi#20874): tests call
 * `verifyHookFunction` directly; `verifyHooksFor` wraps it in named pulumi.ResourceHook
 * objects for the program.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../infra/config/load";
import type { ServiceName } from "../infra/config/schema";
import type { StackOutputs } from "../infra/outputs-types";
import { runChecks } from "./core/runner";
import { createRedactor } from "../evidence/redact";
import type { CheckRecord } from "./core/types";
import { connectToStack, type ConnectOptions } from "./connect";
import { SERVICE_CHECK_IDS, VERIFY_CHECKS } from "./registry";
import { VERIFY_PROBES } from "./dependencies";
import { isBlocked } from "./core/needs";

export const DEFAULT_SETTLE_MS = 90_000;
const ROUND_DELAY_MS = 3000;

export interface VerifyHookOptions extends Omit<ConnectOptions, "config"> {
  config: StackConfig;
  /** The stack outputs with secrets in clear, once they are known (see outputsWhenResolved). */
  outputs: () => Promise<StackOutputs>;
  /** How long failing checks are retried after the resource is created (default 90 s). */
  settleMs?: number;
  /** Progress lines (default: pulumi.log.info). */
  log?: (line: string) => void;
}

/** Check IDs that gate `service`. */
export function hookCheckIds(service: ServiceName): readonly string[] {
  return SERVICE_CHECK_IDS[service] ?? [];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the gate of `service` once the outputs are known: resolves when every check
 * passes (or is skipped), throws a redacted summary when some still fail after settleMs.
 */
export async function runServiceVerification(service: ServiceName, options: VerifyHookOptions): Promise<CheckRecord[]> {
  const ids = hookCheckIds(service);
  if (ids.length === 0) return [];
  const log = options.log ?? ((l: string) => void pulumi.log.info(l));
  const outputs = await options.outputs();
  const redact = createRedactor(Object.values(outputs.secrets));
  const connection = await connectToStack(outputs, { ...options, log: (l) => log(redact(l)) });
  const label = service;
  try {
    let pending = VERIFY_CHECKS.filter((c) => ids.includes(c.id));
    const done: CheckRecord[] = [];
    const deadline = Date.now() + (options.settleMs ?? DEFAULT_SETTLE_MS);
    for (let round = 1; ; round++) {
      const records = await runChecks(pending, connection.target, {
        secrets: connection.target.secrets,
        label: `verify ${label}`,
        probes: VERIFY_PROBES,
        progress: (l) => log(l),
      });
      // A check skipped because its service did not answer yet is still owed: run it again with the failures.
      const owed = (r: CheckRecord) => r.status === "fail" || isBlocked(r);
      done.push(...records.filter((r) => !owed(r)));
      const failed = records.filter(owed);
      if (failed.length === 0) return done;
      if (Date.now() + ROUND_DELAY_MS >= deadline) {
        const lines = failed.map((r) => `  - ${r.id}: ${r.message}${r.remediation ? ` (fix: ${r.remediation})` : ""}`);
        throw new Error(
          redact(
            `post-deploy verification of ${label} failed after ${round} round${round === 1 ? "" : "s"}:\n${lines.join("\n")}\nRun \`npm run verify -- --stack ${outputs.stack}\` for the full report.`,
          ),
        );
      }
      pending = pending.filter((c) => failed.some((f) => f.id === c.id));
      await sleep(ROUND_DELAY_MS);
    }
  } finally {
    await connection.close();
  }
}

/** The hook callback for `service` (and optionally one replica): what the tests call directly. */
export function verifyHookFunction(service: ServiceName, options: VerifyHookOptions): pulumi.ResourceHookFunction {
  return async () => {
    await runServiceVerification(service, options);
  };
}

/**
 * afterCreate/afterUpdate binding for a service's container, or undefined when no check
 * gates that service. Named hooks (one per service) so the engine can tell them apart.
 */
export function verifyHooksFor(service: ServiceName, options: VerifyHookOptions & { ignoreErrors?: boolean }): pulumi.ResourceHookBinding | undefined {
  if (hookCheckIds(service).length === 0) return undefined;
  const name = `verify-${service}`;
  const hook = new pulumi.ResourceHook(name, verifyHookFunction(service, options), { ignoreErrors: options.ignoreErrors });
  return { afterCreate: [hook], afterUpdate: [hook] };
}

/**
 * The program's outputs as a promise of plain values (secrets unwrapped), resolved when
 * Pulumi knows them; bounded so a hook never waits forever.
 */
export function outputsWhenResolved(outputs: pulumi.Input<Record<string, unknown>>, timeoutMs = 120_000): () => Promise<StackOutputs> {
  let settle: (v: StackOutputs) => void;
  const resolved = new Promise<StackOutputs>((r) => (settle = r));
  pulumi.output(outputs).apply((v) => {
    settle(v as unknown as StackOutputs);
    return v;
  });
  return () =>
    new Promise<StackOutputs>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stack outputs were not known within ${timeoutMs} ms: cannot verify`)), timeoutMs);
      resolved.then((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
}
