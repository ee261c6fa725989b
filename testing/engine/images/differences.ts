/**
 * Where a stand-in is not the upstream image it stands for. Kept as data so a test report
 * or a doc can list it. "bridge" entries are changes inside an image that let the program's
 * unchanged command line, environment and health checks work with an older Debian binary;
 * "missing" entries are upstream features the stand-in does not have (none of which the
 * program uses); "not verified" says what no test here has run.
 */
import type { ServiceName } from "../../../infra/config/schema";

export interface ImageDifference {
  /** null: every image with a shell. */
  service: ServiceName | null;
  kind: "version" | "bridge" | "missing" | "layout" | "not verified";
  detail: string;
}

export const IMAGE_DIFFERENCES: readonly ImageDifference[] = [
  // Every image with a shell.
  {
    service: null,
    kind: "bridge",
    detail:
      "/bin/sh is Debian's dash, not busybox ash: Debian's busybox-static runs its applets ahead of PATH (FEATURE_SH_STANDALONE), so its wget could not be replaced for `sh -c`",
  },
  {
    service: null,
    kind: "bridge",
    detail:
      "wget is files/wget.sh: Debian's busybox wget (1.35, no FEATURE_WGET_TIMEOUT) segfaults on -T, which every HTTP health check of the program passes; the wrapper enforces -T with `timeout` around busybox wget (one deadline for the whole request, upstream's is per network operation)",
  },
  {
    service: null,
    kind: "layout",
    detail:
      "glibc 2.36 and busybox 1.35 from Debian 12 instead of musl and busybox 1.36 (Alpine 3.20) or busybox 1.37 glibc; no apk, no /etc/alpine-release, no /etc/shadow; /etc/os-release names the stand-in",
  },
  {
    service: null,
    kind: "layout",
    detail: "STOPSIGNAL is set by a one-instruction build FROM the imported image: Docker 20.10's import refuses it as a change",
  },
  // app
  {
    service: "app",
    kind: "version",
    detail: "the app contract of testing/stand-ins/app.ts on node (the build's own binary), not mcp-gateway 1.8.2, which has no public source",
  },
  {
    service: "app",
    kind: "missing",
    detail:
      "only HS256 bearer JWTs; AUTH_REQUIRED is ignored (auth is always required); migrations are the stand-in's own (schema_migrations rows 20260101000000 and 20260201000000, table mcp_servers); its MCP tools are the stand-in's (echo, slow) and one resource",
  },
  {
    service: "app",
    kind: "layout",
    detail:
      "user and group named mcp (10001:10001); the MCP server (the official SDK's, testing/stand-ins/mcp-server.ts) runs in the same process; STAND_IN_FAULTS (JSON) turns on the stand-in's fault switches, for tests only",
  },
  // postgres and backup
  { service: "postgres", kind: "version", detail: "PostgreSQL 15 (Debian, glibc) for 16.4 (Alpine, musl); PG_MAJOR/PG_VERSION say 15" },
  {
    service: "postgres",
    kind: "layout",
    detail:
      "LANG=C.UTF-8 instead of en_US.utf8 (glibc here has only C.UTF-8), so initdb's default collation is C.UTF-8; binaries stay in /usr/lib/postgresql/15/bin, linked from /usr/local/bin",
  },
  {
    service: "postgres",
    kind: "missing",
    detail:
      "entrypoint is this project's own: no gosu/su-exec (as root it re-runs itself through busybox su), no nss_wrapper (a uid without a passwd entry cannot initdb), no docker-ensure-initdb.sh, no *.sql.zst init files, no LLVM JIT; POSTGRES_PASSWORD is unset before the final exec (upstream leaves it in the server's environment)",
  },
  {
    service: "backup",
    kind: "version",
    detail: "the postgres stand-in (PostgreSQL 15 client tools for a 16 server image) with Debian's age 1.1.1 and rclone 1.60.1 (Alpine 3.20: rclone 1.66)",
  },
  // redis
  { service: "redis", kind: "version", detail: "Redis 7.0 (Debian) for 7.4.1; as root the entrypoint drops to redis through busybox su instead of su-exec" },
  // nginx
  { service: "nginx", kind: "version", detail: "Nginx 1.22.1 (Debian) for 1.27.2" },
  {
    service: "nginx",
    kind: "bridge",
    detail:
      "a configuration with `http2 on;` (1.25.1+; the program renders it for the 1.27 image) is rewritten by /docker-entrypoint.sh into /tmp/nginx-1.22-<name> with the `http2` flag on that server's ssl listen lines, and nginx is given that copy with -c; `nginx -t` or `nginx -s reload` run by hand against the original file fail on 1.22",
  },
  {
    service: "nginx",
    kind: "bridge",
    detail:
      "/usr/local/lib/nginx-upstream-watch.sh runs beside nginx: the test engine's services are dnsrr (no ip_vs), so `app` resolves to task addresses that change with every update, where prod resolves it to the stable service VIP; every 5 s it re-resolves the upstream servers' names and reloads nginx (SIGHUP) when they changed",
  },
  {
    service: "nginx",
    kind: "missing",
    detail: "20-envsubst-on-templates fails when /etc/nginx/templates exists (no envsubst in the image); Debian's compiled-in module set (no njs)",
  },
  // monitoring
  {
    service: "prometheus",
    kind: "version",
    detail: "Prometheus 2.42.0 (Debian; web assets read from /usr/share/prometheus/web) for 2.54.1; every flag the program passes exists in 2.42",
  },
  {
    service: "alertmanager",
    kind: "version",
    detail: "Alertmanager 0.25.0 (Debian; templates and UI read from /usr/share/prometheus/alertmanager) for 0.27.0",
  },
  {
    service: "grafana",
    kind: "version",
    detail:
      "the Grafana API subset of testing/stand-ins/grafana.ts on node, not Grafana 11.2.2: /api/health, datasource lookup and health, dashboards by uid, search, /metrics",
  },
  {
    service: "grafana",
    kind: "missing",
    detail:
      "no UI, no sqlite database (it only proves the data directory writable), no plugins, alerting, users or orgs; no $VAR expansion in provisioning files; of the GF_* settings only the HTTP port and address, admin user and password, root URL and serve_from_sub_path are read; GF_AWS_PROFILES and GF_INSTALL_PLUGINS are ignored; `grafana cli` is not implemented",
  },
  // exporters
  {
    service: "postgresExporter",
    kind: "version",
    detail:
      "postgres_exporter 0.11.1 (Debian) for 0.15.0: DATA_SOURCE_URI/USER/PASS_FILE work alike (an unreadable pass file ends the process in both); no --config.file (auth modules, /probe)",
  },
  {
    service: "postgresExporter",
    kind: "not verified",
    detail:
      "that 0.11.1 exports every pg_* series the dashboards and alert rules query (pg_database_size_bytes, pg_stat_database_*, pg_settings_max_connections): needs the stack's PostgreSQL",
  },
  {
    service: "redisExporter",
    kind: "version",
    detail: "redis_exporter 1.45.0 (Debian) for 1.63.0: REDIS_ADDR and REDIS_PASSWORD_FILE (JSON map) work alike, an unloadable file is fatal in both",
  },
  {
    service: "nginxExporter",
    kind: "version",
    detail:
      "nginx-prometheus-exporter 0.11.0 (Debian, Go flag package: --name=value is accepted) for 1.3.0 (kingpin); Debian's binary is linked against glibc, so the image holds libc and the loader besides the binary and the CA bundle",
  },
  {
    service: "nginxExporter",
    kind: "bridge",
    detail:
      "ENV NGINX_RETRIES=100000000 and NGINX_RETRY_INTERVAL=2s: 0.11 exits when stub_status does not answer at start (1.x starts and reports nginx_up 0); with the bridge it waits for Nginx, but serves no /metrics until Nginx first answers",
  },
  {
    service: "nodeExporter",
    kind: "version",
    detail:
      'node_exporter 1.5.0 (Debian) for 1.8.2; Debian enables the systemd collector by default, which fails in a container (an error line per scrape, node_scrape_collector_success{collector="systemd"} 0)',
  },
  {
    service: "blackboxExporter",
    kind: "version",
    detail: "blackbox_exporter 0.23.0 (Debian) for 0.25.0; the default /etc/blackbox_exporter/config.yml is Debian's blackbox.yml",
  },
];
