/**
 * The checklist's rollback plan with this stack's commands filled in: swarm service names
 * from the resource prefix, RTO/RPO from `mcp:dr`. Pure. docs/rollback.md carries the same
 * commands for the prod stack; tests/docs prove the two agree and every command names a
 * real npm script and service.
 *
 * The stack runs as swarm services, so the plan uses the swarm's own tools: traffic stops
 * when Nginx (the only service that publishes ports) is scaled to 0; an image or service
 * change the swarm still holds as a service's PreviousSpec is undone with
 * `docker service rollback`; everything else, configuration included, comes back with the
 * last good commit and `pulumi up`.
 */
import type { StackConfig } from "../infra/config/load";
import { PORTS, resourcePrefix } from "../infra/topology";
import { STATEFUL_NODE_LABEL, STATEFUL_NODE_LABEL_VALUE } from "../infra/components/common";
import type { RollbackPlan, RollbackStep } from "./model";

export const ROLLBACK_DOC = "docs/rollback.md";

/** Nginx runs one task (its spec keeps the default of one replica). */
export const NGINX_REPLICAS = 1;

export function rollbackPlan(config: Pick<StackConfig, "dr" | "edge">, stack: string): RollbackPlan {
  const p = resourcePrefix(stack);
  const policyConfig = `policies/policy-config.${stack === "prod" ? "prod" : "dev"}.json`;
  const up = `pulumi up --stack ${stack} --policy-pack policies --policy-pack-config ${policyConfig}`;
  const label = `${STATEFUL_NODE_LABEL}=${STATEFUL_NODE_LABEL_VALUE}`;
  // A task's container is named <service>.<slot>.<task id>; the swarm's label names its service exactly.
  const task = (service: string) => `$(docker ps -q -f label=com.docker.swarm.service.name=${p}-${service})`;
  const amtool = `docker exec ${task("alertmanager")} amtool --alertmanager.url=http://127.0.0.1:${PORTS.alertmanager}`;
  const services = `$(docker service ls -q --filter label=com.mcp.stack=${stack})`;
  const steps: RollbackStep[] = [
    {
      itemId: "ROLLBACK-IMMEDIATE-01",
      phase: "Immediate Actions",
      action: "Stop new traffic routing",
      commands: [
        `${amtool} silence add --duration=2h --comment="rollback in progress" 'alertname=~"EndpointDown|ServiceDown|HealthCheckSlow"'`,
        `docker service scale ${p}-nginx=0`,
      ],
      note: `Nginx is the only service that publishes ports (${config.edge.httpPort}/${config.edge.httpsPort}, in host mode on the node that runs its task); scaling it to 0 stops all new traffic while the app, database and monitoring keep running for diagnosis. The silence keeps the expected edge alerts from paging during the rollback. Run docker service commands on a manager, and docker exec on the node that runs the task: Alertmanager runs on the node labelled ${label}.`,
    },
    {
      itemId: "ROLLBACK-IMMEDIATE-02",
      phase: "Immediate Actions",
      action: "Document the issue",
      commands: [
        "mkdir -p incidents/current",
        `npm run verify -- --stack ${stack} --format json --out incidents/current`,
        `docker service ls --filter label=com.mcp.stack=${stack} > incidents/current/services.txt`,
        `docker service ps --no-trunc ${services} > incidents/current/tasks.txt`,
        `docker service inspect ${services} > incidents/current/services.json`,
        `pulumi stack history --stack ${stack} --json > incidents/current/history.json`,
      ],
      note: "Open docs/templates/incident-report.md and fill it in as you go: times are evidence. services.json holds each service's spec, its PreviousSpec and its UpdateStatus; secrets appear in it by name only.",
    },
    {
      itemId: "ROLLBACK-IMMEDIATE-03",
      phase: "Immediate Actions",
      action: "Notify stakeholders",
      commands: [],
      note: "Call the emergency contacts (mcp:contacts, printed in every sign-off report) in the order of docs/escalation.md, and post docs/templates/stakeholder-update.md in the incident channel.",
    },
    {
      itemId: "ROLLBACK-STEPS-01",
      phase: "Rollback Steps",
      action: "Switch to previous version",
      commands: [
        `pulumi stack history --stack ${stack}`,
        `docker service inspect --format '{{.Spec.Name}} {{.Spec.TaskTemplate.ContainerSpec.Image}} {{json .UpdateStatus}}' ${services}`,
        `docker service rollback ${p}-<service>`,
        `git checkout <last-good-commit> -- Pulumi.${stack}.yaml`,
        up,
      ],
      note:
        "Image versions are pinned in mcp:images of the stack file, so its last good commit is the previous version. The swarm keeps each service's spec from before its last update (PreviousSpec), and `docker service rollback` puts it back at once, one task at a time, health-gated. " +
        "Use it for the service whose new image or service settings caused the problem, when that update replaced no configuration file or secret (see the next step). It has nothing to return to after the swarm rolled a failed update back by itself (UpdateStatus rollback_completed) or when the service was replaced, and every `docker service` change becomes the new PreviousSpec: Nginx, scaled to 0 above, comes back through the stack file only. " +
        "In every case, check out the stack file's last good commit and run `pulumi up`, so the stack file, Pulumi's state and the swarm agree again; otherwise the next `pulumi up` that touches the service brings the bad version back.",
    },
    {
      itemId: "ROLLBACK-STEPS-02",
      phase: "Rollback Steps",
      action: "Restore previous configuration",
      commands: [
        `docker config ls --filter label=com.mcp.stack=${stack} --format '{{.CreatedAt}} {{.Name}}'`,
        `git checkout <last-good-commit> -- infra policies Pulumi.${stack}.yaml`,
        "npm ci",
        `npm run preflight -- --stack ${stack}`,
        up,
        `npm run verify -- --stack ${stack} --only docker.update-state`,
      ],
      note:
        "Every rendered configuration (nginx.conf, prometheus.yml, alert rules, alertmanager.yml, Grafana provisioning, PostgreSQL and Redis settings) is generated by infra/ from the stack file and reaches the services as Docker configs, and every file holding a secret as a Docker secret. Both are immutable and named `<prefix>-<file>-<hash>`, the hash taken over path and content: the previous commit renders the previous content under its previous name, and `pulumi up` rolls each service onto it, health-gated, then deletes the bad version's objects. " +
        "Do not use `docker service rollback` for a configuration change: once `pulumi up` has succeeded, the previous objects are deleted and the rolled-back tasks cannot start; after a failed `pulumi up` they are still in Pulumi's state, marked for deletion, and the next `pulumi up` starts by deleting them, which Docker refuses while a service uses them.",
    },
    {
      itemId: "ROLLBACK-STEPS-03",
      phase: "Rollback Steps",
      action: "Verify system stability",
      commands: [`docker service scale ${p}-nginx=${NGINX_REPLICAS}`, `npm run verify -- --stack ${stack}`, `npm run host:check -- --stack ${stack}`],
      note: `Run the checks on the manager labelled ${label}: verify reads the services from a manager and reaches the internal services through a task on its own engine. Stable means every check passes twice, 15 minutes apart, and no alert fires in between. The objective is service back within ${config.dr.rtoMinutes} minutes.`,
    },
    {
      itemId: "ROLLBACK-STEPS-04",
      phase: "Rollback Steps",
      action: "Update monitoring",
      commands: [`${amtool} silence query`, `${amtool} silence expire <silence-id>`],
      note: `Expire the rollback silences (on the node labelled ${label}, where Alertmanager runs) and confirm in Grafana that the dashboards show the rolled-back version's metrics.`,
    },
    {
      itemId: "ROLLBACK-POST-01",
      phase: "Post-Rollback",
      action: "Incident post-mortem",
      commands: ["cp docs/templates/postmortem.md incidents/current/postmortem.md"],
      note: "Blameless, within five working days, owned by the Technical Lead.",
    },
    {
      itemId: "ROLLBACK-POST-02",
      phase: "Post-Rollback",
      action: "Fix identification",
      commands: [`git diff <last-good-commit> HEAD -- infra policies Pulumi.${stack}.yaml`, `npm run preflight -- --stack ${stack}`],
    },
    {
      itemId: "ROLLBACK-POST-03",
      phase: "Post-Rollback",
      action: "Testing in staging",
      commands: [
        "npm run preflight -- --stack staging",
        "pulumi up --stack staging --policy-pack policies --policy-pack-config policies/policy-config.prod.json",
        "npm run verify -- --stack staging",
      ],
      note: `Create the staging stack once (pulumi stack init staging; copy Pulumi.${stack}.yaml to Pulumi.staging.yaml with environment: staging and its own domain) so the fix is tested with production settings on another swarm.`,
    },
    {
      itemId: "ROLLBACK-POST-04",
      phase: "Post-Rollback",
      action: "Re-deployment planning",
      commands: [
        `npm run preflight -- --stack ${stack} --format json --out out/evidence`,
        `npm run signoff -- --stack ${stack} --preflight out/evidence/preflight.json --verify out/evidence/verify-report.json --attestations checklist/attestations.${stack}.yaml`,
      ],
      note: "Follow docs/change-management.md: the re-deployment is a normal change with a fresh sign-off.",
    },
  ];
  return { steps, rtoMinutes: config.dr.rtoMinutes, rpoMinutes: config.dr.rpoMinutes, drillIntervalDays: config.dr.drillIntervalDays, document: ROLLBACK_DOC };
}
