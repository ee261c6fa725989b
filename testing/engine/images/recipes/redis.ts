/**
 * redis:7.4.1-alpine3.20 stand-in: Debian's Redis 7.0 in /usr/local/bin, the redis user
 * 999:1000, /data (VOLUME, WORKDIR) owned by it, and an entrypoint with the upstream
 * contract (files/redis-entrypoint.sh).
 */
import { join } from "node:path";
import { addBase, BASE_PACKAGES, DEFAULT_PATH, NOBODY_GROUP, NOBODY_USER, owner, ROOT_GROUP, ROOT_USER, type ImageUser } from "../base";
import { requireHostFile } from "../host";
import type { ImagePlan, Recipe } from "../recipe";
import { ImageTree } from "../tree";

const FILES = join(__dirname, "..", "files");
export const REDIS_IMAGE_USER: ImageUser = { name: "redis", uid: 999, gid: 1000, home: "/home/redis", shell: "/sbin/nologin", gecos: "Linux User,,," };

export const redisRecipe: Recipe = {
  name: "redis",
  service: "redis",
  async plan(): Promise<ImagePlan> {
    const tree = new ImageTree();
    // Debian's redis-server is redis-check-rdb under another name: one binary, role from argv[0].
    tree.binary(requireHostFile("/usr/bin/redis-check-rdb", "redis-server"), "/usr/local/bin/redis-server", { mode: 0o755 });
    for (const alias of ["redis-check-rdb", "redis-check-aof", "redis-sentinel"]) tree.symlink(`/usr/local/bin/${alias}`, "redis-server");
    tree.binary(requireHostFile("/usr/bin/redis-cli", "redis-tools"), "/usr/local/bin/redis-cli", { mode: 0o755 });
    tree.binary(requireHostFile("/usr/bin/redis-benchmark", "redis-tools"), "/usr/local/bin/redis-benchmark", { mode: 0o755 });
    tree.copy(join(FILES, "redis-entrypoint.sh"), "/usr/local/bin/docker-entrypoint.sh", { mode: 0o755 });
    const redis = owner(REDIS_IMAGE_USER);
    tree.dir("/data", { owner: redis });
    tree.dir("/home/redis", { owner: redis });
    addBase(tree, {
      users: [ROOT_USER, NOBODY_USER, REDIS_IMAGE_USER],
      groups: [ROOT_GROUP, NOBODY_GROUP, { name: "redis", gid: 1000 }],
      busybox: "alpine",
      description: "redis stand-in: Debian redis-server on an Alpine-like base",
    });
    return {
      tree,
      config: {
        env: { PATH: DEFAULT_PATH },
        volumes: ["/data"],
        workdir: "/data",
        expose: ["6379"],
        entrypoint: ["docker-entrypoint.sh"],
        cmd: ["redis-server"],
      },
      packages: ["redis-server", "redis-tools", ...BASE_PACKAGES],
    };
  },
};
