/**
 * Daemon hardening and swarm facts (validate/host/daemon-checks.ts, swarm-checks.ts), the
 * recommended daemon.json (infra/render/daemon-json.ts) and docs/docker-host.md:
 *
 * - pure decision functions, one case per branch;
 * - real engines: a hardened one-node swarm manager (testing/docker/hardened.ts) where every
 *   new check passes (or skips, saying why, where nothing can be enforced here), and an engine
 *   with Docker's defaults (no swarm, no daemon hardening) where they fail, naming the setting,
 *   the expected and the actual value; containers on both show what the setting really does
 *   (NoNewPrivs in /proc/1/status); the hardened swarm is then broken one fact at a time
 *   (autolock off, label removed, live-restore reloaded on, a wildcard listener) and restored;
 * - a remote-engine target, where what needs the host's files is skipped with the reason.
 *
 * Networks on the engines: none are created (containers and tasks run without one); the swarm's
 * own pools are inside 198.18.0.0/15 (testing/docker/swarm.ts).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import { DAEMON_JSON_DEFAULTS, DAEMON_JSON_KEYS, renderDaemonConfig, renderDaemonJson } from "../../infra/render/daemon-json";
import { LOG_OPTS } from "../../infra/components/common";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord, CheckResult } from "../../validate/core/types";
import { CIS_CONTROLS } from "../../validate/host/cis";
import { HOST_CHECKS } from "../../validate/host/checks";
import { parseDaemonFile, type DaemonFile } from "../../validate/host/daemon-file";
import {
  DAEMON_CHECKS,
  engineReportsNoNewPrivileges,
  evaluateAppArmor,
  evaluateCgroup,
  evaluateDaemonFile,
  evaluateLiveRestore,
  evaluateLogging,
  evaluateNetwork,
  evaluateNoNewPrivileges,
  evaluatePidsLimit,
  evaluateSeccomp,
  evaluateUlimits,
  type EngineFacts,
} from "../../validate/host/daemon-checks";
import { hostReadinessHookFunction, HostNotReadyError } from "../../validate/host/gate";
import {
  evaluateAutolock,
  evaluateCertExpiry,
  evaluateListenAddress,
  evaluateManagers,
  evaluateStatefulLabel,
  evaluateSwarmActive,
  managerPort,
  parseProcNetTcp,
  SWARM_CHECKS,
  type SwarmNode,
} from "../../validate/host/swarm-checks";
import type { HostTarget } from "../../validate/host/target";
import type { EngineInfo } from "../../validate/docker/engine-api";
import { daemonFlags, startDockerEngine, TEST_IMAGE, type DockerEngine } from "../../testing/docker/engine";
import {
  hardenedDaemonConfig,
  processHardLimit,
  SKIPPED_ON_HARDENED,
  startHardenedEngine,
  updateNodeLabels,
  type HardenedEngine,
} from "../../testing/docker/hardened";
import { freePorts } from "../../local/ports";
import { section, tableRows } from "../docs/support";

jest.setTimeout(120_000);

const REPO = resolve(__dirname, "../..");
const NEW_CHECKS = [...DAEMON_CHECKS, ...SWARM_CHECKS];
const byId = (records: CheckRecord[]) => Object.fromEntries(records.map((r) => [r.id, r]));

// ── pure: fixtures ──

const FILE = "/etc/docker/daemon.json";
const file = (config: Record<string, unknown>, st: { uid?: number; mode?: number } = {}): DaemonFile => ({
  kind: "file",
  path: FILE,
  config,
  uid: st.uid ?? 0,
  mode: st.mode ?? 0o644,
});
const ABSENT: DaemonFile = { kind: "absent", path: FILE };
const REMOTE: DaemonFile = { kind: "remote", endpoint: "tcp://docker.example:2376" };
const BROKEN: DaemonFile = { kind: "unusable", path: FILE, reason: "not valid JSON (Unexpected token)" };
const HARDENED_FILE = file(renderDaemonConfig());
const info = (over: Partial<EngineInfo> = {}): EngineInfo => ({
  ServerVersion: "20.10.24",
  MemTotal: 1,
  NCPU: 1,
  DockerRootDir: "/var/lib/docker",
  SecurityOptions: ["name=seccomp,profile=default"],
  LoggingDriver: "json-file",
  CgroupDriver: "cgroupfs",
  CgroupVersion: "1",
  LiveRestoreEnabled: false,
  PidsLimit: true,
  DefaultAddressPools: [{ Base: "10.200.0.0/16", Size: 24 }],
  Swarm: { NodeID: "n1abcdefabcdef", NodeAddr: "10.0.1.10", LocalNodeState: "active", ControlAvailable: true, Error: "", Nodes: 1, Managers: 1 },
  ...over,
});
const facts = (over: Partial<EngineInfo> = {}, apiVersion = "1.41"): EngineFacts => ({
  info: info(over),
  apiVersion,
  version: apiVersion === "1.41" ? "20.10.24" : "24.0.7",
});
const NO_BRIDGE = { defaultBridge: null };
const expectResult = (r: CheckResult, status: CheckResult["status"], message: string | RegExp) => {
  expect(r.status).toBe(status);
  if (typeof message === "string") expect(r.message).toBe(message);
  else expect(r.message).toMatch(message);
};

describe("recommended daemon.json (infra/render/daemon-json.ts)", () => {
  it("renders exactly the documented keys, each with its CIS controls, and the services' log rotation", () => {
    const config = renderDaemonConfig();
    expect(Object.keys(config)).toEqual(Object.keys(DAEMON_JSON_KEYS));
    for (const k of Object.values(DAEMON_JSON_KEYS)) for (const c of k.cis) expect(CIS_CONTROLS[c]).toBeDefined();
    expect(config).toMatchObject({
      icc: false,
      "userland-proxy": false,
      "no-new-privileges": true,
      "live-restore": false,
      "log-driver": "json-file",
      "log-opts": LOG_OPTS,
      "log-level": "info",
    });
    expect(config["default-ulimits"]).toEqual({ nofile: { Name: "nofile", Soft: 65536, Hard: 65536 }, nproc: { Name: "nproc", Soft: 8192, Hard: 8192 } });
    // Keys Docker 20.10 refuses (seen on this engine, see the engine tests below) are never rendered.
    expect(config).not.toHaveProperty("default-pids-limit");
    expect(config).not.toHaveProperty("seccomp-profile");
    expect(renderDaemonJson()).toBe(JSON.stringify(config, null, 2) + "\n");
  });

  it("refuses input it cannot render, naming the field", () => {
    expect(() => renderDaemonJson({ ...DAEMON_JSON_DEFAULTS, nofile: 0 })).toThrow("nofile 0 must be a positive integer");
    expect(() => renderDaemonJson({ ...DAEMON_JSON_DEFAULTS, addressPools: [{ base: "10.200.0.0/16", size: 8 }] })).toThrow(
      "address pool 10.200.0.0/16 size 8 must be between the base prefix /16 and /30",
    );
    expect(() => renderDaemonJson({ ...DAEMON_JSON_DEFAULTS, logOpts: { "max-size": "10m" } })).toThrow("logOpts must set max-size and max-file (rotation)");
  });

  it("docs/docker-host.md shows the renderer's output and a key table that matches it", () => {
    const doc = readFileSync(join(REPO, "docs/docker-host.md"), "utf8");
    const block = /^## daemon\.json\n[\s\S]*?```json\n([\s\S]*?)```/m.exec(doc)?.[1];
    expect(block).toBe(renderDaemonJson());
    const rows = tableRows(section(doc, /^## daemon\.json/)!).slice(1);
    const documented = rows.flatMap((r) => [...r[0].matchAll(/`([^`]+)`/g)].map((m) => [m[1], r[1]]));
    expect(documented.map(([k]) => k).sort()).toEqual(Object.keys(DAEMON_JSON_KEYS).sort());
    for (const [key, cis] of documented) for (const c of DAEMON_JSON_KEYS[key].cis) expect(cis).toContain(c);
  });

  it("docs/docker-host.md's table gives every host check with its CIS controls and checklist items", () => {
    const doc = readFileSync(join(REPO, "docs/docker-host.md"), "utf8");
    const rows = tableRows(section(doc, /^## What host:check verifies/)!).slice(1);
    const list = (cell: string) => (cell === "—" ? [] : cell.split(/,\s*/));
    expect(rows.map((r) => ({ id: r[0].replace(/`/g, ""), cis: list(r[1]), items: list(r[2]) }))).toEqual(
      HOST_CHECKS.map((c) => ({ id: c.id, cis: [...c.cis], items: [...c.checklistIds] })),
    );
    for (const c of HOST_CHECKS) for (const id of c.cis) expect(CIS_CONTROLS[id]).toBeDefined();
  });

  it("the test engine differs from it only in the keys this machine cannot run, each with its reason", () => {
    const { config, differences } = hardenedDaemonConfig();
    const keys = differences.map((d) => d.key);
    expect(keys).toEqual([...(processHardLimit("Max open files") < DAEMON_JSON_DEFAULTS.nofile ? ["default-ulimits"] : []), "icc", "default-address-pools"]);
    for (const d of differences) expect(d.why.length).toBeGreaterThan(20);
    const recommended = renderDaemonConfig();
    for (const k of Object.keys(recommended).filter((k) => !keys.includes(k))) expect(config[k]).toEqual(recommended[k]);
  });

  it("the test engine never passes a dockerd flag the daemon.json also sets, and never lifts its isolation", () => {
    expect(daemonFlags({})).toEqual([
      "--bridge=none",
      "--iptables=false",
      "--ip-masq=false",
      "--ip-forward=false",
      "--userland-proxy=false",
      "--shutdown-timeout=2",
      "--log-level=warn",
    ]);
    expect(daemonFlags({ "userland-proxy": false, "log-level": "info", bridge: "none" })).toEqual([
      "--iptables=false",
      "--ip-masq=false",
      "--ip-forward=false",
      "--shutdown-timeout=2",
    ]);
    expect(() => daemonFlags({ iptables: true })).toThrow("the test engine keeps iptables=false (no networking off the machine); daemonConfig asks for true");
  });
});

describe("daemon decisions (pure)", () => {
  it("daemon.json itself: present, a JSON object, root-owned, not writable by others (CIS 3.17, 3.18)", () => {
    expectResult(evaluateDaemonFile(HARDENED_FILE), "pass", `${FILE}: a JSON object of 9 settings, owner root, mode 0644`);
    expectResult(
      evaluateDaemonFile(ABSENT),
      "fail",
      `${FILE} does not exist: dockerd runs on its built-in defaults (no no-new-privileges, no default ulimits, no log rotation)`,
    );
    expectResult(
      evaluateDaemonFile(file({}, { uid: 1000, mode: 0o666 })),
      "fail",
      `${FILE} owner: expected root (uid 0), actual uid 1000; ${FILE} mode: expected 0644 or stricter, actual 0666`,
    );
    expectResult(evaluateDaemonFile(BROKEN), "fail", `daemon.json at ${FILE} not valid JSON (Unexpected token)`);
    expectResult(evaluateDaemonFile(REMOTE), "skip", /^engine at tcp:\/\/docker\.example:2376 is remote: its daemon\.json cannot be read from here/);
    expect(parseDaemonFile(FILE, "  \n", { uid: 0, mode: 0o644 })).toMatchObject({ kind: "file", config: {} });
    expect(parseDaemonFile(FILE, "[1]", { uid: 0, mode: 0o644 })).toMatchObject({ kind: "unusable", reason: "not a JSON object (an array)" });
    expect(parseDaemonFile(FILE, "{,}", { uid: 0, mode: 0o644 })).toMatchObject({ kind: "unusable", reason: expect.stringMatching(/^not valid JSON/) });
  });

  it("no-new-privileges: from the file on 20.10, from the engine too on Docker 24+ (API 1.43)", () => {
    expect([engineReportsNoNewPrivileges("1.41"), engineReportsNoNewPrivileges("1.43"), engineReportsNoNewPrivileges("1.47")]).toEqual([false, true, true]);
    expectResult(evaluateNoNewPrivileges(HARDENED_FILE, facts()), "pass", `no-new-privileges is true in ${FILE}: every container starts with no_new_privs`);
    expectResult(evaluateNoNewPrivileges(file({ "no-new-privileges": false }), facts()), "fail", `${FILE} no-new-privileges: expected true, actual false`);
    expectResult(
      evaluateNoNewPrivileges(ABSENT, facts()),
      "fail",
      `${FILE} no-new-privileges: expected true, actual unset (${FILE} does not exist; Docker's default: false)`,
    );
    expectResult(evaluateNoNewPrivileges(BROKEN, facts()), "fail", /not valid JSON/);
    expectResult(evaluateNoNewPrivileges(REMOTE, facts()), "skip", /^engine at tcp:\/\/docker\.example:2376 is remote/);
    expectResult(
      evaluateNoNewPrivileges(REMOTE, facts({ SecurityOptions: ["name=seccomp,profile=builtin", "name=no-new-privileges"] }, "1.43")),
      "pass",
      /^engine reports name=no-new-privileges/,
    );
    expectResult(
      evaluateNoNewPrivileges(REMOTE, facts({ SecurityOptions: ["name=seccomp,profile=builtin"] }, "1.43")),
      "fail",
      'engine SecurityOptions: expected to include name=no-new-privileges, actual ["name=seccomp,profile=builtin"]',
    );
  });

  it("seccomp: the engine applies a profile, not unconfined, and the one the file names", () => {
    expectResult(
      evaluateSeccomp(HARDENED_FILE, facts()),
      "pass",
      `engine filters every container with the default seccomp profile (${FILE} sets no seccomp-profile)`,
    );
    expectResult(
      evaluateSeccomp(HARDENED_FILE, facts({ SecurityOptions: [] })),
      "fail",
      "engine SecurityOptions: expected to include name=seccomp (containers filtered by a seccomp profile), actual []",
    );
    expectResult(
      evaluateSeccomp(file({ "seccomp-profile": "unconfined" }), facts({ SecurityOptions: ["name=seccomp,profile=unconfined"] })),
      "fail",
      `engine SecurityOptions seccomp profile: expected default (or a reviewed profile file), actual unconfined; ${FILE} seccomp-profile: expected unset (Docker's default profile) or a profile file, actual "unconfined"`,
    );
    expectResult(
      evaluateSeccomp(file({ "seccomp-profile": "/etc/docker/seccomp.json" }), facts()),
      "fail",
      `engine SecurityOptions seccomp profile: expected /etc/docker/seccomp.json (from ${FILE}), actual default: dockerd has not loaded this file`,
    );
    expectResult(evaluateSeccomp(REMOTE, facts()), "pass", /^engine filters every container with the default seccomp profile; engine at tcp:/);
  });

  it("AppArmor/SELinux: used where the host has one, skipped where it has none", () => {
    expectResult(
      evaluateAppArmor(facts({ SecurityOptions: ["name=apparmor", "name=seccomp,profile=default"] }), true),
      "pass",
      /^engine confines containers with apparmor/,
    );
    expectResult(evaluateAppArmor(facts(), true), "fail", "the host kernel has AppArmor enabled, but the engine does not use it: containers run unconfined");
    expectResult(evaluateAppArmor(facts(), false), "skip", /^no AppArmor or SELinux on this engine's host/);
  });

  it("ulimits: nofile and nproc, Soft <= Hard; skipped for a remote engine", () => {
    expectResult(evaluateUlimits(HARDENED_FILE), "pass", "default-ulimits nofile 65536:65536, nproc 8192:8192 for every container");
    expectResult(
      evaluateUlimits(file({ "default-ulimits": { nofile: { Name: "nofile", Soft: 2048, Hard: 1024 } } })),
      "fail",
      `${FILE} default-ulimits.nofile: expected Soft > 0 and Hard >= Soft (integers), actual {"Name":"nofile","Soft":2048,"Hard":1024}; ${FILE} default-ulimits.nproc: expected {"Name": "nproc", "Soft": N, "Hard": N}, actual unset`,
    );
    expectResult(evaluateUlimits(REMOTE), "skip", /^engine at tcp:\/\/docker\.example:2376 is remote/);
  });

  it("pids limit: default-pids-limit fails (dockerd refuses it), otherwise not enforceable on any engine", () => {
    expectResult(
      evaluatePidsLimit(file({ "default-pids-limit": 100 }), facts()),
      "fail",
      `${FILE} default-pids-limit: expected absent (Docker 20.10.24 has no such option and refuses to start: "the following directives don't match any configuration option"), actual 100`,
    );
    for (const f of [HARDENED_FILE, REMOTE])
      expectResult(evaluatePidsLimit(f, facts()), "skip", /^not enforceable on Docker 20\.10\.24: no Docker Engine has a daemon-wide pids limit/);
    expectResult(evaluatePidsLimit(HARDENED_FILE, facts({}, "1.43")), "skip", /^not enforceable on Docker 24\.0\.7/);
  });

  it("logging: json-file in the engine, rotation and log level in the file", () => {
    expectResult(evaluateLogging(HARDENED_FILE, facts()), "pass", "every container logs to json-file, rotated at 10m x 5 (compressed); daemon log-level info");
    expectResult(evaluateLogging(HARDENED_FILE, facts({ LoggingDriver: "journald" })), "fail", 'engine LoggingDriver: expected json-file, actual "journald"');
    expectResult(
      evaluateLogging(file({ "log-opts": { "max-size": "10m" }, "log-level": "debug" }), facts()),
      "fail",
      `${FILE} log-opts.max-file: expected a count like "5", actual unset (Docker's default: no rotation, one log file per container grows without bound); ${FILE} log-level: expected "info" (or unset), actual "debug"`,
    );
    expectResult(evaluateLogging(REMOTE, facts()), "skip", /^engine logs with json-file, but its rotation options are only in daemon\.json/);
  });

  it("network: icc from the default bridge (or none), iptables, userland-proxy, address pools loaded", () => {
    const bridge = (icc: string) => ({ defaultBridge: { Options: { "com.docker.network.bridge.enable_icc": icc } } });
    expectResult(
      evaluateNetwork(HARDENED_FILE, facts(), bridge("false")),
      "pass",
      /^containers on the default bridge cannot reach each other \(icc false\); userland-proxy false/,
    );
    expectResult(evaluateNetwork(HARDENED_FILE, facts(), NO_BRIDGE), "pass", /^the engine has no default bridge network \(bridge: none\)/);
    expectResult(
      evaluateNetwork(HARDENED_FILE, facts(), bridge("true")),
      "fail",
      'engine default bridge network option com.docker.network.bridge.enable_icc: expected "false", actual "true"',
    );
    expectResult(
      evaluateNetwork(file({ ...renderDaemonConfig(), icc: true, iptables: false, "userland-proxy": true }), facts(), NO_BRIDGE),
      "fail",
      `${FILE} icc: expected false, actual true; ${FILE} iptables: expected true or unset (CIS 2.4: Docker manages its own rules; icc false needs them), actual false; ${FILE} userland-proxy: expected false, actual true`,
    );
    expectResult(
      evaluateNetwork(HARDENED_FILE, facts({ DefaultAddressPools: [{ Base: "198.19.0.0/16", Size: 24 }] }), NO_BRIDGE),
      "fail",
      `engine DefaultAddressPools: expected [{"base":"10.200.0.0/16","size":24}] (from ${FILE}), actual [{"base":"198.19.0.0/16","size":24}]: dockerd has not loaded this file`,
    );
    expectResult(evaluateNetwork(REMOTE, facts(), bridge("true")), "fail", /enable_icc: expected "false", actual "true"/);
  });

  it("live restore: off in the file and in the engine, as swarm mode needs", () => {
    expectResult(evaluateLiveRestore(HARDENED_FILE, facts()), "pass", /^live restore off, as swarm mode needs: CIS 2\.15 deliberately not applied/);
    expectResult(
      evaluateLiveRestore(file({ "live-restore": true }), facts({ LiveRestoreEnabled: true })),
      "fail",
      `engine LiveRestoreEnabled: expected false (incompatible with swarm mode), actual true; ${FILE} live-restore: expected false (incompatible with swarm mode), actual true`,
    );
    expectResult(
      evaluateLiveRestore(file({ "live-restore": true }), facts()),
      "fail",
      `${FILE} live-restore: expected false (incompatible with swarm mode), actual true`,
    );
    expect(evaluateLiveRestore(file({ "live-restore": true }), facts()).remediation).toContain(
      'a swarm node restarted with it does not start ("Error starting cluster component")',
    );
    expectResult(evaluateLiveRestore(REMOTE, facts()), "pass", /^engine has live restore off/);
  });

  it("cgroup: no cgroup-parent, the driver the file names is the engine's", () => {
    expectResult(evaluateCgroup(HARDENED_FILE, facts()), "pass", "containers under Docker's own cgroup (no cgroup-parent); cgroup driver cgroupfs, cgroup v1");
    expectResult(
      evaluateCgroup(file({ "cgroup-parent": "/mcp", "exec-opts": ["native.cgroupdriver=systemd"] }), facts()),
      "fail",
      `${FILE} cgroup-parent: expected unset (containers under Docker's own cgroup), actual "/mcp"; engine CgroupDriver: expected systemd (from ${FILE}), actual cgroupfs: dockerd has not loaded this file`,
    );
  });
});

describe("swarm decisions (pure)", () => {
  const node = (id: string, over: Partial<SwarmNode["Spec"]> = {}, manager?: string, state = "ready"): SwarmNode => ({
    ID: `${id}0123456789abcdef`,
    Description: { Hostname: id },
    Spec: { Role: manager ? "manager" : "worker", Availability: "active", Labels: {}, ...over },
    Status: { State: state, Addr: "10.0.1.10" },
    ManagerStatus: manager ? { Reachability: manager, Addr: "10.0.1.10:2377" } : undefined,
  });

  it("swarm active with this node a manager; inactive, locked and worker fail", () => {
    expectResult(evaluateSwarmActive(info()), "pass", "swarm active; this node n1abcdefabcd (10.0.1.10) is a manager; 1 node(s), 1 manager(s)");
    expectResult(
      evaluateSwarmActive(info({ Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "" } })),
      "fail",
      "Swarm.LocalNodeState: expected active, actual inactive: the stack deploys as swarm services",
    );
    expectResult(
      evaluateSwarmActive(info({ Swarm: { NodeID: "", NodeAddr: "", LocalNodeState: "locked", ControlAvailable: false, Error: "" } })),
      "fail",
      /^Swarm\.LocalNodeState: expected active, actual locked/,
    );
    expectResult(
      evaluateSwarmActive(info({ Swarm: { NodeID: "w1abcdefabcdef", NodeAddr: "10.0.1.21", LocalNodeState: "active", ControlAvailable: false, Error: "" } })),
      "fail",
      /^Swarm\.ControlAvailable: expected true .*actual false: this node w1abcdefabcd is a worker$/,
    );
  });

  it("managers: an odd number, at most 7, all reachable (CIS 7.1)", () => {
    expectResult(
      evaluateManagers([node("m1", {}, "reachable"), node("w1")]),
      "pass",
      "1 manager(s), all reachable: m1 (m10123456789) (tolerates 0 manager failure(s))",
    );
    expectResult(
      evaluateManagers(["a", "b", "c"].map((n) => node(n, {}, "reachable"))),
      "pass",
      /^3 manager\(s\), all reachable: .*\(tolerates 1 manager failure\(s\)\)$/,
    );
    expectResult(
      evaluateManagers([node("m1", {}, "reachable"), node("m2", {}, "reachable")]),
      "fail",
      /^manager count: expected an odd number \(1, 3, 5 or 7.*actual 2 \(m1 \(m10123456789\), m2 \(m20123456789\)\)$/,
    );
    expectResult(
      evaluateManagers(["a", "b", "c"].map((n, i) => node(n, {}, i === 2 ? "unreachable" : "reachable"))),
      "fail",
      "manager reachability: expected every manager reachable, actual c (c0123456789a) unreachable",
    );
    expectResult(
      evaluateManagers(Array.from({ length: 9 }, (_, i) => node(`m${i}`, {}, "reachable"))),
      "fail",
      /^manager count: expected at most 7 .*actual 9$/,
    );
  });

  it("autolock and node certificate expiry (CIS 7.5, 7.7)", () => {
    expectResult(evaluateAutolock({ Spec: { EncryptionConfig: { AutoLockManagers: true } } }), "pass", /^autolock on/);
    expectResult(
      evaluateAutolock({ Spec: { EncryptionConfig: { AutoLockManagers: false } } }),
      "fail",
      /^swarm Spec\.EncryptionConfig\.AutoLockManagers: expected true \(autolock on\), actual false/,
    );
    expectResult(
      evaluateCertExpiry({ Spec: { CAConfig: { NodeCertExpiry: 90 * 86_400e9 } } }),
      "pass",
      "node certificates expire after 90 days and are renewed by the swarm before then",
    );
    expectResult(
      evaluateCertExpiry({ Spec: { CAConfig: { NodeCertExpiry: 365 * 86_400e9 } } }),
      "fail",
      "swarm Spec.CAConfig.NodeCertExpiry: expected at most 90 days, actual 365 days",
    );
  });

  it("the stateful label: on exactly one ready, active node", () => {
    const label = { Labels: { "com.mcp.stateful": "true" } };
    expectResult(
      evaluateStatefulLabel([node("m1", label, "reachable"), node("w1")]),
      "pass",
      "com.mcp.stateful=true on m1 (m10123456789) (ready, active): the stateful services have exactly one place to run",
    );
    expectResult(
      evaluateStatefulLabel([node("m1", {}, "reachable")]),
      "fail",
      "node label com.mcp.stateful=true: expected on exactly one node, actual on none (m1 (m10123456789) labels {}): the stateful services' tasks would stay pending",
    );
    expectResult(
      evaluateStatefulLabel([node("m1", label, "reachable"), node("w1", label)]),
      "fail",
      /^node label com\.mcp\.stateful=true: expected on exactly one node, actual on 2 \(m1 .*, w1 .*\): a rescheduled stateful task could start on a node without its data$/,
    );
    expectResult(
      evaluateStatefulLabel([node("w1", label, undefined, "down")]),
      "fail",
      "node w1 (w10123456789) with com.mcp.stateful=true: expected ready and active, actual down / active",
    );
    expectResult(evaluateStatefulLabel([node("w1", { Labels: { "com.mcp.stateful": "yes" } })]), "fail", /actual on none/);
  });

  it("listeners from /proc/net/tcp and tcp6: addresses decoded, wildcards recognised (CIS 7.2)", () => {
    const header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
    const v4 =
      header +
      "   0: 0100007F:0951 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n" +
      "   1: 00000000:0951 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1\n" +
      "   2: 0A01000A:0016 0B01000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1\n";
    const v6 =
      header +
      "   0: 00000000000000000000000000000000:0951 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1\n" +
      "   1: 00000000000000000000000001000000:0951 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1\n" +
      "   2: 0000000000000000FFFF00000100000A:0951 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1\n" +
      "   3: 0000000000000000FFFF000000000000:0951 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1\n";
    expect(parseProcNetTcp(v4)).toEqual([
      { address: "127.0.0.1", port: 2385, wildcard: false },
      { address: "0.0.0.0", port: 2385, wildcard: true },
    ]);
    expect(parseProcNetTcp(v6)).toEqual([
      { address: "::", port: 2385, wildcard: true },
      { address: "::1", port: 2385, wildcard: false },
      { address: "::ffff:10.0.0.1", port: 2385, wildcard: false },
      { address: "::ffff:0.0.0.0", port: 2385, wildcard: true },
    ]);
    expect([managerPort("10.0.1.10:2377"), managerPort("[fd00::5]:4000"), managerPort(undefined)]).toEqual([2377, 4000, 2377]);
    expectResult(evaluateListenAddress([{ address: "10.0.1.10", port: 2377, wildcard: false }], 2377), "pass", "swarm manager listens on 10.0.1.10:2377 only");
    expectResult(
      evaluateListenAddress(parseProcNetTcp(v6).slice(0, 2), 2385),
      "fail",
      /^swarm listen address: expected a specific host address, actual \[::\]:2385 \(every interface/,
    );
    expectResult(
      evaluateListenAddress(parseProcNetTcp(v4), 2385),
      "fail",
      /^swarm listen address: expected a specific host address, actual 0\.0\.0\.0:2385 \(every interface/,
    );
    expectResult(
      evaluateListenAddress(parseProcNetTcp(v4), 2377),
      "fail",
      "swarm listener: expected a socket listening on port 2377 (the manager's advertised port), actual none in this host's socket tables",
    );
  });
});

// ── real engines ──

/** stdout of a finished container, de-multiplexed (8-byte frame headers). */
function demux(buf: Buffer): string {
  let out = "";
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return out;
}

/** What a process in a fresh container (no SecurityOpt, no ulimits of its own) gets from the daemon. */
async function containerView(docker: Docker): Promise<string> {
  const c = await docker.createContainer({
    Image: TEST_IMAGE,
    Cmd: ["sh", "-c", "grep NoNewPrivs /proc/1/status; echo nofile $(ulimit -n) nproc $(ulimit -u)"],
    User: "1000:1000",
    HostConfig: { NetworkMode: "none" },
  });
  try {
    await c.start();
    await c.wait();
    return demux((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer);
  } finally {
    await c.remove({ force: true });
  }
}

async function swarmUpdate(docker: Docker, change: (spec: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  // Bounded retry: the swarm object may move on between inspect and update ("update out of sequence").
  for (let attempt = 1; ; attempt++) {
    const s = (await docker.swarmInspect()) as { Version: { Index: number }; Spec: Record<string, unknown> };
    try {
      await docker.swarmUpdate({ _query: { version: s.Version.Index }, _body: change(s.Spec) } as never);
      return;
    } catch (err) {
      if (attempt >= 20 || !/out of sequence/.test(String((err as Error).message))) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Polls (at most `tries` x 200 ms) until `ok` holds for the engine's /info. */
async function waitForInfo(docker: Docker, ok: (i: EngineInfo) => boolean, tries = 50): Promise<EngineInfo> {
  let last: EngineInfo | undefined;
  for (let i = 0; i < tries; i++) {
    last = (await docker.info()) as EngineInfo;
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`engine /info never reached the expected state; last: ${JSON.stringify({ LiveRestoreEnabled: last?.LiveRestoreEnabled })}`);
}

describe("daemon and swarm checks against real engines", () => {
  let hardened: HardenedEngine;
  let plain: DockerEngine;
  /** Every record and progress line of this suite, to prove the unlock key never leaves the engine. */
  const everything: string[] = [];

  const target = (e: DockerEngine, daemonJsonPath: string, extra: Partial<HostTarget> = {}): HostTarget => ({
    docker: e.docker,
    endpoint: e.host,
    local: true,
    thresholds: { minMemoryGb: 0.5, minDiskGb: 0.5, minDockerVersion: "20.10", registries: [] },
    ports: [],
    daemonJsonPath,
    ...extra,
  });
  const run = async (checks: typeof NEW_CHECKS, t: HostTarget) => {
    const records = await runChecks(checks, t, { progress: (l) => everything.push(l) });
    everything.push(JSON.stringify(records));
    return byId(records);
  };
  const one = async (id: string, t: HostTarget) =>
    (
      await run(
        NEW_CHECKS.filter((c) => c.id === id),
        t,
      )
    )[id];

  beforeAll(async () => {
    const started = Date.now();
    [hardened, plain] = await Promise.all([startHardenedEngine(), startDockerEngine()]);
    await Promise.all([hardened.importBusybox(), plain.importBusybox()]);
    everything.push(`engines up in ${Date.now() - started} ms`);
  });

  afterAll(async () => {
    await Promise.all([hardened?.stop(), plain?.stop()]);
  });

  it("every new check passes on the hardened swarm manager, or skips saying why nothing can be enforced", async () => {
    const r = await run(NEW_CHECKS, target(hardened, hardened.daemonJsonPath));
    expect(Object.values(r).map((x) => [x.id, x.status])).toEqual(NEW_CHECKS.map((c) => [c.id, c.id in SKIPPED_ON_HARDENED ? "skip" : "pass"]));
    expect(r["host.daemon-no-new-privileges"].message).toBe(
      `no-new-privileges is true in ${hardened.daemonJsonPath}: every container starts with no_new_privs`,
    );
    expect(r["host.daemon-ulimits"].message).toBe(
      `default-ulimits nofile ${Math.min(DAEMON_JSON_DEFAULTS.nofile, processHardLimit("Max open files"))}:${Math.min(DAEMON_JSON_DEFAULTS.nofile, processHardLimit("Max open files"))}, nproc 8192:8192 for every container`,
    );
    expect(r["host.daemon-network"].message).toMatch(/^the engine has no default bridge network \(bridge: none\)/);
    expect(r["host.swarm-listen-address"].message).toBe(`swarm manager listens on ${hardened.swarm!.listenAddr} only`);
    expect(r["host.swarm-stateful-label"].message).toMatch(/^com\.mcp\.stateful=true on \S+ \(\w{12}\) \(ready, active\)/);
    expect(r["host.daemon-pids-limit"].message).toMatch(/^not enforceable on Docker 20\.10\.\d+\S*: no Docker Engine has a daemon-wide pids limit/);
  });

  it("a container gets NoNewPrivs 1 and the default ulimits from the hardened daemon, NoNewPrivs 0 from Docker's defaults", async () => {
    const nofile = Math.min(DAEMON_JSON_DEFAULTS.nofile, processHardLimit("Max open files"));
    expect(await containerView(hardened.docker)).toBe(`NoNewPrivs:\t1\nnofile ${nofile} nproc 8192\n`);
    expect(await containerView(plain.docker)).toMatch(/^NoNewPrivs:\t0\n/);
  });

  it("a swarm service's task gets no-new-privileges from the daemon, which the service spec cannot ask for", async () => {
    const svc = await hardened.docker.createService({
      Name: "nnp-probe",
      TaskTemplate: {
        ContainerSpec: { Image: TEST_IMAGE, Command: ["sh", "-c", "grep NoNewPrivs /proc/1/status; sleep 600"], User: "1000:1000" },
        RestartPolicy: { Condition: "none" },
      },
    } as never);
    try {
      let logs = "";
      // Bounded: the task starts and prints within a few seconds.
      for (let i = 0; i < 100 && !logs.includes("NoNewPrivs"); i++) {
        const [c] = await hardened.docker.listContainers({ filters: { label: ["com.docker.swarm.service.name=nnp-probe"] } });
        if (c) logs = demux((await hardened.docker.getContainer(c.Id).logs({ stdout: true, stderr: true })) as unknown as Buffer);
        if (!logs.includes("NoNewPrivs")) await new Promise((r) => setTimeout(r, 200));
      }
      expect(logs).toBe("NoNewPrivs:\t1\n");
    } finally {
      await hardened.docker.getService(svc.id).remove();
    }
  });

  it("an engine without swarm mode and without daemon hardening fails, naming setting, expected and actual", async () => {
    const path = `${plain.dir}/daemon.json`;
    const r = await run(NEW_CHECKS, target(plain, path));
    expect(r["host.swarm-active"]).toMatchObject({
      status: "fail",
      message: "Swarm.LocalNodeState: expected active, actual inactive: the stack deploys as swarm services",
      expected: "Swarm.LocalNodeState active, ControlAvailable true (this node a manager)",
      actual: "inactive",
    });
    expect(r["host.swarm-active"].remediation).toContain("docker swarm init --listen-addr <host-ip>:2377 --advertise-addr <host-ip>:2377 --autolock");
    for (const id of ["host.swarm-managers", "host.swarm-autolock", "host.swarm-listen-address", "host.swarm-cert-expiry", "host.swarm-stateful-label"]) {
      expect([id, r[id].status, r[id].message]).toEqual([
        id,
        "skip",
        "needs an active swarm manager, and this engine is in swarm state inactive (see host.swarm-active)",
      ]);
    }
    expect(r["host.daemon-no-new-privileges"]).toMatchObject({
      status: "fail",
      message: `${path} no-new-privileges: expected true, actual unset (Docker's default: false)`,
      expected: "no-new-privileges true",
      actual: "no-new-privileges unset (Docker's default: false)",
    });
    expect(r["host.daemon-ulimits"].message).toBe(
      `${path} default-ulimits.nofile: expected {"Name": "nofile", "Soft": N, "Hard": N}, actual unset (Docker's default: containers inherit dockerd's own limits); ${path} default-ulimits.nproc: expected {"Name": "nproc", "Soft": N, "Hard": N}, actual unset (Docker's default: containers inherit dockerd's own limits)`,
    );
    expect(r["host.daemon-logging"].message).toBe(
      `${path} log-opts.max-size: expected a size like "10m", actual unset (Docker's default: no rotation, one log file per container grows without bound); ${path} log-opts.max-file: expected a count like "5", actual unset (Docker's default: no rotation, one log file per container grows without bound)`,
    );
    expect(r["host.daemon-network"].message).toBe(`${path} userland-proxy: expected false, actual unset (Docker's default: true)`);
    // Docker's defaults that are already right stay passing.
    expect(["host.daemon-json", "host.daemon-seccomp", "host.daemon-live-restore", "host.daemon-cgroup"].map((id) => r[id].status)).toEqual([
      "pass",
      "pass",
      "pass",
      "pass",
    ]);
  });

  it("the pre-deploy gate stops a deploy on that engine, naming the new checks", async () => {
    const [httpPort, httpsPort] = await freePorts(2);
    const config = {
      edge: { bindAddress: "127.0.0.1", httpPort, httpsPort, hstsMaxAgeSeconds: 0 },
      host: { minMemoryGb: 0.5, minDiskGb: 0.5, minDockerVersion: "20.10", registries: [] },
    };
    const hook = hostReadinessHookFunction(config, {
      dockerHost: plain.host,
      daemonJsonPath: `${plain.dir}/daemon.json`,
      stack: "mcpt",
      log: (l) => everything.push(l),
    });
    const err = await Promise.resolve(
      hook({ urn: "urn:pulumi:mcpt::mcp::docker:index/network:Network::x", id: "", name: "x", type: "docker:index/network:Network" } as never),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostNotReadyError);
    const failed = (err as HostNotReadyError).records.filter((x) => x.status === "fail").map((x) => x.id);
    expect(failed).toEqual(["host.daemon-no-new-privileges", "host.daemon-ulimits", "host.daemon-logging", "host.daemon-network", "host.swarm-active"]);
    expect((err as Error).message).toContain(`- host.swarm-active: Swarm.LocalNodeState: expected active, actual inactive`);
  });

  it("Docker 20.10 refuses daemon.json keys the checks warn about: default-pids-limit, and live-restore with swarm init", async () => {
    await expect(startDockerEngine({ daemonConfig: { "default-pids-limit": 100 }, startTimeoutMs: 20_000 })).rejects.toThrow(
      "the following directives don't match any configuration option: default-pids-limit",
    );
    await expect(startDockerEngine({ daemonConfig: { "live-restore": true }, swarm: true, startTimeoutMs: 20_000 })).rejects.toThrow(
      "--live-restore daemon configuration is incompatible with swarm mode",
    );
    // ...and the check names the key in a file that carries it.
    const dir = mkdtempSync(join(tmpdir(), "mcp-daemon-json-"));
    try {
      writeFileSync(join(dir, "daemon.json"), JSON.stringify({ ...hardened.daemonConfig, "default-pids-limit": 100 }));
      const r = await one("host.daemon-pids-limit", target(hardened, join(dir, "daemon.json")));
      expect(r).toMatchObject({
        status: "fail",
        message: expect.stringMatching(
          /daemon\.json default-pids-limit: expected absent \(Docker 20\.10\.\d+\S* has no such option and refuses to start: .*\), actual 100$/,
        ),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("autolock switched off on the swarm fails host.swarm-autolock; switched on again it passes", async () => {
    const t = target(hardened, hardened.daemonJsonPath);
    await swarmUpdate(hardened.docker, (spec) => ({ ...spec, EncryptionConfig: { AutoLockManagers: false } }));
    try {
      const r = await one("host.swarm-autolock", t);
      expect(r).toMatchObject({ status: "fail", expected: "AutoLockManagers true", actual: "false" });
      expect(r.message).toBe(
        "swarm Spec.EncryptionConfig.AutoLockManagers: expected true (autolock on), actual false: the key that decrypts the raft log, and so every Docker secret, sits on the manager's disk",
      );
    } finally {
      await swarmUpdate(hardened.docker, (spec) => ({ ...spec, EncryptionConfig: { AutoLockManagers: true } }));
    }
    expect((await one("host.swarm-autolock", t)).status).toBe("pass");
  });

  it("without the stateful label on any node host.swarm-stateful-label fails; labelled again it passes", async () => {
    const t = target(hardened, hardened.daemonJsonPath);
    await updateNodeLabels(hardened.docker, hardened.swarm!.nodeId, { "com.mcp.stateful": undefined });
    try {
      const r = await one("host.swarm-stateful-label", t);
      expect(r.status).toBe("fail");
      expect(r.message).toMatch(
        /^node label com\.mcp\.stateful=true: expected on exactly one node, actual on none \(\S+ \(\w{12}\) labels \{\}\): the stateful services' tasks would stay pending$/,
      );
      expect(r.remediation).toBe(
        "docker node update --label-add com.mcp.stateful=true <node> on the one node that keeps the stateful services' volumes (docs/docker-host.md)",
      );
    } finally {
      await updateNodeLabels(hardened.docker, hardened.swarm!.nodeId, { "com.mcp.stateful": "true" });
    }
    expect((await one("host.swarm-stateful-label", t)).status).toBe("pass");
  });

  it("live-restore reloaded on into the running swarm engine fails in file and engine; reloaded off it passes", async () => {
    const t = target(hardened, hardened.daemonJsonPath);
    const original = readFileSync(hardened.daemonJsonPath, "utf8");
    // dockerd accepts live-restore on a reload (SIGHUP) even in swarm mode; the next restart would fail.
    writeFileSync(hardened.daemonJsonPath, JSON.stringify({ ...hardened.daemonConfig, "live-restore": true }, null, 2));
    process.kill(hardened.pid, "SIGHUP");
    try {
      await waitForInfo(hardened.docker, (i) => i.LiveRestoreEnabled === true);
      const r = await one("host.daemon-live-restore", t);
      expect(r.status).toBe("fail");
      expect(r.message).toBe(
        `engine LiveRestoreEnabled: expected false (incompatible with swarm mode), actual true; ${hardened.daemonJsonPath} live-restore: expected false (incompatible with swarm mode), actual true`,
      );
    } finally {
      writeFileSync(hardened.daemonJsonPath, original);
      process.kill(hardened.pid, "SIGHUP");
      await waitForInfo(hardened.docker, (i) => i.LiveRestoreEnabled === false);
    }
    expect((await one("host.daemon-live-restore", t)).status).toBe("pass");
  });

  it("a wildcard listener on the manager's real port fails host.swarm-listen-address (socket table from a fixture)", async () => {
    // Binding the manager to 0.0.0.0 would open it on every interface of this machine: instead the
    // check reads a socket table that lists the engine's real manager port on 0.0.0.0.
    const port = Number(hardened.swarm!.listenAddr.split(":")[1]);
    const dir = mkdtempSync(join(tmpdir(), "mcp-proc-net-"));
    try {
      const hex = port.toString(16).toUpperCase().padStart(4, "0");
      writeFileSync(
        join(dir, "tcp"),
        `  sl  local_address rem_address   st\n   0: 00000000:${hex} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n`,
      );
      const r = await one("host.swarm-listen-address", target(hardened, hardened.daemonJsonPath, { hostPaths: { procNet: dir } }));
      expect(r.status).toBe("fail");
      expect(r.message).toBe(
        `swarm listen address: expected a specific host address, actual 0.0.0.0:${port} (every interface, so the manager API is reachable from every network the host is on)`,
      );
      expect(r.remediation).toContain(`docker swarm init --listen-addr <host-ip>:${port} --advertise-addr <host-ip>:${port}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("for a remote engine the file- and socket-based checks skip with the reason; engine facts still count", async () => {
    const endpoint = "tcp://docker.example:2376";
    const r = await run(NEW_CHECKS, target(hardened, hardened.daemonJsonPath, { local: false, endpoint }));
    const remote = `engine at ${endpoint} is remote: its daemon.json cannot be read from here, run host:check on the Docker host (--daemon-json PATH)`;
    expect(r["host.daemon-json"]).toMatchObject({ status: "skip", message: remote });
    expect(r["host.daemon-no-new-privileges"]).toMatchObject({ status: "skip", message: remote });
    expect(r["host.daemon-ulimits"]).toMatchObject({ status: "skip", message: remote });
    expect(r["host.daemon-logging"]).toMatchObject({
      status: "skip",
      message: `engine logs with json-file, but its rotation options are only in daemon.json (the Engine API does not report log-opts); ${remote}`,
    });
    expect(r["host.daemon-network"].status).toBe("skip");
    expect(r["host.daemon-cgroup"].status).toBe("skip");
    expect(r["host.swarm-listen-address"]).toMatchObject({
      status: "skip",
      message: `engine at ${endpoint} is remote: its host's listening sockets cannot be read from here; run host:check on the manager host`,
    });
    // What the Engine API itself reports is decided as for a local engine.
    expect(r["host.daemon-seccomp"]).toMatchObject({ status: "pass", message: `engine filters every container with the default seccomp profile; ${remote}` });
    expect(r["host.daemon-live-restore"].status).toBe("pass");
    for (const id of ["host.swarm-active", "host.swarm-managers", "host.swarm-autolock", "host.swarm-cert-expiry", "host.swarm-stateful-label"])
      expect([id, r[id].status]).toEqual([id, "pass"]);
  });

  it("npm run host:check prints the new checks for the hardened engine (exit 0) and never the unlock key", async () => {
    const [http, https] = await freePorts(2);
    const args = [
      "--stack",
      "dev",
      "--min-memory-gb",
      "0.5",
      "--min-disk-gb",
      "0.5",
      "--no-registries",
      "--bind-address",
      "127.0.0.1",
      "--http-port",
      String(http),
      "--https-port",
      String(https),
      "--daemon-json",
      hardened.daemonJsonPath,
    ];
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise, reject) => {
      const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", join(REPO, "scripts/host-check.ts"), ...args], {
        cwd: REPO,
        env: { ...process.env, DOCKER_HOST: hardened.host },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolvePromise({ code, stdout, stderr });
      });
    });
    everything.push(r.stdout, r.stderr);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`daemon.json ${hardened.daemonJsonPath}`);
    for (const c of NEW_CHECKS)
      expect(r.stdout).toMatch(new RegExp(`^${c.id in SKIPPED_ON_HARDENED ? "SKIP" : "PASS"} {2}${c.id.replace(/\./g, "\\.")} `, "m"));
    expect(r.stdout).toMatch(/^PASS {2}host\.swarm-autolock +autolock on: the raft log/m);
    expect(r.stdout).toMatch(new RegExp(`^ +proves: +SEC-CONTAINER-04 `, "m"));
  });

  it("no record, progress line or report of this suite contains the swarm's unlock key", () => {
    const key = hardened.swarm!.unlockKey;
    expect(key).toMatch(/^SWMKEY-1-/);
    expect(everything.length).toBeGreaterThan(10);
    for (const text of everything) expect(text).not.toContain(key);
    // Neither the key without its prefix.
    for (const text of everything) expect(text).not.toContain(key.slice("SWMKEY-1-".length));
  });
});
