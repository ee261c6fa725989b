/**
 * Deploy-time gates: host readiness before the first resource is created, and post-deploy
 * verification after each service's containers are created or updated.
 */
import type { StackConfig } from "./config/load";
import type { StackHooks } from "./stack";

export function deployHooks(_config: StackConfig, _stack: string): StackHooks {
  return {};
}
