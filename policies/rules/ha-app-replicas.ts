/** HA-REDUNDANCY-01: multiple MCP server instances (at least 2 in prod): app containers, or the app service's replicas. */
import { stackPolicy } from "../lib/define";
import { stackEnvironment } from "../lib/stack-config";
import { replicaCount, workloadsOf } from "../lib/workloads";

export const haAppReplicas = stackPolicy<{ appService: string; minReplicas: number }>({
  name: "ha-app-replicas",
  description: "The stack runs at least the minimum number of MCP application replicas (2 in prod): the app service's replicas, or one per app container.",
  checklistIds: ["HA-REDUNDANCY-01"],
  severity: "high",
  group: "availability",
  remediation: "Set mcp:app.replicas to 2 or more (prod); the app service runs that many replicas (mode.replicated.replicas).",
  config: {
    appService: { type: "string", default: "app", description: "Service (com.mcp.service) of the MCP application." },
    minReplicas: { type: "integer", default: 0, description: "Fewest replicas. 0: 2 when mcp:environment is prod, else 1." },
  },
  check(resources, ctx) {
    const min = ctx.config.minReplicas || (stackEnvironment() === "prod" ? 2 : 1);
    const { count, unknown } = replicaCount(workloadsOf(resources, ctx.config.appService));
    // A replica count still unknown (or a global service: one per node) cannot prove the minimum.
    if (unknown.length && count < min) return unknown.forEach((w) => ctx.undecidable(`${w.label} replicas`, w.urn));
    if (count < min) ctx.violation(`the stack runs ${count} ${ctx.config.appService} replica${count === 1 ? "" : "s"}; needs at least ${min}`);
  },
});
