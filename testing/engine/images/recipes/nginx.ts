/**
 * nginxinc/nginx-unprivileged:1.27.2-alpine3.20 stand-in: Debian's Nginx 1.22 as uid 101
 * (nginx:nginx), pid and every temp path in /tmp, /etc/nginx and /var/cache/nginx owned
 * 101:0, logs as symlinks to the container's stdio, /docker-entrypoint.sh with the
 * /docker-entrypoint.d scripts (files/), USER 101, EXPOSE 8080, STOPSIGNAL SIGQUIT.
 */
import { join } from "node:path";
import { addBase, BASE_PACKAGES, DEFAULT_PATH, NOBODY_GROUP, NOBODY_USER, ROOT_GROUP, ROOT_USER, type ImageUser } from "../base";
import { dpkgVersions, requireHostFile } from "../host";
import type { ImagePlan, Recipe } from "../recipe";
import { ImageTree } from "../tree";

const FILES = join(__dirname, "..", "files");
export const NGINX_IMAGE_USER: ImageUser = { name: "nginx", uid: 101, gid: 101, home: "/var/cache/nginx", shell: "/sbin/nologin", gecos: "nginx user" };
const NGINX_ETC = { uid: 101, gid: 0 };

// What nginx-unprivileged ships: the stock nginx.conf with the pid and temp paths moved to /tmp.
const NGINX_CONF = `worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /tmp/nginx.pid;

events {
    worker_connections  1024;
}

http {
    proxy_temp_path /tmp/proxy_temp;
    client_body_temp_path /tmp/client_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;

    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
`;

const DEFAULT_CONF = `server {
    listen       8080;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
`;

const page = (title: string, body: string) =>
  `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<p>${body}</p>\n</body>\n</html>\n`;

export const nginxRecipe: Recipe = {
  name: "nginx",
  service: "nginx",
  async plan(): Promise<ImagePlan> {
    const tree = new ImageTree();
    tree.binary(requireHostFile("/usr/sbin/nginx", "nginx"), "/usr/sbin/nginx", { mode: 0o755 });
    tree.dir("/etc/nginx", { owner: NGINX_ETC, mode: 0o775 });
    tree.dir("/etc/nginx/conf.d", { owner: NGINX_ETC, mode: 0o775 });
    tree.file("/etc/nginx/nginx.conf", NGINX_CONF, { owner: NGINX_ETC, mode: 0o664 });
    tree.file("/etc/nginx/conf.d/default.conf", DEFAULT_CONF, { owner: NGINX_ETC, mode: 0o664 });
    for (const f of ["mime.types", "fastcgi_params", "scgi_params", "uwsgi_params"])
      tree.copy(requireHostFile(`/etc/nginx/${f}`, "nginx-common"), `/etc/nginx/${f}`, { owner: NGINX_ETC, mode: 0o664 });
    tree.file("/usr/share/nginx/html/index.html", page("Welcome to nginx!", "The nginx stand-in of the MCP test engine."));
    tree.file("/usr/share/nginx/html/50x.html", page("An error occurred.", "Sorry, the page you are looking for is currently unavailable."));
    tree.dir("/var/cache/nginx", { owner: NGINX_ETC, mode: 0o775 });
    tree.symlink("/var/log/nginx/access.log", "/dev/stdout");
    tree.symlink("/var/log/nginx/error.log", "/dev/stderr");
    tree.copy(join(FILES, "nginx-entrypoint.sh"), "/docker-entrypoint.sh", { mode: 0o755 });
    tree.copy(join(FILES, "nginx-http2-bridge.awk"), "/usr/local/lib/nginx-http2-bridge.awk", { mode: 0o644 });
    tree.copy(join(FILES, "nginx-upstream-watch.sh"), "/usr/local/lib/nginx-upstream-watch.sh", { mode: 0o755 });
    for (const s of ["10-listen-on-ipv6-by-default.sh", "20-envsubst-on-templates.sh", "30-tune-worker-processes.sh"])
      tree.copy(join(FILES, "nginx-entrypoint.d", s), `/docker-entrypoint.d/${s}`, { mode: 0o755 });
    addBase(tree, {
      users: [ROOT_USER, NOBODY_USER, NGINX_IMAGE_USER],
      groups: [ROOT_GROUP, NOBODY_GROUP, { name: "nginx", gid: 101 }],
      busybox: "alpine",
      description: "nginx-unprivileged stand-in: Debian nginx on an Alpine-like base",
    });
    const version = dpkgVersions(["nginx"]).nginx.replace(/-.*/, "");
    return {
      tree,
      config: {
        user: "101",
        env: { PATH: DEFAULT_PATH, NGINX_VERSION: version },
        expose: ["8080"],
        stopSignal: "SIGQUIT",
        entrypoint: ["/docker-entrypoint.sh"],
        cmd: ["nginx", "-g", "daemon off;"],
      },
      packages: ["nginx", "nginx-common", ...BASE_PACKAGES],
    };
  },
};
