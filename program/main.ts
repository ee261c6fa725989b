/**
 * The program `pulumi up` runs (program/index.ts exports its result) and the offline
 * preflight runs under the mock runtime (preflight/collect.ts): one composition root, so
 * what the policy pack judges offline is exactly what a deploy would create. Validates the
 * whole stack configuration first — a bad key fails here, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../infra/config/load";
import { loadStackConfig } from "../infra/config/pulumi-config";
import { createStack, type StackHooks } from "../infra/stack";

/**
 * The hooks load the runtime checks (database and HTTP clients, the Docker API): loaded only when
 * they are on, so the offline preflight and the program tests do not pay for them.
 */
function hooksFor(config: StackConfig, stack: string): StackHooks {
  if (!config.deployHooks) return {};
  const { deployHooks } = require("./hooks") as typeof import("./hooks");
  return deployHooks(config, stack);
}

export function main(config: StackConfig = loadStackConfig(), stack: string = pulumi.getStack()) {
  return createStack(config, stack, hooksFor(config, stack)).outputs;
}
