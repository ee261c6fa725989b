/**
 * Nginx: the only service that publishes ports (80 redirects to 443), in host mode so the
 * node's own address answers without the routing mesh. Terminates TLS, proxies to the app
 * service (every replica), rate-limits, serves static files and proxies Grafana.
 * Checklist: SEC-NET-01, SEC-NET-03, SEC-NET-04, PRE-SEC-03, HA-REDUNDANCY-02, DEP-WEB-*.
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS } from "../topology";
import type { ServiceSpec } from "../spec";
import { baseSpec, httpHealthcheck, secretFile, SpecContext, tmpfsFor } from "./common";
import { NGINX_CONF_PATH, NGINX_LIVENESS_PATH, nginxInputFromConfig, renderNginxConf, renderStaticFiles } from "../render/nginx";

/** The nginx-unprivileged image's nginx user. */
export const NGINX_USER = "101:101";

export function nginxSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  const input = nginxInputFromConfig(config);
  const statics = Object.entries(renderStaticFiles()).map(([rel, content]) => ({
    path: `${PATHS.nginxStaticRoot}/${rel.replace(/^\/+/, "")}`,
    content,
    mode: "0444",
  }));
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "nginx",
        name: HOSTS.nginx,
        image: config.images.nginx,
        user: NGINX_USER,
        healthcheck: httpHealthcheck(`http://127.0.0.1:${PORTS.nginxStatus}${NGINX_LIVENESS_PATH}`),
      },
      {
        command: ["nginx", "-c", NGINX_CONF_PATH, "-g", "daemon off;"],
        configFiles: [
          { path: NGINX_CONF_PATH, content: renderNginxConf(input), mode: "0444" },
          { path: PATHS.nginxTlsCert, content: { material: "edgeTlsCert" }, mode: "0444" },
          ...statics,
        ],
        secretFiles: [secretFile(PATHS.nginxTlsKey, "tlsPrivateKey", NGINX_USER)],
        networks: [{ name: "edge", aliases: [HOSTS.nginx, config.domain] }],
        // Host mode: bound on the node running the task (the address comes from the node, see
        // docs/docker-host.md), no routing mesh in front.
        ports: [
          { internal: PORTS.nginxHttp, external: config.edge.httpPort, protocol: "tcp", publishMode: "host" },
          { internal: PORTS.nginxHttps, external: config.edge.httpsPort, protocol: "tcp", publishMode: "host" },
        ],
        // Every temp path and the pid file are in /tmp (nginx.conf); nothing is cached.
        tmpfs: tmpfsFor(["/tmp"]),
        // Upstreams are resolved per request (Docker DNS); the order only avoids 502s while the stack comes up.
        dependsOn: [HOSTS.app, HOSTS.grafana],
      },
    ),
  ];
}
