/**
 * Workload adapter for `docker.Container` (@pulumi/docker 5.x inputs): flat fields, files as
 * `uploads`, every hardening option declarable on the container itself.
 */
import { commandOf, displayName, envOf, labelsOf, memo, networksOf, serviceOf } from "./docker";
import type { ResourceView } from "./define";
import { asArray, asBool, asNumber, asRecord, asString, get, isUnknown, Known, known, Props, UNKNOWN } from "./values";
import type { Workload, WorkloadFile, WorkloadMount, WorkloadPort } from "./workload";

const arr = (props: unknown, ...path: string[]) => asArray(get(props, ...path));

/** Inputs the Docker provider deprecated or dropped for containers (4.x and later). */
export const CONTAINER_DEPRECATED_FIELDS: readonly string[] = ["links", "networks", "networkAliases", "ipv4Address", "ipv6Address", "networkAlias"];

function stringMap(v: unknown): Known<Record<string, string>> {
  const r = asRecord(v);
  if (!r.known || Object.values(r.value).some(isUnknown)) return UNKNOWN;
  return known(Object.fromEntries(Object.entries(r.value).map(([k, x]) => [k, String(x)])));
}

function mountType(t: string | undefined): WorkloadMount["type"] {
  const v = (t ?? "").toLowerCase();
  return v === "bind" || v === "volume" || v === "tmpfs" || v === "npipe" ? v : "other";
}

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
    out.push({
      type: host.value ? "bind" : "volume",
      source: host.value ?? volume.value,
      target: target.value ?? "",
      readOnly: !!ro.value,
      driverOptions: {},
      propagation: undefined,
    });
  }
  for (const m of mounts.value) {
    if (isUnknown(m)) return UNKNOWN;
    const type = asString(get(m, "type"));
    const target = asString(get(m, "target"));
    const source = asString(get(m, "source"));
    const ro = asBool(get(m, "readOnly"));
    const opts = stringMap(get(m, "volumeOptions", "driverOptions"));
    const propagation = asString(get(m, "bindOptions", "propagation"));
    if (!type.known || !target.known || !source.known || !ro.known || !opts.known || !propagation.known) return UNKNOWN;
    out.push({
      type: mountType(type.value),
      source: source.value,
      target: target.value ?? "",
      readOnly: !!ro.value,
      driverOptions: opts.value,
      propagation: propagation.value,
    });
  }
  if (tmpfs && typeof tmpfs === "object")
    for (const target of Object.keys(tmpfs)) out.push({ type: "tmpfs", source: undefined, target, readOnly: false, driverOptions: {}, propagation: undefined });
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
    // An unset external port is a random host port; an unset ip is every address (the provider's default).
    out.push({ internal: internal.value, external: external.value, ip: ip.value || "0.0.0.0", protocol: protocol.value ?? "tcp", mode: undefined });
  }
  return known(out);
});

/** `uploads`: content inline (or base64 on older providers) or from a file on the deploying machine. */
const filesOf = memo(function filesOf(props: Props): Known<WorkloadFile[]> {
  const list = arr(props, "uploads");
  if (!list.known) return UNKNOWN;
  const out: WorkloadFile[] = [];
  for (const u of list.value) {
    if (isUnknown(u)) return UNKNOWN;
    const file = asString(get(u, "file"));
    if (!file.known) return UNKNOWN;
    if (!file.value) continue;
    const raw = get(u, "content");
    const b64 = get(u, "contentBase64");
    const perms = asString(get(u, "permissions"));
    const owner = asString(get(u, "owner"));
    const group = asString(get(u, "group"));
    const exec = asBool(get(u, "executable"));
    const unknown = isUnknown(raw) || isUnknown(b64);
    const content = unknown ? undefined : typeof raw === "string" ? raw : typeof b64 === "string" ? Buffer.from(b64, "base64").toString("utf8") : undefined;
    out.push({
      path: file.value,
      source: "upload",
      contentStatus: unknown ? "unknown" : content !== undefined ? "known" : "unresolved",
      content,
      ...(content === undefined && !unknown ? { unresolvedWhy: "uploaded from a file on the deploying machine" } : {}),
      // The provider writes 0644 (0744 when executable) when permissions is unset, owned by root.
      mode: perms.known && exec.known ? (perms.value ?? (exec.value ? "0744" : "0644")) : undefined,
      uid: owner.known ? (owner.value ?? "0") : undefined,
      gid: group.known ? (group.value ?? "0") : undefined,
    });
  }
  return known(out);
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

function devicesOf(props: Props): Known<string[]> {
  const out: string[] = [];
  for (const key of ["devices", "deviceRequests", "deviceCgroupRules"]) {
    const v = arr(props, key);
    if (!v.known) return UNKNOWN;
    if (v.value.length) out.push(key);
  }
  const gpus = asString(get(props, "gpus"));
  if (!gpus.known) return UNKNOWN;
  if (gpus.value) out.push("gpus");
  return known(out);
}

function deprecatedOf(props: Props): Known<string[]> {
  const used: string[] = [];
  for (const f of CONTAINER_DEPRECATED_FIELDS) {
    const v = get(props, f);
    if (isUnknown(v)) return UNKNOWN;
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) used.push(f);
  }
  return known(used);
}

function namespacesOf(props: Props): Workload["namespaces"] {
  const keys = ["networkMode", "pidMode", "ipcMode", "usernsMode", "utsMode", "cgroupnsMode"] as const;
  const v = keys.map((k) => asString(get(props, k)));
  if (!v.every((x) => x.known)) return UNKNOWN;
  const val = (i: number) => (v[i] as { value: string | undefined }).value;
  return known({ network: val(0), pid: val(1), ipc: val(2), userns: val(3), uts: val(4), cgroup: val(5) });
}

function restartOf(props: Props): Workload["restart"] {
  const restart = asString(get(props, "restart"));
  const maxRetry = asNumber(get(props, "maxRetryCount"));
  if (!restart.known || !maxRetry.known) return UNKNOWN;
  // Docker's default for a container is "no".
  return known({ policy: (restart.value ?? "no").trim() || "no", maxAttempts: maxRetry.value, window: undefined, defaulted: restart.value === undefined });
}

function cpusOf(props: Props): Workload["cpus"] {
  const cpus = asNumber(get(props, "cpus"));
  const quota = asNumber(get(props, "cpuQuota"));
  const period = asNumber(get(props, "cpuPeriod"));
  if (!cpus.known || !quota.known || !period.known) return UNKNOWN;
  // cpus, or cpuQuota/cpuPeriod (default period 100 ms).
  if (cpus.value !== undefined && cpus.value > 0) return known(cpus.value);
  return known(quota.value !== undefined && quota.value > 0 ? quota.value / (period.value || 100000) : undefined);
}

function logOf(props: Props): Workload["log"] {
  const driver = asString(get(props, "logDriver"));
  const opts = stringMap(get(props, "logOpts"));
  return driver.known && opts.known ? known({ driver: driver.value, options: opts.value }) : UNKNOWN;
}

const byProps = new WeakMap<object, Workload>();

export function containerWorkload(r: ResourceView): Workload {
  const props = r.props;
  const cached = byProps.get(props as object);
  if (cached && cached.urn === r.urn) return cached;
  const name = displayName(r);
  const networks = networksOf(props);
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
    namespaces: namespacesOf(props),
    sysctls: stringMap(get(props, "sysctls")),
    cgroupParent: asString(get(props, "cgroupParent")),
    devices: devicesOf(props),
    memoryMb: asNumber(get(props, "memory")),
    cpus: cpusOf(props),
    healthcheck: healthOf(props),
    restart: restartOf(props),
    log: logOf(props),
    mounts: mountsOf(props),
    networks: networks.known ? known(networks.value.map((x) => ({ ref: x.name, aliases: x.aliases }))) : UNKNOWN,
    // Docker's DNS answers for the container name and its aliases on each network.
    dnsNames: [...new Set([name, ...(networks.known ? networks.value.flatMap((x) => x.aliases) : [])])],
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
    deprecatedFields: deprecatedOf(props),
    daemonEnforced: new Set(),
  };
  byProps.set(props, w);
  return w;
}
