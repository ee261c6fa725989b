/**
 * The mutation corpus: single-change variants of a stack that each break one checklist
 * rule. A variant changes the registered resources (inputs and outputs alike) after the
 * program ran, or the stack config before it runs, so no file is edited. Each names the
 * policy and checklist item that must catch it; `npm run preflight -- --mutate <id>` runs
 * one, tests/preflight runs them all through one pack process.
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

const CONTAINER = "docker:index/container:Container";

function labelOf(p: Props, label: string): string | undefined {
  const labels = p.labels;
  if (!Array.isArray(labels)) return undefined;
  const l = labels.find((x) => x && typeof x === "object" && !Array.isArray(x) && (x as Props).label === label) as Props | undefined;
  return typeof l?.value === "string" ? l.value : undefined;
}

/** The container of an instance (label com.mcp.instance), e.g. "redis", "app-0". */
export function container(rs: CollectedResource[], instance: string): CollectedResource {
  const c = rs.find((r) => r.type === CONTAINER && labelOf(r.inputs, "com.mcp.instance") === instance);
  if (!c) throw new MutationTargetError(`no container with com.mcp.instance=${instance}`);
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

export function addEnv(r: CollectedResource, key: string, value: EngineValue): void {
  both(r, (p) => {
    const envs = Array.isArray(p.envs) ? p.envs : [];
    p.envs = [...envs.filter((e) => !(typeof e === "string" && e.startsWith(`${key}=`))), typeof value === "string" ? `${key}=${value}` : value];
  });
}

/** Rewrites an uploaded file (secret wrapping kept); throws if the edit changes nothing. */
export function editUpload(r: CollectedResource, file: string, edit: (text: string) => string): void {
  both(r, (p) => {
    const uploads = Array.isArray(p.uploads) ? (p.uploads as Props[]) : [];
    const u = uploads.find((x) => x.file === file);
    if (!u) throw new MutationTargetError(`${r.name} uploads no ${file}`);
    const wrapped = isSecretValue(u.content);
    const text = wrapped ? (u.content as { value: EngineValue }).value : u.content;
    if (typeof text !== "string") throw new MutationTargetError(`${r.name} ${file} content is not known`);
    const next = edit(text);
    if (next === text) throw new MutationTargetError(`edit of ${r.name} ${file} changed nothing`);
    u.content = wrapped ? secret(next) : next;
  });
}

export function setUploadField(r: CollectedResource, file: string, key: string, value: EngineValue): void {
  both(r, (p) => {
    const u = (Array.isArray(p.uploads) ? (p.uploads as Props[]) : []).find((x) => x.file === file);
    if (!u) throw new MutationTargetError(`${r.name} uploads no ${file}`);
    u[key] = value;
  });
}

export function removeResources(rs: CollectedResource[], pred: (r: CollectedResource) => boolean): void {
  const n = rs.length;
  for (let i = rs.length - 1; i >= 0; i--) if (pred(rs[i])) rs.splice(i, 1);
  if (rs.length === n) throw new MutationTargetError("no resource matched for removal");
}

/** The plaintext of the first generated password (RandomPassword output), for leak variants. */
export function generatedPassword(rs: CollectedResource[], namePart: string): string {
  const r = resourceOfType(rs, "random:index/randomPassword:RandomPassword", namePart);
  const v = r.outputs.result;
  const plain = isSecretValue(v) ? v.value : v;
  if (typeof plain !== "string") throw new MutationTargetError(`${r.name} result is not known`);
  return plain;
}

function replaceIn(re: RegExp, by: string) {
  return (text: string) => text.replace(re, by);
}

const m = (id: string, policy: string, itemId: string, description: string, apply: (rs: CollectedResource[]) => void, config?: Record<string, string>): Mutation => ({ id, policy, itemId, description, apply, config });

export const MUTATIONS: readonly Mutation[] = [
  // Container security
  m("privileged-redis", "container-no-privileged", "SEC-CONTAINER-02", "privileged: true on Redis", (rs) => set(container(rs, "redis"), "privileged", true)),
  m("privileged-app", "container-no-privileged", "SEC-CONTAINER-02", "privileged: true on app-0", (rs) => set(container(rs, "app-0"), "privileged", true)),
  m("caps-not-dropped-postgres", "container-capabilities", "SEC-CONTAINER-04", "PostgreSQL keeps the default capabilities", (rs) => set(container(rs, "postgres"), "capabilities", { adds: [], drops: [] })),
  m("cap-sys-admin-nginx", "container-capabilities", "SEC-CONTAINER-04", "Nginx adds SYS_ADMIN", (rs) => set(container(rs, "nginx"), "capabilities", { adds: ["SYS_ADMIN"], drops: ["ALL"] })),
  m("cap-net-admin-app", "container-capabilities", "SEC-CONTAINER-02", "app-1 adds NET_ADMIN", (rs) => set(container(rs, "app-1"), "capabilities", { adds: ["NET_ADMIN"], drops: ["ALL"] })),
  m("cap-all-grafana", "container-capabilities", "SEC-CONTAINER-04", "Grafana adds ALL", (rs) => set(container(rs, "grafana"), "capabilities", { adds: ["ALL"], drops: ["ALL"] })),
  m("no-new-privileges-missing", "container-no-new-privileges", "SEC-CONTAINER-04", "Prometheus without no-new-privileges", (rs) => set(container(rs, "prometheus"), "securityOpts", [])),
  m("seccomp-unconfined", "container-security-profiles", "SEC-CONTAINER-04", "app-0 with seccomp=unconfined", (rs) => set(container(rs, "app-0"), "securityOpts", ["no-new-privileges:true", "seccomp=unconfined"])),
  m("apparmor-unconfined", "container-security-profiles", "SEC-CONTAINER-04", "Redis with apparmor=unconfined", (rs) => set(container(rs, "redis"), "securityOpts", ["no-new-privileges:true", "apparmor=unconfined"])),
  m("writable-rootfs-nginx", "container-read-only-rootfs", "SEC-CONTAINER-04", "Nginx with a writable root filesystem", (rs) => set(container(rs, "nginx"), "readOnly", false)),
  m("user-empty-app", "container-non-root-user", "SEC-CONTAINER-01", "app-0 without a user (image default)", (rs) => set(container(rs, "app-0"), "user", "")),
  m("user-root-redis", "container-non-root-user", "SEC-CONTAINER-01", "Redis as root", (rs) => set(container(rs, "redis"), "user", "root")),
  m("user-uid0-postgres", "container-non-root-user", "SEC-CONTAINER-01", "PostgreSQL as 0:0", (rs) => set(container(rs, "postgres"), "user", "0:0")),
  m("host-network-nginx", "container-host-namespaces", "SEC-CONTAINER-04", "Nginx on the host network", (rs) => set(container(rs, "nginx"), "networkMode", "host")),
  m("host-pid-node-exporter", "container-host-namespaces", "SEC-CONTAINER-04", "node-exporter in the host PID namespace", (rs) => set(container(rs, "node-exporter"), "pidMode", "host")),
  m("host-ipc-postgres", "container-host-namespaces", "SEC-CONTAINER-04", "PostgreSQL in the host IPC namespace", (rs) => set(container(rs, "postgres"), "ipcMode", "host")),
  m("host-userns-app", "container-host-namespaces", "SEC-CONTAINER-04", "app-1 in the host user namespace", (rs) => set(container(rs, "app-1"), "usernsMode", "host")),
  m("docker-socket-prometheus", "container-host-mounts", "SEC-CONTAINER-04", "/var/run/docker.sock mounted into Prometheus", (rs) =>
    both(container(rs, "prometheus"), (p) => void (p.volumes = [...(Array.isArray(p.volumes) ? p.volumes : []), { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }])),
  ),
  m("host-etc-bind-backup", "container-host-mounts", "SEC-DATA-08", "host /etc bind-mounted into the backup service", (rs) =>
    both(container(rs, "backup"), (p) => void (p.mounts = [{ type: "bind", source: "/etc", target: "/host-etc", readOnly: true }])),
  ),
  m("host-device-postgres", "container-no-host-devices", "SEC-CONTAINER-02", "/dev/sda passed into PostgreSQL", (rs) => set(container(rs, "postgres"), "devices", [{ hostPath: "/dev/sda", containerPath: "/dev/sda", permissions: "rwm" }])),
  m("volume-driver-bind", "volume-host-bind", "SEC-DATA-08", "a data volume binding host /srv through driverOpts", (rs) =>
    set(resourceOfType(rs, "docker:index/volume:Volume", "pgdata"), "driverOpts", { type: "none", o: "bind", device: "/srv/pgdata" }),
  ),
  // Network
  m("postgres-port-published", "container-published-ports", "SEC-NET-01", "port 5432 published on PostgreSQL", (rs) => set(container(rs, "postgres"), "ports", [{ internal: 5432, external: 5432, ip: "0.0.0.0", protocol: "tcp" }])),
  m("publish-all-grafana", "container-published-ports", "SEC-NET-01", "publishAllPorts on Grafana", (rs) => set(container(rs, "grafana"), "publishAllPorts", true)),
  m("nginx-extra-port", "container-published-ports", "PRE-CONFIG-14", "Nginx also publishes its stub_status port 8081", (rs) =>
    both(container(rs, "nginx"), (p) => void (p.ports = [...(p.ports as EngineValue[]), { internal: 8081, external: 8081, ip: "0.0.0.0", protocol: "tcp" }])),
  ),
  m(
    "nginx-bound-all-interfaces",
    "container-published-ports",
    "SEC-NET-01",
    "config says bind 127.0.0.1 but Nginx publishes on all interfaces",
    (rs) => both(container(rs, "nginx"), (p) => void (p.ports = (p.ports as Props[]).map((x) => ({ ...x, ip: "0.0.0.0" })))),
    { "mcp:edge": JSON.stringify({ bindAddress: "127.0.0.1", httpPort: 80, httpsPort: 443 }) },
  ),
  m("postgres-on-edge", "data-services-internal-network", "SEC-NET-02", "PostgreSQL also attached to the edge network", (rs) =>
    both(container(rs, "postgres"), (p) => void (p.networksAdvanced = [...(p.networksAdvanced as EngineValue[]), { name: "mcp-prod-edge", aliases: ["postgres"] }])),
  ),
  m("redis-on-egress-only", "data-services-internal-network", "PRE-SEC-05", "Redis attached only to the egress network", (rs) => set(container(rs, "redis"), "networksAdvanced", [{ name: "mcp-prod-egress", aliases: ["redis"] }])),
  m("internal-network-not-internal", "network-internal-flag", "SEC-NET-02", "the internal network created without internal: true", (rs) => set(resourceOfType(rs, "docker:index/network:Network", "internal"), "internal", false)),
  // Limits, restarts, health
  m("no-memory-limit-app", "container-resource-limits", "SEC-CONTAINER-03", "app-0 without a memory limit", (rs) => (unset(container(rs, "app-0"), "memory"), unset(container(rs, "app-0"), "memorySwap"))),
  m("no-cpu-limit-redis", "container-resource-limits", "SEC-CONTAINER-03", "Redis without a CPU limit", (rs) => unset(container(rs, "redis"), "cpus")),
  m("restart-no-postgres", "container-restart-policy", "DEP-CORE-01", "PostgreSQL with restart: no", (rs) => set(container(rs, "postgres"), "restart", "no")),
  m("no-healthcheck-redis", "container-healthcheck", "DEP-CORE-02", "Redis without a health check", (rs) => unset(container(rs, "redis"), "healthcheck")),
  m("healthcheck-none-app", "container-healthcheck", "HA-REDUNDANCY-05", "app-0 health check set to NONE", (rs) => set(container(rs, "app-0"), "healthcheck", { tests: ["NONE"] })),
  // Images
  m("postgres-latest", "image-pinned", "ROLLBACK-STEPS-01", "postgres:latest", (rs) => set(resourceOfType(rs, "docker:index/remoteImage:RemoteImage", "image-postgres"), "name", "postgres:latest")),
  m("redis-untagged", "image-pinned", "ROLLBACK-STEPS-01", "redis without a tag", (rs) => set(resourceOfType(rs, "docker:index/remoteImage:RemoteImage", "image-redis"), "name", "redis")),
  m("registry-not-allowed", "image-pinned", "ROLLBACK-STEPS-01", "app image from an unlisted registry", (rs) => set(resourceOfType(rs, "docker:index/remoteImage:RemoteImage", "image-app"), "name", "registry.evil.example/mcp-gateway:1.8.2")),
  // Secrets
  m("password-in-env-by-name", "container-env-secrets", "SEC-DATA-02", "DATABASE_PASSWORD in app-0's envs", (rs) => addEnv(container(rs, "app-0"), "DATABASE_PASSWORD", generatedPassword(rs, "postgresPassword"))),
  m("random-token-in-env", "container-env-secrets", "SEC-DATA-05", "a random-looking value under an innocent name", (rs) => addEnv(container(rs, "grafana"), "GF_EXTRA_SEED", "q8Zr2Lx0Vw7Nk4Tb9Pj1Hs6Dc3Fm5Yg")),
  m("url-credentials-in-env", "container-env-secrets", "SEC-DATA-02", "credentials inside a DSN in envs", (rs) => addEnv(container(rs, "postgres-exporter"), "DATA_SOURCE_NAME", "postgresql://mcp_exporter:hunter2hunter2@postgres:5432/mcp")),
  m("generated-secret-in-env", "secrets-not-exposed", "SEC-DATA-02", "the generated Redis password as an env value under an innocent name", (rs) => addEnv(container(rs, "redis-exporter"), "REDIS_OPTS", generatedPassword(rs, "redisPassword"))),
  m("generated-secret-in-command", "secrets-not-exposed", "SEC-DATA-05", "the generated Redis password on Redis's command line", (rs) =>
    both(container(rs, "redis"), (p) => void (p.command = [...(p.command as EngineValue[]), "--requirepass", generatedPassword(rs, "redisPassword")])),
  ),
  m("tls-verify-off-app", "container-tls-verification", "SEC-DATA-01", "NODE_TLS_REJECT_UNAUTHORIZED=0 on app-0", (rs) => addEnv(container(rs, "app-0"), "NODE_TLS_REJECT_UNAUTHORIZED", "0")),
  m("sslmode-disable-app", "container-tls-verification", "SEC-DATA-01", "DATABASE_SSLMODE=disable on app-1", (rs) => addEnv(container(rs, "app-1"), "DATABASE_SSLMODE", "disable")),
  m("secret-file-world-readable", "secret-file-permissions", "PRE-CONFIG-07", "Grafana's admin password file with mode 0644", (rs) => setUploadField(container(rs, "grafana"), "/run/secrets/grafana-admin-password", "permissions", "0644")),
  m("short-random-password", "random-password-strength", "SEC-DATA-07", "a 16-character generated password", (rs) => set(resourceOfType(rs, "random:index/randomPassword:RandomPassword", "postgresPassword"), "length", 16)),
  m("password-without-specials", "random-password-strength", "SEC-DATA-06", "the JWT key generated without special characters", (rs) => set(resourceOfType(rs, "random:index/randomPassword:RandomPassword", "jwtSigningKey"), "special", false)),
  m("placeholder-in-env", "config-placeholders", "PRE-CONFIG-02", "your_api_key_here in app-0's envs", (rs) => addEnv(container(rs, "app-0"), "UPSTREAM_API_URL", "https://your_api_host_here/v1")),
  m("default-grafana-password", "default-passwords", "PRE-SEC-02", "Grafana's admin password file holds 'admin'", (rs) => editUpload(container(rs, "grafana"), "/run/secrets/grafana-admin-password", () => "admin")),
  m("default-redis-requirepass", "default-passwords", "PRE-SEC-02", "Redis requirepass 'redis'", (rs) => editUpload(container(rs, "redis"), "/run/secrets/redis-auth.conf", () => 'requirepass "redis"\n')),
  // Services
  m("grafana-anonymous", "grafana-auth", "PRE-SEC-04", "Grafana anonymous access on", (rs) => addEnv(container(rs, "grafana"), "GF_AUTH_ANONYMOUS_ENABLED", "true")),
  m("grafana-admin-user", "grafana-auth", "PRE-SEC-02", "Grafana admin user 'admin'", (rs) => addEnv(container(rs, "grafana"), "GF_SECURITY_ADMIN_USER", "admin")),
  m("grafana-no-admin-password", "grafana-auth", "PRE-CONFIG-12", "Grafana without an admin password file", (rs) =>
    both(container(rs, "grafana"), (p) => void (p.envs = (p.envs as string[]).filter((e) => !e.startsWith("GF_SECURITY_ADMIN_PASSWORD__FILE=")))),
  ),
  m("redis-protected-mode-off", "redis-auth", "PRE-SEC-04", "redis.conf with protected-mode no", (rs) => editUpload(container(rs, "redis"), "/etc/redis/redis.conf", replaceIn(/^protected-mode yes$/m, "protected-mode no"))),
  m("redis-no-password", "redis-auth", "PRE-SEC-04", "redis.conf without its requirepass include", (rs) => editUpload(container(rs, "redis"), "/etc/redis/redis.conf", replaceIn(/^include \/run\/secrets\/redis-auth\.conf$/m, ""))),
  m("postgres-ssl-off", "postgres-tls-auth", "SEC-DATA-01", "postgresql.conf with ssl = off", (rs) => editUpload(container(rs, "postgres"), "/etc/postgresql/postgresql.conf", replaceIn(/^ssl = on$/m, "ssl = off"))),
  m("pg-hba-trust", "postgres-tls-auth", "PRE-SEC-04", "pg_hba.conf trusts local connections", (rs) => editUpload(container(rs, "postgres"), "/etc/postgresql/pg_hba.conf", (t) => `local all all trust\n${t}`)),
  m("pg-hba-md5-host", "postgres-tls-auth", "SEC-DATA-01", "pg_hba.conf allows plain TCP with md5", (rs) => editUpload(container(rs, "postgres"), "/etc/postgresql/pg_hba.conf", (t) => `${t}host all all samenet md5\n`)),
  m("postgres-trust-env", "postgres-tls-auth", "PRE-SEC-04", "POSTGRES_HOST_AUTH_METHOD=trust", (rs) => addEnv(container(rs, "postgres"), "POSTGRES_HOST_AUTH_METHOD", "trust")),
  // Monitoring
  m("prometheus-no-retention", "prometheus-retention", "DEP-MON-05", "Prometheus without retention flags", (rs) =>
    both(container(rs, "prometheus"), (p) => void (p.command = (p.command as string[]).filter((a) => !a.startsWith("--storage.tsdb.retention")))),
  ),
  m("no-alert-rules", "prometheus-alert-rules", "MON-ALERT-01", "the alert rules file emptied", (rs) => {
    const c = container(rs, "prometheus");
    const files = (c.inputs.uploads as Props[]).map((u) => String(u.file)).filter((f) => /rules/.test(f));
    if (!files.length) throw new MutationTargetError("prometheus uploads no rule file");
    for (const f of files) editUpload(c, f, () => "groups: []\n");
  }),
  m("no-warning-alerts", "prometheus-alert-rules", "MON-ALERT-02", "every warning alert relabelled critical", (rs) => {
    const c = container(rs, "prometheus");
    for (const f of (c.inputs.uploads as Props[]).map((u) => String(u.file)).filter((x) => /rules/.test(x))) editUpload(c, f, replaceIn(/severity: ["']?warning["']?/g, "severity: critical"));
  }),
  m("alertmanager-no-receivers", "alertmanager-receivers", "MON-ALERT-01", "alertmanager.yml receivers without channels", (rs) =>
    editUpload(container(rs, "alertmanager"), "/etc/alertmanager/alertmanager.yml", (t) => t.replace(/^(\s*)(webhook|email|slack|pagerduty)_configs:/gm, "$1x_disabled_$2:")),
  ),
  // Backups
  m("no-backup-service", "backup-schedule", "BAK-SYSTEM-01", "the backup container removed", (rs) => removeResources(rs, (r) => r.type === CONTAINER && labelOf(r.inputs, "com.mcp.service") === "backup")),
  m("backup-no-retention", "backup-retention", "BAK-SYSTEM-03", "backup retention settings removed", (rs) =>
    both(container(rs, "backup"), (p) => void (p.envs = (p.envs as string[]).filter((e) => !/^MCP_BACKUP_(KEEP_LAST|MAX_AGE_DAYS)=/.test(e)))),
  ),
  m("backup-unencrypted", "backup-encryption", "SEC-DATA-09", "backup encryption identity removed", (rs) =>
    both(container(rs, "backup"), (p) => void (p.envs = (p.envs as string[]).filter((e) => !e.startsWith("MCP_BACKUP_IDENTITY_FILE=")))),
  ),
  m("backup-offsite-off", "backup-offsite", "BAK-SYSTEM-04", "off-site copy switched off in prod", (rs) => addEnv(container(rs, "backup"), "MCP_BACKUP_OFFSITE", "0")),
  // Availability and edge
  m("single-app-replica", "ha-app-replicas", "HA-REDUNDANCY-01", "prod with one app replica", (rs) => removeResources(rs, (r) => r.type === CONTAINER && /^app-[1-9]/.test(labelOf(r.inputs, "com.mcp.instance") ?? ""))),
  m("upstream-misses-replica", "nginx-upstream-replicas", "HA-REDUNDANCY-02", "the Nginx upstream misses app-2", (rs) => editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", replaceIn(/^\s*server app-2:\d+[^;]*;\n/m, ""))),
  m("nginx-no-tls", "nginx-tls", "SEC-NET-03", "Nginx serves the HTTPS port without ssl", (rs) => editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", replaceIn(/listen (\d+) ssl/g, "listen $1"))),
  m("nginx-old-tls", "nginx-tls", "SEC-NET-03", "Nginx allows TLSv1 and TLSv1.1", (rs) => editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", replaceIn(/ssl_protocols [^;]*;/g, "ssl_protocols TLSv1 TLSv1.1 TLSv1.2;"))),
  m("nginx-no-redirect", "nginx-https-redirect", "DEP-WEB-03", "the port-80 server proxies instead of redirecting", (rs) =>
    editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", replaceIn(/return 301 https:\/\/\$host\$request_uri;/, "proxy_pass http://mcp_app;")),
  ),
  m("nginx-no-hsts", "nginx-hsts", "SEC-NET-04", "no Strict-Transport-Security header", (rs) => editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", replaceIn(/^\s*add_header Strict-Transport-Security[^\n]*\n/gm, ""))),
  m("nginx-no-rate-limit", "nginx-rate-limit", "PRE-SEC-03", "limit_req removed from every location", (rs) => editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", replaceIn(/^\s*limit_req zone=[^\n]*\n/gm, ""))),
  m("labels-missing-redis", "container-labels", "HA-REDUNDANCY-04", "Redis without the com.mcp.* labels", (rs) =>
    both(container(rs, "redis"), (p) => void (p.labels = (p.labels as Props[]).filter((l) => !["com.mcp.stack", "com.mcp.instance"].includes(String(l.label))))),
  ),
  m("log-rotation-off-nginx", "container-log-rotation", "MON-LOG-04", "Nginx logs without max-size/max-file", (rs) => set(container(rs, "nginx"), "logOpts", {})),
  m("log-driver-none", "container-log-rotation", "MON-LOG-04", "app-2 with log driver none", (rs) => set(container(rs, "app-2"), "logDriver", "none")),
  m("weak-tls-key", "tls-key-strength", "PRE-CONFIG-09", "an internal CA key on curve P224", (rs) => set(resourceOfType(rs, "tls:index/privateKey:PrivateKey", "internal-ca"), "ecdsaCurve", "P224")),
];

/** Variants that must NOT block (advisory findings, preview unknowns): the negative controls. */
export const NON_BLOCKING: readonly Mutation[] = [
  m("deprecated-links-field", "container-deprecated-fields", "DEP-CORE-01", "app-0 uses the deprecated links field (advisory)", (rs) => set(container(rs, "app-0"), "links", ["redis:redis"])),
  m("unknown-user-at-preview", "container-non-root-user", "SEC-CONTAINER-01", "Redis's user is unknown at preview (undecidable, not a pass)", (rs) => set(container(rs, "redis"), "user", UNKNOWN_STRING)),
];

export function findMutation(id: string): Mutation | undefined {
  return [...MUTATIONS, ...NON_BLOCKING].find((x) => x.id === id);
}

export function cloneResources(rs: readonly CollectedResource[]): CollectedResource[] {
  return structuredClone(rs as CollectedResource[]);
}
