/** HA-REDUNDANCY-01: multiple MCP server instances (at least 2 in prod). */
import { stackPolicy } from "../lib/define";
import { containersOf } from "../lib/docker";
import { stackEnvironment } from "../lib/stack-config";

export const haAppReplicas = stackPolicy<{ appService: string; minReplicas: number }>({
  name: "ha-app-replicas",
  description: "The stack runs at least the minimum number of MCP application replicas (2 in prod).",
  checklistIds: ["HA-REDUNDANCY-01"],
  severity: "high",
  group: "availability",
  remediation: "Set mcp:app.replicas to 2 or more (prod).",
  config: {
    appService: { type: "string", default: "app", description: "Service (com.mcp.service) of the MCP application." },
    minReplicas: { type: "integer", default: 0, description: "Fewest replicas. 0: 2 when mcp:environment is prod, else 1." },
  },
  check(resources, ctx) {
    const min = ctx.config.minReplicas || (stackEnvironment() === "prod" ? 2 : 1);
    const n = containersOf(resources, ctx.config.appService).length;
    if (n < min) ctx.violation(`the stack runs ${n} ${ctx.config.appService} replica${n === 1 ? "" : "s"}; needs at least ${min}`);
  },
});
