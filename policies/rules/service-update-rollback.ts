/**
 * ROLLBACK-STEPS-01 (switch to the previous version), ROLLBACK-STEPS-02 (restore the previous
 * configuration), HA-REDUNDANCY-05 (health checks reliable): a swarm service rolls out one
 * task at a time, watches each new task, and rolls itself back to the previous spec (image,
 * configs, secrets, env) when one fails its health check. Containers have no rollout: they
 * are replaced by `pulumi up` with the previous version (image-pinned).
 */
import { resourcePolicy } from "../lib/define";
import { T } from "../lib/docker";
import { dockerDurationSeconds } from "../lib/durations";
import { workloadOf } from "../lib/workloads";

export const serviceUpdateRollback = resourcePolicy<{ minMonitorSeconds: number }>({
  name: "service-update-rollback",
  description:
    "Swarm services update with failureAction rollback, a monitor period above 0s and parallelism of at least 1, and declare a rollbackConfig: a task that fails its health check during an update returns the service to its previous version and configuration.",
  checklistIds: ["ROLLBACK-STEPS-01", "ROLLBACK-STEPS-02", "HA-REDUNDANCY-05"],
  severity: "high",
  group: "availability",
  remediation:
    'Set `updateConfig: { parallelism: 1, delay: "5s", monitor: "30s", order: "start-first", failureAction: "rollback", maxFailureRatio: "0" }` and `rollbackConfig: { parallelism: 1, monitor: "10s", failureAction: "pause" }` (infra/components/common.ts updateFor/rollbackFor).',
  resourceTypes: [T.service],
  config: {
    minMonitorSeconds: {
      type: "number",
      default: 1,
      description: "Shortest monitor period accepted: how long a new task is watched before the update moves on.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.update.known) ctx.undecidable("updateConfig");
    else if (!w.update.value) ctx.violation(`${w.label} has no updateConfig: swarm's default pauses a failed update instead of rolling back`);
    else {
      const u = w.update.value;
      if (u.failureAction !== "rollback") ctx.violation(`${w.label} updateConfig.failureAction is ${u.failureAction ?? "unset (pause)"}; expected rollback`);
      const mon = u.monitor ? dockerDurationSeconds(u.monitor) : undefined;
      if (mon === undefined || mon < ctx.config.minMonitorSeconds)
        ctx.violation(
          `${w.label} updateConfig.monitor is ${u.monitor ?? "unset"}: a new task must be watched (at least ${ctx.config.minMonitorSeconds}s) before the update moves on`,
        );
      // parallelism 0 updates every task at once.
      if (u.parallelism === undefined || u.parallelism < 1)
        ctx.violation(`${w.label} updateConfig.parallelism is ${u.parallelism ?? "unset"}; expected 1 or more (0 replaces every task at once)`);
    }
    if (!w.rollback.known) ctx.undecidable("rollbackConfig");
    else if (!w.rollback.value) ctx.violation(`${w.label} has no rollbackConfig: how the previous version comes back is left to defaults`);
    else if (w.rollback.value.parallelism !== undefined && w.rollback.value.parallelism < 1)
      ctx.violation(`${w.label} rollbackConfig.parallelism is 0: the rollback would replace every task at once`);
  },
});
