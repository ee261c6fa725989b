/**
 * What the program relies on about each default image: base, whether a shell and which
 * probe tools exist (a health check can only run what the image has), the user it runs as,
 * the paths it writes, its entrypoint and how that entrypoint behaves when not started as
 * root. Each fact names the upstream source it was read from (../shared/upstream-images.md
 * has the reading notes). docs/images.md is generated from this table
 * (`npm run docs:images`); tests/infra/image-facts.test.ts holds every service spec
 * against it, and the policy `image-healthcheck-runnable` reads it to refuse a shell health
 * check on an image without a shell.
 *
 * A non-default image (mcp:images.<service>) has no facts here: the rules that need them
 * report "undecidable" for it instead of guessing.
 */
import type { ServiceName } from "./config/schema";

/** Every busybox applet the stack's probes use (busybox-based and Alpine images carry all of them). */
export const BUSYBOX_APPLETS = ["sh", "cat", "grep", "wget", "nc", "test", "echo"] as const;

export interface WritablePath {
  path: string;
  /** volume: persistent named volume; tmpfs: scratch in memory. */
  how: "volume" | "tmpfs";
  why: string;
}

export interface ImageFacts {
  service: ServiceName;
  /** The default reference (infra/config/schema.ts DEFAULT_IMAGES). */
  ref: string;
  base: string;
  /** A POSIX shell for CMD-SHELL health checks, or null when the image has none. */
  shell: string | null;
  /** Executables a health check may call: "busybox" stands for every applet in BUSYBOX_APPLETS. */
  tools: readonly string[];
  /** The image's own USER ("root" when it sets none). */
  imageUser: string;
  /** uid:gid the program runs it as: the image's user, or a non-root one the image has. */
  runAs: string;
  writable: readonly WritablePath[];
  entrypoint: readonly string[];
  /** Why the health check is what it is (or why there is none). */
  health: string;
  /** What the entrypoint does when started as a non-root user. */
  nonRoot: string;
  /** Smallest memory limit (MB) the vendor documents, when it documents one. */
  minMemoryMb?: number;
  sources: readonly string[];
}

const PG_SOURCES = [
  "docker-library/postgres@3a94d965ec 16/alpine3.20/Dockerfile (FROM alpine:3.20, postgres uid/gid 70, /var/run/postgresql 3777, PGDATA 1777 + VOLUME)",
  "docker-library/postgres@3a94d965ec 16/alpine3.20/docker-entrypoint.sh (chown + gosu only as uid 0, l.313; file_env under set -Eeo pipefail, l.21; initdb.d *.sh sourced unless executable, l.172)",
];
const PROM_BUSYBOX = "prometheus/busybox glibc/Dockerfile (FROM busybox:glibc; docker-library/busybox Dockerfile.builder installs every applet in /bin)";

export const IMAGE_FACTS: readonly ImageFacts[] = [
  {
    service: "app",
    ref: "ghcr.io/mcp-platform/mcp-gateway:1.8.2",
    base: "the app contract (no public Dockerfile): an image with /bin/sh and busybox",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "10001:10001",
    runAs: "10001:10001",
    writable: [{ path: "/tmp", how: "tmpfs", why: "the contract allows /tmp only; state lives in PostgreSQL and Redis" }],
    entrypoint: ["(image default)"],
    health: "busybox wget of GET <healthPath> on the app port: 200 once PostgreSQL and Redis answer",
    nonRoot: "the contract: runs as 10001 with a read-only root, reads every secret from the *_FILE path it is given",
    sources: ["docs/api.md (the app contract)", "infra/components/app.ts appEnv()"],
  },
  {
    service: "postgres",
    ref: "postgres:16.4-alpine3.20",
    base: "alpine:3.20",
    shell: "/bin/sh",
    tools: ["busybox", "pg_isready", "psql", "bash"],
    imageUser: "root (the entrypoint drops to postgres 70:70)",
    runAs: "70:70",
    writable: [
      { path: "/var/lib/postgresql/data", how: "volume", why: "PGDATA (the image declares it a VOLUME)" },
      { path: "/var/run/postgresql", how: "tmpfs", why: "the unix socket and lock file" },
      { path: "/tmp", how: "tmpfs", why: "temporary files" },
    ],
    entrypoint: ["docker-entrypoint.sh"],
    health: "pg_isready on the unix socket: no credentials needed",
    nonRoot:
      "as uid 70 it skips chown/gosu, runs initdb on an empty PGDATA with POSTGRES_INITDB_ARGS, reads POSTGRES_PASSWORD_FILE (the start fails when it is unreadable) and sources the non-executable /docker-entrypoint-initdb.d/*.sh",
    sources: PG_SOURCES,
  },
  {
    service: "redis",
    ref: "redis:7.4.1-alpine3.20",
    base: "alpine:3.20",
    shell: "/bin/sh",
    tools: ["busybox", "redis-cli"],
    imageUser: "root (the entrypoint drops to redis 999:1000)",
    runAs: "999:1000",
    writable: [
      { path: "/data", how: "volume", why: "AOF and RDB files (VOLUME, WORKDIR)" },
      { path: "/tmp", how: "tmpfs", why: "temporary files" },
    ],
    entrypoint: ["docker-entrypoint.sh"],
    health: "redis-cli PING with the password from its secret file in REDISCLI_AUTH (never on the command line)",
    nonRoot: "chown and gosu only as root; sets umask 0077, then execs redis-server",
    sources: ["docker-library/redis@e9204996 7.4-rc/alpine/Dockerfile and docker-entrypoint.sh (the 7.4.1 file is generated from the same template)"],
  },
  {
    service: "nginx",
    ref: "nginxinc/nginx-unprivileged:1.27.2-alpine3.20",
    base: "alpine:3.20 (alpine-slim stage)",
    shell: "/bin/sh",
    tools: ["busybox", "nginx"],
    imageUser: "101:101",
    runAs: "101:101",
    writable: [
      {
        path: "/tmp",
        how: "tmpfs",
        why: "pid file and every *_temp_path (the rendered nginx.conf moves them all there, so /var/cache/nginx, owned 101:0 in the image, is never written)",
      },
    ],
    entrypoint: ["/docker-entrypoint.sh"],
    health: "busybox wget of the liveness location on the stub_status port",
    nonRoot:
      "runs /docker-entrypoint.d for `nginx`: 10-listen-on-ipv6 exits 0 on a read-only fs, 20-envsubst returns without /etc/nginx/templates, 30-tune only with its env; then execs",
    sources: [
      "nginxinc/docker-nginx-unprivileged@e6a1255 mainline/alpine-slim/Dockerfile (UID/GID 101, pid in /tmp, USER 101, EXPOSE 8080)",
      "nginxinc/docker-nginx-unprivileged .github/workflows/alpine-mainline.yml l.215 (tag X.Y.Z-alpine<distro>)",
    ],
  },
  {
    service: "prometheus",
    ref: "prom/prometheus:v2.54.1",
    base: "quay.io/prometheus/busybox (busybox:glibc)",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "nobody (65534)",
    runAs: "65534:65534",
    writable: [
      { path: "/prometheus", how: "volume", why: "TSDB (VOLUME, owned nobody)" },
      { path: "/tmp", how: "tmpfs", why: "temporary files" },
    ],
    entrypoint: ["/bin/prometheus"],
    health: "busybox wget of /-/healthy (web/web.go:482)",
    nonRoot: "USER nobody in the image; no entrypoint script",
    sources: ["prometheus/prometheus@v2.54.1 Dockerfile", PROM_BUSYBOX],
  },
  {
    service: "alertmanager",
    ref: "prom/alertmanager:v0.27.0",
    base: "quay.io/prometheus/busybox (busybox:glibc)",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "nobody (65534)",
    runAs: "65534:65534",
    writable: [
      { path: "/alertmanager", how: "volume", why: "silences and notification log (VOLUME, owned nobody)" },
      { path: "/tmp", how: "tmpfs", why: "temporary files" },
    ],
    entrypoint: ["/bin/alertmanager"],
    health: "busybox wget of /-/healthy (ui/web.go:75)",
    nonRoot: "USER nobody in the image; no entrypoint script",
    sources: ["prometheus/alertmanager@v0.27.0 Dockerfile", PROM_BUSYBOX],
  },
  {
    service: "grafana",
    ref: "grafana/grafana-oss:11.2.2",
    base: "alpine (alpine-final stage)",
    shell: "/bin/sh",
    tools: ["busybox", "bash", "curl"],
    imageUser: "472:0",
    runAs: "472:0",
    writable: [
      { path: "/var/lib/grafana", how: "volume", why: "sqlite database, plugins, sessions (owned grafana:root, 777)" },
      { path: "/tmp", how: "tmpfs", why: "temporary files" },
    ],
    entrypoint: ["/run.sh"],
    health: "busybox wget of /api/health",
    nonRoot:
      "run.sh only warns when the data directory is not writable, creates the plugins directory, and exports the content of every GF_*__FILE (an unreadable file yields an empty value without failing)",
    minMemoryMb: 512,
    sources: [
      "grafana/grafana packaging/docker/run.sh (GF_*__FILE via $(cat), plugins mkdir)",
      "grafana/grafana Dockerfile, alpine-final stage (GF_UID=472, GF_GID=0, USER 472, ENTRYPOINT /run.sh)",
      "grafana.com docs, setup-grafana/installation: minimum recommended memory 512 MB",
    ],
  },
  {
    service: "postgresExporter",
    ref: "quay.io/prometheuscommunity/postgres-exporter:v0.15.0",
    base: "quay.io/prometheus/busybox",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "nobody (65534)",
    runAs: "65534:65534",
    writable: [{ path: "/tmp", how: "tmpfs", why: "temporary files" }],
    entrypoint: ["/bin/postgres_exporter"],
    health: "busybox wget of /metrics (answers 200 even while pg_up is 0)",
    nonRoot: "USER nobody; DATA_SOURCE_PASS_FILE must be readable or the exporter exits (datasource.go)",
    sources: ["prometheus-community/postgres_exporter@v0.15.0 Dockerfile and cmd/postgres_exporter/datasource.go"],
  },
  {
    service: "redisExporter",
    ref: "oliver006/redis_exporter:v1.63.0-alpine",
    base: "alpine:3.20 (target alpine)",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "59000:59000",
    runAs: "59000:59000",
    writable: [{ path: "/tmp", how: "tmpfs", why: "temporary files" }],
    entrypoint: ["/redis_exporter"],
    health: "busybox wget of /metrics",
    nonRoot: "USER 59000; REDIS_PASSWORD_FILE must load or the exporter exits (log.Fatalf, main.go:136-139)",
    sources: ["oliver006/redis_exporter@v1.63.0 docker/Dockerfile (alpine target), main.go:63 and :136-139, .drone.yml (the -alpine tag)"],
  },
  {
    service: "nginxExporter",
    ref: "nginx/nginx-prometheus-exporter:1.3.0",
    base: "scratch (only the CA bundle and the binary)",
    shell: null,
    tools: [],
    imageUser: "1001:1001",
    runAs: "1001:1001",
    writable: [],
    entrypoint: ["/usr/bin/nginx-prometheus-exporter"],
    health: 'none: the image has no shell and the exporter no probe mode; Prometheus\' up{job="nginx-exporter"} and the ServiceDown alert watch it instead',
    nonRoot: "USER 1001:1001; no entrypoint script",
    sources: [
      "nginxinc/nginx-prometheus-exporter@v1.3.0 build/Dockerfile (intermediate FROM scratch, USER 1001:1001; target goreleaser copies the binary)",
      "nginxinc/nginx-prometheus-exporter .github/workflows/ci.yml (target goreleaser)",
    ],
  },
  {
    service: "nodeExporter",
    ref: "prom/node-exporter:v1.8.2",
    base: "quay.io/prometheus/busybox",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "nobody (65534)",
    runAs: "65534:65534",
    writable: [{ path: "/tmp", how: "tmpfs", why: "temporary files" }],
    entrypoint: ["/bin/node_exporter"],
    health: "busybox wget of /metrics",
    nonRoot: "USER nobody; reads the textfile directory (backup metrics volume, mounted read-only)",
    sources: ["prometheus/node_exporter@v1.8.2 Dockerfile and collector/textfile.go:36", PROM_BUSYBOX],
  },
  {
    service: "blackboxExporter",
    ref: "prom/blackbox-exporter:v0.25.0",
    base: "quay.io/prometheus/busybox",
    shell: "/bin/sh",
    tools: ["busybox"],
    imageUser: "root (no USER)",
    runAs: "65534:65534",
    writable: [{ path: "/tmp", how: "tmpfs", why: "temporary files" }],
    entrypoint: ["/bin/blackbox_exporter"],
    health: "busybox wget of /-/healthy (main.go:182)",
    nonRoot: "no entrypoint script; runs as nobody, which the busybox base has (the image sets no USER)",
    sources: ["prometheus/blackbox_exporter@v0.25.0 Dockerfile and main.go:182", PROM_BUSYBOX],
  },
  {
    service: "backup",
    ref: "ghcr.io/mcp-platform/mcp-backup:16.4-1",
    base: "postgres:16.4-alpine3.20 + age + rclone (infra/images/backup/Dockerfile)",
    shell: "/bin/sh",
    tools: ["busybox", "pg_dump", "pg_isready", "psql", "age", "rclone"],
    imageUser: "70:70",
    runAs: "70:70",
    writable: [
      { path: "/var/backups/mcp", how: "volume", why: "encrypted dumps and manifests (0700 postgres in the image)" },
      { path: "/var/lib/node-exporter/textfile", how: "volume", why: "backup metrics for node-exporter (0755 postgres in the image)" },
      { path: "/var/lib/postgresql/data", how: "tmpfs", why: "the base image's VOLUME: a tmpfs keeps Docker from making an anonymous volume" },
      { path: "/tmp", how: "tmpfs", why: "scratch for the dump pipeline" },
    ],
    entrypoint: ["/bin/sh", "/opt/mcp-backup/mcp-backup.sh"],
    health:
      "mcp-backup.sh live: the daemon's heartbeat is fresh and its configuration is valid; backup age is the BackupTooOld alert's job, so a slow first off-site copy does not fail the deploy",
    nonRoot: "USER 70; the script writes only its volumes and /tmp",
    sources: ["infra/images/backup/Dockerfile", "infra/images/backup/mcp-backup.sh", ...PG_SOURCES],
  },
];

export function imageFactsFor(ref: string): ImageFacts | undefined {
  return IMAGE_FACTS.find((f) => f.ref === ref);
}

export function imageFactsOfService(service: ServiceName): ImageFacts {
  const f = IMAGE_FACTS.find((x) => x.service === service);
  if (!f) throw new Error(`no image facts for service ${service}`);
  return f;
}

/** Whether `command` is an executable the image has (busybox applets included). */
export function imageHasTool(facts: ImageFacts, command: string): boolean {
  const base = command.split("/").pop() ?? command;
  if (facts.tools.includes(base) || facts.tools.includes(command)) return true;
  if (facts.shell && (command === facts.shell || base === "sh")) return true;
  return facts.tools.includes("busybox") && (BUSYBOX_APPLETS as readonly string[]).includes(base);
}
