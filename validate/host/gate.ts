/**
 * The pre-deploy gate: a Pulumi `beforeCreate` resource hook on the first resource the stack
 * creates runs the host readiness checks and throws when one fails, so `pulumi up` stops
 * before a half-built stack. The hook fires only when that resource is created (first
 * deploy, or a replace); `npm run host:check` is the complete check at any time.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../infra/config/load";
import { runChecks } from "../core/runner";
import type { Check, CheckRecord } from "../core/types";
import { connectDocker } from "../docker/client";
import { HOST_CHECKS } from "./checks";
import { hostTargetFromConfig, type HostTarget } from "./target";
import type { HostThresholds } from "./thresholds";

export const HOST_GATE_HOOK_NAME = "mcp-host-readiness";

export class HostNotReadyError extends Error {
  constructor(
    readonly records: CheckRecord[],
    stack?: string,
  ) {
    const failed = records.filter((r) => r.status === "fail");
    super(
      `Host readiness gate failed${stack ? ` for stack "${stack}"` : ""}: ${failed.length} of ${records.length} checks failed, nothing was created.\n` +
        failed.map((r) => `  - ${r.id}: ${r.message}${r.remediation ? `\n      fix: ${r.remediation}` : ""}`).join("\n") +
        `\nRun \`npm run host:check${stack ? ` -- --stack ${stack}` : ""}\` for the full report, or adjust mcp:host thresholds.`,
    );
    this.name = "HostNotReadyError";
  }
}

export interface GateOptions {
  stack?: string;
  /** Progress lines; default: pulumi.log.info. */
  log?: (line: string) => void;
  checks?: readonly Check<HostTarget>[];
}

/** Runs the host checks; resolves with the records when none failed, throws HostNotReadyError otherwise. */
export async function runHostGate(target: HostTarget, options: GateOptions = {}): Promise<CheckRecord[]> {
  const log = options.log ?? ((line: string) => void pulumi.log.info(line));
  const records = await runChecks(options.checks ?? HOST_CHECKS, target, { label: "host-gate", progress: log });
  if (records.some((r) => r.status === "fail")) throw new HostNotReadyError(records, options.stack);
  return records;
}

export interface HostHookOptions extends Omit<GateOptions, "checks"> {
  /** Engine address (DOCKER_HOST syntax); default DOCKER_HOST or the default socket, as the provider uses. */
  dockerHost?: string;
  overrides?: Partial<HostThresholds>;
  /** The engine's daemon.json on this machine; default /etc/docker/daemon.json. */
  daemonJsonPath?: string;
}

/** The hook body, testable without the Pulumi engine (hooks cannot run under the mock runtime). */
export function hostReadinessHookFunction(config: Pick<StackConfig, "edge" | "host">, options: HostHookOptions = {}): pulumi.ResourceHookFunction {
  return async () => {
    const target = hostTargetFromConfig(config, connectDocker(options.dockerHost), {
      overrides: options.overrides,
      stack: options.stack,
      daemonJsonPath: options.daemonJsonPath,
    });
    await runHostGate(target, options);
  };
}

/** `beforeCreate` hook for the first resource the stack creates. Construct only inside a Pulumi program. */
export function hostReadinessHook(config: Pick<StackConfig, "edge" | "host">, options: HostHookOptions = {}): pulumi.ResourceHook {
  return new pulumi.ResourceHook(HOST_GATE_HOOK_NAME, hostReadinessHookFunction(config, options));
}
