/**
 * Swarm facts, verified before a deploy (CIS Docker Benchmark v1.6.0 section 7): swarm mode
 * active with this node a manager, an odd number of reachable managers, autolock on (so the
 * raft log holding the stack's Docker secrets is encrypted with a key that is not on disk), the
 * manager's listener bound to one address (not a wildcard), node certificates that expire, and
 * exactly one node carrying the label the stateful services are pinned to.
 *
 * Facts come from the Engine API (`/info` Swarm, `/swarm`, `/nodes`) and, for the listener, from
 * the kernel's socket tables of the Docker host (/proc/net/tcp, /proc/net/tcp6). The unlock key
 * is a secret: no check asks the engine for it (autolock is read from the swarm spec).
 *
 * The decisions are pure functions of those facts, exported for unit tests.
 */
import { readFile } from "node:fs/promises";
import { fail, pass, skip, type CheckResult } from "../core/types";
import { describeError, engineGet, engineInfo, engineMessage, type EngineInfo } from "../docker/engine-api";
import type { CisCheck } from "./cis";
import { DEFAULT_HOST_PATHS, type HostTarget } from "./target";
import { STATEFUL_NODE_LABEL, STATEFUL_NODE_LABEL_VALUE } from "../../infra/components/common";

/** The node label the stateful services (PostgreSQL, Redis, Prometheus, backups) are pinned to: defined by the program. */
export { STATEFUL_NODE_LABEL, STATEFUL_NODE_LABEL_VALUE };
/** Swarm's default management port (docker swarm init --listen-addr). */
export const SWARM_DEFAULT_PORT = 2377;
/** Docker's default node certificate lifetime; CIS 7.7 asks for rotation "as appropriate". */
export const MAX_NODE_CERT_EXPIRY_DAYS = 90;
/** Docker's guidance: more than seven managers slows every raft write without adding safety. */
export const MAX_MANAGERS = 7;

const DOC = "docs/docker-host.md";

export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string };
  Spec: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

export interface SwarmSpec {
  Spec: {
    EncryptionConfig?: { AutoLockManagers?: boolean };
    CAConfig?: { NodeCertExpiry?: number };
  };
}

const nodeName = (n: SwarmNode) => `${n.Description?.Hostname ?? "?"} (${n.ID.slice(0, 12)})`;

// ── swarm active, this node a manager (CIS 5.1: here swarm mode is needed) ──

export function evaluateSwarmActive(info: EngineInfo): CheckResult {
  const s = info.Swarm;
  const state = s?.LocalNodeState ?? "unknown";
  const error = s?.Error ? ` (${s.Error})` : "";
  const expected = "Swarm.LocalNodeState active, ControlAvailable true (this node a manager)";
  if (state === "active" && s?.ControlAvailable) {
    return pass(`swarm active; this node ${s.NodeID.slice(0, 12)} (${s.NodeAddr}) is a manager; ${s.Nodes ?? "?"} node(s), ${s.Managers ?? "?"} manager(s)`, {
      expected,
      measurements: { nodes: s.Nodes ?? 0, managers: s.Managers ?? 0 },
    });
  }
  if (state === "active") {
    return fail(
      `Swarm.ControlAvailable: expected true (a manager: services are deployed through a manager), actual false: this node ${s?.NodeID.slice(0, 12)} is a worker`,
      { expected, actual: "worker", remediation: "Point DOCKER_HOST (or --docker-host) at a manager node of the swarm." },
    );
  }
  if (state === "locked") {
    return fail("Swarm.LocalNodeState: expected active, actual locked: the manager restarted with autolock on and waits for its unlock key", {
      expected,
      actual: "locked",
      remediation:
        "Run `docker swarm unlock` on this manager and enter the unlock key from the password manager (docs/docker-host.md: Keeping the unlock key).",
    });
  }
  return fail(`Swarm.LocalNodeState: expected active, actual ${state}${error}: the stack deploys as swarm services`, {
    expected,
    actual: `${state}${error}`,
    remediation: `Initialise the swarm on this host: docker swarm init --listen-addr <host-ip>:2377 --advertise-addr <host-ip>:2377 --autolock (${DOC}).`,
  });
}

/** The other swarm checks need a manager to ask; without one they skip, pointing at host.swarm-active. */
export function swarmPrecondition(info: EngineInfo): CheckResult | undefined {
  const s = info.Swarm;
  if (s?.LocalNodeState === "active" && s.ControlAvailable) return undefined;
  return skip(
    `needs an active swarm manager, and this engine is ${s?.LocalNodeState === "active" ? "a worker" : `in swarm state ${s?.LocalNodeState ?? "unknown"}`} (see host.swarm-active)`,
  );
}

// ── managers (CIS 7.1) ──

export function evaluateManagers(nodes: readonly SwarmNode[]): CheckResult {
  const managers = nodes.filter((n) => n.Spec.Role === "manager");
  const unreachable = managers.filter((n) => n.ManagerStatus?.Reachability !== "reachable");
  const names = managers.map(nodeName).join(", ");
  const measurements = { managers: managers.length, unreachable: unreachable.length, nodes: nodes.length };
  const problems: string[] = [];
  if (managers.length % 2 === 0)
    problems.push(
      `manager count: expected an odd number (1, 3, 5 or 7: a majority must survive a failure, and an even count adds no tolerance), actual ${managers.length} (${names || "none"})`,
    );
  else if (managers.length > MAX_MANAGERS)
    problems.push(`manager count: expected at most ${MAX_MANAGERS} (more slows every raft write without adding safety), actual ${managers.length}`);
  if (unreachable.length)
    problems.push(
      `manager reachability: expected every manager reachable, actual ${unreachable.map((n) => `${nodeName(n)} ${n.ManagerStatus?.Reachability ?? "unknown"}`).join(", ")}`,
    );
  if (problems.length) {
    return fail(problems.join("; "), {
      expected: "an odd number of reachable managers, at most 7",
      actual: `${managers.length} manager(s), ${unreachable.length} unreachable`,
      measurements,
      remediation:
        "Promote or demote nodes to an odd count (docker node promote|demote NODE), and bring back or remove unreachable managers (docker node rm --force NODE after docker swarm leave there).",
    });
  }
  return pass(`${managers.length} manager(s), all reachable: ${names} (tolerates ${(managers.length - 1) / 2} manager failure(s))`, { measurements });
}

// ── autolock (CIS 7.5) ──

export function evaluateAutolock(swarm: SwarmSpec): CheckResult {
  const on = swarm.Spec.EncryptionConfig?.AutoLockManagers === true;
  if (on)
    return pass(
      "autolock on: the raft log (the stack's Docker secrets among it) stays encrypted at rest until a restarted manager is unlocked with the unlock key",
    );
  return fail(
    "swarm Spec.EncryptionConfig.AutoLockManagers: expected true (autolock on), actual false: the key that decrypts the raft log, and so every Docker secret, sits on the manager's disk",
    {
      expected: "AutoLockManagers true",
      actual: String(swarm.Spec.EncryptionConfig?.AutoLockManagers ?? false),
      remediation:
        "docker swarm update --autolock=true, then store the unlock key it prints in the team's password manager (never in a file on the host, never in the repository).",
    },
  );
}

// ── node certificates (CIS 7.7) ──

export function evaluateCertExpiry(swarm: SwarmSpec, maxDays = MAX_NODE_CERT_EXPIRY_DAYS): CheckResult {
  const ns = swarm.Spec.CAConfig?.NodeCertExpiry;
  const days = typeof ns === "number" ? ns / 86_400e9 : undefined;
  const expected = `node certificates expire within ${maxDays} days (swarm rotates them automatically)`;
  if (days === undefined)
    return fail("swarm Spec.CAConfig.NodeCertExpiry: expected a duration, actual unset", {
      expected,
      actual: "unset",
      remediation: "docker swarm update --cert-expiry 2160h",
    });
  const shown = `${Number(days.toFixed(2))} days`;
  if (days > maxDays)
    return fail(`swarm Spec.CAConfig.NodeCertExpiry: expected at most ${maxDays} days, actual ${shown}`, {
      expected,
      actual: shown,
      remediation: `docker swarm update --cert-expiry ${maxDays * 24}h (or shorter)`,
    });
  return pass(`node certificates expire after ${shown} and are renewed by the swarm before then`, {
    expected,
    measurements: { nodeCertExpiryDays: Number(days.toFixed(2)) },
  });
}

// ── the stateful node label ──

export function evaluateStatefulLabel(nodes: readonly SwarmNode[]): CheckResult {
  const label = `${STATEFUL_NODE_LABEL}=${STATEFUL_NODE_LABEL_VALUE}`;
  const labelled = nodes.filter((n) => n.Spec.Labels?.[STATEFUL_NODE_LABEL] === STATEFUL_NODE_LABEL_VALUE);
  const usable = labelled.filter((n) => n.Status?.State === "ready" && n.Spec.Availability === "active");
  const expected = `exactly one ready, active node labelled ${label}`;
  const fix = `docker node update --label-add ${label} <node> on the one node that keeps the stateful services' volumes (${DOC})`;
  if (labelled.length === 0) {
    const seen = nodes.map((n) => `${nodeName(n)} labels ${JSON.stringify(n.Spec.Labels ?? {})}`).join("; ");
    return fail(`node label ${label}: expected on exactly one node, actual on none (${seen}): the stateful services' tasks would stay pending`, {
      expected,
      actual: "no labelled node",
      remediation: fix,
    });
  }
  if (labelled.length > 1) {
    // Their volumes are local to a node: a second candidate lets a rescheduled task start on an empty volume.
    return fail(
      `node label ${label}: expected on exactly one node, actual on ${labelled.length} (${labelled.map(nodeName).join(", ")}): a rescheduled stateful task could start on a node without its data`,
      {
        expected,
        actual: `${labelled.length} labelled nodes`,
        remediation: `Keep the label on the node holding the data: docker node update --label-rm ${STATEFUL_NODE_LABEL} <other node>`,
      },
    );
  }
  const [n] = labelled;
  if (usable.length === 0) {
    return fail(`node ${nodeName(n)} with ${label}: expected ready and active, actual ${n.Status?.State ?? "unknown"} / ${n.Spec.Availability ?? "unknown"}`, {
      expected,
      actual: `${n.Status?.State} / ${n.Spec.Availability}`,
      remediation: `Bring the node back (docker node update --availability active ${n.ID.slice(0, 12)}) or move the label together with the data.`,
    });
  }
  return pass(`${label} on ${nodeName(n)} (ready, active): the stateful services have exactly one place to run`);
}

// ── the manager's listener (CIS 7.2) ──

export interface Listener {
  address: string;
  port: number;
  wildcard: boolean;
}

function ipv6Text(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
  // Collapse the longest run of zero groups into "::".
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  if (best.len < 2) return groups.join(":");
  return `${groups.slice(0, best.at).join(":")}::${groups.slice(best.at + best.len).join(":")}`;
}

/**
 * Listening TCP sockets from a /proc/net/tcp or tcp6 table. Addresses there are hex in the
 * kernel's byte order (each 32-bit word little-endian on x86 and arm64), ports big-endian hex;
 * state 0A is LISTEN.
 */
export function parseProcNetTcp(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== "0A") continue;
    const [hex, portHex] = cols[1].split(":");
    if (!portHex || !/^[0-9A-Fa-f]+$/.test(hex)) continue;
    const words = hex.match(/.{8}/g) ?? [];
    const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16)));
    const port = parseInt(portHex, 16);
    if (bytes.length === 4) out.push({ address: bytes.join("."), port, wildcard: bytes.every((b) => b === 0) });
    else if (bytes.length === 16) {
      const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
      const wildcard = bytes.every((b) => b === 0) || (mapped && bytes.slice(12).every((b) => b === 0));
      out.push({ address: mapped ? `::ffff:${bytes.slice(12).join(".")}` : ipv6Text(bytes), port, wildcard });
    }
  }
  return out;
}

const hostPort = (l: Listener) => (l.address.includes(":") ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`);

/** `port`: the manager's port (from its advertise address); `listeners`: every listening TCP socket of the host. */
export function evaluateListenAddress(listeners: readonly Listener[], port: number): CheckResult {
  const onPort = listeners.filter((l) => l.port === port);
  const expected = `the swarm manager port ${port} bound to one host address (docker swarm init --listen-addr <ip>:${port})`;
  if (onPort.length === 0) {
    return fail(`swarm listener: expected a socket listening on port ${port} (the manager's advertised port), actual none in this host's socket tables`, {
      expected,
      actual: "no listener",
      remediation: "Run host:check on the manager host itself, in the host's network namespace (not inside a container).",
    });
  }
  const wild = onPort.filter((l) => l.wildcard);
  if (wild.length) {
    return fail(
      `swarm listen address: expected a specific host address, actual ${wild.map(hostPort).join(", ")} (every interface, so the manager API is reachable from every network the host is on)`,
      {
        expected,
        actual: onPort.map(hostPort).join(", "),
        remediation: `The listen address is fixed at swarm init: re-create the swarm with docker swarm init --listen-addr <host-ip>:${port} --advertise-addr <host-ip>:${port} (${DOC}), or on a multi-node swarm demote/leave and re-join this manager with --listen-addr.`,
      },
    );
  }
  return pass(`swarm manager listens on ${onPort.map(hostPort).join(", ")} only`, { expected });
}

/** The manager port from an advertise address "10.0.0.5:2377" / "[fd00::5]:2377". */
export function managerPort(addr: string | undefined): number {
  const m = /:(\d+)$/.exec(addr ?? "");
  return m ? Number(m[1]) : SWARM_DEFAULT_PORT;
}

// ── the checks ──

const ENGINE_FIX = "Start the Docker engine or point DOCKER_HOST (or --docker-host) at a manager of the swarm the stack deploys to.";

function engineFailure(t: HostTarget, what: string, err: unknown): CheckResult {
  return fail(`cannot read ${what} from the Docker engine at ${t.endpoint}: ${engineMessage(err)}`, {
    expected: "a swarm manager answering on its API",
    actual: describeError(err),
    remediation: ENGINE_FIX,
  });
}

function swarmCheck(
  id: string,
  title: string,
  cis: string[],
  checklistIds: string[],
  decide: (t: HostTarget, info: EngineInfo, signal: AbortSignal) => Promise<CheckResult>,
  needsManager = true,
): CisCheck<HostTarget> {
  return {
    id,
    title: cis.length ? `${title} (CIS ${cis.join(", ")})` : title,
    cis,
    checklistIds,
    timeoutMs: 15_000,
    async run(t, ctx) {
      let info: EngineInfo;
      try {
        info = await engineInfo(t.docker, ctx.signal);
      } catch (err) {
        return engineFailure(t, "the swarm state", err);
      }
      return (needsManager ? swarmPrecondition(info) : undefined) ?? decide(t, info, ctx.signal);
    },
  };
}

async function get<T>(t: HostTarget, path: string, signal: AbortSignal): Promise<T | CheckResult> {
  try {
    return await engineGet<T>(t.docker, path, signal);
  } catch (err) {
    return engineFailure(t, `${path}`, err);
  }
}

const isResult = (x: unknown): x is CheckResult => typeof x === "object" && x !== null && "status" in x && "message" in x;

async function readTable(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    // A host without IPv6 has no tcp6 table.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw err;
  }
}

export const swarmActiveCheck = swarmCheck(
  "host.swarm-active",
  "Swarm mode active and this node a manager",
  ["5.1"],
  ["PRE-INFRA-01"],
  async (_t, info) => evaluateSwarmActive(info),
  false,
);

export const swarmManagersCheck = swarmCheck("host.swarm-managers", "An odd number of reachable managers", ["7.1"], [], async (t, _info, signal) => {
  const nodes = await get<SwarmNode[]>(t, "/nodes", signal);
  return isResult(nodes) ? nodes : evaluateManagers(nodes);
});

export const swarmAutolockCheck = swarmCheck(
  "host.swarm-autolock",
  "Swarm autolock on (secrets at rest need the unlock key)",
  ["7.5"],
  ["SEC-DATA-02"],
  async (t, _info, signal) => {
    const swarm = await get<SwarmSpec>(t, "/swarm", signal);
    return isResult(swarm) ? swarm : evaluateAutolock(swarm);
  },
);

export const swarmCertExpiryCheck = swarmCheck("host.swarm-cert-expiry", "Node certificates expire and rotate", ["7.7"], [], async (t, _info, signal) => {
  const swarm = await get<SwarmSpec>(t, "/swarm", signal);
  return isResult(swarm) ? swarm : evaluateCertExpiry(swarm);
});

export const swarmStatefulLabelCheck = swarmCheck(
  "host.swarm-stateful-label",
  `One node labelled ${STATEFUL_NODE_LABEL}=${STATEFUL_NODE_LABEL_VALUE} for the stateful services`,
  [],
  [],
  async (t, _info, signal) => {
    const nodes = await get<SwarmNode[]>(t, "/nodes", signal);
    return isResult(nodes) ? nodes : evaluateStatefulLabel(nodes);
  },
);

export const swarmListenAddressCheck = swarmCheck(
  "host.swarm-listen-address",
  "Swarm manager bound to a specific host address",
  ["7.2"],
  ["SEC-NET-01"],
  async (t, info, signal) => {
    if (!t.local) return skip(`engine at ${t.endpoint} is remote: its host's listening sockets cannot be read from here; run host:check on the manager host`);
    const node = await get<SwarmNode>(t, `/nodes/${encodeURIComponent(info.Swarm!.NodeID)}`, signal);
    if (isResult(node)) return node;
    const port = managerPort(node.ManagerStatus?.Addr);
    const dir = t.hostPaths?.procNet ?? DEFAULT_HOST_PATHS.procNet;
    let listeners: Listener[];
    try {
      const [v4, v6] = await Promise.all([readTable(`${dir}/tcp`), readTable(`${dir}/tcp6`)]);
      listeners = [...parseProcNetTcp(v4), ...parseProcNetTcp(v6)];
    } catch (err) {
      return fail(`cannot read the host's socket tables in ${dir}: ${describeError(err)}`, {
        expected: `readable ${dir}/tcp and ${dir}/tcp6`,
        actual: describeError(err),
        remediation: "Run host:check on the manager host with /proc mounted.",
      });
    }
    const r = evaluateListenAddress(listeners, port);
    return { ...r, measurements: { ...r.measurements, managerAddr: node.ManagerStatus?.Addr ?? "unknown" } };
  },
);

export const SWARM_CHECKS: readonly CisCheck<HostTarget>[] = [
  swarmActiveCheck,
  swarmManagersCheck,
  swarmAutolockCheck,
  swarmListenAddressCheck,
  swarmCertExpiryCheck,
  swarmStatefulLabelCheck,
];
