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
import { displayName, labelList, serviceOf } from "./docker";
import type { ResourceView } from "./define";
import { swarmObjectContent, type SwarmObjectIndex } from "./swarm-objects";
import { asArray, asBool, asNumber, asRecord, asString, get, isUnknown, Known, known, Props, UNKNOWN } from "./values";
import type { DaemonSetting, Workload, WorkloadEnvEntry, WorkloadFile, WorkloadMount, WorkloadNetwork, WorkloadPort, WorkloadRollout } from "./workload";

export const SERVICE_DAEMON_SETTINGS: ReadonlySet<DaemonSetting> = new Set(["no-new-privileges", "seccomp", "apparmor", "ulimits", "pids-limit", "devices"]);

const spec = (props: Props, ...path: string[]) => get(props, "taskSpec", "containerSpec", ...path);

function strings(v: Known<unknown[]>): Known<string[]> {
  if (!v.known || v.value.some(isUnknown)) return UNKNOWN;
  return known(v.value.map(String));
}

function stringMap(v: unknown): Known<Record<string, string>> {
  const r = asRecord(v);
  if (!r.known || Object.values(r.value).some(isUnknown)) return UNKNOWN;
  return known(Object.fromEntries(Object.entries(r.value).map(([k, x]) => [k, String(x)])));
}

/** fileMode is a number (0o400 = 256); shown the way people write it. */
function octal(n: number): string {
  return `0${n.toString(8).padStart(3, "0")}`;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" && !isUnknown(v) ? v : undefined);

function fileRefs(props: Props, kind: "config" | "secret", index: SwarmObjectIndex | undefined): Known<WorkloadFile[]> {
  const list = asArray(spec(props, kind === "config" ? "configs" : "secrets"));
  if (!list.known) return UNKNOWN;
  const out: WorkloadFile[] = [];
  for (const f of list.value) {
    if (isUnknown(f)) return UNKNOWN;
    const path = asString(get(f, "fileName"));
    if (!path.known) return UNKNOWN;
    const id = get(f, kind === "config" ? "configId" : "secretId");
    const name = get(f, kind === "config" ? "configName" : "secretName");
    const map = index ? (kind === "config" ? index.configs : index.secrets) : undefined;
    const target = map ? [str(name), str(id)].map((k) => (k ? map.get(k) : undefined)).find((x) => x) : undefined;
    const lookedUp = !!map && (!!str(name) || !!str(id));
    const ref = {
      id: str(id),
      name: str(name),
      idUnknown: isUnknown(id),
      nameUnknown: isUnknown(name),
      declared: target ? true : lookedUp && !isUnknown(name) ? false : undefined,
    };
    let status: WorkloadFile["contentStatus"];
    let content: string | undefined;
    let why: string | undefined;
    if (target) {
      const c = swarmObjectContent(target);
      status = c.unknown ? "unknown" : c.content !== undefined ? "known" : "unresolved";
      content = c.content;
      if (status === "unresolved") why = `${kind} ${ref.name ?? ref.id} has no data`;
    } else if (!index) {
      status = "unresolved";
      why = `the content of a Docker ${kind} is read by stack policies`;
    } else if (ref.declared === undefined) {
      status = "unknown";
    } else {
      status = "unresolved";
      why = `${kind} ${ref.name ?? ref.id ?? "(unnamed)"} is not declared in this stack`;
    }
    const uid = get(f, "fileUid");
    const gid = get(f, "fileGid");
    const mode = asNumber(get(f, "fileMode"));
    out.push({
      path: path.value ?? "",
      source: kind,
      contentStatus: status,
      content,
      ...(why ? { unresolvedWhy: why } : {}),
      // The provider's defaults: mode 0444, uid and gid 0.
      mode: mode.known ? octal(mode.value ?? 0o444) : undefined,
      uid: isUnknown(uid) ? undefined : uid === undefined || uid === null || uid === "" ? "0" : String(uid),
      gid: isUnknown(gid) ? undefined : gid === undefined || gid === null || gid === "" ? "0" : String(gid),
      ref,
    });
  }
  return known(out);
}

function mountsOf(props: Props): Known<WorkloadMount[]> {
  const list = asArray(spec(props, "mounts"));
  if (!list.known) return UNKNOWN;
  const out: WorkloadMount[] = [];
  for (const m of list.value) {
    if (isUnknown(m)) return UNKNOWN;
    const type = asString(get(m, "type"));
    const target = asString(get(m, "target"));
    const source = asString(get(m, "source"));
    const ro = asBool(get(m, "readOnly"));
    const opts = stringMap(get(m, "volumeOptions", "driverOptions"));
    const propagation = asString(get(m, "bindOptions", "propagation"));
    if (!type.known || !target.known || !source.known || !ro.known || !opts.known || !propagation.known) return UNKNOWN;
    const t = (type.value ?? "").toLowerCase();
    out.push({
      type: t === "bind" || t === "volume" || t === "tmpfs" || t === "npipe" ? t : "other",
      source: source.value,
      target: target.value ?? "",
      readOnly: !!ro.value,
      driverOptions: opts.value,
      propagation: propagation.value,
    });
  }
  return known(out);
}

function portsOf(props: Props): Known<WorkloadPort[]> {
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
    // A swarm port has no host address: it is bound on every address of the node(s). Unset mode is ingress.
    out.push({
      internal: target.value,
      external: published.value || undefined,
      ip: undefined,
      protocol: protocol.value ?? "tcp",
      mode: mode.value === "host" ? "host" : "ingress",
    });
  }
  return known(out);
}

function envOf(props: Props): Known<WorkloadEnvEntry[]> {
  const rec = asRecord(spec(props, "env"));
  if (!rec.known) return UNKNOWN;
  return known(
    Object.entries(rec.value).map(([key, v], index) => ({ index, key, value: isUnknown(v) ? undefined : v === undefined || v === null ? "" : String(v) })),
  );
}

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

function restartOf(props: Props): Workload["restart"] {
  const rp = get(props, "taskSpec", "restartPolicy");
  if (isUnknown(rp)) return UNKNOWN;
  const cond = asString(get(rp, "condition"));
  const attempts = asNumber(get(rp, "maxAttempts"));
  const window = asString(get(rp, "window"));
  if (!cond.known || !attempts.known || !window.known) return UNKNOWN;
  // Swarm's default: restart on any exit, without limit.
  return known({ policy: cond.value ?? "any", maxAttempts: attempts.value, window: window.value, defaulted: !rp || cond.value === undefined });
}

function networksOf(props: Props): Known<WorkloadNetwork[]> {
  const nets = asArray(get(props, "taskSpec", "networksAdvanceds"));
  if (!nets.known || nets.value.some(isUnknown)) return UNKNOWN;
  const out: WorkloadNetwork[] = [];
  for (const n of nets.value) {
    // `id` is the current field; `name` (the name or ID) is the deprecated one.
    const id = get(n, "id");
    const nm = get(n, "name");
    const aliases = asArray(get(n, "aliases"));
    out.push({ ref: str(id) ?? str(nm), aliases: aliases.known ? aliases.value.filter((a): a is string => typeof a === "string" && !isUnknown(a)) : [] });
  }
  return known(out);
}

function deprecatedOf(props: Props): Known<string[]> {
  const nets = asArray(get(props, "taskSpec", "networksAdvanceds"));
  if (!nets.known) return UNKNOWN;
  return known(nets.value.some((n) => get(n, "name") !== undefined && get(n, "name") !== null) ? ["taskSpec.networksAdvanceds[].name"] : []);
}

/** privileges.seLinuxContext is `--security-opt label=...` by another name: disable, user, role, type, level. */
function securityOptsOf(props: Props): Known<unknown[]> {
  const ctx = (k: string) => spec(props, "privileges", "seLinuxContext", k);
  const disable = asBool(ctx("disable"));
  const parts = (["user", "role", "type", "level"] as const).map((k) => [k, asString(ctx(k))] as const);
  if (!disable.known || parts.some(([, v]) => !v.known)) return UNKNOWN;
  const opts = parts.flatMap(([k, v]) => (v.known && v.value ? [`label=${k}:${v.value}`] : []));
  return known(disable.value ? ["label=disable", ...opts] : opts);
}

function devicesOf(props: Props): Known<string[]> {
  // Generic resources (e.g. NVIDIA-GPU) hand devices to a task through the node's runtime.
  const generic = get(props, "taskSpec", "resources", "reservation", "genericResources");
  if (isUnknown(generic)) return UNKNOWN;
  const any = (k: string) => {
    const v = asArray(get(generic, k));
    return v.known && v.value.length > 0;
  };
  return known(generic && (any("discreteResourcesSpecs") || any("namedResourcesSpecs")) ? ["taskSpec.resources.reservation.genericResources"] : []);
}

/**
 * The service name and its aliases resolve to the service's virtual IP (or, with dnsrr, to
 * every task); `tasks.<name>` resolves to every task either way.
 */
function dnsNamesOf(name: string, networks: Known<WorkloadNetwork[]>): string[] {
  const names = [name, ...(networks.known ? networks.value.flatMap((n) => n.aliases) : [])];
  return [...new Set([...names, ...names.map((n) => `tasks.${n}`)])];
}

const byProps = new WeakMap<object, Workload>();

export function serviceWorkload(r: ResourceView, index?: SwarmObjectIndex): Workload {
  const cached = index ? undefined : byProps.get(r.props);
  if (cached && cached.urn === r.urn) return cached;
  const props = r.props;
  const name = displayName(r);
  const limits = get(props, "taskSpec", "resources", "limits");
  const memBytes = asNumber(get(limits, "memoryBytes"));
  const nano = asNumber(get(limits, "nanoCpus"));
  const logDriver = get(props, "taskSpec", "logDriver");
  const logName = asString(get(logDriver, "name"));
  const logOpts = stringMap(get(logDriver, "options"));
  const mode = get(props, "mode");
  const replicas = asNumber(get(mode, "replicated", "replicas"));
  const global = asBool(get(mode, "global"));
  const serviceLabels = labelList(get(props, "labels"));
  const containerLabels = labelList(spec(props, "labels"));
  const configs = fileRefs(props, "config", index);
  const secrets = fileRefs(props, "secret", index);
  const networks = networksOf(props);
  const commands = strings(asArray(spec(props, "commands")));
  const args = strings(asArray(spec(props, "args")));
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
    securityOpts: securityOptsOf(props),
    // A task shares the host's network only by joining the "host" network; it cannot share pid/ipc/uts/userns/cgroup.
    namespaces: networks.known
      ? known({
          network: networks.value.some((n) => n.ref === "host") ? "host" : undefined,
          pid: undefined,
          ipc: undefined,
          userns: undefined,
          uts: undefined,
          cgroup: undefined,
        })
      : UNKNOWN,
    sysctls: stringMap(spec(props, "sysctl")),
    // ContainerSpec has no cgroup parent: tasks run under the daemon's.
    cgroupParent: known(undefined),
    devices: devicesOf(props),
    memoryMb: memBytes.known ? known(memBytes.value ? memBytes.value / (1024 * 1024) : undefined) : UNKNOWN,
    cpus: nano.known ? known(nano.value ? nano.value / 1e9 : undefined) : UNKNOWN,
    healthcheck: healthOf(spec(props, "healthcheck")),
    restart: restartOf(props),
    log: isUnknown(logDriver) || !logName.known || !logOpts.known ? UNKNOWN : known({ driver: logName.value, options: logOpts.value }),
    mounts: mountsOf(props),
    networks,
    dnsNames: dnsNamesOf(name, networks),
    ports: portsOf(props),
    publishAllPorts: known(false),
    env: envOf(props),
    // Swarm's ContainerSpec.Command is the entrypoint, Args the command.
    command: commands.known && args.known ? known([...commands.value, ...args.value]) : UNKNOWN,
    labels: serviceLabels.known && containerLabels.known ? known({ ...containerLabels.value, ...serviceLabels.value }) : UNKNOWN,
    files: configs.known && secrets.known ? known([...configs.value, ...secrets.value]) : UNKNOWN,
    replicas: !replicas.known || !global.known ? UNKNOWN : known(global.value ? undefined : (replicas.value ?? 1)),
    update: rollout(get(props, "updateConfig")),
    rollback: rollout(get(props, "rollbackConfig")),
    placementConstraints: strings(asArray(get(props, "taskSpec", "placement", "constraints"))),
    deprecatedFields: deprecatedOf(props),
    daemonEnforced: SERVICE_DAEMON_SETTINGS,
  };
  if (!index) byProps.set(props, w);
  return w;
}
