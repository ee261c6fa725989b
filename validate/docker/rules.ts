/**
 * Declared-versus-actual rules for running containers, one per check. Pure: each takes the
 * declared container and the engine's facts and returns the mismatches, each naming the
 * container, the field, what was declared and what the engine did. No rule ever puts an
 * environment value in a finding.
 */
import type { DeclaredContainer, KnownSecret } from "./declared";
import type { ContainerFacts, PortMap } from "./facts";
import type { FileStat, ProcStatus } from "./proc";
import type { TaskFacts } from "./tasks";

export interface Finding {
  container: string;
  /** Engine field, e.g. `Config.User`, `HostConfig.Memory`. */
  field: string;
  declared: string;
  actual: string;
}

export type Rule = (declared: DeclaredContainer, facts: ContainerFacts) => Finding[];

export function formatFinding(f: Finding): string {
  return `${f.container}: ${f.field} declared ${f.declared}, actual ${f.actual}`;
}

const q = (s: string) => JSON.stringify(s);

// ---- docker.health (DEP-CORE-02) ----

export const healthRule: Rule = (d, f) => {
  // A stopped container keeps its last health status: it is not healthy, and waiting will not change that.
  if (!f.running || f.restarting) return [{ container: d.name, field: "State.Status", declared: "running and healthy", actual: f.status }];
  if (!d.healthcheck) {
    // Declared without one because the image cannot run one (docs/images.md): an image default would be a surprise.
    return f.health
      ? [{ container: d.name, field: "Config.Healthcheck", declared: "none (the image cannot run one)", actual: `a health check (${f.health.status})` }]
      : [];
  }
  if (!f.health) return [{ container: d.name, field: "Config.Healthcheck", declared: "a health check", actual: "none (State.Health absent)" }];
  if (f.health.status === "healthy") return [];
  const last = f.health.lastExitCode === undefined ? "" : `, last probe exit code ${f.health.lastExitCode}`;
  return [
    { container: d.name, field: "State.Health.Status", declared: "healthy", actual: `${f.health.status} (failing streak ${f.health.failingStreak}${last})` },
  ];
};

// ---- docker.restarts (DEP-CORE-03) ----

/**
 * Swarm restarts a task by replacing it (a container's own RestartCount stays 0), so a
 * restart loop shows in the task list: tasks that failed since `sinceMs`, or tasks that
 * appeared while it was observed.
 */
export function taskRestartFindings(service: string, before: readonly TaskFacts[], after: readonly TaskFacts[], sinceMs: number, windowMs: number): Finding[] {
  const known = new Set(before.map((t) => t.id));
  const replaced = after.filter((t) => !known.has(t.id));
  const failed = after.filter((t) => (t.state === "failed" || t.state === "rejected") && t.statusAtMs >= sinceMs - windowMs);
  if (replaced.length === 0 && failed.length === 0) return [];
  const last = [...failed].sort((a, b) => b.statusAtMs - a.statusAtMs)[0];
  const why = last
    ? ` (last: slot ${last.slot ?? "?"} ${last.state}${last.exitCode !== undefined ? `, exit code ${last.exitCode}` : ""}${last.err ? `: ${last.err}` : ""})`
    : "";
  return [
    {
      container: service,
      field: "tasks",
      declared: "stable (no task failed or replaced)",
      actual: `${failed.length} failed recently, ${replaced.length} new while observed for ${(windowMs / 1000).toFixed(1)}s${why}`,
    },
  ];
}

// ---- docker.user (SEC-CONTAINER-01) ----

/** Empty user means the image default, which for nearly every image is root. */
export function isRootUser(user: string): boolean {
  const name = user.trim().split(":")[0];
  return name === "" || name === "0" || name === "root";
}

export const userRule: Rule = (d, f) => {
  const out: Finding[] = [];
  if (isRootUser(d.user))
    out.push({ container: d.name, field: "Config.User", declared: `${q(d.user)} (root: the declared spec itself is wrong)`, actual: q(f.user) });
  else if (f.user !== d.user)
    out.push({ container: d.name, field: "Config.User", declared: q(d.user), actual: `${q(f.user)}${isRootUser(f.user) ? " (root)" : ""}` });
  return out;
};

// ---- docker.privileged (SEC-CONTAINER-02) ----

export const privilegedRule: Rule = (d, f) => (f.privileged ? [{ container: d.name, field: "HostConfig.Privileged", declared: "false", actual: "true" }] : []);

// ---- docker.capabilities (SEC-CONTAINER-04) ----

const capName = (c: string) => c.trim().toUpperCase().replace(/^CAP_/, "");

export const capabilitiesRule: Rule = (d, f) => {
  const out: Finding[] = [];
  const dropped = f.capDrop.map(capName);
  if (!dropped.includes("ALL")) out.push({ container: d.name, field: "HostConfig.CapDrop", declared: "[ALL]", actual: `[${dropped.join(", ")}]` });
  const declared = [...new Set(d.capAdd.map(capName))].sort();
  const actual = [...new Set(f.capAdd.map(capName))].sort();
  if (declared.join(",") !== actual.join(",")) {
    const extra = actual.filter((c) => !declared.includes(c));
    out.push({
      container: d.name,
      field: "HostConfig.CapAdd",
      declared: `[${declared.join(", ")}]`,
      actual: `[${actual.join(", ")}]${extra.length ? ` (not declared: ${extra.join(", ")})` : ""}`,
    });
  }
  return out;
};

// ---- docker.readonly-rootfs (SEC-CONTAINER-04) ----

export const readonlyRootfsRule: Rule = (d, f) =>
  f.readonlyRootfs === d.readOnlyRootfs
    ? []
    : [{ container: d.name, field: "HostConfig.ReadonlyRootfs", declared: String(d.readOnlyRootfs), actual: String(f.readonlyRootfs) }];

// ---- docker.no-new-privileges (SEC-CONTAINER-04) ----

export function hasNoNewPrivileges(securityOpt: readonly string[]): boolean {
  return securityOpt.some((o) => /^no-new-privileges(?:[:=]true)?$/i.test(o.trim()));
}

/** In force when the container asks for it or the daemon sets it: the process's own flag decides. */
export function noNewPrivilegesRule(d: DeclaredContainer, f: ContainerFacts, status: ProcStatus | { error: string }): Finding[] {
  if ("error" in status) return hasNoNewPrivileges(f.securityOpt) ? [] : [{ container: d.name, field: "NoNewPrivs", declared: "1", actual: status.error }];
  return status.noNewPrivs === 1
    ? []
    : [
        {
          container: d.name,
          field: "/proc/<pid>/status NoNewPrivs",
          declared: "1",
          actual: `${status.noNewPrivs ?? "absent"} (set "no-new-privileges": true in daemon.json)`,
        },
      ];
}

// ---- docker.secret-files (SEC-DATA-03, PRE-CONFIG-07) ----

export function mountedFileFindings(d: DeclaredContainer, stat: (path: string) => FileStat | { error: string }): Finding[] {
  const out: Finding[] = [];
  for (const [kind, files] of [
    ["secret", d.secretFiles],
    ["config", d.configFiles],
  ] as const) {
    for (const want of files) {
      const got = stat(want.path);
      const declared = `${kind} ${want.uid}:${want.gid} ${want.mode}`;
      if ("error" in got) out.push({ container: d.name, field: want.path, declared, actual: got.error });
      else if (got.uid !== want.uid || got.gid !== want.gid || Number.parseInt(got.mode, 8) !== Number.parseInt(want.mode, 8))
        out.push({ container: d.name, field: want.path, declared, actual: `${got.uid}:${got.gid} ${got.mode}` });
    }
  }
  return out;
}

// ---- docker.limits (SEC-CONTAINER-03) ----

const MIB = 1024 * 1024;

/** Effective CPU limit in cores: NanoCpus (`--cpus`) or the CFS quota/period pair. 0 = unlimited. */
export function effectiveCpus(f: Pick<ContainerFacts, "nanoCpus" | "cpuQuota" | "cpuPeriod">): number {
  if (f.nanoCpus > 0) return f.nanoCpus / 1e9;
  if (f.cpuQuota > 0) return f.cpuQuota / (f.cpuPeriod > 0 ? f.cpuPeriod : 100_000);
  return 0;
}

export const limitsRule: Rule = (d, f) => {
  const out: Finding[] = [];
  const wantMem = d.memoryMb * MIB;
  if (f.memoryBytes !== wantMem) {
    out.push({
      container: d.name,
      field: "HostConfig.Memory",
      declared: `${d.memoryMb} MiB`,
      actual: f.memoryBytes > 0 ? `${+(f.memoryBytes / MIB).toFixed(2)} MiB` : "unlimited (0)",
    });
  }
  const wantCpus = Number(d.cpus);
  const cpus = effectiveCpus(f);
  if (!(Math.abs(cpus - wantCpus) < 1e-6)) {
    out.push({ container: d.name, field: "HostConfig.NanoCpus", declared: `${d.cpus} CPUs`, actual: cpus > 0 ? `${+cpus.toFixed(6)} CPUs` : "unlimited (0)" });
  }
  return out;
};

// ---- docker.ports (SEC-NET-01) ----

/**
 * The unspecified address in any spelling ("" / 0.0.0.0 / ::) is one exposure: every
 * interface. Docker binds both 0.0.0.0 and :: for an empty HostIp.
 */
function normalHostIp(ip: string | undefined): string {
  const v = (ip ?? "").trim();
  return v === "" || v === "::" || v === "0.0.0.0" ? "0.0.0.0" : v.replace(/^\[|\]$/g, "");
}

/**
 * Canonical "ip:external->internal/proto" of one declared entry; null when it does not parse.
 * A swarm port ("80->8080/tcp (host)") binds every address of the node.
 */
export function normalPortSpec(spec: string): string | null {
  const m = /^(?:(.*):)?(\d+)->(\d+)(?:\/(tcp|udp|sctp))?(?: \((host|ingress)\))?$/.exec(spec.trim());
  if (!m) return null;
  return `${normalHostIp(m[1])}:${Number(m[2])}->${Number(m[3])}/${m[4] ?? "tcp"}`;
}

/** Ports the routing mesh publishes are not bound by the task container itself. */
const containerBound = (spec: string) => !/\(ingress\)\s*$/.test(spec);

function portMapEntries(map: PortMap): string[] {
  const out: string[] = [];
  for (const [containerPort, bindings] of Object.entries(map ?? {})) {
    const [port, proto = "tcp"] = containerPort.split("/");
    for (const b of bindings ?? []) out.push(`${normalHostIp(b.HostIp)}:${b.HostPort ? Number(b.HostPort) : "(random)"}->${Number(port)}/${proto}`);
  }
  return out;
}

/** Every host publication of a container: requested (HostConfig) and bound (NetworkSettings). */
export function publishedPorts(f: Pick<ContainerFacts, "portBindings" | "boundPorts">): string[] {
  return [...new Set([...portMapEntries(f.portBindings), ...portMapEntries(f.boundPorts)])].sort();
}

export const portsRule: Rule = (d, f) => {
  const out: Finding[] = [];
  const declared = [...new Set(d.publishedPorts.filter(containerBound).map((p) => normalPortSpec(p) ?? `unparsable ${q(p)}`))].sort();
  const actual = publishedPorts(f);
  const extra = actual.filter((p) => !declared.includes(p));
  const missing = declared.filter((p) => !actual.includes(p));
  if (extra.length || missing.length) {
    const notes = [extra.length ? `not declared: ${extra.join(", ")}` : "", missing.length ? `missing: ${missing.join(", ")}` : ""].filter(Boolean).join("; ");
    out.push({ container: d.name, field: "HostConfig.PortBindings", declared: `[${declared.join(", ")}]`, actual: `[${actual.join(", ")}] (${notes})` });
  }
  if (f.networkMode === "host")
    out.push({
      container: d.name,
      field: "HostConfig.NetworkMode",
      declared: "a Docker network (not host)",
      actual: "host (every port it listens on is exposed)",
    });
  if (f.publishAllPorts)
    out.push({ container: d.name, field: "HostConfig.PublishAllPorts", declared: "false", actual: "true (every exposed port is published)" });
  return out;
};

// ---- docker.env-secrets (SEC-DATA-02) ----

const MIN_SUBSTRING_SECRET = 8;

/** True when an environment value is, or embeds, the secret (raw, URL-encoded or base64). */
export function carriesSecret(value: string, secret: string): boolean {
  if (secret === "") return false;
  if (value === secret) return true;
  // Short values would match by accident inside unrelated strings.
  if (secret.length < MIN_SUBSTRING_SECRET) return false;
  const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("base64url")];
  return forms.some((s) => value.includes(s));
}

/** Findings name the variable and the secret's name; the value is never part of the result. */
export function envSecretFindings(d: DeclaredContainer, f: ContainerFacts, secrets: readonly KnownSecret[]): Finding[] {
  const out: Finding[] = [];
  for (const entry of f.env) {
    const eq = entry.indexOf("=");
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const value = eq < 0 ? "" : entry.slice(eq + 1);
    const hits = secrets.filter((s) => carriesSecret(value, s.value)).map((s) => s.name);
    if (hits.length)
      out.push({
        container: d.name,
        field: `Config.Env ${name}`,
        declared: "no secret values (secrets as files, *_FILE variables)",
        actual: `holds the value of secret ${hits.join(", ")}`,
      });
  }
  return out;
}

// ---- docker.log-rotation (MON-LOG-04) ----

/** Drivers that keep logs on the host's disk and need size-based rotation to stay bounded. */
const FILE_DRIVERS = new Set(["json-file"]);

export const logRotationRule: Rule = (d, f) => {
  const out: Finding[] = [];
  for (const [key, want] of Object.entries(d.logOpts)) {
    const got = f.logConfig[key];
    if (got !== want)
      out.push({ container: d.name, field: `HostConfig.LogConfig.Config[${q(key)}]`, declared: q(want), actual: got === undefined ? "(unset)" : q(got) });
  }
  if (f.logType === "none") out.push({ container: d.name, field: "HostConfig.LogConfig.Type", declared: "a logging driver", actual: "none (logs discarded)" });
  else if (FILE_DRIVERS.has(f.logType) && !f.logConfig["max-size"] && !("max-size" in d.logOpts)) {
    out.push({
      container: d.name,
      field: `HostConfig.LogConfig.Config["max-size"]`,
      declared: "set (rotation)",
      actual: `(unset: ${f.logType} grows without bound)`,
    });
  }
  return out;
};
