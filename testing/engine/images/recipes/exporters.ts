/**
 * redis_exporter (oliver006/redis_exporter:*-alpine: Alpine, the binary at /, USER
 * 59000:59000 with no passwd entry) and nginx-prometheus-exporter (FROM scratch: only the
 * binary, what it loads, and the CA bundle; USER 1001:1001). Debian's binaries are older
 * than the upstream tags; the one behaviour the stack depends on that differs is bridged
 * here through the image's environment (see differences.ts).
 */
import { addBase, BASE_PACKAGES, DEFAULT_PATH, NOBODY_GROUP, NOBODY_USER, ROOT_GROUP, ROOT_USER } from "../base";
import { requireHostFile } from "../host";
import type { ImagePlan, Recipe } from "../recipe";
import { ImageTree } from "../tree";

export const redisExporterRecipe: Recipe = {
  name: "redis-exporter",
  service: "redisExporter",
  async plan(): Promise<ImagePlan> {
    const tree = new ImageTree();
    tree.binary(requireHostFile("/usr/bin/prometheus-redis-exporter", "prometheus-redis-exporter"), "/redis_exporter", { mode: 0o755 });
    // Alpine's stock users only: upstream adds none for 59000, so the uid has no name.
    addBase(tree, {
      users: [ROOT_USER, NOBODY_USER],
      groups: [ROOT_GROUP, NOBODY_GROUP],
      busybox: "alpine",
      description: "redis_exporter stand-in: Debian prometheus-redis-exporter on an Alpine-like base",
    });
    return {
      tree,
      config: { user: "59000:59000", env: { PATH: DEFAULT_PATH }, expose: ["9121"], entrypoint: ["/redis_exporter"] },
      packages: ["prometheus-redis-exporter", ...BASE_PACKAGES],
    };
  },
};

export const nginxExporterRecipe: Recipe = {
  name: "nginx-exporter",
  service: "nginxExporter",
  async plan(): Promise<ImagePlan> {
    const tree = new ImageTree();
    tree.binary(requireHostFile("/usr/bin/prometheus-nginx-exporter", "prometheus-nginx-exporter"), "/usr/bin/nginx-prometheus-exporter", { mode: 0o755 });
    // FROM scratch: no shell, no busybox, no passwd, no /tmp.
    addBase(tree, {
      users: [],
      groups: [],
      busybox: null,
      tmp: false,
      description: "nginx-prometheus-exporter stand-in: Debian prometheus-nginx-exporter, FROM-scratch layout",
    });
    return {
      tree,
      config: {
        user: "1001:1001",
        env: {
          PATH: DEFAULT_PATH,
          // 0.11 exits when stub_status does not answer at start; 1.x starts anyway and
          // reports nginx_up 0. Retrying (for years at this count) keeps it running until
          // Nginx answers, with the program's command line unchanged.
          NGINX_RETRIES: "100000000",
          NGINX_RETRY_INTERVAL: "2s",
        },
        expose: ["9113"],
        entrypoint: ["/usr/bin/nginx-prometheus-exporter"],
      },
      packages: ["prometheus-nginx-exporter", "libc6", "ca-certificates"],
    };
  },
};
