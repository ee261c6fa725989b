/**
 * nginx.conf for the TLS edge and load balancer, as a pure function of plain data.
 * `nginxInputFromConfig` fills the input from the stack config for the container;
 * tests and the runtime-check harness build their own input (loopback upstreams, temp
 * dirs) and render the same configuration.
 *
 * Checklist items served here: SEC-NET-03/SEC-NET-04 (TLS only, 80 -> 301 https, HSTS),
 * DEP-WEB-02 (certificate), DEP-WEB-03 (redirect), DEP-WEB-04 (proxy to the app service),
 * DEP-WEB-05 (static files), HA-REDUNDANCY-02 (load balancing), PRE-SEC-03/SEC-NET-05
 * (rate limit, 429), SEC-DATA-10/MON-LOG-01 (JSON access log), MON-METRICS-02
 * (stub_status for the exporter).
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS } from "../topology";
import { parseImageRef } from "../config/images";

/** Where nginx keeps its own files. Container defaults suit nginx-unprivileged with a read-only root. */
export interface NginxRuntimePaths {
  pidFile: string;
  /** Must exist: nginx creates the client_body/proxy/fastcgi/uwsgi/scgi temp dirs in it, not their parents. */
  tempDir: string;
  errorLog: string;
  accessLog: string;
  mimeTypes: string;
  /**
   * `user` directive. Leave unset in the container (it runs as uid 101 already); a test
   * running nginx as root sets an account that can read the static root.
   */
  user?: string;
}

/**
 * How HTTP/2 is switched on: `listen ... http2` (nginx < 1.25.1) or the `http2 on`
 * directive (>= 1.25.1, where the listen flag is deprecated and warns).
 */
export type Http2Mode = "listen-flag" | "directive" | "off";

export interface NginxInput {
  serverName: string;
  /** Ports nginx itself listens on (inside the container, or on loopback in a test). */
  listen: { http: number; https: number; status: number };
  /** Address the listeners bind to; unset binds every interface (the container's). */
  bindAddress?: string;
  /** Ports clients use (Docker publishes these); the redirect target names httpsPort unless 443. */
  publicPorts: { http: number; https: number };
  /**
   * The app as "host:port": in the stack, the app service's name, whose virtual IP spreads
   * connections over every healthy replica; a test lists its loopback replicas instead.
   */
  upstreams: string[];
  tls: { certPath: string; keyPath: string };
  hstsMaxAgeSeconds: number;
  rateLimit: { requestsPerSecond: number; burst: number; zoneSizeMb: number };
  paths: { mcpPath: string; healthPath: string; staticPath: string; metricsPath: string };
  staticRoot: string;
  /** Grafana as "host:port", served under /grafana/ (it runs with serve_from_sub_path). */
  grafanaUpstream?: string;
  /** CIDRs allowed to read stub_status (the exporter, from the swarm's overlay address pool). */
  statusAllow: string[];
  clientMaxBodySize: string;
  http2: Http2Mode;
  runtime: NginxRuntimePaths;
}

/** stub_status location on the status port (nginx-prometheus-exporter scrapes it). */
export const NGINX_STATUS_PATH = "/stub_status";
/** Liveness location on the status port, for the container health check. */
export const NGINX_LIVENESS_PATH = "/nginx-health";
/** Public prefix Grafana is served under. */
export const GRAFANA_PUBLIC_PREFIX = "/grafana/";
/** Name of the JSON log_format (fields documented at renderNginxConf). */
export const NGINX_LOG_FORMAT = "json_combined";
export const NGINX_RATE_LIMIT_ZONE = "mcp_per_ip";
export const NGINX_UPSTREAM = "mcp_app";
/** Variable holding the Retry-After of a 429 (empty otherwise). */
export const NGINX_RETRY_AFTER_VAR = "retry_after";

/** Seconds until one more request is allowed at the limit's rate (at least 1: Retry-After counts whole seconds). */
export function retryAfterSeconds(requestsPerSecond: number): number {
  return Math.max(1, Math.ceil(1 / requestsPerSecond));
}
/**
 * The public locations limit_req applies to, for the renderer and the runtime checks alike.
 * Health is one: it is unauthenticated and reaches the app, so it is as much a flood target
 * as the API. Monitoring probes stay far below the limit; the burst check spends the allowance
 * of its own address only and waits for it to refill.
 */
export const NGINX_RATE_LIMITED_LOCATIONS = ["health", "mcp", "app", "grafana"] as const;
export type NginxPublicLocation = (typeof NGINX_RATE_LIMITED_LOCATIONS)[number] | "static";

/** Whether the location serving `path` is rate limited (the app location serves every path no other location claims). */
export function isRateLimitedPath(path: string, paths: Pick<NginxInput["paths"], "healthPath" | "mcpPath" | "staticPath">): boolean {
  const location: NginxPublicLocation =
    path === paths.healthPath
      ? "health"
      : path.startsWith(paths.staticPath)
        ? "static"
        : path.startsWith(GRAFANA_PUBLIC_PREFIX)
          ? "grafana"
          : path.startsWith(paths.mcpPath)
            ? "mcp"
            : "app";
  return (NGINX_RATE_LIMITED_LOCATIONS as readonly string[]).includes(location);
}
/** Where the rendered config goes in the nginx-unprivileged image. */
export const NGINX_CONF_PATH = "/etc/nginx/nginx.conf";

export const CONTAINER_NGINX_RUNTIME: NginxRuntimePaths = {
  pidFile: "/tmp/nginx.pid",
  // The image's tmpfs; nginx-unprivileged uses /tmp/*_temp too.
  tempDir: "/tmp",
  // The image's log files are symlinks to the container's stdio; name stdio directly.
  errorLog: "/dev/stderr",
  accessLog: "/dev/stdout",
  mimeTypes: "/etc/nginx/mime.types",
};

/** HTTP/2 switch for an nginx version string like "1.27.2". */
export function http2ModeForVersion(version: string | undefined): Http2Mode {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version ?? "");
  if (!m) return "listen-flag";
  const [maj, min, patch] = m.slice(1).map(Number);
  const atLeast = maj > 1 || (maj === 1 && (min > 25 || (min === 25 && patch >= 1)));
  return atLeast ? "directive" : "listen-flag";
}

export function nginxInputFromConfig(config: StackConfig): NginxInput {
  const tag = parseImageRef(config.images.nginx)?.tag;
  return {
    serverName: config.domain,
    listen: { http: PORTS.nginxHttp, https: PORTS.nginxHttps, status: PORTS.nginxStatus },
    publicPorts: { http: config.edge.httpPort, https: config.edge.httpsPort },
    upstreams: [`${HOSTS.app}:${config.app.port}`],
    tls: { certPath: PATHS.nginxTlsCert, keyPath: PATHS.nginxTlsKey },
    hstsMaxAgeSeconds: config.edge.hstsMaxAgeSeconds,
    rateLimit: { ...config.rateLimit },
    paths: { mcpPath: config.app.mcpPath, healthPath: config.app.healthPath, staticPath: config.app.staticPath, metricsPath: config.app.metricsPath },
    staticRoot: PATHS.nginxStaticRoot,
    grafanaUpstream: `${HOSTS.grafana}:${PORTS.grafana}`,
    // The port is never published; only tasks on the overlays (addresses from the swarm's pool) reach it.
    statusAllow: ["127.0.0.1", config.swarm.addressPool],
    clientMaxBodySize: "1m",
    http2: http2ModeForVersion(tag),
    runtime: { ...CONTAINER_NGINX_RUNTIME },
  };
}

/** Mozilla "intermediate" TLS 1.2 suites (forward secret AEAD only); TLS 1.3 suites are OpenSSL's defaults. */
export const NGINX_TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;
const SAFE_PATH = /^\/[A-Za-z0-9._~/-]*$/;
const SAFE_FILE = /^[^\s;{}'"$]+$/;

/** Input problems named by field; thrown as one error so a bad harness input is obvious. */
export function nginxInputProblems(input: NginxInput): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9.-]+$/.test(input.serverName)) problems.push(`serverName "${input.serverName}" is not a host name`);
  if (input.upstreams.length === 0) problems.push("upstreams is empty: at least one app replica is needed");
  for (const u of input.upstreams) if (!HOST_PORT.test(u)) problems.push(`upstreams entry "${u}" is not host:port`);
  if (input.grafanaUpstream !== undefined && !HOST_PORT.test(input.grafanaUpstream))
    problems.push(`grafanaUpstream "${input.grafanaUpstream}" is not host:port`);
  for (const [k, v] of Object.entries(input.paths)) if (!SAFE_PATH.test(v)) problems.push(`paths.${k} "${v}" is not an absolute URL path`);
  const { metricsPath, mcpPath, healthPath, staticPath } = input.paths;
  if (metricsPath === "/") problems.push('paths.metricsPath "/" would hide every route');
  for (const [k, v] of Object.entries({ mcpPath, healthPath, staticPath }))
    if (v === metricsPath) problems.push(`paths.${k} equals paths.metricsPath ("${v}"), which is never served publicly`);
  const ports = [input.listen.http, input.listen.https, input.listen.status];
  if (new Set(ports).size !== 3) problems.push(`listen ports must differ (got ${ports.join(", ")})`);
  for (const p of [...ports, input.publicPorts.http, input.publicPorts.https])
    if (!Number.isInteger(p) || p < 1 || p > 65535) problems.push(`port ${p} is out of range`);
  const files = {
    "tls.certPath": input.tls.certPath,
    "tls.keyPath": input.tls.keyPath,
    staticRoot: input.staticRoot,
    ...Object.fromEntries(
      Object.entries(input.runtime)
        .filter(([k]) => k !== "user")
        .map(([k, v]) => [`runtime.${k}`, v]),
    ),
  };
  for (const [k, v] of Object.entries(files)) if (v !== undefined && !SAFE_FILE.test(v)) problems.push(`${k} "${v}" contains characters nginx would misread`);
  if (input.runtime.user !== undefined && !/^[a-z_][a-z0-9_-]*( [a-z_][a-z0-9_-]*)?$/.test(input.runtime.user))
    problems.push(`runtime.user "${input.runtime.user}" must be "user" or "user group"`);
  if (!/^\d+[kmg]?$/.test(input.clientMaxBodySize)) problems.push(`clientMaxBodySize "${input.clientMaxBodySize}" must look like 1m or 512k`);
  if (input.statusAllow.length === 0) problems.push("statusAllow is empty: the exporter could not read stub_status");
  return problems;
}

const indent = (text: string, by: string) =>
  text
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");

/** `listen` target: the port alone, or addr:port ([addr]:port for IPv6). */
function listenAddr(port: number, bind?: string): string {
  if (!bind) return String(port);
  return bind.includes(":") ? `[${bind}]:${port}` : `${bind}:${port}`;
}

/**
 * Request headers sent upstream. nginx drops every inherited proxy_set_header once a
 * level sets one, so each proxying location gets the full set from here.
 */
function proxyHeaders(connection: string): string {
  return [
    "proxy_http_version 1.1;",
    "proxy_set_header Host $host;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "proxy_set_header X-Forwarded-Host $host;",
    "proxy_set_header X-Request-ID $request_id;",
    `proxy_set_header Connection ${connection};`,
  ].join("\n");
}

/**
 * Security headers for every HTTPS response, errors included (`always`). They are set at
 * server level only: any add_header inside a location would silently drop these.
 */
function securityHeaders(hstsMaxAge: number): string {
  return [
    `add_header Strict-Transport-Security "max-age=${hstsMaxAge}; includeSubDomains" always;`,
    'add_header X-Content-Type-Options "nosniff" always;',
    'add_header X-Frame-Options "SAMEORIGIN" always;',
    'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
    'add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;',
  ].join("\n");
}

function redirectTarget(httpsPort: number): string {
  return httpsPort === 443 ? "https://$host$request_uri" : `https://$host:${httpsPort}$request_uri`;
}

/**
 * Renders nginx.conf. Not rendered on purpose: `daemon` (the image's command passes
 * `-g 'daemon off;'`, and a duplicate is a fatal error).
 *
 * Access log fields (one JSON object per line): time, remote_addr, request_id, method,
 * uri, protocol, status, body_bytes_sent, request_time, upstream_addr, upstream_status,
 * upstream_response_time, host, http_referer, http_user_agent, ssl_protocol.
 *
 * Upstream names are resolved when nginx starts: the app service must exist then (the
 * program creates nginx after it). Its name is a stable virtual IP, so replicas that are
 * replaced later need no reload.
 */
export function renderNginxConf(input: NginxInput): string {
  const problems = nginxInputProblems(input);
  if (problems.length) throw new Error(`invalid nginx input:\n  - ${problems.join("\n  - ")}`);
  const { listen, paths, rateLimit, runtime } = input;
  const bind = input.bindAddress;
  const limitReq = `limit_req zone=${NGINX_RATE_LIMIT_ZONE} burst=${rateLimit.burst} nodelay;`;
  const rl = (location: NginxPublicLocation) => ((NGINX_RATE_LIMITED_LOCATIONS as readonly string[]).includes(location) ? limitReq : "# not rate limited");
  const httpsListen =
    input.http2 === "listen-flag"
      ? `listen ${listenAddr(listen.https, bind)} ssl http2 default_server;`
      : `listen ${listenAddr(listen.https, bind)} ssl default_server;`;
  const http2Directive = input.http2 === "directive" ? "\nhttp2 on;" : "";
  const metricsPrefix = paths.metricsPath.endsWith("/") ? paths.metricsPath : `${paths.metricsPath}/`;
  const metricsExact = paths.metricsPath.replace(/\/$/, "") || "/";
  const temp = (name: string) => `${runtime.tempDir}/${name}`;

  const grafana = input.grafanaUpstream
    ? `
# Grafana (MON dashboards) under ${GRAFANA_PUBLIC_PREFIX}; its own /metrics stays internal.
location = /grafana {
    return 301 ${GRAFANA_PUBLIC_PREFIX};
}
location = ${GRAFANA_PUBLIC_PREFIX}metrics {
    return 404;
}
location ${GRAFANA_PUBLIC_PREFIX} {
    ${rl("grafana")}
${indent(proxyHeaders("$connection_upgrade"), "    ")}
    proxy_set_header Upgrade $http_upgrade;
    proxy_pass http://grafana_ui;
}
`
    : "";

  return `# Rendered by infra/render/nginx.ts: edit the renderer, not this file.
${runtime.user ? `user ${runtime.user};\n` : ""}worker_processes auto;
pid ${runtime.pidFile};
error_log ${runtime.errorLog} warn;

events {
    worker_connections 1024;
}

http {
    include ${runtime.mimeTypes};
    default_type application/octet-stream;

    client_body_temp_path ${temp("client_temp")};
    proxy_temp_path ${temp("proxy_temp")};
    fastcgi_temp_path ${temp("fastcgi_temp")};
    uwsgi_temp_path ${temp("uwsgi_temp")};
    scgi_temp_path ${temp("scgi_temp")};

    # SEC-DATA-10 / MON-LOG-01: structured access log, one JSON object per request.
    log_format ${NGINX_LOG_FORMAT} escape=json '{"time":"$time_iso8601","remote_addr":"$remote_addr",'
        '"request_id":"$request_id","method":"$request_method","uri":"$request_uri",'
        '"protocol":"$server_protocol","status":$status,"body_bytes_sent":$body_bytes_sent,'
        '"request_time":$request_time,"upstream_addr":"$upstream_addr",'
        '"upstream_status":"$upstream_status","upstream_response_time":"$upstream_response_time",'
        '"host":"$host","http_referer":"$http_referer","http_user_agent":"$http_user_agent",'
        '"ssl_protocol":"$ssl_protocol"}';
    access_log ${runtime.accessLog} ${NGINX_LOG_FORMAT};

    server_tokens off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    client_max_body_size ${input.clientMaxBodySize};
    client_body_timeout 30s;
    client_header_timeout 30s;
    send_timeout 60s;

    # Event streams are never compressed (gzip buffers them); text/event-stream is not listed.
    gzip on;
    gzip_min_length 1024;
    gzip_types application/json text/plain text/css application/javascript image/svg+xml;

    # PRE-SEC-03 / SEC-NET-05: per-client rate limit, answered with 429.
    limit_req_zone $binary_remote_addr zone=${NGINX_RATE_LIMIT_ZONE}:${rateLimit.zoneSizeMb}m rate=${rateLimit.requestsPerSecond}r/s;
    limit_req_status 429;
    limit_req_log_level warn;
    # limit_req sends no Retry-After: every 429 gets one (one request's refill time; an empty
    # value adds no header, so other answers are untouched).
    map $status $${NGINX_RETRY_AFTER_VAR} {
        429     ${retryAfterSeconds(rateLimit.requestsPerSecond)};
        default "";
    }

    map $http_upgrade $connection_upgrade {
        default upgrade;
        ""      "";
    }

    # HA-REDUNDANCY-02 / DEP-WEB-04: the app service (its virtual IP balances over every healthy
    # replica). least_conn suits long-lived MCP streams where several addresses are listed;
    # sessions live in Redis, so any replica can serve any request.
    upstream ${NGINX_UPSTREAM} {
        least_conn;
${input.upstreams.map((u) => `        server ${u} max_fails=3 fail_timeout=10s;`).join("\n")}
        keepalive 32;
    }
${input.grafanaUpstream ? `\n    upstream grafana_ui {\n        server ${input.grafanaUpstream};\n        keepalive 8;\n    }\n` : ""}
    # SEC-NET-04 / DEP-WEB-03: plain HTTP only redirects.
    server {
        listen ${listenAddr(listen.http, bind)} default_server;
        server_name ${input.serverName};
        location / {
            return 301 ${redirectTarget(input.publicPorts.https)};
        }
    }

    # SEC-NET-03 / DEP-WEB-02: TLS 1.2/1.3 only.
    server {
        ${httpsListen}${indent(http2Directive, "        ")}
        server_name ${input.serverName};

        ssl_certificate ${input.tls.certPath};
        ssl_certificate_key ${input.tls.keyPath};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ${NGINX_TLS12_CIPHERS};
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:TLS:10m;
        ssl_session_timeout 1d;
        ssl_session_tickets off;

${indent(securityHeaders(input.hstsMaxAgeSeconds), "        ")}
        add_header Retry-After $${NGINX_RETRY_AFTER_VAR} always;

        # The app's metrics are for Prometheus on the internal network only.
        location = ${metricsExact} {
            return 404;
        }
        location ^~ ${metricsPrefix} {
            return 404;
        }

        # DEP-WEB-05: static files straight from disk.
        location ^~ ${paths.staticPath} {
            root ${input.staticRoot};
            try_files $uri =404;
            expires 1h;
        }

        location = ${paths.healthPath} {
            ${rl("health")}
            proxy_pass http://${NGINX_UPSTREAM};
${indent(proxyHeaders('""'), "            ")}
            proxy_read_timeout 10s;
        }

        # MCP streamable HTTP: responses may be long-lived event streams, so nothing is
        # buffered or cached and reads may idle for an hour.
        location ${paths.mcpPath} {
            ${rl("mcp")}
            proxy_pass http://${NGINX_UPSTREAM};
${indent(proxyHeaders('""'), "            ")}
            proxy_buffering off;
            proxy_cache off;
            proxy_request_buffering off;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
            chunked_transfer_encoding on;
            gzip off;
        }
${indent(grafana, "        ")}
        location / {
            ${rl("app")}
            proxy_pass http://${NGINX_UPSTREAM};
${indent(proxyHeaders('""'), "            ")}
            proxy_read_timeout 60s;
        }
    }

    # MON-METRICS-02: stub_status for nginx-prometheus-exporter; never published.
    server {
        listen ${listenAddr(listen.status, bind)};
        access_log off;
        location = ${NGINX_STATUS_PATH} {
            stub_status;
${input.statusAllow.map((a) => `            allow ${a};`).join("\n")}
            deny all;
        }
        location = ${NGINX_LIVENESS_PATH} {
            default_type text/plain;
            return 200 "ok\\n";
        }
        location / {
            return 404;
        }
    }
}
`;
}

/** The file Nginx serves as the static-files probe (DEP-WEB-05). */
export const STATIC_PROBE_FILE = "robots.txt";

/**
 * Static files Nginx serves itself: relative path under NginxInput.staticRoot -> content.
 * `<staticPath>robots.txt` is what the runtime static-file check fetches.
 */
export function renderStaticFiles(staticPath = "/static/"): Record<string, string> {
  const dir = staticPath.replace(/^\/+/, "").replace(/\/?$/, "/");
  return {
    [`${dir}${STATIC_PROBE_FILE}`]: "User-agent: *\nDisallow: /\n",
  };
}
