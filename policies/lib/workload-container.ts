/**
 * Workload adapter for `docker.Container` (@pulumi/docker 5.x inputs): flat fields, files as
 * `uploads`, every hardening option declarable on the container itself.
 */
import { commandOf, displayName, envOf, labelsOf, memo, networksOf, serviceOf, uploadsOf } from "./docker";
import type { ResourceView } from "./define";
import { asArray, asBool, asNumber, asString, get, isUnknown, Known, known, Props, UNKNOWN } from "./values";
import type { Workload, WorkloadFile, WorkloadMount, WorkloadPort } from "./workload";

const arr = (props: unknown, ...path: string[]) => asArray(get(props, ...path));

const mountsOf = memo(function mountsOf(props: Props): Known<WorkloadMount[]> {
  const vols = arr(props, "volumes");
  const mounts = arr(props, "mounts");
  const tmpfs = get(props, "tmpfs");
  if (!vols.known || !mounts.known || isUnknown(tmpfs)) return UNKNOWN;
  const out: WorkloadMount[] = [];
  for (const v of vols.value) {
    if (isUnknown(v)) return UNKNOWN;
    const target = asString(get(v, "containerPath"));
    const host = asString(get(v, "hostPath"));
    const volume = asString(get(v, "volumeName"));
    const ro = asBool(get(v, "readOnly"));
    if (!target.known || !host.known || !volume.known || !ro.known) return UNKNOWN;
    out.push({ type: host.value ? "bind" : "volume", source: host.value ?? volume.value, target: target.value ?? "", readOnly: !!ro.value });
  }
  for (const m of mounts.value) {
    if (isUnknown(m)) return UNKNOWN;
    const type = asString(get(m, "type"));
    const target = asString(get(m, "target"));
    const source = asString(get(m, "source"));
    const ro = asBool(get(m, "readOnly"));
    if (!type.known || !target.known || !source.known || !ro.known) return UNKNOWN;
    const t = (type.value ?? "").toLowerCase();
    out.push({ type: t === "bind" || t === "volume" || t === "tmpfs" || t === "npipe" ? t : "other", source: source.value, target: target.value ?? "", readOnly: !!ro.value });
  }
  if (tmpfs && typeof tmpfs === "object") for (const target of Object.keys(tmpfs)) out.push({ type: "tmpfs", source: undefined, target, readOnly: false });
  return known(out);
});

const portsOf = memo(function portsOf(props: Props): Known<WorkloadPort[]> {
  const ports = arr(props, "ports");
  if (!ports.known) return UNKNOWN;
  const out: WorkloadPort[] = [];
  for (const p of ports.value) {
    if (isUnknown(p)) return UNKNOWN;
    const internal = asNumber(get(p, "internal"));
    const external = asNumber(get(p, "external"));
    const ip = asString(get(p, "ip"));
    const protocol = asString(get(p, "protocol"));
    if (!internal.known || !external.known || !ip.known || !protocol.known) return UNKNOWN;
    // The provider publishes an unset external port on a random host port, on every address.
    out.push({ internal: internal.value, external: external.value ?? internal.value, ip: ip.value ?? "0.0.0.0", protocol: protocol.value ?? "tcp", mode: undefined });
  }
  return known(out);
});

const filesOf = memo(function filesOf(props: Props): Known<WorkloadFile[]> {
  const up = uploadsOf(props);
  if (!up.known) return UNKNOWN;
  return known(
    up.value.map((u) => ({ path: u.file, source: "upload" as const, content: u.content, contentUnknown: u.contentUnknown, mode: u.permissions, uid: u.owner, gid: u.group })),
  );
});

function strings(v: Known<unknown[]>): Known<string[]> {
  if (!v.known || v.value.some(isUnknown)) return UNKNOWN;
  return known(v.value.map(String));
}

const healthOf = memo(function healthOf(props: Props): Workload["healthcheck"] {
  const hc = get(props, "healthcheck");
  if (isUnknown(hc)) return UNKNOWN;
  if (!hc || typeof hc !== "object") return known(undefined);
  const tests = strings(arr(hc, "tests"));
  const interval = asString(get(hc, "interval"));
  const timeout = asString(get(hc, "timeout"));
  const retries = asNumber(get(hc, "retries"));
  const start = asString(get(hc, "startPeriod"));
  if (!tests.known || !interval.known || !timeout.known || !retries.known || !start.known) return UNKNOWN;
  return known({ test: tests.value, interval: interval.value, timeout: timeout.value, retries: retries.value, startPeriod: start.value });
});

export const containerWorkload = (r: ResourceView): Workload => containerWorkloadOfProps(r.props, r);

const byProps = new WeakMap<object, Workload>();

function containerWorkloadOfProps(props: Props, r: ResourceView): Workload {
  const cached = byProps.get(props as object);
  if (cached && cached.urn === r.urn) return cached;
  const name = displayName(r);
  const ns = (key: string) => asString(get(props, key));
  const namespaces = [ns("networkMode"), ns("pidMode"), ns("ipcMode"), ns("usernsMode"), ns("utsMode"), ns("cgroupnsMode")];
  const restart = asString(get(props, "restart"));
  const maxRetry = asNumber(get(props, "maxRetryCount"));
  const logDriver = asString(get(props, "logDriver"));
  const logOpts = get(props, "logOpts");
  const memory = asNumber(get(props, "memory"));
  const cpus = asNumber(get(props, "cpus"));
  const quota = asNumber(get(props, "cpuQuota"));
  const period = asNumber(get(props, "cpuPeriod"));
  const w: Workload = {
    kind: "container",
    resource: r,
    urn: r.urn,
    name,
    label: `container ${name}`,
    service: serviceOf(r),
    image: asString(get(props, "image")),
    user: asString(get(props, "user")),
    groups: strings(arr(props, "groupAdds")),
    readOnlyRootfs: asBool(get(props, "readOnly")),
    capDrops: arr(props, "capabilities", "drops"),
    capAdds: arr(props, "capabilities", "adds"),
    privileged: asBool(get(props, "privileged")),
    securityOpts: arr(props, "securityOpts"),
    namespaces: namespaces.every((n) => n.known)
      ? known({
          network: namespaces[0].known ? namespaces[0].value : undefined,
          pid: namespaces[1].known ? namespaces[1].value : undefined,
          ipc: namespaces[2].known ? namespaces[2].value : undefined,
          userns: namespaces[3].known ? namespaces[3].value : undefined,
          uts: namespaces[4].known ? namespaces[4].value : undefined,
          cgroup: namespaces[5].known ? namespaces[5].value : undefined,
        })
      : UNKNOWN,
    devices: arr(props, "devices"),
    gpus: asString(get(props, "gpus")),
    memoryMb: memory,
    // cpus, or cpuQuota/cpuPeriod (default period 100 ms).
    cpus:
      !cpus.known || !quota.known || !period.known
        ? UNKNOWN
        : known(cpus.value !== undefined && cpus.value > 0 ? cpus.value : quota.value !== undefined && quota.value > 0 ? quota.value / (period.value || 100000) : undefined),
    healthcheck: healthOf(props),
    restart: restart.known && maxRetry.known ? known({ policy: restart.value, maxAttempts: maxRetry.value, window: undefined }) : UNKNOWN,
    log:
      logDriver.known && !isUnknown(logOpts) && !(logOpts && typeof logOpts === "object" && Object.values(logOpts).some(isUnknown))
        ? known({ driver: logDriver.value, options: Object.fromEntries(Object.entries((logOpts as Record<string, unknown>) ?? {}).map(([k, v]) => [k, String(v)])) })
        : UNKNOWN,
    mounts: mountsOf(props),
    networks: (() => {
      const n = networksOf(props);
      return n.known ? known(n.value.map((x) => ({ ref: x.name, aliases: x.aliases }))) : UNKNOWN;
    })(),
    ports: portsOf(props),
    publishAllPorts: asBool(get(props, "publishAllPorts")),
    env: envOf(props),
    command: commandOf(props),
    labels: labelsOf(props),
    files: filesOf(props),
    replicas: known(1),
    update: known(undefined),
    rollback: known(undefined),
    placementConstraints: known([]),
    daemonEnforced: new Set(),
    raw: props,
  };
  byProps.set(props, w);
  return w;
}
