/**
 * The CrossGuard policy pack `mcp-production-checklist`. Starting this module starts the
 * pack's gRPC Analyzer server and prints its port (what the engine, or `npm run preflight`,
 * waits for): nothing else may print to stdout before that.
 *
 *   pulumi up --stack prod --policy-pack policies --policy-pack-config policies/policy-config.prod.json
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME } from "./lib/define";
import { ALL_POLICIES } from "./pack";
import { shareDeserialization } from "./lib/shared-deserialize";
import { installAnalyzeByType } from "./lib/analyze-by-type";

shareDeserialization();
installAnalyzeByType();

new PolicyPack(PACK_NAME, {
  description: "The MCP production deployment checklist (checklist/items.ts), enforced on the declared resources and rendered configuration at preview.",
  // Each policy states its own level; this applies only to a policy that does not.
  enforcementLevel: "mandatory",
  policies: ALL_POLICIES.map((p) => p.policy),
});
