/** SEC-CONTAINER-04, SEC-NET-02: no host network, PID, IPC, user or cgroup namespace. */
import { resourcePolicy } from "../lib/define";
import { displayName, T } from "../lib/docker";
import { asString, get } from "../lib/values";

const MODES = ["networkMode", "pidMode", "ipcMode", "usernsMode", "cgroupnsMode", "utsMode"] as const;

export const containerHostNamespaces = resourcePolicy({
  name: "container-host-namespaces",
  description: "Containers do not share the host's network, PID, IPC, user or cgroup namespace.",
  checklistIds: ["SEC-CONTAINER-04", "SEC-NET-02"],
  severity: "critical",
  group: "container-security",
  remediation: "Remove networkMode/pidMode/ipcMode/usernsMode/cgroupnsMode \"host\"; attach the container to the stack's Docker networks with networksAdvanced.",
  resourceTypes: [T.container],
  check(r, ctx) {
    for (const key of MODES) {
      const v = asString(get(r.props, key));
      if (!v.known) {
        ctx.undecidable(key);
        continue;
      }
      const mode = (v.value ?? "").trim().toLowerCase();
      if (mode === "host") ctx.violation(`container ${displayName(r)} uses the host namespace (${key}: host)`);
      if (key === "networkMode" && mode.startsWith("container:")) ctx.violation(`container ${displayName(r)} joins another container's network namespace (${key})`);
    }
  },
});
