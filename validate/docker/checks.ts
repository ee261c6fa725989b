/**
 * Container runtime checks: what the Docker engine actually runs, compared with what the
 * stack declared (preview policies only see the declaration). Read through the Engine API
 * (dockerode); nothing here starts, stops or changes a container.
 */
import { fail, pass, skip, type Check, type CheckContext, type CheckResult } from "../core/types";
import { readProcStatus, statInTask } from "./proc";
import type { DeclaredContainer, DockerTarget } from "./declared";
import { call, inspectServices, localTaskContainers, runningSlots, runningTasks } from "./tasks";
import { describeError } from "./engine-api";
import { inspectAll, type ContainerFacts } from "./facts";
import { abortableSleep } from "../core/sleep";
import {
  capabilitiesRule,
  envSecretFindings,
  formatFinding,
  healthRule,
  limitsRule,
  logRotationRule,
  mountedFileFindings,
  noNewPrivilegesRule,
  portsRule,
  privilegedRule,
  readonlyRootfsRule,
  taskRestartFindings,
  userRule,
  type Finding,
  type Rule,
} from "./rules";

export const DEFAULT_RESTART_WINDOW_MS = 10_000;
export const DEFAULT_HEALTH_WAIT_MS = 60_000;
/** Waits are clamped below the checks' own timeouts, so the runner never cuts a wait short. */
const MAX_RESTART_WINDOW_MS = 50_000;
const MAX_HEALTH_WAIT_MS = 110_000;
const SHOWN_IN_MESSAGE = 4;
/** A task that failed this recently means the service restarted moments ago: not settled, even if this sample catches it running. */
export const RECENT_FAILURE_MS = 30_000;

/** What a check looked at: the running task containers on this engine, and findings about services that have none. */
interface Resolved {
  containers: DeclaredContainer[];
  findings: Finding[];
  /** Running tasks on other nodes, which container calls cannot reach from here. */
  remote: number;
}

/** One result for all services: pass names how many containers were checked, fail lists every mismatch. */
export function resultFrom(
  checked: { services: number; containers: number },
  findings: Finding[],
  what: string,
  expected: string,
  remediation: string,
): CheckResult {
  const n = checked.containers;
  const measurements = { services: checked.services, containers: n, mismatches: findings.length };
  if (findings.length === 0)
    return pass(`${checked.services} service${checked.services === 1 ? "" : "s"}, ${n} task container${n === 1 ? "" : "s"}: ${what}`, {
      expected,
      measurements,
    });
  const bad = new Set(findings.map((f) => f.container)).size;
  const shown = findings.slice(0, SHOWN_IN_MESSAGE).map(formatFinding).join("; ");
  const more = findings.length > SHOWN_IN_MESSAGE ? `; and ${findings.length - SHOWN_IN_MESSAGE} more` : "";
  return fail(`${bad} of ${Math.max(n, bad)} checked: ${shown}${more}`, {
    expected,
    actual: findings.map(formatFinding).join("; "),
    remediation,
    measurements,
  });
}

const noneDeclared = (): CheckResult =>
  fail("no services declared: the stack outputs list none", {
    expected: "StackOutputs.services with at least one service",
    actual: "none",
    remediation: "Read the outputs of a deployed stack: pulumi stack output --json --show-secrets.",
  });

/** Running task containers of every declared service; a service with no running task anywhere is a finding. */
async function resolve(target: DockerTarget, ctx: CheckContext): Promise<Resolved> {
  const [swarm, local] = await Promise.all([
    inspectServices(
      target.docker,
      target.services.map((s) => s.name),
      ctx.signal,
    ),
    localTaskContainers(target.docker, target.services, ctx.signal),
  ]);
  const findings: Finding[] = [];
  const containers: DeclaredContainer[] = [];
  let remote = 0;
  for (const d of target.services) {
    const s = swarm.get(d.name);
    if (!s) {
      findings.push({ container: d.name, field: "service", declared: "exists", actual: "not found on the swarm" });
      continue;
    }
    const mine = local.get(d.name) ?? [];
    const running = runningTasks(s.tasks).length;
    if (running === 0) findings.push({ container: d.name, field: "tasks", declared: `${d.replicas} running`, actual: "none running" });
    remote += Math.max(0, running - mine.length);
    containers.push(...mine);
  }
  return { containers, findings, remote };
}

async function evaluate(
  target: DockerTarget,
  ctx: CheckContext,
  rule: (d: DeclaredContainer, f: ContainerFacts) => Finding[],
): Promise<{ findings: Finding[]; checked: { services: number; containers: number } }> {
  const r = await resolve(target, ctx);
  const facts = await inspectAll(
    target.docker,
    r.containers.map((c) => c.name),
    ctx.signal,
  );
  const findings = [...r.findings];
  for (const d of r.containers) {
    const f = facts.get(d.name);
    // Gone between listing and inspecting: the task was just replaced; the swarm checks report that.
    if (f) findings.push(...rule(d, f));
  }
  if (r.remote) ctx.log(`${r.remote} running task(s) on other nodes: container fields checked on this engine's tasks only`);
  return { findings, checked: { services: target.services.length, containers: r.containers.length } };
}

/** The engine not answering is a failure of the check with the engine's address, not a crash. */
async function guarded(target: DockerTarget, body: () => Promise<CheckResult>): Promise<CheckResult> {
  if (target.services.length === 0) return noneDeclared();
  try {
    return await body();
  } catch (err) {
    return fail(`cannot inspect the swarm on the Docker engine at ${target.endpoint}: ${describeError(err)}`, {
      expected: "a swarm manager answering on its API",
      actual: "no answer",
      remediation: "Run the checks where a manager of the swarm is reachable (DOCKER_HOST or the default socket) and make sure it is running.",
    });
  }
}

/** A check that is one pure rule applied to every running task container. */
function ruleCheck(spec: {
  id: string;
  title: string;
  checklistIds: string[];
  rule: Rule;
  what: string;
  expected: string;
  remediation: string;
}): Check<DockerTarget> {
  return {
    id: spec.id,
    title: spec.title,
    checklistIds: spec.checklistIds,
    timeoutMs: 15_000,
    async run(target, ctx) {
      return guarded(target, async () => {
        const e = await evaluate(target, ctx, spec.rule);
        return resultFrom(e.checked, e.findings, spec.what, spec.expected, spec.remediation);
      });
    },
  };
}

const SETTLING = new Set(["new", "pending", "assigned", "accepted", "preparing", "ready", "starting"]);

export const runningCheck: Check<DockerTarget> = {
  id: "docker.running",
  title: "Every declared service runs all its replicas",
  checklistIds: ["DEP-CORE-01", "HA-REDUNDANCY-01"],
  timeoutMs: MAX_HEALTH_WAIT_MS + 10_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      const waitMs = Math.min(target.healthWaitMs ?? DEFAULT_HEALTH_WAIT_MS, MAX_HEALTH_WAIT_MS);
      const pollMs = Math.max(100, target.pollMs ?? 1000);
      const deadline = Date.now() + waitMs;
      let findings: Finding[];
      // Bounded by the deadline: tasks still being scheduled or started can settle.
      for (;;) {
        const swarm = await inspectServices(
          target.docker,
          target.services.map((s) => s.name),
          ctx.signal,
        );
        findings = [];
        let settling = false;
        for (const d of target.services) {
          const s = swarm.get(d.name);
          if (!s) {
            findings.push({ container: d.name, field: "service", declared: "exists", actual: "not found on the swarm" });
            continue;
          }
          // Per slot: a start-first update runs an old and a new task of a slot side by side for a while.
          const running = runningSlots(s.tasks);
          if (s.service.replicas !== d.replicas)
            findings.push({
              container: d.name,
              field: "Spec.Mode.Replicated.Replicas",
              declared: String(d.replicas),
              actual: String(s.service.replicas ?? "global"),
            });
          if (running !== d.replicas) {
            const failed = s.tasks.filter((t) => t.err).sort((a, b) => b.statusAtMs - a.statusAtMs)[0];
            settling ||= s.tasks.some((t) => t.desiredState === "running" && SETTLING.has(t.state));
            findings.push({
              container: d.name,
              field: "tasks running",
              declared: String(d.replicas),
              actual: `${running}${failed ? ` (last task error: ${failed.err})` : ""}`,
            });
          }
        }
        if (target.stack) {
          // A service of this stack that the outputs do not declare is drift (a leftover, a manual `docker service create`).
          const declared = new Set(target.services.map((s) => s.name));
          const listed = (await call(target.docker, "listServices", { filters: { label: [`com.mcp.stack=${target.stack}`] }, abortSignal: ctx.signal })) as {
            Spec?: { Name?: string };
          }[];
          for (const s of listed) {
            const name = s.Spec?.Name ?? "";
            if (!declared.has(name))
              findings.push({
                container: name,
                field: "Spec.Labels[com.mcp.stack]",
                declared: `only the declared services of stack ${target.stack}`,
                actual: "undeclared service",
              });
          }
        }
        if (findings.length === 0 || !settling || Date.now() + pollMs > deadline || ctx.signal.aborted) break;
        await abortableSleep(pollMs, ctx.signal);
      }
      const replicas = target.services.reduce((n, s) => n + s.replicas, 0);
      return resultFrom(
        { services: target.services.length, containers: replicas },
        findings,
        "every replica running",
        "tasks running = declared replicas for every service; no undeclared service of the stack",
        "docker service ps --no-trunc <service> shows why a task is not running; re-run pulumi up to recreate a missing service, remove undeclared ones.",
      );
    });
  },
};

export const healthCheck: Check<DockerTarget> = {
  id: "docker.health",
  title: "Health checks report healthy",
  checklistIds: ["DEP-CORE-02"],
  timeoutMs: MAX_HEALTH_WAIT_MS + 10_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      const waitMs = Math.min(target.healthWaitMs ?? DEFAULT_HEALTH_WAIT_MS, MAX_HEALTH_WAIT_MS);
      const pollMs = Math.max(100, target.pollMs ?? 1000);
      const deadline = Date.now() + waitMs;
      const started = Date.now();
      let e: Awaited<ReturnType<typeof evaluate>>;
      // Bounded by the deadline: "starting" and a passing-again "unhealthy" can still settle.
      for (let round = 0; ; round++) {
        e = await evaluate(target, ctx, healthRule);
        const canSettle = e.findings.some((f) => f.field === "State.Health.Status");
        if (e.findings.length === 0 || !canSettle || Date.now() + pollMs > deadline || ctx.signal.aborted) break;
        if (round % 5 === 0) ctx.log(`waiting for ${e.findings.map((f) => f.container).join(", ")} to report healthy`);
        await abortableSleep(pollMs, ctx.signal);
      }
      const r = resultFrom(
        e.checked,
        e.findings,
        "healthy (or, where the image cannot run a check, declared without one)",
        `State.Health.Status healthy within ${(waitMs / 1000).toFixed(0)}s`,
        "Read the probe output: docker inspect --format '{{json .State.Health}}' <container>; fix the service or its health check command.",
      );
      r.measurements = { ...r.measurements, waitedMs: Date.now() - started };
      return r;
    });
  },
};

export const restartsCheck: Check<DockerTarget> = {
  id: "docker.restarts",
  title: "No restart loops while observed",
  checklistIds: ["DEP-CORE-03"],
  timeoutMs: MAX_RESTART_WINDOW_MS + 10_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      const windowMs = Math.min(Math.max(0, target.restartWindowMs ?? DEFAULT_RESTART_WINDOW_MS), MAX_RESTART_WINDOW_MS);
      const names = target.services.map((s) => s.name);
      const before = await inspectServices(target.docker, names, ctx.signal);
      ctx.log(`observing the services' tasks for ${(windowMs / 1000).toFixed(1)}s`);
      const t0 = Date.now();
      await abortableSleep(windowMs, ctx.signal);
      const after = await inspectServices(target.docker, names, ctx.signal);
      const observed = Date.now() - t0;
      const findings = target.services.flatMap((d) => {
        const a = before.get(d.name);
        const b = after.get(d.name);
        return a && b
          ? taskRestartFindings(d.name, a.tasks, b.tasks, t0 - RECENT_FAILURE_MS, observed)
          : [{ container: d.name, field: "service", declared: "exists", actual: "not found on the swarm" }];
      });
      const r = resultFrom(
        { services: target.services.length, containers: target.services.reduce((n, s) => n + s.replicas, 0) },
        findings,
        `no task failed or was replaced for ${(observed / 1000).toFixed(1)}s`,
        "no failed task in the last 30 s and none replaced while observed",
        "A task that keeps exiting: docker service ps --no-trunc <service> and docker service logs <service> (exit 137 with OOM means the memory limit is too low).",
      );
      r.measurements = { ...r.measurements, observedMs: observed };
      return r;
    });
  },
};

export const userCheck = ruleCheck({
  id: "docker.user",
  title: "Containers run as the declared non-root user",
  checklistIds: ["SEC-CONTAINER-01"],
  rule: userRule,
  what: "run as their declared non-root user",
  expected: "Config.User equals the declared uid:gid and is not root",
  remediation: "Set the container's user to the declared uid:gid (ServiceSpec.user) and recreate it.",
});

export const privilegedCheck = ruleCheck({
  id: "docker.privileged",
  title: "No privileged containers",
  checklistIds: ["SEC-CONTAINER-02"],
  rule: privilegedRule,
  what: "none privileged",
  expected: "HostConfig.Privileged false",
  remediation: "Remove privileged mode; add back only the capabilities the service needs (capAdd).",
});

export const limitsCheck = ruleCheck({
  id: "docker.limits",
  title: "Memory and CPU limits applied as declared",
  checklistIds: ["SEC-CONTAINER-03"],
  rule: limitsRule,
  what: "memory and CPU limits as declared",
  expected: "HostConfig.Memory = memoryMb MiB and NanoCpus (or CpuQuota/CpuPeriod) = cpus",
  remediation: "Recreate the container with the declared limits (mcp:limits in the stack config).",
});

export const capabilitiesCheck = ruleCheck({
  id: "docker.capabilities",
  title: "All capabilities dropped, only declared ones added",
  checklistIds: ["SEC-CONTAINER-04"],
  rule: capabilitiesRule,
  what: "CapDrop ALL, CapAdd as declared",
  expected: "HostConfig.CapDrop includes ALL; HostConfig.CapAdd equals the declared capAdd",
  remediation: "Drop ALL capabilities and add back only the declared ones.",
});

export const readonlyRootfsCheck = ruleCheck({
  id: "docker.readonly-rootfs",
  title: "Read-only root filesystem as declared",
  checklistIds: ["SEC-CONTAINER-04"],
  rule: readonlyRootfsRule,
  what: "root filesystem read-only as declared",
  expected: "HostConfig.ReadonlyRootfs equals the declared readOnlyRootfs",
  remediation: "Run with a read-only root filesystem and tmpfs mounts for the paths the service writes.",
});

export const noNewPrivilegesCheck: Check<DockerTarget> = {
  id: "docker.no-new-privileges",
  title: "no-new-privileges in force for every task process",
  checklistIds: ["SEC-CONTAINER-04"],
  timeoutMs: 15_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      // A swarm service cannot ask for it (API 1.41): the daemon sets it for every container. What counts is the kernel's flag on the process.
      if (!target.local) return skip(`the engine at ${target.endpoint} is remote: the task processes' status is read on the Docker host (run verify there)`);
      const e = await evaluate(target, ctx, (d, f) => noNewPrivilegesRule(d, f, readProcStatus(f.pid)));
      return resultFrom(
        e.checked,
        e.findings,
        "no-new-privileges set on every task's main process",
        "NoNewPrivs: 1 in /proc/<pid>/status of each task's process",
        "Set \"no-new-privileges\": true in the daemon's daemon.json (docs/docker-host.md) and restart dockerd; the services' tasks are then recreated with it.",
      );
    });
  },
};

export const secretFilesCheck: Check<DockerTarget> = {
  id: "docker.secret-files",
  title: "Docker secrets and configs mounted with the declared owner and mode",
  checklistIds: ["SEC-DATA-03", "PRE-CONFIG-07", "PRE-CONFIG-03", "SEC-DATA-02"],
  timeoutMs: 15_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      if (!target.local)
        return skip(`the engine at ${target.endpoint} is remote: mounted files are read through the task's root on the Docker host (run verify there)`);
      const e = await evaluate(target, ctx, (d, f) => mountedFileFindings(d, (path) => statInTask(f.pid, path)));
      return resultFrom(
        e.checked,
        e.findings,
        "every declared secret and config mounted with its owner and mode",
        "each /run/secrets file 0400 (or the declared mode) owned by the service user; each config as declared",
        "Recreate the service with the declared secret/config references (pulumi up); check `docker service inspect <service>` ContainerSpec.Secrets/Configs.",
      );
    });
  },
};

export const updateStateCheck: Check<DockerTarget> = {
  id: "docker.update-state",
  title: "No service update stuck or paused; a failed update was rolled back",
  checklistIds: ["ROLLBACK-STEPS-01", "ROLLBACK-STEPS-02"],
  timeoutMs: 15_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      const swarm = await inspectServices(
        target.docker,
        target.services.map((s) => s.name),
        ctx.signal,
      );
      const findings: Finding[] = [];
      const rolledBack: string[] = [];
      for (const d of target.services) {
        const s = swarm.get(d.name);
        if (!s) continue;
        const state = s.service.updateState;
        if (state === "rollback_completed") rolledBack.push(d.name);
        else if (state && state !== "completed")
          findings.push({
            container: d.name,
            field: "UpdateStatus.State",
            declared: "completed (or rolled back)",
            actual: `${state}${s.service.updateMessage ? ` (${s.service.updateMessage})` : ""}`,
          });
      }
      const r = resultFrom(
        { services: target.services.length, containers: 0 },
        findings,
        rolledBack.length ? `updates settled; rolled back to the previous version: ${rolledBack.join(", ")}` : "every update completed",
        "UpdateStatus.State completed or rollback_completed",
        "docker service inspect <service> --format '{{json .UpdateStatus}}'; a paused update is resumed with pulumi up or rolled back with docker service rollback <service>.",
      );
      r.measurements = { ...r.measurements, rolledBack: rolledBack.length };
      return r;
    });
  },
};

export const portsCheck = ruleCheck({
  id: "docker.ports",
  title: "Published ports exactly as declared",
  checklistIds: ["SEC-NET-01"],
  rule: portsRule,
  what: "publish exactly the declared ports",
  expected: "HostConfig.PortBindings and NetworkSettings.Ports equal the declared publishedPorts; no host network mode",
  remediation: "Publish only the declared ports (only Nginx publishes 80/443); keep everything else on internal Docker networks.",
});

export const logRotationCheck = ruleCheck({
  id: "docker.log-rotation",
  title: "Log driver options as declared (rotation)",
  checklistIds: ["MON-LOG-04"],
  rule: logRotationRule,
  what: "log options as declared, rotation on",
  expected: "HostConfig.LogConfig.Config has the declared logOpts (max-size/max-file for json-file)",
  remediation: "Set the declared log options (max-size, max-file) on the container's json-file driver.",
});

export const envSecretsCheck: Check<DockerTarget> = {
  id: "docker.env-secrets",
  title: "No secret value in container environments",
  checklistIds: ["SEC-DATA-02"],
  timeoutMs: 15_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      if (target.secrets.length === 0) {
        return fail("no secret values to compare with: the stack outputs were read without --show-secrets", {
          expected: "StackOutputs.secrets with values",
          actual: "none or masked",
          remediation: "Pass outputs from: pulumi stack output --json --show-secrets (the file stays local; reports never contain the values).",
        });
      }
      const e = await evaluate(target, ctx, (d, f) => envSecretFindings(d, f, target.secrets));
      const r = resultFrom(
        e.checked,
        e.findings,
        `no environment variable carries any of ${target.secrets.length} known secrets`,
        "no Config.Env value equal to or containing a secret",
        "Deliver the secret as a Docker secret (mode 0400) and point a *_FILE variable at it; pulumi up updates the service.",
      );
      r.measurements = { ...r.measurements, secretsCompared: target.secrets.length };
      return r;
    });
  },
};

/** In report order: existence and health first, then hardening. */
export const DOCKER_CHECKS: readonly Check<DockerTarget>[] = [
  runningCheck,
  healthCheck,
  restartsCheck,
  updateStateCheck,
  secretFilesCheck,
  userCheck,
  privilegedCheck,
  capabilitiesCheck,
  readonlyRootfsCheck,
  noNewPrivilegesCheck,
  limitsCheck,
  portsCheck,
  envSecretsCheck,
  logRotationCheck,
];
