/** SEC-CONTAINER-01: workloads run as a non-root user, set explicitly. */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerNonRootUser = resourcePolicy({
  name: "container-non-root-user",
  description:
    "Containers and services name a non-root user (uid:gid), as the Pod Security Standards (restricted) ask: not root, not uid 0 however written (0, 00); an empty user means the image's default, often root.",
  checklistIds: ["SEC-CONTAINER-01"],
  severity: "high",
  group: "container-security",
  remediation:
    'Set `user` (services: taskSpec.containerSpec.user) to the image\'s unprivileged uid:gid (e.g. "70:70" for postgres alpine, "101:101" for nginx-unprivileged).',
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.user.known) return ctx.undecidable("user");
    const user = (w.user.value ?? "").trim();
    if (!user) return ctx.violation(`${w.label} sets no user: it runs as the image default (often root)`);
    const [uid] = user.split(":");
    // The runtime reads a numeric uid as a number, so "00" is root as much as "0" is.
    if ((/^\d+$/.test(uid) && Number(uid) === 0) || uid.toLowerCase() === "root") ctx.violation(`${w.label} runs as root (user "${user}")`);
  },
});
