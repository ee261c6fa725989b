/**
 * Nginx: the only container that publishes ports (80 redirects to 443). Terminates TLS,
 * load-balances the app replicas, rate-limits, serves static files and proxies Grafana.
 * Checklist: SEC-NET-01, SEC-NET-03, SEC-NET-04, PRE-SEC-03, HA-REDUNDANCY-02, DEP-WEB-*.
 */
import type { StackConfig } from "../config/load";
import { appReplicaHosts, HOSTS, PATHS, PORTS } from "../topology";
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
        instance: "nginx",
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
        ports: [
          { internal: PORTS.nginxHttp, external: config.edge.httpPort, ip: config.edge.bindAddress, protocol: "tcp" },
          { internal: PORTS.nginxHttps, external: config.edge.httpsPort, ip: config.edge.bindAddress, protocol: "tcp" },
        ],
        tmpfs: tmpfsFor(NGINX_USER, ["/tmp", "/var/cache/nginx"]),
        // Nginx resolves upstream names at start: every replica (and Grafana) must exist first.
        dependsOn: [...appReplicaHosts(config.app.replicas), "grafana"],
      },
    ),
  ];
}
