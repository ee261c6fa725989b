/**
 * The app contract on the MCP endpoint (`mcp:app.*`, docs/app-contract.md) as the stack config
 * states it, keys left unset taking the schema's defaults. The keys the MCP rules judge stay
 * `unknown`: the rules hold the values to the contract themselves instead of trusting a type.
 */
import { stackConfigSchema } from "../../infra/config/schema";
import { stackConfig } from "./stack-config";

export interface AppContractView {
  mcpPath: string;
  resourceMetadataPath: unknown;
  protocolVersions: unknown;
  toolCallTimeoutSeconds: unknown;
}

let defaults: Record<string, unknown> | undefined;

export function appContract(): AppContractView {
  defaults ??= stackConfigSchema.shape.app.parse(undefined) as Record<string, unknown>;
  const given = stackConfig().app;
  const app = { ...defaults, ...(given && typeof given === "object" ? (given as Record<string, unknown>) : {}) };
  return {
    mcpPath: typeof app.mcpPath === "string" ? app.mcpPath : String(defaults.mcpPath),
    resourceMetadataPath: app.resourceMetadataPath,
    protocolVersions: app.protocolVersions,
    toolCallTimeoutSeconds: app.toolCallTimeoutSeconds,
  };
}
