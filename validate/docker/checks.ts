/**
 * Container runtime checks: what the Docker engine actually runs, compared with what the
 * stack declared (preview policies only see the declaration). Read through the Engine API
 * (dockerode); nothing here starts, stops or changes a container.
 */
import { fail, pass, type Check, type CheckContext, type CheckResult } from "../core/types";
import type { DeclaredContainer, DockerTarget } from "./declared";
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
  noNewPrivilegesRule,
  portsRule,
  privilegedRule,
  readonlyRootfsRule,
  restartFindings,
  runningRule,
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

const missing = (d: DeclaredContainer): Finding => ({ container: d.name, field: "container", declared: "exists", actual: "not found on the engine" });


/** One result for all containers: pass names how many were checked, fail lists every mismatch. */
export function resultFrom(target: Pick<DockerTarget, "containers">, findings: Finding[], what: string, expected: string, remediation: string): CheckResult {
  const n = target.containers.length;
  const measurements = { containers: n, mismatches: findings.length };
  if (findings.length === 0) return pass(`${n} container${n === 1 ? "" : "s"}: ${what}`, { expected, measurements });
  const bad = new Set(findings.map((f) => f.container)).size;
  const shown = findings.slice(0, SHOWN_IN_MESSAGE).map(formatFinding).join("; ");
  const more = findings.length > SHOWN_IN_MESSAGE ? `; and ${findings.length - SHOWN_IN_MESSAGE} more` : "";
  return fail(`${bad} of ${n} container${n === 1 ? "" : "s"}: ${shown}${more}`, { expected, actual: findings.map(formatFinding).join("; "), remediation, measurements });
}

const noneDeclared = (): CheckResult =>
  fail("no containers declared: the stack outputs list no services", { expected: "StackOutputs.services with at least one container", actual: "none", remediation: "Read the outputs of a deployed stack: pulumi stack output --json --show-secrets." });

async function evaluate(target: DockerTarget, ctx: CheckContext, rule: (d: DeclaredContainer, f: ContainerFacts) => Finding[]): Promise<Finding[]> {
  const facts = await inspectAll(target.docker, target.containers.map((c) => c.name), ctx.signal);
  return target.containers.flatMap((d) => {
    const f = facts.get(d.name);
    return f ? rule(d, f) : [missing(d)];
  });
}

/** The engine not answering is a failure of the check with the engine's address, not a crash. */
async function guarded(target: DockerTarget, body: () => Promise<CheckResult>): Promise<CheckResult> {
  if (target.containers.length === 0) return noneDeclared();
  try {
    return await body();
  } catch (err) {
    return fail(`cannot inspect containers on the Docker engine at ${target.endpoint}: ${describeError(err)}`, {
      expected: "an engine answering on its API",
      actual: "no answer",
      remediation: "Run the checks where the engine is reachable (DOCKER_HOST or the default socket) and make sure it is running.",
    });
  }
}

/** A check that is one pure rule applied to every declared container. */
function ruleCheck(spec: { id: string; title: string; items: string[]; rule: Rule; what: string; expected: string; remediation: string }): Check<DockerTarget> {
  return {
    id: spec.id,
    title: spec.title,
    items: spec.items,
    timeoutMs: 15_000,
    async run(target, ctx) {
      return guarded(target, async () => resultFrom(target, await evaluate(target, ctx, spec.rule), spec.what, spec.expected, spec.remediation));
    },
  };
}

export const runningCheck: Check<DockerTarget> = {
  id: "docker.running",
  title: "Every declared container exists and is running",
  items: ["DEP-CORE-01"],
  timeoutMs: 15_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      // "Now" after the inspection answered: an inspect can wait on a container that is restarting.
      const findings = await evaluate(target, ctx, (d, f) => runningRule(Date.now())(d, f));
      if (target.stack) {
        // A container of this stack that the outputs do not declare is drift (a leftover replica, a manual run).
        const declared = new Set(target.containers.map((c) => c.name));
        const listed = await target.docker.listContainers({ all: true, filters: { label: [`com.mcp.stack=${target.stack}`] }, abortSignal: ctx.signal });
        for (const c of listed) {
          const name = (c.Names?.[0] ?? "").replace(/^\//, "");
          if (!declared.has(name)) findings.push({ container: name, field: "Config.Labels[com.mcp.stack]", declared: `only the declared containers of stack ${target.stack}`, actual: `undeclared container (${c.State ?? "unknown"})` });
        }
      }
      return resultFrom(target, findings, "running", "every declared container running; no undeclared container of the stack", "Inspect the container's logs (docker logs <name>) and exit code; re-run pulumi up to recreate missing containers, remove undeclared ones.");
    });
  },
};

export const healthCheck: Check<DockerTarget> = {
  id: "docker.health",
  title: "Health checks report healthy",
  items: ["DEP-CORE-02"],
  timeoutMs: MAX_HEALTH_WAIT_MS + 10_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      const waitMs = Math.min(target.healthWaitMs ?? DEFAULT_HEALTH_WAIT_MS, MAX_HEALTH_WAIT_MS);
      const pollMs = Math.max(100, target.pollMs ?? 1000);
      const deadline = Date.now() + waitMs;
      const started = Date.now();
      let findings: Finding[] = [];
      // Bounded by the deadline: "starting" and a passing-again "unhealthy" can still settle.
      for (let round = 0; ; round++) {
        findings = await evaluate(target, ctx, healthRule);
        const canSettle = findings.some((f) => f.field === "State.Health.Status");
        if (findings.length === 0 || !canSettle || Date.now() + pollMs > deadline || ctx.signal.aborted) break;
        if (round % 5 === 0) ctx.log(`waiting for ${findings.map((f) => f.container).join(", ")} to report healthy`);
        await abortableSleep(pollMs, ctx.signal);
      }
      const r = resultFrom(target, findings, "healthy", `State.Health.Status healthy within ${(waitMs / 1000).toFixed(0)}s`, "Read the probe output: docker inspect --format '{{json .State.Health}}' <name>; fix the service or its health check command.");
      r.measurements = { ...r.measurements, waitedMs: Date.now() - started };
      return r;
    });
  },
};

export const restartsCheck: Check<DockerTarget> = {
  id: "docker.restarts",
  title: "No restart loops while observed",
  items: ["DEP-CORE-03"],
  timeoutMs: MAX_RESTART_WINDOW_MS + 10_000,
  async run(target, ctx) {
    return guarded(target, async () => {
      const windowMs = Math.min(Math.max(0, target.restartWindowMs ?? DEFAULT_RESTART_WINDOW_MS), MAX_RESTART_WINDOW_MS);
      const names = target.containers.map((c) => c.name);
      const before = await inspectAll(target.docker, names, ctx.signal);
      ctx.log(`observing restart counters for ${(windowMs / 1000).toFixed(1)}s`);
      const t0 = Date.now();
      await abortableSleep(windowMs, ctx.signal);
      const after = await inspectAll(target.docker, names, ctx.signal);
      const observed = Date.now() - t0;
      const findings = target.containers.flatMap((d) => {
        const a = before.get(d.name);
        const b = after.get(d.name);
        return a && b ? restartFindings(d, a, b, observed) : [missing(d)];
      });
      const r = resultFrom(target, findings, `restart counters stable for ${(observed / 1000).toFixed(1)}s`, "RestartCount unchanged and no container in back-off", "A container that keeps exiting: read docker logs <name> and its exit code (137 with OOMKilled means the memory limit is too low).");
      r.measurements = { ...r.measurements, observedMs: observed, totalRestarts: [...after.values()].reduce((n, f) => n + (f?.restartCount ?? 0), 0) };
      return r;
    });
  },
};

export const userCheck = ruleCheck({
  id: "docker.user",
  title: "Containers run as the declared non-root user",
  items: ["SEC-CONTAINER-01"],
  rule: userRule,
  what: "run as their declared non-root user",
  expected: "Config.User equals the declared uid:gid and is not root",
  remediation: "Set the container's user to the declared uid:gid (ServiceSpec.user) and recreate it.",
});

export const privilegedCheck = ruleCheck({
  id: "docker.privileged",
  title: "No privileged containers",
  items: ["SEC-CONTAINER-02"],
  rule: privilegedRule,
  what: "none privileged",
  expected: "HostConfig.Privileged false",
  remediation: "Remove privileged mode; add back only the capabilities the service needs (capAdd).",
});

export const limitsCheck = ruleCheck({
  id: "docker.limits",
  title: "Memory and CPU limits applied as declared",
  items: ["SEC-CONTAINER-03"],
  rule: limitsRule,
  what: "memory and CPU limits as declared",
  expected: "HostConfig.Memory = memoryMb MiB and NanoCpus (or CpuQuota/CpuPeriod) = cpus",
  remediation: "Recreate the container with the declared limits (mcp:limits in the stack config).",
});

export const capabilitiesCheck = ruleCheck({
  id: "docker.capabilities",
  title: "All capabilities dropped, only declared ones added",
  items: ["SEC-CONTAINER-04"],
  rule: capabilitiesRule,
  what: "CapDrop ALL, CapAdd as declared",
  expected: "HostConfig.CapDrop includes ALL; HostConfig.CapAdd equals the declared capAdd",
  remediation: "Drop ALL capabilities and add back only the declared ones.",
});

export const readonlyRootfsCheck = ruleCheck({
  id: "docker.readonly-rootfs",
  title: "Read-only root filesystem as declared",
  items: ["SEC-CONTAINER-04"],
  rule: readonlyRootfsRule,
  what: "root filesystem read-only as declared",
  expected: "HostConfig.ReadonlyRootfs equals the declared readOnlyRootfs",
  remediation: "Run with a read-only root filesystem and tmpfs mounts for the paths the service writes.",
});

export const noNewPrivilegesCheck = ruleCheck({
  id: "docker.no-new-privileges",
  title: "no-new-privileges set",
  items: ["SEC-CONTAINER-04"],
  rule: noNewPrivilegesRule,
  what: "no-new-privileges set",
  expected: "HostConfig.SecurityOpt includes no-new-privileges",
  remediation: "Add security option no-new-privileges:true to the container.",
});

export const portsCheck = ruleCheck({
  id: "docker.ports",
  title: "Published ports exactly as declared",
  items: ["SEC-NET-01"],
  rule: portsRule,
  what: "publish exactly the declared ports",
  expected: "HostConfig.PortBindings and NetworkSettings.Ports equal the declared publishedPorts; no host network mode",
  remediation: "Publish only the declared ports (only Nginx publishes 80/443); keep everything else on internal Docker networks.",
});

export const logRotationCheck = ruleCheck({
  id: "docker.log-rotation",
  title: "Log driver options as declared (rotation)",
  items: ["MON-LOG-04"],
  rule: logRotationRule,
  what: "log options as declared, rotation on",
  expected: "HostConfig.LogConfig.Config has the declared logOpts (max-size/max-file for json-file)",
  remediation: "Set the declared log options (max-size, max-file) on the container's json-file driver.",
});

export const envSecretsCheck: Check<DockerTarget> = {
  id: "docker.env-secrets",
  title: "No secret value in container environments",
  items: ["SEC-DATA-02"],
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
      const findings = await evaluate(target, ctx, (d, f) => envSecretFindings(d, f, target.secrets));
      const r = resultFrom(target, findings, `no environment variable carries any of ${target.secrets.length} known secrets`, "no Config.Env value equal to or containing a secret", "Deliver the secret as a file (uploads, mode 0400) and point a *_FILE variable at it; recreate the container.");
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
