/**
 * The program `pulumi up` runs (program/index.ts exports its result) and the offline
 * preflight runs under the mock runtime (preflight/collect.ts): one composition root, so
 * what the policy pack judges offline is exactly what a deploy would create. Validates the
 * whole stack configuration first — a bad key fails here, before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../infra/config/load";
import { loadStackConfig } from "../infra/config/pulumi-config";
import { createStack } from "../infra/stack";
import { deployHooks } from "./hooks";

export function main(config: StackConfig = loadStackConfig(), stack: string = pulumi.getStack()) {
  return createStack(config, stack, config.deployHooks ? deployHooks(config, stack) : {}).outputs;
}
