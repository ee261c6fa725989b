/**
 * Two small Pulumi programs that declare the same compliant MCP stack, once as swarm
 * services (docker.Service with docker.ServiceConfig / docker.Secret files, encrypted
 * overlays) and once as containers (docker.Container with uploads, bridge networks). They
 * run under the preflight's mock runtime (preflight/collect.ts runProgram), so every input
 * has the exact shape the SDK registers. One table of workloads feeds both, so the two
 * stacks differ only where the resource kinds do.
 */
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import * as F from "./fixture-files";

export type Net = "edge" | "internal" | "egress";

export interface FixtureFile {
  path: string;
  content: string;
  secret?: boolean;
}

export interface Role {
  /** Instance name: Docker name suffix and DNS alias. */
  name: string;
  /** com.mcp.service label. */
  service: string;
  image: string;
  user: string;
  entrypoint?: string[];
  args?: string[];
  env?: Record<string, string>;
  files?: FixtureFile[];
  networks: Net[];
  ports?: { internal: number; external: number }[];
  volumes?: { volume: string; target: string; readOnly?: boolean }[];
  /** Exec or shell health check; "none" for an image that cannot run one. */
  health: string[] | "none";
}

export const PREFIX = "fx";

const wget = (url: string) => ["CMD", "wget", "-q", "-T", "4", "-O", "/dev/null", url];

function roles(upstream: string[]): Role[] {
  return [
    {
      name: "nginx",
      service: "nginx",
      image: "nginxinc/nginx-unprivileged:1.27.2-alpine3.20",
      user: "101:101",
      args: ["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"],
      files: [
        { path: "/etc/nginx/nginx.conf", content: F.nginxConf(upstream) },
        { path: "/etc/nginx/tls/server.crt", content: F.TLS_CERT },
        { path: "/run/secrets/tls.key", content: F.TLS_KEY, secret: true },
      ],
      networks: ["edge"],
      ports: [
        { internal: 8080, external: 80 },
        { internal: 8443, external: 443 },
      ],
      health: wget("http://127.0.0.1:8081/stub_status"),
    },
    {
      name: "redis",
      service: "redis",
      image: "redis:7.4.1-alpine3.20",
      user: "999:1000",
      args: ["redis-server", "/etc/redis/redis.conf"],
      files: [
        { path: "/etc/redis/redis.conf", content: F.REDIS_CONF },
        { path: "/run/secrets/redis-auth.conf", content: `requirepass "${F.REDIS_PASSWORD}"\n`, secret: true },
      ],
      networks: ["internal"],
      volumes: [{ volume: "redisdata", target: "/data" }],
      health: ["CMD-SHELL", "redis-cli -h 127.0.0.1 ping | grep -q PONG"],
    },
    {
      name: "postgres",
      service: "postgres",
      image: "postgres:16.4-alpine3.20",
      user: "70:70",
      args: ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf", "-c", "hba_file=/etc/postgresql/pg_hba.conf"],
      env: { POSTGRES_PASSWORD_FILE: "/run/secrets/postgres-password" },
      files: [
        { path: "/etc/postgresql/postgresql.conf", content: F.POSTGRES_CONF },
        { path: "/etc/postgresql/pg_hba.conf", content: F.PG_HBA },
        { path: "/run/secrets/postgres-password", content: F.POSTGRES_PASSWORD, secret: true },
      ],
      networks: ["internal"],
      volumes: [{ volume: "pgdata", target: "/var/lib/postgresql/data" }],
      health: ["CMD", "pg_isready", "-h", "/var/run/postgresql"],
    },
    {
      name: "prometheus",
      service: "prometheus",
      image: "prom/prometheus:v2.54.1",
      user: "65534:65534",
      args: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=30d", "--storage.tsdb.retention.size=10GB"],
      files: [
        { path: "/etc/prometheus/prometheus.yml", content: F.PROMETHEUS_YML },
        { path: "/etc/prometheus/rules/mcp.yml", content: F.ALERT_RULES },
      ],
      networks: ["internal"],
      health: wget("http://127.0.0.1:9090/-/healthy"),
    },
    {
      name: "alertmanager",
      service: "alertmanager",
      image: "prom/alertmanager:v0.27.0",
      user: "65534:65534",
      args: ["--config.file=/etc/alertmanager/alertmanager.yml"],
      files: [{ path: "/etc/alertmanager/alertmanager.yml", content: F.ALERTMANAGER_YML }],
      networks: ["internal", "egress"],
      health: wget("http://127.0.0.1:9093/-/healthy"),
    },
    {
      name: "grafana",
      service: "grafana",
      image: "grafana/grafana-oss:11.2.2",
      user: "472:0",
      env: F.GRAFANA_ENV,
      files: [{ path: "/run/secrets/grafana-admin-password", content: F.GRAFANA_PASSWORD, secret: true }],
      networks: ["edge", "internal"],
      health: wget("http://127.0.0.1:3000/api/health"),
    },
    {
      name: "backup",
      service: "backup",
      image: "ghcr.io/mcp-platform/mcp-backup:16.4-1",
      user: "70:70",
      entrypoint: ["/bin/sh", "/opt/mcp-backup/mcp-backup.sh"],
      args: ["daemon"],
      env: F.BACKUP_ENV,
      files: [
        { path: "/run/secrets/backup-age-identity", content: F.AGE_IDENTITY, secret: true },
        { path: "/run/secrets/offsite-key", content: F.OFFSITE_KEY, secret: true },
      ],
      networks: ["internal", "egress"],
      volumes: [{ volume: "backups", target: "/var/backups/mcp" }],
      health: ["CMD", "/bin/sh", "/opt/mcp-backup/mcp-backup.sh", "live"],
    },
    {
      // FROM scratch: no shell, no probe tool (infra/image-facts.ts).
      name: "nginx-exporter",
      service: "nginxExporter",
      image: "nginx/nginx-prometheus-exporter:1.3.0",
      user: "1001:1001",
      args: ["--nginx.scrape-uri=http://nginx:8081/stub_status"],
      networks: ["edge", "internal"],
      health: "none",
    },
  ];
}

const APP: Role = {
  name: "app",
  service: "app",
  image: "ghcr.io/mcp-platform/mcp-gateway:1.8.2",
  user: "10001:10001",
  env: F.APP_ENV,
  networks: ["edge", "internal"],
  health: wget("http://127.0.0.1:8080/health"),
};

const labelList = (m: Record<string, string>) => Object.entries(m).map(([label, value]) => ({ label, value }));

function labels(r: Role): Record<string, string> {
  return {
    "com.mcp.stack": "test",
    "com.mcp.service": r.service,
    "com.mcp.instance": r.name,
    ...(r.health === "none" ? { "com.mcp.healthcheck": "prometheus-up" } : {}),
  };
}

const uidGid = (user: string) => {
  const [uid, gid] = user.split(":");
  return { uid, gid: gid ?? uid };
};

const NETWORK_INTERNAL: Record<Net, boolean> = { edge: false, internal: true, egress: false };

function commonResources() {
  new random.RandomPassword(`${PREFIX}-redisPassword`, { length: 40, special: true, overrideSpecial: "-_.~!#%^*+=", minSpecial: 2 });
  new tls.PrivateKey(`${PREFIX}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
}

/** The stack as swarm services: files as Docker configs and secrets, encrypted overlays, stateful services pinned. */
export function serviceStack(): void {
  commonResources();
  const nets = Object.fromEntries(
    (Object.keys(NETWORK_INTERNAL) as Net[]).map((n) => [
      n,
      new docker.Network(`${PREFIX}-${n}`, {
        name: `${PREFIX}-${n}`,
        driver: "overlay",
        internal: NETWORK_INTERNAL[n],
        attachable: false,
        options: { encrypted: "true" },
      }),
    ]),
  ) as Record<Net, docker.Network>;
  const vols = new Map<string, docker.Volume>();
  const volume = (v: string) => vols.get(v) ?? vols.set(v, new docker.Volume(`${PREFIX}-${v}`, { name: `${PREFIX}-${v}`, driver: "local" })).get(v)!;
  for (const r of [...roles(["app:8080"]), APP]) {
    const { uid, gid } = uidGid(r.user);
    const configs: docker.types.input.ServiceTaskSpecContainerSpecConfig[] = [];
    const secrets: docker.types.input.ServiceTaskSpecContainerSpecSecret[] = [];
    for (const [i, f] of (r.files ?? []).entries()) {
      const name = `${PREFIX}-${r.name}-${f.path.split("/").pop()}-${i}`;
      const args = { name, data: Buffer.from(f.content).toString("base64"), labels: labelList({ "com.mcp.file": f.path }) };
      if (f.secret) {
        const s = new docker.Secret(name, args);
        secrets.push({ secretId: s.id, secretName: s.name, fileName: f.path, fileUid: uid, fileGid: gid, fileMode: 0o400 });
      } else {
        const c = new docker.ServiceConfig(name, args);
        configs.push({ configId: c.id, configName: c.name, fileName: f.path, fileUid: uid, fileGid: gid, fileMode: 0o444 });
      }
    }
    const stateful = (r.volumes ?? []).length > 0;
    const l = labelList(labels(r));
    new docker.Service(`${PREFIX}-${r.name}`, {
      name: `${PREFIX}-${r.name}`,
      labels: l,
      mode: { replicated: { replicas: r === APP ? 2 : 1 } },
      taskSpec: {
        containerSpec: {
          image: r.image,
          user: r.user,
          commands: r.entrypoint,
          args: r.args,
          env: r.env,
          readOnly: true,
          capDrops: ["ALL"],
          capAdds: [],
          configs,
          secrets,
          mounts: [
            ...(r.volumes ?? []).map((v) => ({ type: "volume", source: volume(v.volume).name, target: v.target, readOnly: v.readOnly ?? false })),
            { type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 64 * 1024 * 1024, mode: 0o1777 } },
          ],
          healthcheck: r.health === "none" ? { tests: ["NONE"] } : { tests: r.health, interval: "10s", timeout: "5s", retries: 3, startPeriod: "20s" },
          labels: l,
        },
        resources: { limits: { memoryBytes: 256 * 1024 * 1024, nanoCpus: 500_000_000 }, reservation: { memoryBytes: 128 * 1024 * 1024, nanoCpus: 50_000_000 } },
        restartPolicy: { condition: "any", delay: "5s", maxAttempts: 5, window: "2m" },
        placement: { constraints: stateful ? ["node.labels.com.mcp.stateful==true"] : [] },
        logDriver: { name: "json-file", options: { "max-size": "10m", "max-file": "5" } },
        networksAdvanceds: r.networks.map((n) => ({ id: nets[n].id, aliases: [r.name] })),
      },
      updateConfig: {
        parallelism: 1,
        delay: "5s",
        monitor: "30s",
        order: stateful ? "stop-first" : "start-first",
        failureAction: "rollback",
        maxFailureRatio: "0",
      },
      rollbackConfig: {
        parallelism: 1,
        delay: "0s",
        monitor: "10s",
        order: stateful ? "stop-first" : "start-first",
        failureAction: "pause",
        maxFailureRatio: "0",
      },
      endpointSpec: {
        mode: "vip",
        ports: (r.ports ?? []).map((p) => ({ targetPort: p.internal, publishedPort: p.external, protocol: "tcp", publishMode: "host" })),
      },
    });
  }
}

/**
 * The stack as containers: files as uploads (so container-uploads-read-only and
 * secrets-as-docker-secrets fire on it: a container cannot deploy this stack), bridge
 * networks, one container per app replica (app-0 runs a RemoteImage's image ID).
 */
export function containerStack(): void {
  commonResources();
  const nets = Object.fromEntries(
    (Object.keys(NETWORK_INTERNAL) as Net[]).map((n) => [
      n,
      new docker.Network(`${PREFIX}-${n}`, { name: `${PREFIX}-${n}`, driver: "bridge", internal: NETWORK_INTERNAL[n] }),
    ]),
  ) as Record<Net, docker.Network>;
  const vols = new Map<string, docker.Volume>();
  const volume = (v: string) => vols.get(v) ?? vols.set(v, new docker.Volume(`${PREFIX}-${v}`, { name: `${PREFIX}-${v}`, driver: "local" })).get(v)!;
  const appImage = new docker.RemoteImage(`${PREFIX}-image-app`, { name: APP.image, keepLocally: true });
  const apps = [0, 1].map((i): Role & { imageId?: boolean } => ({ ...APP, name: `app-${i}`, imageId: i === 0 }));
  for (const r of [...roles(apps.map((a) => `${a.name}:8080`)), ...apps]) {
    const { uid, gid } = uidGid(r.user);
    new docker.Container(`${PREFIX}-${r.name}`, {
      name: `${PREFIX}-${r.name}`,
      image: (r as { imageId?: boolean }).imageId ? appImage.imageId : r.image,
      user: r.user,
      entrypoints: r.entrypoint,
      command: r.args,
      envs: Object.entries(r.env ?? {}).map(([k, v]) => `${k}=${v}`),
      uploads: (r.files ?? []).map((f) => ({
        file: f.path,
        content: f.content,
        permissions: f.secret ? "0400" : "0444",
        ...(f.secret ? { owner: uid, group: gid } : {}),
      })),
      networksAdvanced: r.networks.map((n) => ({ name: nets[n].name, aliases: [r.name] })),
      ports: (r.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: "0.0.0.0", protocol: "tcp" })),
      volumes: (r.volumes ?? []).map((v) => ({ volumeName: volume(v.volume).name, containerPath: v.target, readOnly: v.readOnly ?? false })),
      tmpfs: { "/tmp": "rw,noexec,nosuid,size=64m" },
      readOnly: true,
      privileged: false,
      capabilities: { drops: ["ALL"], adds: [] },
      securityOpts: ["no-new-privileges:true"],
      memory: 256,
      memorySwap: 256,
      cpus: "0.5",
      healthcheck: r.health === "none" ? { tests: ["NONE"] } : { tests: r.health, interval: "10s", timeout: "5s", retries: 3, startPeriod: "20s" },
      restart: "unless-stopped",
      logDriver: "json-file",
      logOpts: { "max-size": "10m", "max-file": "5" },
      labels: labelList(labels(r)),
    });
  }
}
