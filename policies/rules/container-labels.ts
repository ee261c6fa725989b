/**
 * HA-REDUNDANCY-04 (service discovery): every workload carries the labels that name its
 * stack, service and instance. The other policies and the runtime checks find containers and
 * services by these labels, so a workload without them would escape both.
 */
import { resourcePolicy } from "../lib/define";
import { LABEL } from "../lib/docker";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerLabels = resourcePolicy<{ required: string[] }>({
  name: "container-labels",
  description: "Containers and services (and a service's task containers) carry the com.mcp.stack, com.mcp.service and com.mcp.instance labels.",
  checklistIds: ["HA-REDUNDANCY-04"],
  severity: "medium",
  group: "logging",
  remediation:
    "Build the workload from infra/components/common.ts baseSpec (labels()), which sets the com.mcp.* labels; infra/components/service.ts puts them on the service and its containers.",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    required: {
      type: "array",
      items: { type: "string" },
      default: [LABEL.stack, LABEL.service, LABEL.instance],
      description: "Labels every workload needs (non-empty).",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.labels.known) return ctx.undecidable("labels");
    const labels = w.labels.value;
    const missing = ctx.config.required.filter((k) => !labels[k]);
    if (missing.length) ctx.violation(`${w.label} lacks labels ${missing.join(", ")}`);
  },
});
