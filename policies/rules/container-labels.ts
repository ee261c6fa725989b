/**
 * HA-REDUNDANCY-04 (service discovery): every container carries the labels that name its
 * stack, service and instance. The other policies and the runtime checks find containers by
 * these labels, so a container without them would escape both.
 */
import { resourcePolicy } from "../lib/define";
import { displayName, LABEL, labelsOf, T } from "../lib/docker";

export const containerLabels = resourcePolicy<{ required: string[] }>({
  name: "container-labels",
  description: "Containers carry the com.mcp.stack, com.mcp.service and com.mcp.instance labels.",
  checklistIds: ["HA-REDUNDANCY-04"],
  severity: "medium",
  group: "logging",
  remediation: "Build the container from infra/components/common.ts baseSpec (labels()), which sets the com.mcp.* labels.",
  resourceTypes: [T.container],
  config: { required: { type: "array", items: { type: "string" }, default: [LABEL.stack, LABEL.service, LABEL.instance], description: "Labels every container needs (non-empty)." } },
  check(r, ctx) {
    const l = labelsOf(r.props);
    if (!l.known) return ctx.undecidable("labels");
    const missing = ctx.config.required.filter((k) => !l.value[k]);
    if (missing.length) ctx.violation(`container ${displayName(r)} lacks labels ${missing.join(", ")}`);
  },
});
