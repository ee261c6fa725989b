/**
 * Daemon-level hardening, verified before a deploy: what a swarm service cannot declare with
 * @pulumi/docker 5.2.0 (no-new-privileges, ulimits, a pids limit, seccomp/AppArmor) has to come
 * from the engine's daemon.json (infra/render/daemon-json.ts renders the recommended one).
 *
 * Each check reads the file on the Docker host (`--daemon-json`, default
 * /etc/docker/daemon.json) and, where the Engine API reports the setting (`/info`
 * SecurityOptions, LoggingDriver, CgroupDriver, LiveRestoreEnabled, DefaultAddressPools, the
 * default bridge network), the engine itself. A failure names the setting, the expected and the
 * actual value. For a remote engine the file part is skipped with the reason; a check whose
 * whole answer comes from the engine still passes or fails on the engine's word.
 *
 * The decisions are pure functions of (file, engine facts), exported for unit tests.
 */
import { readFile } from "node:fs/promises";
import { fail, pass, skip, type CheckResult } from "../core/types";
import { describeError, engineGet, engineInfo, engineStatus, engineVersion, type EngineInfo } from "../docker/engine-api";
import type { CisCheck } from "./cis";
import { fileLabel, fileProblem, fileSetting, readDaemonFile, show, unset, type DaemonFile } from "./daemon-file";
import { DEFAULT_HOST_PATHS, type HostTarget } from "./target";
import { compareVersions, parseVersion } from "./thresholds";

const ENGINE_FIX = "Start the Docker engine or point DOCKER_HOST (or --docker-host) at the engine the stack deploys to.";
const RESTART = "then restart dockerd (systemctl restart docker) and check that `docker info` shows it";
const DOC = "docs/docker-host.md";

/** One setting that is not what it should be: where it was read, expected and actual. */
export interface Finding {
  /** The daemon.json path, or "engine" for what the Engine API reports. */
  where: string;
  setting: string;
  expected: string;
  actual: string;
}

/** pass(ok) when nothing was found, else fail naming every finding. */
export function findingsResult(ok: string, findings: readonly Finding[], remediation: string, measurements?: CheckResult["measurements"]): CheckResult {
  if (findings.length === 0) return pass(ok, { measurements });
  return fail(findings.map((f) => `${f.where} ${f.setting}: expected ${f.expected}, actual ${f.actual}`).join("; "), {
    expected: findings.map((f) => `${f.setting} ${f.expected}`).join("; "),
    actual: findings.map((f) => `${f.setting} ${f.actual}`).join("; "),
    remediation,
    measurements,
  });
}

/** The file is there but cannot be used: fail, with whatever the engine showed as well. */
function unusable(file: DaemonFile, engineFindings: readonly Finding[]): CheckResult {
  const text = fileProblem(file)!.text;
  const engine = engineFindings.map((f) => `; ${f.where} ${f.setting}: expected ${f.expected}, actual ${f.actual}`).join("");
  return fail(text + engine, {
    expected: "a readable daemon.json holding a JSON object",
    actual: text,
    remediation: `Fix ${fileLabel(file)} (see ${DOC}), ${RESTART}.`,
  });
}

/** Remote engine: decided on the engine's facts alone when they settle it, else skipped with the reason. */
function remote(file: DaemonFile, engineFindings: readonly Finding[], remediation: string, engineSettlesIt: string | undefined): CheckResult {
  const text = fileProblem(file)!.text;
  if (engineFindings.length) return findingsResult("", engineFindings, remediation);
  return engineSettlesIt ? pass(`${engineSettlesIt}; ${text}`) : skip(text);
}

export interface EngineFacts {
  info: EngineInfo;
  /** The server's newest API version, e.g. "1.41" (Docker 20.10). */
  apiVersion: string;
  version: string;
}

/** Docker 24.0 (API 1.43) lists "name=no-new-privileges" in /info SecurityOptions when it is on. */
export function engineReportsNoNewPrivileges(apiVersion: string): boolean {
  const v = parseVersion(apiVersion);
  return v !== null && compareVersions(v, [1, 43]) >= 0;
}

const securityOption = (info: EngineInfo, name: string): string | undefined =>
  (info.SecurityOptions ?? []).find((o) => o === `name=${name}` || o.startsWith(`name=${name},`));

// ── no-new-privileges (CIS 2.14, 5.26) ──

export function evaluateNoNewPrivileges(file: DaemonFile, engine: EngineFacts): CheckResult {
  const findings: Finding[] = [];
  const reported = engineReportsNoNewPrivileges(engine.apiVersion);
  const on = securityOption(engine.info, "no-new-privileges") !== undefined;
  if (reported && !on)
    findings.push({
      where: "engine",
      setting: "SecurityOptions",
      expected: "to include name=no-new-privileges",
      actual: show(engine.info.SecurityOptions ?? []),
    });
  const fix = `Set "no-new-privileges": true in ${fileLabel(file)}, ${RESTART}.`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, findings);
  if (problem?.kind === "remote") {
    // Docker 20.10 (API 1.41) does not say; Docker 24 (API 1.43) and newer list it in SecurityOptions.
    return remote(file, findings, fix, reported ? "engine reports name=no-new-privileges: every container starts with no_new_privs" : undefined);
  }
  const v = fileSetting(file, "no-new-privileges");
  if (v !== true)
    findings.push({ where: fileLabel(file), setting: "no-new-privileges", expected: "true", actual: v === undefined ? unset(file, "false") : show(v) });
  return findingsResult(
    `no-new-privileges is true in ${fileLabel(file)}: every container starts with no_new_privs${reported ? " (the engine reports it too)" : ""}`,
    findings,
    fix,
  );
}

// ── seccomp (CIS 2.17, 5.22) ──

/** The engine's seccomp profile from SecurityOptions: "default", "unconfined", a file path; undefined without seccomp. */
export function engineSeccompProfile(info: EngineInfo): string | undefined {
  const opt = securityOption(info, "seccomp");
  if (!opt) return undefined;
  const profile = /profile=([^,]+)/.exec(opt)?.[1] ?? "default";
  // Docker 23+ calls its default profile "builtin"; 20.10 says "default".
  return profile === "builtin" ? "default" : profile;
}

export function evaluateSeccomp(file: DaemonFile, engine: EngineFacts): CheckResult {
  const findings: Finding[] = [];
  const profile = engineSeccompProfile(engine.info);
  if (profile === undefined)
    findings.push({
      where: "engine",
      setting: "SecurityOptions",
      expected: "to include name=seccomp (containers filtered by a seccomp profile)",
      actual: show(engine.info.SecurityOptions ?? []),
    });
  else if (profile === "unconfined")
    findings.push({ where: "engine", setting: "SecurityOptions seccomp profile", expected: "default (or a reviewed profile file)", actual: "unconfined" });
  const fix = `Remove "seccomp-profile" from ${fileLabel(file)} (Docker's default profile), or point it at a reviewed profile file; ${RESTART}. A kernel without seccomp needs CONFIG_SECCOMP.`;
  const applied = `engine filters every container with the ${profile === "default" ? "default seccomp profile" : `seccomp profile ${profile}`}`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, findings);
  if (problem?.kind === "remote") return remote(file, findings, fix, applied);
  const where = fileLabel(file);
  const v = fileSetting(file, "seccomp-profile");
  if (v !== undefined && (typeof v !== "string" || v === "" || v === "unconfined"))
    findings.push({ where, setting: "seccomp-profile", expected: "unset (Docker's default profile) or a profile file", actual: show(v) });
  else if (!findings.length) {
    // The file and the running engine must agree, else dockerd has not loaded this file.
    const fromFile = v === undefined || v === "builtin" ? "default" : (v as string);
    if (fromFile !== profile)
      findings.push({
        where: "engine",
        setting: "SecurityOptions seccomp profile",
        expected: `${fromFile} (from ${where})`,
        actual: `${profile}: dockerd has not loaded this file`,
      });
  }
  return findingsResult(`${applied}${v === undefined ? ` (${where} sets no seccomp-profile)` : ""}`, findings, fix, {
    securityOptions: (engine.info.SecurityOptions ?? []).join(" "),
  });
}

// ── AppArmor / SELinux (CIS 5.2) ──

/** `kernelAppArmor`: the host kernel's AppArmor switch ("Y"), when readable here. */
export function evaluateAppArmor(engine: EngineFacts, kernelAppArmor: boolean | undefined): CheckResult {
  const options = engine.info.SecurityOptions ?? [];
  const lsm = securityOption(engine.info, "apparmor") ?? securityOption(engine.info, "selinux");
  if (lsm)
    return pass(`engine confines containers with ${lsm.replace(/^name=/, "")} (docker-default profile unless a service asks otherwise)`, {
      measurements: { securityOptions: options.join(" ") },
    });
  if (kernelAppArmor) {
    return fail("the host kernel has AppArmor enabled, but the engine does not use it: containers run unconfined", {
      expected: "SecurityOptions to include name=apparmor",
      actual: show(options),
      remediation: "Install the apparmor package (apparmor_parser) on the Docker host and restart dockerd.",
    });
  }
  return skip(
    `no AppArmor or SELinux on this engine's host (SecurityOptions ${show(options)}): CIS 5.2 applies "if applicable"; seccomp and no-new-privileges still confine containers`,
  );
}

// ── ulimits (CIS 2.8, 5.19) ──

function ulimitFinding(file: DaemonFile, limits: Record<string, unknown> | undefined, name: string): Finding | undefined {
  const where = fileLabel(file);
  const setting = `default-ulimits.${name}`;
  const u = limits?.[name] as { Name?: unknown; Soft?: unknown; Hard?: unknown } | undefined;
  if (u === undefined)
    return {
      where,
      setting,
      expected: `{"Name": "${name}", "Soft": N, "Hard": N}`,
      actual: limits === undefined ? unset(file, "containers inherit dockerd's own limits") : "unset",
    };
  const soft = u?.Soft;
  const hard = u?.Hard;
  if (typeof soft !== "number" || typeof hard !== "number" || !Number.isInteger(soft) || !Number.isInteger(hard) || soft <= 0 || hard < soft)
    return { where, setting, expected: "Soft > 0 and Hard >= Soft (integers)", actual: show(u) };
  if (u.Name !== undefined && u.Name !== name) return { where, setting, expected: `Name "${name}"`, actual: show(u.Name) };
  return undefined;
}

export function evaluateUlimits(file: DaemonFile): CheckResult {
  const fix = `Set "default-ulimits" with nofile and nproc in ${fileLabel(file)} (see ${DOC}), ${RESTART}.`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, []);
  // The Engine API does not report default ulimits.
  if (problem?.kind === "remote") return remote(file, [], fix, undefined);
  const raw = fileSetting(file, "default-ulimits");
  if (raw !== undefined && (typeof raw !== "object" || raw === null || Array.isArray(raw)))
    return findingsResult("", [{ where: fileLabel(file), setting: "default-ulimits", expected: "an object of ulimits", actual: show(raw) }], fix);
  const limits = raw as Record<string, unknown> | undefined;
  const findings = ["nofile", "nproc"].map((n) => ulimitFinding(file, limits, n)).filter((f): f is Finding => f !== undefined);
  const describe = (n: string) => {
    const u = limits?.[n] as { Soft: number; Hard: number };
    return `${n} ${u.Soft}:${u.Hard}`;
  };
  return findingsResult(findings.length ? "" : `default-ulimits ${describe("nofile")}, ${describe("nproc")} for every container`, findings, fix);
}

// ── pids limit (CIS 5.29) ──

export const PIDS_LIMIT_NOTE =
  "no Docker Engine has a daemon-wide pids limit (not 20.10, not upstream 29.x; `default-pids-limit` exists only in Red Hat's projectatomic fork), and a service's pids limit (TaskTemplate.Resources.Limits.Pids, API 1.41) cannot be declared with @pulumi/docker 5.2.0";

export function evaluatePidsLimit(file: DaemonFile, engine: EngineFacts): CheckResult {
  const v = fileSetting(file, "default-pids-limit");
  if (v !== undefined) {
    return fail(
      `${fileLabel(file)} default-pids-limit: expected absent (Docker ${engine.version} has no such option and refuses to start: "the following directives don't match any configuration option"), actual ${show(v)}`,
      {
        expected: "default-pids-limit absent",
        actual: show(v),
        remediation: `Remove "default-pids-limit" from ${fileLabel(file)} before dockerd next restarts; processes per user are bounded by default-ulimits nproc.`,
      },
    );
  }
  const problem = fileProblem(file);
  const kernel = engine.info.PidsLimit === false ? "; the kernel has no pids cgroup either" : "";
  return skip(
    `not enforceable on Docker ${engine.version}: ${PIDS_LIMIT_NOTE}; processes per user ID are bounded by default-ulimits nproc (host.daemon-ulimits) instead${kernel}${problem ? `; ${problem.text}` : ""}`,
    {
      measurements: { engineVersion: engine.version, kernelPidsCgroup: engine.info.PidsLimit ?? "unknown" },
    },
  );
}

// ── logging (CIS 2.3, 2.13; MON-LOG-04) ──

export function evaluateLogging(file: DaemonFile, engine: EngineFacts): CheckResult {
  const findings: Finding[] = [];
  const driver = engine.info.LoggingDriver;
  if (driver !== "json-file") findings.push({ where: "engine", setting: "LoggingDriver", expected: "json-file", actual: show(driver ?? null) });
  const fix = `Set "log-driver": "json-file" and "log-opts" with max-size and max-file in ${fileLabel(file)} (see ${DOC}), ${RESTART}.`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, findings);
  if (problem?.kind === "remote") {
    if (findings.length) return findingsResult("", findings, fix);
    return skip(`engine logs with json-file, but its rotation options are only in daemon.json (the Engine API does not report log-opts); ${problem.text}`);
  }
  const where = fileLabel(file);
  const fileDriver = fileSetting(file, "log-driver");
  if (fileDriver !== undefined && fileDriver !== "json-file")
    findings.push({ where, setting: "log-driver", expected: '"json-file"', actual: show(fileDriver) });
  const opts = fileSetting(file, "log-opts") as Record<string, unknown> | undefined;
  for (const key of ["max-size", "max-file"]) {
    const value = opts && typeof opts === "object" ? opts[key] : undefined;
    if (typeof value !== "string" || value === "")
      findings.push({
        where,
        setting: `log-opts.${key}`,
        expected: key === "max-size" ? 'a size like "10m"' : 'a count like "5"',
        actual: value === undefined ? unset(file, "no rotation, one log file per container grows without bound") : show(value),
      });
  }
  const level = fileSetting(file, "log-level");
  if (level !== undefined && level !== "info") findings.push({ where, setting: "log-level", expected: '"info" (or unset)', actual: show(level) });
  const o = opts ?? {};
  return findingsResult(
    `every container logs to json-file, rotated at ${String(o["max-size"])} x ${String(o["max-file"])}${o.compress === "true" ? " (compressed)" : ""}; daemon log-level ${level ?? "info (default)"}`,
    findings,
    fix,
  );
}

// ── networking: icc, iptables, userland-proxy, address pools (CIS 2.2, 2.4, 2.16) ──

export interface BridgeFacts {
  /** The default bridge network ("bridge"), or null when the engine has none (bridge: none). */
  defaultBridge: { Options?: Record<string, string> } | null;
}

const samePools = (a: readonly { base: string; size: number }[], b: readonly { base: string; size: number }[]) =>
  a.length === b.length && a.every((p, i) => p.base === b[i].base && p.size === b[i].size);

export function evaluateNetwork(file: DaemonFile, engine: EngineFacts, bridge: BridgeFacts): CheckResult {
  const findings: Finding[] = [];
  const icc = bridge.defaultBridge?.Options?.["com.docker.network.bridge.enable_icc"];
  if (bridge.defaultBridge && icc !== "false")
    findings.push({
      where: "engine",
      setting: "default bridge network option com.docker.network.bridge.enable_icc",
      expected: '"false"',
      actual: show(icc ?? "true"),
    });
  const iccText = bridge.defaultBridge
    ? "containers on the default bridge cannot reach each other (icc false)"
    : "the engine has no default bridge network (bridge: none), so there is no inter-container traffic on it to restrict";
  const fix = `Set "icc": false and "userland-proxy": false, leave "iptables" at its default (true) and set "default-address-pools" in ${fileLabel(file)} (see ${DOC}); ${RESTART}.`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, findings);
  // icc is the engine's word; userland-proxy and iptables are only in the file.
  if (problem?.kind === "remote")
    return findings.length
      ? findingsResult("", findings, fix)
      : skip(`engine: ${iccText}; userland-proxy and iptables are only in daemon.json: ${problem.text}`);
  const where = fileLabel(file);
  const fileIcc = fileSetting(file, "icc");
  if (fileIcc === true || (fileIcc === undefined && bridge.defaultBridge))
    findings.push({ where, setting: "icc", expected: "false", actual: fileIcc === undefined ? unset(file, "true") : show(fileIcc) });
  if (fileSetting(file, "iptables") === false)
    findings.push({ where, setting: "iptables", expected: "true or unset (CIS 2.4: Docker manages its own rules; icc false needs them)", actual: "false" });
  const proxy = fileSetting(file, "userland-proxy");
  if (proxy !== false) findings.push({ where, setting: "userland-proxy", expected: "false", actual: proxy === undefined ? unset(file, "true") : show(proxy) });
  const pools = fileSetting(file, "default-address-pools");
  const list = Array.isArray(pools) ? (pools as { base?: unknown; size?: unknown }[]) : undefined;
  if (!list || list.length === 0 || list.some((p) => typeof p?.base !== "string" || typeof p?.size !== "number")) {
    findings.push({
      where,
      setting: "default-address-pools",
      expected: 'a list of {"base": CIDR, "size": N}',
      actual: pools === undefined ? unset(file, "172.17-31.0.0/16 and 192.168.0.0/16, which collide with many LANs") : show(pools),
    });
  } else if (engine.info.DefaultAddressPools) {
    const engineSide = engine.info.DefaultAddressPools.map((p) => ({ base: p.Base, size: p.Size }));
    const fileSide = list as { base: string; size: number }[];
    if (!samePools(fileSide, engineSide))
      findings.push({
        where: "engine",
        setting: "DefaultAddressPools",
        expected: `${show(fileSide)} (from ${where})`,
        actual: `${show(engineSide)}: dockerd has not loaded this file`,
      });
  }
  return findingsResult(`${iccText}; userland-proxy false; iptables left to Docker; local networks from ${show(pools)}`, findings, fix);
}

// ── live restore (CIS 2.15: decided against, incompatible with swarm mode) ──

export function evaluateLiveRestore(file: DaemonFile, engine: EngineFacts): CheckResult {
  const findings: Finding[] = [];
  const expected = "false (incompatible with swarm mode)";
  if (engine.info.LiveRestoreEnabled) findings.push({ where: "engine", setting: "LiveRestoreEnabled", expected, actual: "true" });
  const fix =
    `Set "live-restore": false in ${fileLabel(file)} and reload dockerd (systemctl reload docker): dockerd refuses swarm init/join with live restore, and a swarm node restarted with it does not start ` +
    `("Error starting cluster component"). The swarm keeps services up by restarting and rescheduling tasks, with replicas on other nodes.`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, findings);
  if (problem?.kind === "remote") return remote(file, findings, fix, "engine has live restore off, as swarm mode needs (CIS 2.15 deliberately not applied)");
  const v = fileSetting(file, "live-restore");
  if (v === true) findings.push({ where: fileLabel(file), setting: "live-restore", expected, actual: "true" });
  return findingsResult(
    "live restore off, as swarm mode needs: CIS 2.15 deliberately not applied, the swarm restarts and reschedules tasks instead",
    findings,
    fix,
  );
}

// ── cgroups (CIS 2.10) ──

export function evaluateCgroup(file: DaemonFile, engine: EngineFacts): CheckResult {
  const findings: Finding[] = [];
  const measurements = { cgroupDriver: engine.info.CgroupDriver ?? "unknown", cgroupVersion: engine.info.CgroupVersion ?? "unknown" };
  const fix = `Remove "cgroup-parent" from ${fileLabel(file)} unless its use is reviewed, and keep exec-opts native.cgroupdriver equal to what dockerd runs; ${RESTART}.`;
  const problem = fileProblem(file);
  if (problem?.kind === "unusable") return unusable(file, []);
  // cgroup-parent is only in the file.
  if (problem?.kind === "remote")
    return skip(`engine runs cgroup driver ${measurements.cgroupDriver} (cgroup v${measurements.cgroupVersion}); ${problem.text}`, { measurements });
  const where = fileLabel(file);
  const parent = fileSetting(file, "cgroup-parent");
  if (parent !== undefined) findings.push({ where, setting: "cgroup-parent", expected: "unset (containers under Docker's own cgroup)", actual: show(parent) });
  const execOpts = fileSetting(file, "exec-opts");
  const driverOpt = Array.isArray(execOpts)
    ? (execOpts as unknown[]).find((o): o is string => typeof o === "string" && o.startsWith("native.cgroupdriver="))
    : undefined;
  const wanted = driverOpt?.split("=")[1];
  if (wanted && engine.info.CgroupDriver && wanted !== engine.info.CgroupDriver)
    findings.push({
      where: "engine",
      setting: "CgroupDriver",
      expected: `${wanted} (from ${where})`,
      actual: `${engine.info.CgroupDriver}: dockerd has not loaded this file`,
    });
  return findingsResult(
    `containers under Docker's own cgroup (no cgroup-parent); cgroup driver ${measurements.cgroupDriver}, cgroup v${measurements.cgroupVersion}`,
    findings,
    fix,
    measurements,
  );
}

// ── the file itself (CIS 3.17, 3.18) ──

export function evaluateDaemonFile(file: DaemonFile): CheckResult {
  if (file.kind === "remote") return skip(fileProblem(file)!.text);
  if (file.kind === "unusable")
    return fail(fileProblem(file)!.text, {
      expected: "a readable daemon.json holding a JSON object",
      actual: file.reason,
      remediation: `Fix ${file.path} (see ${DOC}), ${RESTART}.`,
    });
  if (file.kind === "absent") {
    return fail(`${file.path} does not exist: dockerd runs on its built-in defaults (no no-new-privileges, no default ulimits, no log rotation)`, {
      expected: `${file.path} with the settings of ${DOC}`,
      actual: "no file",
      remediation: `Write ${file.path} from ${DOC} (or pass --daemon-json with the file dockerd reads: its --config-file), ${RESTART}.`,
    });
  }
  const findings: Finding[] = [];
  if (file.uid !== 0) findings.push({ where: file.path, setting: "owner", expected: "root (uid 0)", actual: `uid ${file.uid}` });
  if ((file.mode & ~0o644) !== 0) findings.push({ where: file.path, setting: "mode", expected: "0644 or stricter", actual: `0${file.mode.toString(8)}` });
  return findingsResult(
    `${file.path}: a JSON object of ${Object.keys(file.config).length} setting${Object.keys(file.config).length === 1 ? "" : "s"}, owner root, mode 0${file.mode.toString(8)}`,
    findings,
    `chown root:root ${file.path} && chmod 0644 ${file.path}`,
  );
}

// ── the checks ──

async function gather(t: HostTarget, signal: AbortSignal): Promise<{ file: DaemonFile; engine: EngineFacts }> {
  const [file, info, version] = await Promise.all([
    readDaemonFile(t.daemonJsonPath, t.local, t.endpoint),
    engineInfo(t.docker, signal),
    engineVersion(t.docker, signal),
  ]);
  return { file, engine: { info, apiVersion: version.ApiVersion, version: version.Version } };
}

const unreachable = (t: HostTarget, err: unknown) =>
  fail(`cannot read the daemon settings from the Docker engine at ${t.endpoint}: ${describeError(err)}`, {
    expected: "an engine answering on its API",
    actual: "no answer",
    remediation: ENGINE_FIX,
  });

function daemonCheck(
  id: string,
  title: string,
  cis: string[],
  checklistIds: string[],
  decide: (file: DaemonFile, engine: EngineFacts, t: HostTarget, signal: AbortSignal) => Promise<CheckResult> | CheckResult,
): CisCheck<HostTarget> {
  return {
    id,
    title: `${title} (CIS ${cis.join(", ")})`,
    cis,
    checklistIds,
    timeoutMs: 15_000,
    async run(t, ctx) {
      let facts;
      try {
        facts = await gather(t, ctx.signal);
      } catch (err) {
        return unreachable(t, err);
      }
      return decide(facts.file, facts.engine, t, ctx.signal);
    },
  };
}

async function kernelAppArmor(t: HostTarget): Promise<boolean | undefined> {
  if (!t.local) return undefined;
  try {
    return (await readFile(t.hostPaths?.apparmorEnabled ?? DEFAULT_HOST_PATHS.apparmorEnabled, "utf8")).trim() === "Y";
  } catch {
    return false;
  }
}

async function bridgeFacts(t: HostTarget, signal: AbortSignal): Promise<BridgeFacts> {
  try {
    return { defaultBridge: await engineGet<{ Options?: Record<string, string> }>(t.docker, "/networks/bridge", signal) };
  } catch (err) {
    if (engineStatus(err) === 404) return { defaultBridge: null };
    throw err;
  }
}

export const daemonFileCheck = daemonCheck(
  "host.daemon-json",
  "daemon.json present, a JSON object, owned by root and not writable by others",
  ["3.17", "3.18"],
  [],
  (file) => evaluateDaemonFile(file),
);
export const noNewPrivilegesCheck = daemonCheck(
  "host.daemon-no-new-privileges",
  "Every container starts with no-new-privileges",
  ["2.14", "5.26"],
  ["SEC-CONTAINER-04"],
  evaluateNoNewPrivileges,
);
export const seccompCheck = daemonCheck(
  "host.daemon-seccomp",
  "Every container is filtered by a seccomp profile",
  ["2.17", "5.22"],
  ["SEC-CONTAINER-04"],
  evaluateSeccomp,
);
export const appArmorCheck = daemonCheck(
  "host.daemon-apparmor",
  "Containers confined by AppArmor or SELinux where the host has one",
  ["5.2"],
  [],
  async (_f, engine, t) => evaluateAppArmor(engine, await kernelAppArmor(t)),
);
export const ulimitsCheck = daemonCheck(
  "host.daemon-ulimits",
  "Default open-file and process ulimits for every container",
  ["2.8", "5.19"],
  ["SEC-CONTAINER-03"],
  (file) => evaluateUlimits(file),
);
export const pidsLimitCheck = daemonCheck("host.daemon-pids-limit", "Pids limit per container (not enforceable daemon-wide)", ["5.29"], [], evaluatePidsLimit);
export const loggingCheck = daemonCheck(
  "host.daemon-logging",
  "Container logs to json-file with rotation; daemon log level info",
  ["2.3", "2.13"],
  ["MON-LOG-04"],
  evaluateLogging,
);
export const networkCheck = daemonCheck(
  "host.daemon-network",
  "No inter-container traffic on the default bridge, no userland proxy, iptables managed, own address pools",
  ["2.2", "2.4", "2.16"],
  [],
  async (file, engine, t, signal) => {
    let bridge: BridgeFacts;
    try {
      bridge = await bridgeFacts(t, signal);
    } catch (err) {
      return unreachable(t, err);
    }
    return evaluateNetwork(file, engine, bridge);
  },
);
export const liveRestoreCheck = daemonCheck("host.daemon-live-restore", "Live restore off, as swarm mode needs", ["2.15"], [], evaluateLiveRestore);
export const cgroupCheck = daemonCheck("host.daemon-cgroup", "Containers under Docker's own cgroup; cgroup driver as configured", ["2.10"], [], evaluateCgroup);

export const DAEMON_CHECKS: readonly CisCheck<HostTarget>[] = [
  daemonFileCheck,
  noNewPrivilegesCheck,
  seccompCheck,
  appArmorCheck,
  ulimitsCheck,
  pidsLimitCheck,
  loggingCheck,
  networkCheck,
  liveRestoreCheck,
  cgroupCheck,
];
