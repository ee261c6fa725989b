/**
 * The mutation corpus: single-change variants of a stack that each break one checklist
 * rule. A variant changes the registered resources (inputs and outputs alike) after the
 * program ran, or the stack config before it runs, so no file is edited. Each names the
 * policy and checklist item that must catch it; `npm run preflight -- --mutate <id>` runs
 * one, tests/preflight runs them all through one pack process.
 *
 * The program declares swarm services, so most variants change a docker.Service (its task
 * spec, rollout, endpoint), a docker.ServiceConfig / docker.Secret (content, by the path it is
 * mounted at) or a network. What a service cannot declare at all (privileged, seccomp, host
 * PID, devices, uploads) is broken on a docker.Container added next to the stack, built from a
 * service and as hardened as it: the rules still hold a program that declares containers.
 *
 * A variant whose target is missing throws: a corpus entry that silently stops applying
 * would read as "caught" without testing anything.
 */
import type { CollectedResource } from "./collect";
import { EngineValue, isSecretValue, secret, UNKNOWN_STRING } from "./engine-encoding";

export interface Mutation {
  id: string;
  description: string;
  /** The policy that must report it, and one checklist item that policy proves. */
  policy: string;
  itemId: string;
  /** Engine config overrides ("mcp:key" -> string) applied before the program runs. */
  config?: Record<string, string>;
  apply(resources: CollectedResource[]): void;
}

export class MutationTargetError extends Error {}

type Props = Record<string, EngineValue>;

const T = {
  service: "docker:index/service:Service",
  container: "docker:index/container:Container",
  config: "docker:index/serviceConfig:ServiceConfig",
  secret: "docker:index/secret:Secret",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  password: "random:index/randomPassword:RandomPassword",
  key: "tls:index/privateKey:PrivateKey",
} as const;

const isObj = (v: unknown): v is Props => !!v && typeof v === "object" && !Array.isArray(v);

function labelOf(p: Props, label: string): string | undefined {
  const labels = p.labels;
  if (!Array.isArray(labels)) return undefined;
  const l = labels.find((x) => isObj(x) && x.label === label) as Props | undefined;
  return typeof l?.value === "string" ? l.value : undefined;
}

/** The swarm service of an instance (label com.mcp.instance), e.g. "redis", "app". */
export function service(rs: CollectedResource[], instance: string): CollectedResource {
  const c = rs.find((r) => r.type === T.service && labelOf(r.inputs, "com.mcp.instance") === instance);
  if (!c) throw new MutationTargetError(`no service with com.mcp.instance=${instance}`);
  return c;
}

export function resourceOfType(rs: CollectedResource[], type: string, namePart = ""): CollectedResource {
  const r = rs.find((x) => x.type === type && x.name.includes(namePart));
  if (!r) throw new MutationTargetError(`no ${type}${namePart ? ` named *${namePart}*` : ""}`);
  return r;
}

/**
 * Applies a change to inputs and outputs (Analyze sees inputs, AnalyzeStack outputs). A
 * property that is secret as a whole (outputs often are) is unwrapped for the change and
 * wrapped again after it.
 */
export function both(r: CollectedResource, fn: (p: Props) => void): void {
  for (const p of [r.inputs, r.outputs]) {
    const wrapped = Object.keys(p).filter((k) => isSecretValue(p[k]));
    for (const k of wrapped) p[k] = (p[k] as { value: EngineValue }).value;
    fn(p);
    for (const k of wrapped) if (k in p) p[k] = secret(p[k]);
  }
}

export const set = (r: CollectedResource, key: string, value: EngineValue) => both(r, (p) => void (p[key] = structuredClone(value)));
export const unset = (r: CollectedResource, key: string) => both(r, (p) => void delete p[key]);

/** The object at a path, created on the way when absent. */
function at(p: Props, path: string[]): Props {
  let cur = p;
  for (const k of path) {
    if (!isObj(cur[k])) cur[k] = {};
    cur = cur[k] as Props;
  }
  return cur;
}

/** Changes a service's taskSpec.containerSpec (inputs and outputs). */
export function spec(r: CollectedResource, fn: (cs: Props) => void): void {
  both(r, (p) => fn(at(p, ["taskSpec", "containerSpec"])));
}

/** Changes a service's taskSpec (inputs and outputs). */
export function task(r: CollectedResource, fn: (ts: Props) => void): void {
  both(r, (p) => fn(at(p, ["taskSpec"])));
}

export function setEnv(r: CollectedResource, key: string, value: string): void {
  spec(r, (cs) => void (cs.env = { ...(isObj(cs.env) ? cs.env : {}), [key]: value }));
}

export function dropEnv(r: CollectedResource, key: string): void {
  spec(r, (cs) => {
    const env = isObj(cs.env) ? cs.env : {};
    if (!(key in env)) throw new MutationTargetError(`${r.name} has no env ${key}`);
    delete env[key];
  });
}

/** The config or secret resource a service mounts at `path` (labelled com.mcp.file by infra/components/files.ts). */
export function fileResource(rs: CollectedResource[], path: string, type: string = T.config): CollectedResource {
  const r = rs.find((x) => x.type === type && labelOf(x.inputs, "com.mcp.file") === path);
  if (!r) throw new MutationTargetError(`no ${type === T.config ? "Docker config" : "Docker secret"} for ${path}`);
  return r;
}

/** Rewrites a Docker config's or secret's content (base64 `data`, secret wrapping kept); throws if the edit changes nothing. */
export function editFile(rs: CollectedResource[], path: string, edit: (text: string) => string, type: string = T.config): void {
  const r = fileResource(rs, path, type);
  both(r, (p) => {
    const data = p.data;
    if (typeof data !== "string") throw new MutationTargetError(`${r.name} content is not known`);
    const text = Buffer.from(data, "base64").toString("utf8");
    const next = edit(text);
    if (next === text) throw new MutationTargetError(`edit of ${path} changed nothing`);
    p.data = Buffer.from(next, "utf8").toString("base64");
  });
}

export const editSecret = (rs: CollectedResource[], path: string, edit: (text: string) => string) => editFile(rs, path, edit, T.secret);

/** Changes the mount of the config or secret at `path` in a service (fileMode, fileUid, ...). */
export function setMountField(r: CollectedResource, path: string, key: string, value: EngineValue): void {
  spec(r, (cs) => {
    const refs = [...(Array.isArray(cs.configs) ? cs.configs : []), ...(Array.isArray(cs.secrets) ? cs.secrets : [])] as Props[];
    const ref = refs.find((x) => x.fileName === path);
    if (!ref) throw new MutationTargetError(`${r.name} mounts nothing at ${path}`);
    ref[key] = value;
  });
}

export function removeResources(rs: CollectedResource[], pred: (r: CollectedResource) => boolean): void {
  const n = rs.length;
  for (let i = rs.length - 1; i >= 0; i--) if (pred(rs[i])) rs.splice(i, 1);
  if (rs.length === n) throw new MutationTargetError("no resource matched for removal");
}

/** The plaintext of a generated password (RandomPassword output), for leak variants. */
export function generatedPassword(rs: CollectedResource[], namePart: string): string {
  const r = resourceOfType(rs, T.password, namePart);
  const v = r.outputs.result;
  const plain = isSecretValue(v) ? v.value : v;
  if (typeof plain !== "string") throw new MutationTargetError(`${r.name} result is not known`);
  return plain;
}

const networkId = (rs: CollectedResource[], part: string) => {
  const n = resourceOfType(rs, T.network, part);
  if (!n.id) throw new MutationTargetError(`${n.name} has no ID`);
  return n.id;
};

/**
 * A docker.Container someone adds next to the stack, built from a service's settings and as
 * hardened as the swarm service (non-root, read-only, caps dropped, no-new-privileges,
 * limits, health check, rotation, on its networks), then given the one change. For rules a
 * swarm service cannot break (privileged, seccomp, host PID ...): a program that declares
 * containers still gets them checked.
 */
export function addContainer(rs: CollectedResource[], from: string, change: (p: Props) => void, opts: { service?: string } = {}): CollectedResource {
  const svc = service(rs, from);
  const cs = svc.inputs.taskSpec && isObj(svc.inputs.taskSpec) && isObj(svc.inputs.taskSpec.containerSpec) ? svc.inputs.taskSpec.containerSpec : {};
  const ts = svc.inputs.taskSpec as Props;
  const limits = isObj(ts.resources) && isObj(ts.resources.limits) ? ts.resources.limits : {};
  const nets = Array.isArray(ts.networksAdvanceds) ? (ts.networksAdvanceds as Props[]) : [];
  const log = isObj(ts.logDriver) ? ts.logDriver : {};
  const name = `${svc.name}-debug`;
  const serviceLabel = opts.service ?? `${from}-debug`;
  const labels = (Array.isArray(svc.inputs.labels) ? (svc.inputs.labels as Props[]) : []).map((l) =>
    l.label === "com.mcp.service" ? { ...l, value: serviceLabel } : l.label === "com.mcp.instance" ? { ...l, value: `${from}-debug` } : l,
  );
  const props: Props = {
    name,
    image: cs.image ?? null,
    user: cs.user ?? null,
    readOnly: true,
    privileged: false,
    capabilities: { drops: ["ALL"], adds: [] },
    securityOpts: ["no-new-privileges:true"],
    memory: typeof limits.memoryBytes === "number" ? limits.memoryBytes / (1024 * 1024) : 256,
    cpus: typeof limits.nanoCpus === "number" ? String(limits.nanoCpus / 1e9) : "0.5",
    healthcheck: structuredClone(cs.healthcheck ?? null),
    restart: "unless-stopped",
    logDriver: typeof log.name === "string" ? log.name : "json-file",
    logOpts: structuredClone(isObj(log.options) ? log.options : {}),
    labels,
    networksAdvanced: nets.map((n) => ({ name: n.id ?? n.name ?? null, aliases: [] })),
  };
  change(props);
  const r: CollectedResource = {
    urn: svc.urn.replace(/docker:index\/service:Service::[^:]+$/, `docker:index/container:Container::${name}`),
    type: T.container,
    name,
    custom: true,
    id: `container-${name}`,
    parent: svc.parent,
    dependencies: [],
    propertyDependencies: {},
    provider: svc.provider,
    inputs: props,
    outputs: { ...structuredClone(props), id: `container-${name}` },
    options: structuredClone(svc.options),
  };
  rs.push(r);
  return r;
}

function replaceIn(re: RegExp, by: string) {
  return (text: string) => text.replace(re, by);
}

const m = (
  id: string,
  policy: string,
  itemId: string,
  description: string,
  apply: (rs: CollectedResource[]) => void,
  config?: Record<string, string>,
): Mutation => ({ id, policy, itemId, description, apply, config });

const volumeMount = (source: string, target: string) => ({ type: "volume", source, target, readOnly: false });
const addMount = (m: Props) => (cs: Props) => void (cs.mounts = [...(Array.isArray(cs.mounts) ? cs.mounts : []), m]);
const labelsWithout = (drop: string[]) => (p: Props) => void (p.labels = (p.labels as Props[]).filter((l) => !drop.includes(String(l.label))));

export const MUTATIONS: readonly Mutation[] = [
  // Container security: swarm services (what the program declares), and containers a program may add next to them
  m(
    "cap-all-redis",
    "container-capabilities",
    "SEC-CONTAINER-02",
    "Redis adds capability ALL (a swarm service cannot be privileged; this is its nearest)",
    (rs) => spec(service(rs, "redis"), (cs) => void (cs.capAdds = ["ALL"])),
  ),
  m("privileged-debug-container", "container-no-privileged", "SEC-CONTAINER-02", "a privileged debug container added next to Redis", (rs) =>
    addContainer(rs, "redis", (p) => void (p.privileged = true)),
  ),
  m("privileged-app-container", "container-no-privileged", "SEC-CONTAINER-02", "the app also run as a privileged docker.Container", (rs) =>
    addContainer(rs, "app", (p) => void (p.privileged = true)),
  ),
  m("caps-not-dropped-postgres", "container-capabilities", "SEC-CONTAINER-04", "PostgreSQL keeps the default capabilities", (rs) =>
    spec(service(rs, "postgres"), (cs) => void (cs.capDrops = [])),
  ),
  m("cap-sys-admin-nginx", "container-capabilities", "SEC-CONTAINER-04", "Nginx adds SYS_ADMIN", (rs) =>
    spec(service(rs, "nginx"), (cs) => void (cs.capAdds = ["SYS_ADMIN"])),
  ),
  m("cap-net-admin-app", "container-capabilities", "SEC-CONTAINER-02", "the app adds NET_ADMIN", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.capAdds = ["NET_ADMIN"])),
  ),
  m("cap-all-grafana", "container-capabilities", "SEC-CONTAINER-04", "Grafana adds ALL", (rs) =>
    spec(service(rs, "grafana"), (cs) => void (cs.capAdds = ["ALL"])),
  ),
  m(
    "no-new-privileges-missing",
    "container-no-new-privileges",
    "SEC-CONTAINER-04",
    "a Prometheus container without no-new-privileges (services get it from the daemon)",
    (rs) => addContainer(rs, "prometheus", (p) => void (p.securityOpts = [])),
  ),
  m("seccomp-unconfined", "container-security-profiles", "SEC-CONTAINER-04", "an app container with seccomp=unconfined", (rs) =>
    addContainer(rs, "app", (p) => void (p.securityOpts = ["no-new-privileges:true", "seccomp=unconfined"])),
  ),
  m("apparmor-unconfined", "container-security-profiles", "SEC-CONTAINER-04", "a Redis container with apparmor=unconfined", (rs) =>
    addContainer(rs, "redis", (p) => void (p.securityOpts = ["no-new-privileges:true", "apparmor=unconfined"])),
  ),
  m(
    "selinux-disabled-redis",
    "container-security-profiles",
    "SEC-CONTAINER-04",
    "Redis with SELinux labelling disabled (privileges.seLinuxContext.disable)",
    (rs) => spec(service(rs, "redis"), (cs) => void (cs.privileges = { seLinuxContext: { disable: true } })),
  ),
  m("writable-rootfs-nginx", "container-read-only-rootfs", "SEC-CONTAINER-04", "Nginx with a writable root filesystem", (rs) =>
    spec(service(rs, "nginx"), (cs) => void (cs.readOnly = false)),
  ),
  m("user-empty-app", "container-non-root-user", "SEC-CONTAINER-01", "the app without a user (image default)", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.user = "")),
  ),
  m("user-root-redis", "container-non-root-user", "SEC-CONTAINER-01", "Redis as root", (rs) => spec(service(rs, "redis"), (cs) => void (cs.user = "root"))),
  m("user-uid0-postgres", "container-non-root-user", "SEC-CONTAINER-01", "PostgreSQL as 0:0", (rs) =>
    spec(service(rs, "postgres"), (cs) => void (cs.user = "0:0")),
  ),
  m(
    "user-uid-zero-padded-app",
    "container-non-root-user",
    "SEC-CONTAINER-01",
    "PSS Running as Non-root user: the app as user 00 (uid 0 with a leading zero)",
    (rs) => spec(service(rs, "app"), (cs) => void (cs.user = "00")),
  ),
  m("user-uid-zero-padded-container", "container-non-root-user", "SEC-CONTAINER-01", "PSS Running as Non-root user: a Grafana container as 000:472", (rs) =>
    addContainer(rs, "grafana", (p) => void (p.user = "000:472")),
  ),
  m("host-network-nginx", "container-host-namespaces", "SEC-CONTAINER-04", "Nginx on the host network", (rs) =>
    task(service(rs, "nginx"), (ts) => void (ts.networksAdvanceds = [{ id: "host", aliases: [] }])),
  ),
  m("host-pid-node-exporter", "container-host-namespaces", "SEC-CONTAINER-04", "a node-exporter container in the host PID namespace", (rs) =>
    addContainer(rs, "node-exporter", (p) => void (p.pidMode = "host")),
  ),
  m("host-ipc-postgres", "container-host-namespaces", "SEC-CONTAINER-04", "a PostgreSQL container in the host IPC namespace", (rs) =>
    addContainer(rs, "postgres", (p) => void (p.ipcMode = "host")),
  ),
  m("host-userns-app", "container-host-namespaces", "SEC-CONTAINER-04", "an app container in the host user namespace", (rs) =>
    addContainer(rs, "app", (p) => void (p.usernsMode = "host")),
  ),
  m("docker-socket-prometheus", "container-host-mounts", "SEC-CONTAINER-04", "/var/run/docker.sock mounted into Prometheus", (rs) =>
    spec(service(rs, "prometheus"), addMount({ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false })),
  ),
  m("host-etc-bind-backup", "container-host-mounts", "SEC-DATA-08", "host /etc bind-mounted into the backup service", (rs) =>
    spec(service(rs, "backup"), addMount({ type: "bind", source: "/etc", target: "/host-etc", readOnly: true })),
  ),
  m(
    "host-etc-volume-driver-backup",
    "container-host-mounts",
    "SEC-DATA-08",
    "host /etc mounted into the backup service through a local volume's o=bind driver options",
    (rs) =>
      spec(
        service(rs, "backup"),
        addMount({
          type: "volume",
          source: "hostetc",
          target: "/host-etc",
          readOnly: true,
          volumeOptions: { driverName: "local", driverOptions: { type: "none", o: "bind", device: "/etc" } },
        }),
      ),
  ),
  m("host-device-postgres", "container-no-host-devices", "SEC-CONTAINER-02", "/dev/sda passed into a PostgreSQL container", (rs) =>
    addContainer(rs, "postgres", (p) => void (p.devices = [{ hostPath: "/dev/sda", containerPath: "/dev/sda", permissions: "rwm" }])),
  ),
  m("gpu-generic-resource-app", "container-no-host-devices", "SEC-CONTAINER-02", "the app service reserves a GPU (generic resource)", (rs) =>
    task(service(rs, "app"), (ts) => void (at(ts, ["resources", "reservation"]).genericResources = { discreteResourcesSpecs: ["NVIDIA-GPU=1"] })),
  ),
  m("volume-driver-bind", "volume-host-bind", "SEC-DATA-08", "a data volume binding host /srv through driverOpts", (rs) =>
    set(resourceOfType(rs, T.volume, "pgdata"), "driverOpts", { type: "none", o: "bind", device: "/srv/pgdata" }),
  ),
  // CIS Docker v1.6.0 section 5 and the Pod Security Standards, each in the spellings Docker accepts
  m("sysctl-ip-forward-app", "container-sysctls", "SEC-CONTAINER-04", "PSS Sysctls: the app sets net.ipv4.ip_forward, outside the safe set", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.sysctl = { "net.ipv4.ip_forward": "1" })),
  ),
  m("sysctl-slash-spelling-redis", "container-sysctls", "SEC-CONTAINER-04", "PSS Sysctls: Redis sets net/ipv4/conf/all/forwarding (the slash spelling)", (rs) =>
    spec(service(rs, "redis"), (cs) => void (cs.sysctl = { "net/ipv4/conf/all/forwarding": "1" })),
  ),
  m(
    "sysctl-kernel-msgmax-container",
    "container-sysctls",
    "SEC-CONTAINER-04",
    "PSS Sysctls: a PostgreSQL container sets kernel.msgmax (IPC, not isolated)",
    (rs) => addContainer(rs, "postgres", (p) => void (p.sysctls = { "kernel.msgmax": "65536" })),
  ),
  m("sysctl-somaxconn-slash-container", "container-sysctls", "SEC-CONTAINER-04", "PSS Sysctls: an app container sets net/core/somaxconn", (rs) =>
    addContainer(rs, "app", (p) => void (p.sysctls = { "net.ipv4.ip_unprivileged_port_start": "80", "net/core/somaxconn": "4096" })),
  ),
  m(
    "propagation-shared-prometheus",
    "container-mount-propagation",
    "SEC-CONTAINER-04",
    "CIS 5.20: Prometheus mounts a host directory with shared propagation",
    (rs) =>
      spec(
        service(rs, "prometheus"),
        addMount({ type: "bind", source: "/srv/mcp/shared", target: "/shared", readOnly: true, bindOptions: { propagation: "shared" } }),
      ),
  ),
  m("propagation-rshared-container", "container-mount-propagation", "SEC-DATA-08", "CIS 5.20: a backup container mounts with rshared propagation", (rs) =>
    addContainer(
      rs,
      "backup",
      (p) => void (p.mounts = [{ type: "bind", source: "/srv/mcp/shared", target: "/shared", readOnly: true, bindOptions: { propagation: "rshared" } }]),
    ),
  ),
  m(
    "cgroup-parent-container",
    "container-cgroup-parent",
    "SEC-CONTAINER-03",
    "CIS 5.25: a Redis container under its own cgroup parent (a cgroupfs path)",
    (rs) => addContainer(rs, "redis", (p) => void (p.cgroupParent = "/custom/redis")),
  ),
  m(
    "cgroup-parent-slice-container",
    "container-cgroup-parent",
    "SEC-CONTAINER-03",
    "CIS 5.25: an app container under a systemd slice (the systemd driver's spelling)",
    (rs) => addContainer(rs, "app", (p) => void (p.cgroupParent = "mcp-debug.slice")),
  ),
  m("default-bridge-container", "container-default-bridge", "SEC-NET-02", "CIS 5.30: a Grafana container with no network of its own (docker0)", (rs) =>
    addContainer(rs, "grafana", (p) => void (p.networksAdvanced = [])),
  ),
  m(
    "default-bridge-mode-bridge",
    "container-default-bridge",
    "SEC-NET-02",
    "CIS 5.30: an app container with networkMode bridge and no network of its own",
    (rs) => addContainer(rs, "app", (p) => void ((p.networksAdvanced = []), (p.networkMode = "bridge"))),
  ),
  m(
    "default-bridge-mode-default",
    "container-default-bridge",
    "SEC-NET-02",
    "CIS 5.30: a Redis container with networkMode default (docker0 by its other name)",
    (rs) => addContainer(rs, "redis", (p) => void ((p.networksAdvanced = []), (p.networkMode = "default"))),
  ),
  m("sshd-app-service", "container-no-sshd", "SEC-CONTAINER-04", "CIS 5.7: the app service also starts /usr/sbin/sshd through a shell", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.commands = ["/bin/sh", "-c", "/usr/sbin/sshd -D & exec node server.js"])),
  ),
  m("sshd-entrypoint-container", "container-no-sshd", "SEC-CONTAINER-04", "CIS 5.7: a debug container whose entrypoint is sshd", (rs) =>
    addContainer(rs, "app", (p) => void ((p.entrypoints = ["sshd"]), (p.command = ["-D", "-e"]))),
  ),
  m("sshd-image-container", "container-no-sshd", "SEC-CONTAINER-04", "CIS 5.7: a container from an SSH server image", (rs) =>
    addContainer(rs, "app", (p) => void (p.image = "lscr.io/linuxserver/openssh-server:9.7_p1-r4-ls160")),
  ),
  m(
    "cap-sys-time-prefixed-app",
    "container-capabilities",
    "SEC-CONTAINER-04",
    "CIS 5.4 / PSS Capabilities: the app adds CAP_SYS_TIME (outside the restricted set)",
    (rs) => spec(service(rs, "app"), (cs) => void (cs.capAdds = ["CAP_SYS_TIME"])),
  ),
  m("cap-sys-admin-prefixed-nginx", "container-capabilities", "SEC-CONTAINER-02", "CIS 5.4: Nginx adds CAP_SYS_ADMIN (the CAP_ spelling)", (rs) =>
    spec(service(rs, "nginx"), (cs) => void (cs.capAdds = ["CAP_SYS_ADMIN"])),
  ),
  m("cap-sys-admin-lower-container", "container-capabilities", "SEC-CONTAINER-02", "CIS 5.4: a Redis container adds sys_admin (lower case)", (rs) =>
    addContainer(rs, "redis", (p) => void (p.capabilities = { drops: ["ALL"], adds: ["sys_admin"] })),
  ),
  m(
    "cap-net-raw-lower-container",
    "container-capabilities",
    "SEC-CONTAINER-04",
    "PSS Capabilities: an app container adds back cap_net_raw (in Docker's default set, not in baseline)",
    (rs) => addContainer(rs, "app", (p) => void (p.capabilities = { drops: ["ALL"], adds: ["cap_net_raw"] })),
  ),
  m(
    "selinux-type-spc-container",
    "container-security-profiles",
    "SEC-CONTAINER-04",
    "CIS 5.3 / PSS SELinux: an app container runs as SELinux type spc_t",
    (rs) => addContainer(rs, "app", (p) => void (p.securityOpts = ["no-new-privileges:true", "label=type:spc_t"])),
  ),
  m(
    "selinux-user-colon-container",
    "container-security-profiles",
    "SEC-CONTAINER-04",
    "PSS SELinux: a Redis container sets an SELinux user (label:user:, the colon spelling)",
    (rs) => addContainer(rs, "redis", (p) => void (p.securityOpts = ["no-new-privileges:true", "label:user:system_u"])),
  ),
  m("selinux-type-service", "container-security-profiles", "SEC-CONTAINER-04", "PSS SELinux: the app service runs as SELinux type unconfined_t", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.privileges = { seLinuxContext: { type: "unconfined_t" } })),
  ),
  m("selinux-role-service", "container-security-profiles", "SEC-CONTAINER-04", "PSS SELinux: Grafana sets an SELinux role", (rs) =>
    spec(service(rs, "grafana"), (cs) => void (cs.privileges = { seLinuxContext: { role: "system_r" } })),
  ),
  m(
    "systempaths-unconfined-container",
    "container-security-profiles",
    "SEC-CONTAINER-04",
    "PSS /proc Mount Type: an app container unmasks /proc (systempaths=unconfined)",
    (rs) => addContainer(rs, "app", (p) => void (p.securityOpts = ["no-new-privileges:true", "systempaths=unconfined"])),
  ),
  m(
    "seccomp-unconfined-colon",
    "container-security-profiles",
    "SEC-CONTAINER-04",
    "CIS 5.22: a Grafana container with seccomp:unconfined (the colon spelling)",
    (rs) => addContainer(rs, "grafana", (p) => void (p.securityOpts = ["no-new-privileges:true", "seccomp:unconfined"])),
  ),
  m("apparmor-unconfined-colon", "container-security-profiles", "SEC-CONTAINER-04", "CIS 5.2: a PostgreSQL container with apparmor:unconfined", (rs) =>
    addContainer(rs, "postgres", (p) => void (p.securityOpts = ["no-new-privileges:true", "apparmor:unconfined"])),
  ),
  m("docker-socket-run-container", "container-host-mounts", "SEC-CONTAINER-04", "CIS 5.32: /run/docker.sock bind-mounted into a Prometheus container", (rs) =>
    addContainer(rs, "prometheus", (p) => void (p.mounts = [{ type: "bind", source: "/run/docker.sock", target: "/var/run/docker.sock", readOnly: true }])),
  ),
  m(
    "docker-socket-volumes-container",
    "container-host-mounts",
    "SEC-CONTAINER-04",
    "CIS 5.32: the Docker socket through a container's volumes (hostPath)",
    (rs) => addContainer(rs, "app", (p) => void (p.volumes = [{ hostPath: "/var/run/docker.sock", containerPath: "/docker.sock", readOnly: true }])),
  ),
  m(
    "docker-socket-double-slash-service",
    "container-host-mounts",
    "SEC-CONTAINER-04",
    "CIS 5.32: //var/run/docker.sock (the same socket, spelt with a double slash) into the app service",
    (rs) => spec(service(rs, "app"), addMount({ type: "bind", source: "//var/run/docker.sock", target: "/docker.sock", readOnly: true })),
  ),
  m(
    "docker-socket-dir-volume-driver",
    "container-host-mounts",
    "SEC-CONTAINER-04",
    "CIS 5.32: host /var/run (the socket's directory) mounted into Prometheus through a local volume's o=rbind",
    (rs) =>
      spec(
        service(rs, "prometheus"),
        addMount({
          type: "volume",
          source: "hostrun",
          target: "/host-run",
          readOnly: true,
          volumeOptions: { driverName: "local", driverOptions: { type: "none", o: "rbind", device: "/var/run" } },
        }),
      ),
  ),
  m(
    "docker-socket-var-container",
    "container-host-mounts",
    "SEC-CONTAINER-04",
    "CIS 5.32: a backup container bind-mounts host /var (and so /var/run/docker.sock)",
    (rs) => addContainer(rs, "backup", (p) => void (p.mounts = [{ type: "bind", source: "/var", target: "/host-var", readOnly: true }])),
  ),
  m("hostpath-srv-service", "container-host-mounts", "SEC-DATA-08", "PSS HostPath Volumes: the app service bind-mounts /srv/mcp/data", (rs) =>
    spec(service(rs, "app"), addMount({ type: "bind", source: "/srv/mcp/data", target: "/data", readOnly: false })),
  ),
  m(
    "hostpath-opt-container",
    "container-host-mounts",
    "SEC-DATA-08",
    "PSS HostPath Volumes: a Grafana container mounts host /opt/grafana through volumes",
    (rs) => addContainer(rs, "grafana", (p) => void (p.volumes = [{ hostPath: "/opt/grafana", containerPath: "/var/lib/grafana", readOnly: false }])),
  ),
  m("host-uts-container", "container-host-namespaces", "SEC-CONTAINER-04", "CIS 5.21: a Redis container in the host UTS namespace", (rs) =>
    addContainer(rs, "redis", (p) => void (p.utsMode = "host")),
  ),
  m("host-network-container", "container-host-namespaces", "SEC-NET-02", "CIS 5.10: an app container with networkMode host", (rs) =>
    addContainer(rs, "app", (p) => void (p.networkMode = "host")),
  ),
  m("host-cgroupns-container", "container-host-namespaces", "SEC-CONTAINER-04", "a Prometheus container in the host cgroup namespace", (rs) =>
    addContainer(rs, "prometheus", (p) => void (p.cgroupnsMode = "host")),
  ),
  // Network
  m("postgres-port-published", "container-published-ports", "SEC-NET-01", "port 5432 published on PostgreSQL", (rs) =>
    both(
      service(rs, "postgres"),
      (p) => void (at(p, ["endpointSpec"]).ports = [{ targetPort: 5432, publishedPort: 5432, protocol: "tcp", publishMode: "host" }]),
    ),
  ),
  m("publish-all-grafana", "container-published-ports", "SEC-NET-01", "a Grafana container with publishAllPorts", (rs) =>
    addContainer(rs, "grafana", (p) => void (p.publishAllPorts = true)),
  ),
  m("nginx-extra-port", "container-published-ports", "PRE-CONFIG-14", "Nginx also publishes its stub_status port 8081", (rs) =>
    both(
      service(rs, "nginx"),
      (p) =>
        void (at(p, ["endpointSpec"]).ports = [
          ...((at(p, ["endpointSpec"]).ports as EngineValue[]) ?? []),
          { targetPort: 8081, publishedPort: 8081, protocol: "tcp", publishMode: "host" },
        ]),
    ),
  ),
  m("nginx-routing-mesh", "container-published-ports", "SEC-NET-01", "Nginx publishes 80/443 through the routing mesh (every node answers)", (rs) =>
    both(
      service(rs, "nginx"),
      (p) => void (at(p, ["endpointSpec"]).ports = ((at(p, ["endpointSpec"]).ports as Props[]) ?? []).map((x) => ({ ...x, publishMode: "ingress" }))),
    ),
  ),
  m(
    "nginx-container-other-address",
    "container-published-ports",
    "PRE-CONFIG-14",
    "an Nginx container binds 443 to an address the configuration does not name (mcp:edge.bindAddress 0.0.0.0)",
    (rs) => addContainer(rs, "nginx", (p) => void (p.ports = [{ internal: 8443, external: 443, ip: "10.0.0.5", protocol: "tcp" }]), { service: "nginx" }),
  ),
  m("postgres-on-edge", "data-services-internal-network", "SEC-NET-02", "PostgreSQL also attached to the edge network", (rs) => {
    const edge = networkId(rs, "-edge");
    task(service(rs, "postgres"), (ts) => void (ts.networksAdvanceds = [...(ts.networksAdvanceds as EngineValue[]), { id: edge, aliases: ["postgres"] }]));
  }),
  m("redis-on-egress-only", "data-services-internal-network", "PRE-SEC-05", "Redis attached only to the egress network", (rs) => {
    const egress = networkId(rs, "-egress");
    task(service(rs, "redis"), (ts) => void (ts.networksAdvanceds = [{ id: egress, aliases: ["redis"] }]));
  }),
  m("internal-network-not-internal", "network-internal-flag", "SEC-NET-02", "the internal network created without internal: true", (rs) =>
    set(resourceOfType(rs, T.network, "internal"), "internal", false),
  ),
  m("overlay-not-encrypted", "network-encrypted", "PRE-SEC-05", "the internal overlay network without the encrypted option", (rs) =>
    set(resourceOfType(rs, T.network, "internal"), "options", {}),
  ),
  // Limits, restarts, health, rollout, placement
  m("no-memory-limit-app", "container-resource-limits", "SEC-CONTAINER-03", "the app without a memory limit", (rs) =>
    task(service(rs, "app"), (ts) => void delete at(ts, ["resources", "limits"]).memoryBytes),
  ),
  m("no-cpu-limit-redis", "container-resource-limits", "SEC-CONTAINER-03", "Redis without a CPU limit", (rs) =>
    task(service(rs, "redis"), (ts) => void delete at(ts, ["resources", "limits"]).nanoCpus),
  ),
  m("restart-none-postgres", "container-restart-policy", "DEP-CORE-01", "PostgreSQL with restart condition none", (rs) =>
    task(service(rs, "postgres"), (ts) => void (at(ts, ["restartPolicy"]).condition = "none")),
  ),
  m("restart-unbounded-app", "container-restart-policy", "DEP-CORE-03", "the app restarts without a maxAttempts bound (a crash loop never stops)", (rs) =>
    task(service(rs, "app"), (ts) => void (at(ts, ["restartPolicy"]).maxAttempts = 0)),
  ),
  m(
    "restart-attempts-over-five-app",
    "container-restart-policy",
    "DEP-CORE-03",
    "CIS 5.15: the app retries up to 10 times (restartPolicy.maxAttempts over 5)",
    (rs) => task(service(rs, "app"), (ts) => void (at(ts, ["restartPolicy"]).maxAttempts = 10)),
  ),
  m(
    "restart-retry-over-five-container",
    "container-restart-policy",
    "DEP-CORE-03",
    "CIS 5.15: a Redis container restarts on-failure with maxRetryCount 6",
    (rs) => addContainer(rs, "redis", (p) => void ((p.restart = "on-failure"), (p.maxRetryCount = 6))),
  ),
  m("restart-no-window-redis", "container-restart-policy", "DEP-CORE-03", "Redis counts restart attempts over no window", (rs) =>
    task(service(rs, "redis"), (ts) => void delete at(ts, ["restartPolicy"]).window),
  ),
  m("no-healthcheck-redis", "container-healthcheck", "DEP-CORE-02", "Redis without a health check", (rs) =>
    spec(service(rs, "redis"), (cs) => void delete cs.healthcheck),
  ),
  m("healthcheck-none-app", "container-healthcheck", "HA-REDUNDANCY-05", "the app health check set to NONE", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.healthcheck = { tests: ["NONE"] })),
  ),
  m(
    "healthcheck-none-unwatched",
    "container-healthcheck",
    "DEP-CORE-02",
    "the nginx exporter (no health check) without the label naming what watches it",
    (rs) => {
      const r = service(rs, "nginx-exporter");
      both(r, labelsWithout(["com.mcp.healthcheck"]));
      spec(r, labelsWithout(["com.mcp.healthcheck"]));
    },
  ),
  m(
    "shell-healthcheck-on-scratch-image",
    "image-healthcheck-runnable",
    "DEP-CORE-02",
    "a CMD-SHELL health check on the nginx exporter, whose image has no shell",
    (rs) =>
      spec(
        service(rs, "nginx-exporter"),
        (cs) =>
          void (cs.healthcheck = {
            tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:9113/metrics"],
            interval: "10s",
            timeout: "5s",
            retries: 3,
            startPeriod: "20s",
          }),
      ),
  ),
  m("healthcheck-tool-missing-app", "image-healthcheck-runnable", "HA-REDUNDANCY-05", "the app probes with curl, which its busybox image does not have", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.healthcheck = { ...(cs.healthcheck as Props), tests: ["CMD", "curl", "-fsS", "http://127.0.0.1:8080/health"] })),
  ),
  m("update-failure-pause-app", "service-update-rollback", "ROLLBACK-STEPS-01", "a failed app update pauses instead of rolling back", (rs) =>
    both(service(rs, "app"), (p) => void (at(p, ["updateConfig"]).failureAction = "pause")),
  ),
  m("update-no-monitor-postgres", "service-update-rollback", "HA-REDUNDANCY-05", "PostgreSQL updates without watching the new task (monitor 0s)", (rs) =>
    both(service(rs, "postgres"), (p) => void (at(p, ["updateConfig"]).monitor = "0s")),
  ),
  m("no-rollback-config-nginx", "service-update-rollback", "ROLLBACK-STEPS-02", "Nginx without a rollbackConfig", (rs) =>
    unset(service(rs, "nginx"), "rollbackConfig"),
  ),
  m("update-all-at-once-app", "service-update-rollback", "ROLLBACK-STEPS-01", "the app updates every replica at once (parallelism 0)", (rs) =>
    both(service(rs, "app"), (p) => void (at(p, ["updateConfig"]).parallelism = 0)),
  ),
  m("postgres-two-replicas", "service-stateful-placement", "DEP-CORE-01", "PostgreSQL (a named volume) with two replicas", (rs) =>
    both(service(rs, "postgres"), (p) => void (at(p, ["mode", "replicated"]).replicas = 2)),
  ),
  m("redis-unpinned", "service-stateful-placement", "DEP-CORE-03", "Redis (a named volume) without a node-label placement constraint", (rs) =>
    task(service(rs, "redis"), (ts) => void (at(ts, ["placement"]).constraints = [])),
  ),
  // Images
  m("postgres-latest", "image-pinned", "ROLLBACK-STEPS-01", "postgres:latest", (rs) =>
    spec(service(rs, "postgres"), (cs) => void (cs.image = "postgres:latest")),
  ),
  m("redis-untagged", "image-pinned", "ROLLBACK-STEPS-01", "redis without a tag", (rs) => spec(service(rs, "redis"), (cs) => void (cs.image = "redis"))),
  m("registry-not-allowed", "image-pinned", "ROLLBACK-STEPS-01", "app image from an unlisted registry", (rs) =>
    spec(service(rs, "app"), (cs) => void (cs.image = "registry.evil.example/mcp-gateway:1.8.2")),
  ),
  // Secrets
  m("password-in-env-by-name", "container-env-secrets", "SEC-DATA-02", "DATABASE_PASSWORD in the app's env", (rs) =>
    setEnv(service(rs, "app"), "DATABASE_PASSWORD", generatedPassword(rs, "postgresPassword")),
  ),
  m("random-token-in-env", "container-env-secrets", "SEC-DATA-05", "a random-looking value under an innocent name", (rs) =>
    setEnv(service(rs, "grafana"), "GF_EXTRA_SEED", "q8Zr2Lx0Vw7Nk4Tb9Pj1Hs6Dc3Fm5Yg"),
  ),
  m("url-credentials-in-env", "container-env-secrets", "SEC-DATA-02", "credentials inside a DSN in env", (rs) =>
    setEnv(service(rs, "postgres-exporter"), "DATA_SOURCE_NAME", "postgresql://mcp_exporter:hunter2hunter2@postgres:5432/mcp"),
  ),
  m("generated-secret-in-env", "secrets-not-exposed", "SEC-DATA-02", "the generated Redis password as an env value under an innocent name", (rs) =>
    setEnv(service(rs, "redis-exporter"), "REDIS_OPTS", generatedPassword(rs, "redisPassword")),
  ),
  m("generated-secret-in-command", "secrets-not-exposed", "SEC-DATA-05", "the generated Redis password on Redis's command line", (rs) =>
    spec(service(rs, "redis"), (cs) => void (cs.args = [...(cs.args as EngineValue[]), "--requirepass", generatedPassword(rs, "redisPassword")])),
  ),
  m("tls-verify-off-app", "container-tls-verification", "SEC-DATA-01", "NODE_TLS_REJECT_UNAUTHORIZED=0 on the app", (rs) =>
    setEnv(service(rs, "app"), "NODE_TLS_REJECT_UNAUTHORIZED", "0"),
  ),
  m("sslmode-disable-app", "container-tls-verification", "SEC-DATA-01", "DATABASE_SSLMODE=disable on the app", (rs) =>
    setEnv(service(rs, "app"), "DATABASE_SSLMODE", "disable"),
  ),
  m("secret-file-world-readable", "secret-file-permissions", "PRE-CONFIG-07", "Grafana's admin password secret mounted with mode 0644", (rs) =>
    setMountField(service(rs, "grafana"), "/run/secrets/grafana-admin-password", "fileMode", 0o644),
  ),
  m("secret-file-root-owned", "secret-file-permissions", "SEC-DATA-03", "PostgreSQL's password secret owned by root (unreadable to uid 70)", (rs) =>
    setMountField(service(rs, "postgres"), "/run/secrets/postgres-password", "fileUid", "0"),
  ),
  m("config-file-writable", "secret-file-permissions", "PRE-CONFIG-07", "Redis's redis.conf config mounted writable (0666)", (rs) =>
    setMountField(service(rs, "redis"), "/etc/redis/redis.conf", "fileMode", 0o666),
  ),
  m("secret-as-config-app", "secrets-as-docker-secrets", "PRE-CONFIG-03", "the app's JWT key delivered as a Docker config instead of a Docker secret", (rs) => {
    const app = service(rs, "app");
    const jwt = fileResource(rs, "/run/secrets/jwt-signing-key", T.secret);
    const config: CollectedResource = {
      ...structuredClone(jwt),
      type: T.config,
      urn: jwt.urn.replace("docker:index/secret:Secret", "docker:index/serviceConfig:ServiceConfig"),
      id: `${jwt.id}-config`,
    };
    for (const p of [config.inputs, config.outputs]) if (isSecretValue(p.data)) p.data = p.data.value;
    config.outputs.id = config.id!;
    rs.push(config);
    spec(app, (cs) => {
      const ref = (cs.secrets as Props[]).find((x) => x.fileName === "/run/secrets/jwt-signing-key")!;
      cs.secrets = (cs.secrets as Props[]).filter((x) => x !== ref);
      cs.configs = [
        ...(cs.configs as Props[]),
        { configId: config.id!, configName: ref.secretName, fileName: ref.fileName, fileUid: ref.fileUid, fileGid: ref.fileGid, fileMode: ref.fileMode },
      ];
    });
  }),
  m("private-key-in-config", "secrets-as-docker-secrets", "SEC-DATA-02", "PostgreSQL's TLS private key placed in its certificate's Docker config", (rs) => {
    const key = fileResource(rs, "/run/secrets/postgres-tls.key", T.secret).inputs.data;
    const pem = Buffer.from(String(isSecretValue(key) ? key.value : key), "base64").toString("utf8");
    editFile(rs, "/etc/postgresql/tls/server.crt", (t) => `${t}${pem}`);
  }),
  m("volume-over-run-secrets", "secrets-as-docker-secrets", "PRE-CONFIG-03", "a named volume mounted at /run/secrets in the app", (rs) =>
    spec(service(rs, "app"), addMount(volumeMount("mcp-prod-app-secrets", "/run/secrets"))),
  ),
  m(
    "container-with-secret-upload",
    "secrets-as-docker-secrets",
    "SEC-DATA-02",
    "a container that gets the Redis password as an upload under /run/secrets",
    (rs) =>
      addContainer(
        rs,
        "redis-exporter",
        (p) =>
          void (p.uploads = [
            {
              file: "/run/secrets/redis-password",
              content: secret(generatedPassword(rs, "redisPassword")),
              permissions: "0400",
              owner: "59000",
              group: "59000",
            },
          ]),
      ),
  ),
  m("short-random-password", "random-password-strength", "SEC-DATA-07", "a 16-character generated password", (rs) =>
    set(resourceOfType(rs, T.password, "postgresPassword"), "length", 16),
  ),
  m("password-without-specials", "random-password-strength", "SEC-DATA-06", "the JWT key generated without special characters", (rs) =>
    set(resourceOfType(rs, T.password, "jwtSigningKey"), "special", false),
  ),
  m("placeholder-in-env", "config-placeholders", "PRE-CONFIG-02", "your_api_host_here in the app's env", (rs) =>
    setEnv(service(rs, "app"), "UPSTREAM_API_URL", "https://your_api_host_here/v1"),
  ),
  m("placeholder-in-config", "config-placeholders", "PRE-CONFIG-02", "<replace-me> in the blackbox exporter's Docker config", (rs) =>
    editFile(rs, "/etc/blackbox_exporter/config.yml", (t) => `${t}\n# target: <replace-me>\n`),
  ),
  m("default-grafana-password", "default-passwords", "PRE-SEC-02", "Grafana's admin password secret holds 'admin'", (rs) =>
    editSecret(rs, "/run/secrets/grafana-admin-password", () => "admin"),
  ),
  m("default-redis-requirepass", "default-passwords", "PRE-SEC-02", "Redis requirepass 'redis'", (rs) =>
    editSecret(rs, "/run/secrets/redis-auth.conf", () => 'requirepass "redis"\n'),
  ),
  // Swarm references
  m("undeclared-secret-ref", "swarm-references-declared", "DEP-CORE-01", "Redis mounts a Docker secret the stack does not declare", (rs) =>
    spec(
      service(rs, "redis"),
      (cs) =>
        void (cs.secrets = (cs.secrets as Props[]).map((x) =>
          x.fileName === "/run/secrets/redis-password" ? { ...x, secretId: "0123456789abcdef", secretName: "redis-password-from-elsewhere" } : x,
        )),
    ),
  ),
  m("undeclared-network", "swarm-references-declared", "DEP-CORE-01", "the app joins a network the stack does not declare", (rs) =>
    task(service(rs, "app"), (ts) => void (ts.networksAdvanceds = [...(ts.networksAdvanceds as EngineValue[]), { id: "some-external-network", aliases: [] }])),
  ),
  // Deployability of containers
  m(
    "container-uploads-into-readonly",
    "container-uploads-read-only",
    "DEP-CORE-01",
    "a read-only container that gets a file as an upload (Docker refuses it)",
    (rs) =>
      addContainer(
        rs,
        "blackbox-exporter",
        (p) => void (p.uploads = [{ file: "/etc/blackbox_exporter/config.yml", content: "modules: {}\n", permissions: "0444" }]),
      ),
  ),
  // Services
  m("grafana-anonymous", "grafana-auth", "PRE-SEC-04", "Grafana anonymous access on", (rs) =>
    setEnv(service(rs, "grafana"), "GF_AUTH_ANONYMOUS_ENABLED", "true"),
  ),
  m("grafana-admin-user", "grafana-auth", "PRE-SEC-02", "Grafana admin user 'admin'", (rs) =>
    setEnv(service(rs, "grafana"), "GF_SECURITY_ADMIN_USER", "admin"),
  ),
  m("grafana-no-admin-password", "grafana-auth", "PRE-CONFIG-12", "Grafana without an admin password file", (rs) =>
    dropEnv(service(rs, "grafana"), "GF_SECURITY_ADMIN_PASSWORD__FILE"),
  ),
  m("redis-protected-mode-off", "redis-auth", "PRE-SEC-04", "redis.conf with protected-mode no", (rs) =>
    editFile(rs, "/etc/redis/redis.conf", replaceIn(/^protected-mode yes$/m, "protected-mode no")),
  ),
  m("redis-no-password", "redis-auth", "PRE-SEC-04", "redis.conf without its requirepass include", (rs) =>
    editFile(rs, "/etc/redis/redis.conf", replaceIn(/^include \/run\/secrets\/redis-auth\.conf$/m, "")),
  ),
  m("postgres-ssl-off", "postgres-tls-auth", "SEC-DATA-01", "postgresql.conf with ssl = off", (rs) =>
    editFile(rs, "/etc/postgresql/postgresql.conf", replaceIn(/^ssl = on$/m, "ssl = off")),
  ),
  m("pg-hba-trust", "postgres-tls-auth", "PRE-SEC-04", "pg_hba.conf trusts local connections", (rs) =>
    editFile(rs, "/etc/postgresql/pg_hba.conf", (t) => `local all all trust\n${t}`),
  ),
  m("pg-hba-md5-host", "postgres-tls-auth", "SEC-DATA-01", "pg_hba.conf allows plain TCP with md5", (rs) =>
    editFile(rs, "/etc/postgresql/pg_hba.conf", (t) => `${t}host all all samenet md5\n`),
  ),
  m("postgres-trust-env", "postgres-tls-auth", "PRE-SEC-04", "POSTGRES_HOST_AUTH_METHOD=trust", (rs) =>
    setEnv(service(rs, "postgres"), "POSTGRES_HOST_AUTH_METHOD", "trust"),
  ),
  // Monitoring
  m(
    "prometheus-short-retention",
    "prometheus-retention",
    "DEP-MON-05",
    "the stack config asks Prometheus for 3 days of retention (prod needs 15)",
    () => undefined,
    { "mcp:prometheus": JSON.stringify({ retentionTime: "3d", retentionSize: "20GB" }) },
  ),
  m("prometheus-no-retention", "prometheus-retention", "DEP-MON-05", "Prometheus without retention flags", (rs) =>
    spec(service(rs, "prometheus"), (cs) => void (cs.args = (cs.args as string[]).filter((a) => !a.startsWith("--storage.tsdb.retention")))),
  ),
  m("no-alert-rules", "prometheus-alert-rules", "MON-ALERT-01", "the alert rules file emptied", (rs) =>
    editFile(rs, "/etc/prometheus/rules/mcp-alerts.yml", () => "groups: []\n"),
  ),
  m("no-warning-alerts", "prometheus-alert-rules", "MON-ALERT-02", "every warning alert relabelled critical", (rs) =>
    editFile(rs, "/etc/prometheus/rules/mcp-alerts.yml", replaceIn(/severity: ["']?warning["']?/g, "severity: critical")),
  ),
  m("alertmanager-no-receivers", "alertmanager-receivers", "MON-ALERT-01", "alertmanager.yml receivers without channels", (rs) =>
    editFile(rs, "/etc/alertmanager/alertmanager.yml", (t) => t.replace(/^(\s*)(webhook|email|slack|pagerduty)_configs:/gm, "$1x_disabled_$2:")),
  ),
  // Backups
  m("no-backup-service", "backup-schedule", "BAK-SYSTEM-01", "the backup service removed", (rs) =>
    removeResources(rs, (r) => r.type === T.service && labelOf(r.inputs, "com.mcp.service") === "backup"),
  ),
  m("backup-no-volume", "backup-schedule", "PRE-CONFIG-13", "the backup service writes to no named volume", (rs) =>
    spec(service(rs, "backup"), (cs) => void (cs.mounts = (cs.mounts as Props[]).filter((x) => x.type !== "volume"))),
  ),
  m(
    "backup-no-retention",
    "backup-retention",
    "BAK-SYSTEM-03",
    "backup retention settings removed",
    (rs) => (dropEnv(service(rs, "backup"), "MCP_BACKUP_KEEP_LAST"), dropEnv(service(rs, "backup"), "MCP_BACKUP_MAX_AGE_DAYS")),
  ),
  m("backup-unencrypted", "backup-encryption", "SEC-DATA-09", "backup encryption identity removed", (rs) =>
    dropEnv(service(rs, "backup"), "MCP_BACKUP_IDENTITY_FILE"),
  ),
  m("backup-offsite-off", "backup-offsite", "BAK-SYSTEM-04", "off-site copy switched off in prod", (rs) =>
    setEnv(service(rs, "backup"), "MCP_BACKUP_OFFSITE", "0"),
  ),
  // Availability and edge
  m("single-app-replica", "ha-app-replicas", "HA-REDUNDANCY-01", "prod with one app replica", (rs) =>
    both(service(rs, "app"), (p) => void (at(p, ["mode", "replicated"]).replicas = 1)),
  ),
  m("upstream-misses-app", "nginx-upstream-replicas", "HA-REDUNDANCY-02", "the Nginx upstream names a host that is not the app service", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/^(\s*)server app:(\d+)/m, "$1server app-0:$2")),
  ),
  m("upstream-app-marked-down", "nginx-upstream-replicas", "HA-REDUNDANCY-02", "the Nginx upstream marks the app service down", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/^(\s*server app:\d+)([^;]*);/m, "$1$2 down;")),
  ),
  m("nginx-no-tls", "nginx-tls", "SEC-NET-03", "Nginx serves the HTTPS port without ssl", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/listen (\d+) ssl/g, "listen $1")),
  ),
  m("nginx-old-tls", "nginx-tls", "SEC-NET-03", "Nginx allows TLSv1 and TLSv1.1", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/ssl_protocols [^;]*;/g, "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;")),
  ),
  m("nginx-no-redirect", "nginx-https-redirect", "DEP-WEB-03", "the port-80 server proxies instead of redirecting", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/return 301 https:\/\/\$host\$request_uri;/, "proxy_pass http://mcp_app;")),
  ),
  m("nginx-no-hsts", "nginx-hsts", "SEC-NET-04", "no Strict-Transport-Security header", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/^\s*add_header Strict-Transport-Security[^\n]*\n/gm, "")),
  ),
  m("nginx-no-rate-limit", "nginx-rate-limit", "PRE-SEC-03", "limit_req removed from every location", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/^\s*limit_req zone=[^\n]*\n/gm, "")),
  ),
  // The MCP endpoint through the edge, and the app contract (docs/app-contract.md)
  m("mcp-location-buffered", "nginx-mcp-location", "FUN-MCP-02", "Nginx buffers the MCP location's responses, so server-sent events arrive late", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_buffering off;/, "proxy_buffering on;")),
  ),
  m("mcp-http-1-0", "nginx-mcp-location", "FUN-MCP-02", "Nginx proxies to the app over HTTP/1.0 (no chunked event streams)", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_http_version 1\.1;/g, "proxy_http_version 1.0;")),
  ),
  m(
    "mcp-read-timeout-below-ceiling",
    "nginx-mcp-location",
    "FUN-MCP-04",
    "the MCP location's read timeout (30s) cuts tool calls the app still allows (60s)",
    (rs) => editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_read_timeout 3600s;/, "proxy_read_timeout 30s;")),
  ),
  m("mcp-read-timeout-unbounded", "nginx-mcp-location", "FUN-MCP-04", "the MCP location waits a day for a stuck upstream", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_read_timeout 3600s;/, "proxy_read_timeout 1d;")),
  ),
  m("mcp-authorization-cleared", "nginx-mcp-location", "PRE-SEC-04", "Nginx clears the Authorization header on its way to the app", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_buffering off;/, 'proxy_buffering off;\n            proxy_set_header Authorization "";')),
  ),
  m(
    "mcp-origin-rewritten",
    "nginx-mcp-location",
    "FUN-MCP-02",
    "Nginx rewrites Origin to the stack's own, so the app's DNS-rebinding check judges Nginx",
    (rs) =>
      editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_buffering off;/, "proxy_buffering off;\n            proxy_set_header Origin https://$host;")),
  ),
  m("mcp-www-authenticate-hidden", "nginx-mcp-location", "PRE-SEC-04", "Nginx hides the app's WWW-Authenticate, so a client cannot find the metadata", (rs) =>
    editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/proxy_buffering off;/, "proxy_buffering off;\n            proxy_hide_header WWW-Authenticate;")),
  ),
  m(
    "metadata-denied-as-dot-path",
    "mcp-app-contract",
    "PRE-SEC-04",
    "a 'deny dot files' location also denies /.well-known/oauth-protected-resource/mcp",
    (rs) => editFile(rs, "/etc/nginx/nginx.conf", replaceIn(/ssl_session_tickets off;/, "ssl_session_tickets off;\n        location ~ /\\. { deny all; }")),
  ),
  m(
    "metadata-path-not-well-known",
    "mcp-app-contract",
    "FUN-MCP-02",
    "the stack config puts the protected resource metadata where no client looks (/oauth/metadata)",
    () => undefined,
    { "mcp:app": JSON.stringify({ replicas: 3, resourceMetadataPath: "/oauth/metadata" }) },
  ),
  m(
    "protocol-versions-without-newest",
    "mcp-app-contract",
    "FUN-MCP-02",
    "the stack config accepts only older protocol revisions, not the SDK's newest",
    () => undefined,
    { "mcp:app": JSON.stringify({ replicas: 3, protocolVersions: ["2025-06-18", "2025-03-26"] }) },
  ),
  m("labels-missing-redis", "container-labels", "HA-REDUNDANCY-04", "Redis (service and tasks) without the com.mcp.stack and com.mcp.instance labels", (rs) => {
    const r = service(rs, "redis");
    both(r, labelsWithout(["com.mcp.stack", "com.mcp.instance"]));
    spec(r, labelsWithout(["com.mcp.stack", "com.mcp.instance"]));
  }),
  m("log-rotation-off-nginx", "container-log-rotation", "MON-LOG-04", "Nginx logs without max-size/max-file", (rs) =>
    task(service(rs, "nginx"), (ts) => void (at(ts, ["logDriver"]).options = {})),
  ),
  m("log-driver-none", "container-log-rotation", "MON-LOG-04", "the app with log driver none", (rs) =>
    task(service(rs, "app"), (ts) => void (at(ts, ["logDriver"]).name = "none")),
  ),
  m("weak-tls-key", "tls-key-strength", "PRE-CONFIG-09", "an internal CA key on curve P224", (rs) =>
    set(resourceOfType(rs, T.key, "internal-ca"), "ecdsaCurve", "P224"),
  ),
];

/** Variants that must NOT block (advisory findings, preview unknowns): the negative controls. */
export const NON_BLOCKING: readonly Mutation[] = [
  m(
    "deprecated-network-name",
    "container-deprecated-fields",
    "DEP-CORE-01",
    "the app names its networks with the deprecated `name` instead of `id` (advisory)",
    (rs) =>
      task(
        service(rs, "app"),
        (ts) => void (ts.networksAdvanceds = (ts.networksAdvanceds as Props[]).map(({ id, ...rest }) => ({ ...rest, name: id ?? null }))),
      ),
  ),
  m("unknown-user-at-preview", "container-non-root-user", "SEC-CONTAINER-01", "Redis's user is unknown at preview (undecidable, not a pass)", (rs) =>
    spec(service(rs, "redis"), (cs) => void (cs.user = UNKNOWN_STRING)),
  ),
];

export function findMutation(id: string): Mutation | undefined {
  return [...MUTATIONS, ...NON_BLOCKING].find((x) => x.id === id);
}

export function cloneResources(rs: readonly CollectedResource[]): CollectedResource[] {
  return structuredClone(rs as CollectedResource[]);
}
