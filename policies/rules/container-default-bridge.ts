/**
 * SEC-NET-02: no container on Docker's default bridge (docker0, CIS Docker 5.30), where every
 * container of the host can reach it and its name does not resolve.
 */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

/** networkMode values that put a container on docker0 (the provider's default is bridge). */
const DEFAULT_BRIDGE = new Set(["", "bridge", "default"]);

export const containerDefaultBridge = resourcePolicy({
  name: "container-default-bridge",
  description:
    "Containers join the stack's own networks (networksAdvanced), never Docker's default bridge docker0, which every container on the host shares. Swarm service tasks never join docker0: they attach to their overlay networks.",
  checklistIds: ["SEC-NET-02"],
  severity: "high",
  group: "network",
  remediation:
    "Attach the container to the stack's networks with `networksAdvanced` (networkMode unset or one of those networks); a container with no network of its own sits on docker0.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (w.kind === "service") return ctx.notApplicable(`${w.label} tasks attach to overlay networks, never to the default bridge`);
    if (!w.namespaces.known) return ctx.undecidable("networkMode");
    if (!w.networks.known) return ctx.undecidable("networksAdvanced");
    const mode = (w.namespaces.value.network ?? "").trim().toLowerCase();
    // With networksAdvanced the provider disconnects the default bridge (its networkMode reads
    // "bridge" all the same), so only a container with no network of its own stays on docker0.
    if (DEFAULT_BRIDGE.has(mode) && w.networks.value.length === 0)
      ctx.violation(`${w.label} is on the default bridge (networkMode ${mode || "unset"}, no networksAdvanced)`);
  },
});
