/**
 * Deploy-time gates: host readiness before the first resource is created, and post-deploy
 * verification after each service's containers are created or updated (the same checks
 * as `npm run verify`, see validate/hooks.ts). Hooks need the real engine (the mock
 * runtime cannot register them): `mcp:deployHooks: false` turns them off for the offline
 * preflight and the program tests.
 */
import type { StackConfig } from "../infra/config/load";
import type { StackOutputs } from "../infra/outputs-types";
import type { StackHooks } from "../infra/stack";
import { hostReadinessHook } from "../validate/host";
import { outputsWhenResolved, verifyHooksFor } from "../validate/hooks";

export function deployHooks(config: StackConfig, stack: string): StackHooks {
  // Hooks are bound before the outputs exist; they only run (after create) once they do.
  let outputs: (() => Promise<StackOutputs>) | undefined;
  const whenOutputs = () => (outputs ? outputs() : Promise.reject(new Error("stack outputs were never built: cannot verify")));
  return {
    gate: { beforeCreate: [hostReadinessHook(config, { stack })] },
    forService: (service) => verifyHooksFor(service, { config, outputs: whenOutputs }),
    outputsReady: (o) => {
      outputs = outputsWhenResolved(o as never);
    },
  };
}
