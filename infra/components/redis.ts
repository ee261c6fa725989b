/**
 * Redis: password auth from a secret include file, protected mode, maxmemory with an
 * eviction policy, AOF persistence. Checklist: DEP-CACHE-01..04.
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS } from "../topology";
import type { ServiceSpec } from "../spec";
import { baseSpec, secretFile, shellHealthcheck, SpecContext } from "./common";
import { redisInputFromConfig, renderRedisAuthConf, renderRedisConf } from "../render/redis";

/** The alpine image's redis user. */
export const REDIS_USER = "999:1000";
export const REDIS_CONF_PATH = "/etc/redis/redis.conf";
export const REDIS_AUTH_CONF_PATH = `${PATHS.secretsDir}/redis-auth.conf`;
export const REDIS_PASSWORD_PATH = `${PATHS.secretsDir}/redis-password`;

export function redisSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "redis",
        name: HOSTS.redis,
        image: config.images.redis,
        user: REDIS_USER,
        // REDISCLI_AUTH keeps the password off the command line (and out of `ps`).
        healthcheck: shellHealthcheck(`REDISCLI_AUTH="$(cat ${REDIS_PASSWORD_PATH})" redis-cli -h 127.0.0.1 ping | grep -q PONG`),
      },
      {
        stateful: true,
        command: ["redis-server", REDIS_CONF_PATH],
        configFiles: [{ path: REDIS_CONF_PATH, content: renderRedisConf(redisInputFromConfig(config)), mode: "0444" }],
        secretFiles: [
          { path: REDIS_AUTH_CONF_PATH, secrets: ["redisPassword"], render: (s) => renderRedisAuthConf(s.redisPassword), mode: "0400", owner: REDIS_USER },
          secretFile(REDIS_PASSWORD_PATH, "redisPassword", REDIS_USER),
        ],
        networks: [{ name: "internal", aliases: [HOSTS.redis] }],
        volumes: [{ volume: "redisdata", containerPath: "/data" }],
      },
    ),
  ];
}
