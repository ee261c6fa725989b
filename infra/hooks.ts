/**
 * Deploy-time gates: host readiness before the first resource is created, and post-deploy
 * verification after each service's containers are created or updated. Hooks need the
 * real engine (the mock runtime cannot register them): `mcp:deployHooks: false` turns them
 * off for the offline preflight and the program tests.
 */
import type { StackConfig } from "./config/load";
import type { StackHooks } from "./stack";
import { hostReadinessHook } from "../validate/host";

export function deployHooks(config: StackConfig, stack: string): StackHooks {
  return {
    gate: { beforeCreate: [hostReadinessHook(config, { stack })] },
  };
}
