/**
 * A small compliant stack written by hand (not by the infra renderers), so the policy tests
 * prove the rules against the documented formats rather than against one renderer's output.
 * Builders return engine-encoded properties (secret file contents wrapped as secrets).
 */
import { secret, EngineValue } from "../../preflight/engine-encoding";

export const T = {
  container: "docker:index/container:Container",
  image: "docker:index/remoteImage:RemoteImage",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  password: "random:index/randomPassword:RandomPassword",
  key: "tls:index/privateKey:PrivateKey",
} as const;

export interface FixtureResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, EngineValue>;
}

export const urnOf = (type: string, name: string) => `urn:pulumi:test::mcp-production-stack::${type}::${name}`;

export function res(type: string, name: string, props: Record<string, EngineValue>): FixtureResource {
  return { type, name, urn: urnOf(type, name), props };
}

/** A value that looks like a generated password (fixed, so failures are reproducible). */
export const REDIS_PASSWORD = "Kp7-xQ2_vB9.mZ4~wR6!tY8#nL3%jH5^";
export const GRAFANA_PASSWORD = "Gf4+Qa8=Zx1*Ws5-Ed9_Rc2.Tv6~Yb3!";

const labels = (service: string, instance: string) => [
  { label: "com.mcp.stack", value: "test" },
  { label: "com.mcp.service", value: service },
  { label: "com.mcp.instance", value: instance },
];

interface ContainerOpts {
  service: string;
  instance?: string;
  user?: string;
  command?: string[];
  entrypoints?: string[];
  envs?: string[];
  uploads?: { file: string; content: string; permissions?: string; secret?: boolean }[];
  networks?: string[];
  ports?: { internal: number; external: number; ip?: string }[];
  volumes?: Record<string, EngineValue>[];
}

/** A hardened container: every container-level rule passes on it. */
export function container(o: ContainerOpts): FixtureResource {
  const instance = o.instance ?? o.service;
  const props: Record<string, EngineValue> = {
    name: `mcp-test-${instance}`,
    image: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    user: o.user ?? "1000:1000",
    command: o.command ?? [],
    envs: o.envs ?? [],
    uploads: (o.uploads ?? []).map((u) => ({ file: u.file, content: u.secret ? secret(u.content) : u.content, permissions: u.permissions ?? (u.secret ? "0400" : "0444") })),
    networksAdvanced: (o.networks ?? ["mcp-test-internal"]).map((n) => ({ name: n, aliases: [instance] })),
    ports: (o.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.ip ?? "0.0.0.0", protocol: "tcp" })),
    publishAllPorts: false,
    volumes: o.volumes ?? [],
    readOnly: true,
    privileged: false,
    capabilities: { drops: ["ALL"], adds: [] },
    securityOpts: ["no-new-privileges:true"],
    memory: 256,
    memorySwap: 256,
    cpus: "0.5",
    healthcheck: { tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1"], interval: "15s", timeout: "5s", retries: 5, startPeriod: "30s" },
    restart: "unless-stopped",
    logDriver: "json-file",
    logOpts: { "max-size": "10m", "max-file": "5" },
    labels: labels(o.service, instance),
  };
  if (o.entrypoints) props.entrypoints = o.entrypoints;
  return res(T.container, `mcp-test-${instance}`, props);
}

export const NGINX_CONF = `
events { worker_connections 512; }
http {
  limit_req_zone $binary_remote_addr zone=per_ip:10m rate=20r/s;
  upstream app_pool {
    server app-0:8080;
    server app-1:8080;
  }
  server {
    listen 8080;
    location / { return 308 https://$host$request_uri; }
    location /.well-known/acme-challenge/ { root /var/www/acme; }
  }
  server {
    listen 8443 ssl;
    ssl_certificate /etc/nginx/tls/server.crt;
    ssl_certificate_key /run/secrets/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=63072000" always;
    limit_req zone=per_ip burst=40;
    location / { proxy_pass http://app_pool; }
    location = /metrics { return 404; }
  }
  server {
    listen 8081;
    location = /stub_status { stub_status; }
  }
}
`;

export const REDIS_CONF = `# test redis.conf
port 6379
protected-mode yes
maxmemory 64mb
include /run/secrets/redis-auth.conf
`;

export const POSTGRES_CONF = `listen_addresses = '*'
ssl = on
ssl_min_protocol_version = 'TLSv1.2'
password_encryption = 'scram-sha-256'   # SCRAM only
`;

export const PG_HBA = `# TYPE DATABASE USER ADDRESS METHOD
local all all scram-sha-256
hostssl all all 10.0.0.0 255.0.0.0 scram-sha-256
hostnossl all all all reject
`;

export const PROMETHEUS_YML = `global:
  scrape_interval: 15s
rule_files:
  - rules/*.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["alertmanager:9093"]
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ["app-0:8080"]
`;

export const ALERT_RULES = `groups:
  - name: mcp
    rules:
      - alert: AppDown
        expr: up{job="app"} == 0
        for: 1m
        labels: { severity: critical }
        annotations: { summary: "app down" }
      - alert: HighLatency
        expr: histogram_quantile(0.95, rate(http_request_duration_seconds_bucket[5m])) > 0.5
        for: 10m
        labels:
          severity: warning
`;

export const ALERTMANAGER_YML = `route:
  receiver: oncall
  routes:
    - matchers: ['severity="warning"']
      receiver: ops
receivers:
  - name: oncall
    webhook_configs:
      - url: https://events.example.com/hook
  - name: ops
    email_configs:
      - to: ops@example.com
`;

/** The compliant stack: every policy passes (prod rules: 2 replicas, off-site backups). */
export function goodStack(): FixtureResource[] {
  return [
    res(T.network, "mcp-test-edge", { name: "mcp-test-edge", driver: "bridge", internal: false }),
    res(T.network, "mcp-test-internal", { name: "mcp-test-internal", driver: "bridge", internal: true }),
    res(T.network, "mcp-test-egress", { name: "mcp-test-egress", driver: "bridge", internal: false }),
    res(T.volume, "mcp-test-pgdata", { name: "mcp-test-pgdata", driver: "local" }),
    res(T.image, "mcp-test-image-postgres", { name: "postgres:16.4-alpine3.20", keepLocally: true }),
    res(T.image, "mcp-test-image-app", { name: "ghcr.io/mcp-platform/mcp-gateway:1.8.2", keepLocally: true }),
    res(T.password, "mcp-test-redisPassword", { length: 40, special: true, overrideSpecial: "-_.~!#%^*+=", minSpecial: 2 }),
    res(T.key, "mcp-test-ca-key", { algorithm: "ECDSA", ecdsaCurve: "P256" }),
    container({
      service: "nginx",
      user: "101:101",
      command: ["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"],
      uploads: [
        { file: "/etc/nginx/nginx.conf", content: NGINX_CONF },
        { file: "/run/secrets/tls.key", content: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n", secret: true },
      ],
      networks: ["mcp-test-edge"],
      ports: [
        { internal: 8080, external: 80 },
        { internal: 8443, external: 443 },
      ],
    }),
    container({ service: "app", instance: "app-0", envs: ["PORT=8080", "DATABASE_PASSWORD_FILE=/run/secrets/postgres-password", "DATABASE_SSLMODE=verify-full", "AUTH_REQUIRED=true"], networks: ["mcp-test-edge", "mcp-test-internal"] }),
    container({ service: "app", instance: "app-1", envs: ["PORT=8080", "DATABASE_PASSWORD_FILE=/run/secrets/postgres-password", "DATABASE_SSLMODE=verify-full", "AUTH_REQUIRED=true"], networks: ["mcp-test-edge", "mcp-test-internal"] }),
    container({
      service: "redis",
      user: "999:1000",
      command: ["redis-server", "/etc/redis/redis.conf"],
      uploads: [
        { file: "/etc/redis/redis.conf", content: REDIS_CONF },
        { file: "/run/secrets/redis-auth.conf", content: `requirepass "${REDIS_PASSWORD}"\n`, secret: true },
      ],
    }),
    container({
      service: "postgres",
      user: "70:70",
      command: ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf", "-c", "hba_file=/etc/postgresql/pg_hba.conf"],
      envs: ["POSTGRES_PASSWORD_FILE=/run/secrets/postgres-password"],
      uploads: [
        { file: "/etc/postgresql/postgresql.conf", content: POSTGRES_CONF },
        { file: "/etc/postgresql/pg_hba.conf", content: PG_HBA },
        { file: "/run/secrets/postgres-password", content: "Pg2=Hn7*Xc4-Lm9_Qs1.Vt6~Bw8!Zd3#", secret: true },
      ],
      volumes: [{ volumeName: "mcp-test-pgdata", containerPath: "/var/lib/postgresql/data" }],
    }),
    container({
      service: "prometheus",
      user: "65534:65534",
      command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=30d", "--storage.tsdb.retention.size=10GB"],
      uploads: [
        { file: "/etc/prometheus/prometheus.yml", content: PROMETHEUS_YML },
        { file: "/etc/prometheus/rules/mcp.yml", content: ALERT_RULES },
      ],
    }),
    container({ service: "alertmanager", user: "65534:65534", command: ["--config.file=/etc/alertmanager/alertmanager.yml"], uploads: [{ file: "/etc/alertmanager/alertmanager.yml", content: ALERTMANAGER_YML }], networks: ["mcp-test-internal", "mcp-test-egress"] }),
    container({
      service: "grafana",
      user: "472:0",
      envs: ["GF_SECURITY_ADMIN_USER=mcp-admin", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password", "GF_AUTH_ANONYMOUS_ENABLED=false", "GF_USERS_ALLOW_SIGN_UP=false"],
      uploads: [{ file: "/run/secrets/grafana-admin-password", content: GRAFANA_PASSWORD, secret: true }],
      networks: ["mcp-test-edge", "mcp-test-internal"],
    }),
    container({
      service: "backup",
      user: "70:70",
      entrypoints: ["/bin/sh", "/opt/backup.sh"],
      command: ["daemon"],
      envs: [
        "MCP_BACKUP_INTERVAL_SECONDS=21600",
        "MCP_BACKUP_KEEP_LAST=7",
        "MCP_BACKUP_MAX_AGE_DAYS=14",
        "MCP_BACKUP_IDENTITY_FILE=/run/secrets/backup-age-identity",
        "MCP_BACKUP_OFFSITE=1",
        "MCP_BACKUP_OFFSITE_ENDPOINT=https://s3.example.com",
        "MCP_BACKUP_OFFSITE_BUCKET=mcp-backups",
        "MCP_BACKUP_OFFSITE_ACCESS_KEY_ID=AKIATEST",
        "MCP_BACKUP_OFFSITE_SECRET_KEY_FILE=/run/secrets/offsite-key",
      ],
      uploads: [
        { file: "/run/secrets/backup-age-identity", content: "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQS", secret: true },
        { file: "/run/secrets/offsite-key", content: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret: true },
      ],
      volumes: [{ volumeName: "mcp-test-backups", containerPath: "/var/backups" }],
      networks: ["mcp-test-internal", "mcp-test-egress"],
    }),
  ];
}

export function find(stack: FixtureResource[], instance: string): FixtureResource {
  const r = stack.find((x) => x.type === T.container && x.name === `mcp-test-${instance}`);
  if (!r) throw new Error(`fixture has no container ${instance}`);
  return r;
}

/** Replaces an uploaded file's text (keeping the secret wrapping). */
export function setUpload(r: FixtureResource, file: string, content: string): void {
  const u = (r.props.uploads as Record<string, EngineValue>[]).find((x) => x.file === file);
  if (!u) throw new Error(`${r.name} has no upload ${file}`);
  const wrapped = u.content && typeof u.content === "object" && !Array.isArray(u.content);
  u.content = wrapped ? secret(content) : content;
}

export function addEnv(r: FixtureResource, entry: string): void {
  r.props.envs = [...((r.props.envs as string[]) ?? []), entry];
}
