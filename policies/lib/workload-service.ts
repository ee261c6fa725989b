/**
 * Workload adapter for a swarm `docker.Service` (@pulumi/docker 5.x inputs): the task's
 * container spec, resources, restart/update/rollback configs and endpoint. Its files are
 * Docker configs and secrets referenced by name/ID: their content lives in other resources,
 * so it is resolved only with a stack index (stack policies), never guessed.
 *
 * What Docker API 1.41 cannot set on a service (no-new-privileges, seccomp and AppArmor
 * profiles, ulimits, pids limit, devices) is in `daemonEnforced`: the daemon's
 * configuration applies it to every container, and `host:check` verifies it.
 */
import { displayName, labelList, memo, serviceOf, T } from "./docker";
import type { ResourceView } from "./define";
import { asArray, asBool, asNumber, asRecord, asString, get, isUnknown, Known, known, Props, UNKNOWN } from "./values";
import type { DaemonSetting, Workload, WorkloadEnvEntry, WorkloadFile, WorkloadMount, WorkloadPort, WorkloadRollout } from "./workload";

export const SERVICE_DAEMON_SETTINGS: ReadonlySet<DaemonSetting> = new Set(["no-new-privileges", "seccomp", "apparmor", "ulimits", "pids-limit", "devices"]);

/** Docker configs and secrets of the stack by name, for resolving what services mount. */
export interface SwarmObjectIndex {
  configs: Map<string, ResourceView>;
  secrets: Map<string, ResourceView>;
}

export function swarmObjectIndex(resources: readonly ResourceView[]): SwarmObjectIndex {
  const index: SwarmObjectIndex = { configs: new Map(), secrets: new Map() };
  for (const r of resources) {
    const map = r.type === T.serviceConfig ? index.configs : r.type === T.secret ? index.secrets : undefined;
    if (!map) continue;
    const name = asString(get(r.props, "name"));
    if (name.known && name.value) map.set(name.value, r);
    map.set(r.name, r);
  }
  return index;
}

/** Content of a config or secret resource: `data` is base64 (the provider decodes it), `dataRaw` plain. */
export function swarmObjectContent(r: ResourceView): { content: string | undefined; unknown: boolean } {
  const raw = get(r.props, "dataRaw");
  const data = get(r.props, "data");
  if (isUnknown(raw) || isUnknown(data)) return { content: undefined, unknown: true };
  if (typeof raw === "string") return { content: raw, unknown: false };
  if (typeof data === "string") return { content: Buffer.from(data, "base64").toString("utf8"), unknown: false };
  return { content: undefined, unknown: false };
}

const spec = (props: Props, ...path: string[]) => get(props, "taskSpec", "containerSpec", ...path);

function strings(v: Known<unknown[]>): Known<string[]> {
  if (!v.known || v.value.some(isUnknown)) return UNKNOWN;
  return known(v.value.map(String));
}

/** fileMode is a number (0o400 = 256); shown the way people write it. */
function octal(v: unknown): string | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;
  return n === undefined ? undefined : `0${n.toString(8).padStart(3, "0")}`;
}

function fileRefs(props: Props, kind: "config" | "secret", index: SwarmObjectIndex | undefined): Known<WorkloadFile[]> {
  const list = asArray(spec(props, kind === "config" ? "configs" : "secrets"));
  if (!list.known) return UNKNOWN;
  const out: WorkloadFile[] = [];
  for (const f of list.value) {
    if (isUnknown(f)) return UNKNOWN;
    const path = asString(get(f, "fileName"));
    if (!path.known) return UNKNOWN;
    const idKey = kind === "config" ? "configId" : "secretId";
    const nameKey = kind === "config" ? "configName" : "secretName";
    const id = get(f, idKey);
    const name = get(f, nameKey);
    const ref = { id: typeof id === "string" && !isUnknown(id) ? id : undefined, name: typeof name === "string" && !isUnknown(name) ? name : undefined };
    const target = index && ref.name ? (kind === "config" ? index.configs : index.secrets).get(ref.name) : undefined;
    const c = target ? swarmObjectContent(target) : { content: undefined, unknown: isUnknown(name) };
    const uid = get(f, "fileUid");
    const gid = get(f, "fileGid");
    const mode = get(f, "fileMode");
    out.push({
      path: path.value ?? "",
      source: kind,
      content: c.content,
      contentUnknown: c.unknown,
      // The engine's default for an unset mode is 0444, owner root.
      mode: isUnknown(mode) ? undefined : octal(mode) ?? "0444",
      uid: isUnknown(uid) ? undefined : uid === undefined || uid === null ? "0" : String(uid),
      gid: isUnknown(gid) ? undefined : gid === undefined || gid === null ? "0" : String(gid),
      ref,
    });
  }
  return known(out);
}

const mountsOf = memo(function mountsOf(props: Props): Known<WorkloadMount[]> {
  const list = asArray(spec(props, "mounts"));
  if (!list.known) return UNKNOWN;
  const out: WorkloadMount[] = [];
  for (const m of list.value) {
    if (isUnknown(m)) return UNKNOWN;
    const type = asString(get(m, "type"));
    const target = asString(get(m, "target"));
    const source = asString(get(m, "source"));
    const ro = asBool(get(m, "readOnly"));
    if (!type.known || !target.known || !source.known || !ro.known) return UNKNOWN;
    const t = (type.value ?? "").toLowerCase();
    out.push({ type: t === "bind" || t === "volume" || t === "tmpfs" || t === "npipe" ? t : "other", source: source.value, target: target.value ?? "", readOnly: !!ro.value });
  }
  return known(out);
});

const portsOf = memo(function portsOf(props: Props): Known<WorkloadPort[]> {
  const list = asArray(get(props, "endpointSpec", "ports"));
  if (!list.known) return UNKNOWN;
  const out: WorkloadPort[] = [];
  for (const p of list.value) {
    if (isUnknown(p)) return UNKNOWN;
    const target = asNumber(get(p, "targetPort"));
    const published = asNumber(get(p, "publishedPort"));
    const protocol = asString(get(p, "protocol"));
    const mode = asString(get(p, "publishMode"));
    if (!target.known || !published.known || !protocol.known || !mode.known) return UNKNOWN;
    // Swarm has no host address for a port: it is bound on every address of the node(s).
    out.push({ internal: target.value, external: published.value, ip: "0.0.0.0", protocol: protocol.value ?? "tcp", mode: mode.value === "host" ? "host" : "ingress" });
  }
  return known(out);
});

const envOf = memo(function envOf(props: Props): Known<WorkloadEnvEntry[]> {
  const env = get(props, "taskSpec", "containerSpec", "env");
  if (isUnknown(env)) return UNKNOWN;
  const rec = asRecord(env);
  if (!rec.known) return UNKNOWN;
  return known(Object.entries(rec.value).map(([key, v], index) => ({ index, key, value: isUnknown(v) || v === undefined || v === null ? (isUnknown(v) ? undefined : "") : String(v) })));
});

function rollout(v: unknown): Known<WorkloadRollout | undefined> {
  if (isUnknown(v)) return UNKNOWN;
  if (!v || typeof v !== "object") return known(undefined);
  const fa = asString(get(v, "failureAction"));
  const mon = asString(get(v, "monitor"));
  const par = asNumber(get(v, "parallelism"));
  const order = asString(get(v, "order"));
  const ratio = asString(get(v, "maxFailureRatio"));
  if (!fa.known || !mon.known || !par.known || !order.known || !ratio.known) return UNKNOWN;
  return known({ failureAction: fa.value, monitor: mon.value, parallelism: par.value, order: order.value, maxFailureRatio: ratio.value });
}

function healthOf(hc: unknown): Workload["healthcheck"] {
  if (isUnknown(hc)) return UNKNOWN;
  if (!hc || typeof hc !== "object") return known(undefined);
  const tests = strings(asArray(get(hc, "tests")));
  const interval = asString(get(hc, "interval"));
  const timeout = asString(get(hc, "timeout"));
  const retries = asNumber(get(hc, "retries"));
  const start = asString(get(hc, "startPeriod"));
  if (!tests.known || !interval.known || !timeout.known || !retries.known || !start.known) return UNKNOWN;
  return known({ test: tests.value, interval: interval.value, timeout: timeout.value, retries: retries.value, startPeriod: start.value });
}

const byProps = new WeakMap<object, Workload>();

export function serviceWorkload(r: ResourceView, index?: SwarmObjectIndex): Workload {
  const cached = index ? undefined : byProps.get(r.props);
  if (cached && cached.urn === r.urn) return cached;
  const props = r.props;
  const name = displayName(r);
  const hc = spec(props, "healthcheck");
  const limits = get(props, "taskSpec", "resources", "limits");
  const memBytes = asNumber(get(limits, "memoryBytes"));
  const nano = asNumber(get(limits, "nanoCpus"));
  const rp = get(props, "taskSpec", "restartPolicy");
  const cond = asString(get(rp, "condition"));
  const attempts = asNumber(get(rp, "maxAttempts"));
  const window = asString(get(rp, "window"));
  const logDriver = get(props, "taskSpec", "logDriver");
  const logName = asString(get(logDriver, "name"));
  const logOpts = asRecord(get(logDriver, "options"));
  const nets = asArray(get(props, "taskSpec", "networksAdvanceds"));
  const mode = get(props, "mode");
  const replicas = asNumber(get(mode, "replicated", "replicas"));
  const global = asBool(get(mode, "global"));
  const serviceLabels = labelList(get(props, "labels"));
  const containerLabels = labelList(spec(props, "labels"));
  const configs = fileRefs(props, "config", index);
  const secrets = fileRefs(props, "secret", index);
  const networkList: Known<{ ref: string | undefined; aliases: string[] }[]> =
    !nets.known || nets.value.some(isUnknown)
      ? UNKNOWN
      : known(
          nets.value.map((n) => {
            const id = get(n, "id");
            const nm = get(n, "name");
            const ref = [id, nm].find((x) => typeof x === "string" && x !== "" && !isUnknown(x)) as string | undefined;
            const aliases = asArray(get(n, "aliases"));
            return { ref, aliases: aliases.known ? aliases.value.filter((a): a is string => typeof a === "string" && !isUnknown(a)) : [] };
          }),
        );
  const w: Workload = {
    kind: "service",
    resource: r,
    urn: r.urn,
    name,
    label: `service ${name}`,
    service: serviceOf(r),
    image: asString(spec(props, "image")),
    user: asString(spec(props, "user")),
    groups: strings(asArray(spec(props, "groups"))),
    readOnlyRootfs: asBool(spec(props, "readOnly")),
    capDrops: asArray(spec(props, "capDrops")),
    capAdds: asArray(spec(props, "capAdds")),
    // API 1.41 services cannot run privileged.
    privileged: known(false),
    securityOpts: known([]),
    // A service shares the host's network only by attaching to the "host" network; it cannot share pid/ipc/uts.
    namespaces: networkList.known
      ? known({ network: networkList.value.some((n) => n.ref === "host") ? "host" : undefined, pid: undefined, ipc: undefined, userns: undefined, uts: undefined, cgroup: undefined })
      : UNKNOWN,
    devices: known([]),
    gpus: known(undefined),
    memoryMb: memBytes.known ? known(memBytes.value === undefined ? undefined : memBytes.value / (1024 * 1024)) : UNKNOWN,
    cpus: nano.known ? known(nano.value === undefined ? undefined : nano.value / 1e9) : UNKNOWN,
    healthcheck: healthOf(hc),
    restart: isUnknown(rp) || !cond.known || !attempts.known || !window.known ? UNKNOWN : known({ policy: rp ? cond.value ?? "any" : undefined, maxAttempts: attempts.value, window: window.value }),
    log: isUnknown(logDriver) || !logName.known || !logOpts.known ? UNKNOWN : known({ driver: logName.value, options: Object.fromEntries(Object.entries(logOpts.value).map(([k, v]) => [k, String(v)])) }),
    mounts: mountsOf(props),
    networks: networkList,
    ports: portsOf(props),
    publishAllPorts: known(false),
    env: envOf(props),
    command: (() => {
      const c = strings(asArray(spec(props, "commands")));
      const a = strings(asArray(spec(props, "args")));
      return c.known && a.known ? known([...c.value, ...a.value]) : UNKNOWN;
    })(),
    labels: serviceLabels.known && containerLabels.known ? known({ ...containerLabels.value, ...serviceLabels.value }) : UNKNOWN,
    files: configs.known && secrets.known ? known([...configs.value, ...secrets.value]) : UNKNOWN,
    replicas: !replicas.known || !global.known ? UNKNOWN : known(global.value ? undefined : replicas.value ?? 1),
    update: rollout(get(props, "updateConfig")),
    rollback: rollout(get(props, "rollbackConfig")),
    placementConstraints: strings(asArray(get(props, "taskSpec", "placement", "constraints"))),
    daemonEnforced: SERVICE_DAEMON_SETTINGS,
    raw: props,
  };
  if (!index) byProps.set(props, w);
  return w;
}
