/**
 * DEP-CORE-01 (services start), DEP-CORE-03 (no restart loops): a swarm service that writes a
 * named volume keeps its data on one node's local volume, so it runs exactly one replica
 * (two tasks must not share the files) pinned by a node-label constraint (a task rescheduled
 * elsewhere would start on an empty volume). A container runs on the one host it is created on.
 */
import { resourcePolicy } from "../lib/define";
import { T } from "../lib/docker";
import { workloadOf } from "../lib/workloads";

export const serviceStatefulPlacement = resourcePolicy<{ constraintPattern: string; includeReadOnly: boolean }>({
  name: "service-stateful-placement",
  description:
    "A swarm service that mounts a named volume runs 1 replica and has a placement constraint on a node label (e.g. node.labels.com.mcp.stateful==true), so its data stays on the node that holds it.",
  checklistIds: ["DEP-CORE-01", "DEP-CORE-03"],
  severity: "high",
  group: "availability",
  remediation:
    'Mark the spec stateful (infra/components/common.ts baseSpec `stateful: true`): 1 replica and `taskSpec.placement.constraints: ["node.labels.com.mcp.stateful==true"]`; label one node with `docker node update --label-add com.mcp.stateful=true <node>`.',
  resourceTypes: [T.service],
  config: {
    constraintPattern: {
      type: "string",
      default: "^node\\.labels\\.[\\w.-]+\\s*==\\s*\\S+$",
      description: "Regex a placement constraint must match to pin the service to labelled nodes.",
    },
    includeReadOnly: {
      type: "boolean",
      default: true,
      description: "Also pin services that mount a named volume read-only (they read what a pinned service writes on its node).",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.mounts.known) return ctx.undecidable("mounts");
    const volumes = w.mounts.value.filter((m) => m.type === "volume" && !!m.source && (ctx.config.includeReadOnly || !m.readOnly));
    if (volumes.length === 0) return;
    const names = volumes.map((m) => m.source).join(", ");
    if (!w.replicas.known) ctx.undecidable("replicas");
    else if (w.replicas.value !== 1)
      ctx.violation(
        `${w.label} mounts volume ${names} but runs ${w.replicas.value === undefined ? "globally (one task per node)" : `${w.replicas.value} replicas`}; a stateful service runs 1`,
      );
    if (!w.placementConstraints.known) return ctx.undecidable("placement constraints");
    const re = new RegExp(ctx.config.constraintPattern);
    if (!w.placementConstraints.value.some((c) => re.test(c.trim())))
      ctx.violation(`${w.label} mounts volume ${names} with no placement constraint on a node label: a rescheduled task would start on an empty volume`);
  },
});
