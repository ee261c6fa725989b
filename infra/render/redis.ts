/**
 * redis.conf (DEP-CACHE-01..04): protected mode, password auth from a separate include
 * file (so the main config holds no secret and can be a plain config upload), maxmemory
 * with an eviction policy from config, AOF persistence plus RDB snapshots.
 *
 * CONFIG stays available to authenticated clients: the runtime checks and redis_exporter
 * read `CONFIG GET maxmemory*`. Redis 7 already refuses CONFIG SET of protected settings
 * (dir, dbfilename, ...) with enable-protected-configs no. FLUSHALL, FLUSHDB and DEBUG are
 * renamed away: nothing in the stack needs them and they destroy or expose data.
 */
import type { StackConfig } from "../config/load";
import { PATHS, PORTS } from "../topology";

export const REDIS_AUTH_INCLUDE_PATH = `${PATHS.secretsDir}/redis-auth.conf`;
export const REDIS_DISABLED_COMMANDS = ["FLUSHALL", "FLUSHDB", "DEBUG"] as const;

export interface RedisInput {
  bind: string[];
  port: number;
  /** Data dir (AOF and RDB files). */
  dir: string;
  maxmemoryMb: number;
  maxmemoryPolicy: string;
  /** File holding `requirepass` (renderRedisAuthConf), included last. */
  authIncludePath: string;
  /** RDB snapshot points: [seconds, changes]. */
  savePoints: [number, number][];
  disabledCommands: string[];
}

export function redisInputFromConfig(config: StackConfig): RedisInput {
  return {
    // Inside the container: every interface, which is the internal network only (never published).
    bind: ["0.0.0.0"],
    port: PORTS.redis,
    dir: "/data",
    maxmemoryMb: config.redis.maxmemoryMb,
    maxmemoryPolicy: config.redis.maxmemoryPolicy,
    authIncludePath: REDIS_AUTH_INCLUDE_PATH,
    savePoints: [
      [3600, 1],
      [300, 100],
      [60, 10000],
    ],
    disabledCommands: [...REDIS_DISABLED_COMMANDS],
  };
}

const POLICIES = ["noeviction", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl", "allkeys-random", "volatile-random"];

export function redisInputProblems(input: RedisInput): string[] {
  const problems: string[] = [];
  if (input.bind.length === 0) problems.push("bind is empty");
  for (const b of input.bind) if (!/^-?[0-9a-fA-F.:*]+$/.test(b)) problems.push(`bind entry "${b}" is not an address`);
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) problems.push(`port ${input.port} is out of range`);
  for (const [k, v] of Object.entries({ dir: input.dir, authIncludePath: input.authIncludePath }))
    if (!/^\/[A-Za-z0-9._/-]+$/.test(v)) problems.push(`${k} "${v}" must be an absolute path of [A-Za-z0-9._/-]`);
  if (!(Number.isInteger(input.maxmemoryMb) && input.maxmemoryMb > 0)) problems.push(`maxmemoryMb ${input.maxmemoryMb} must be a positive integer`);
  if (!POLICIES.includes(input.maxmemoryPolicy)) problems.push(`maxmemoryPolicy "${input.maxmemoryPolicy}" is not one of ${POLICIES.join(", ")}`);
  for (const c of input.disabledCommands) if (!/^[A-Z]+$/.test(c)) problems.push(`disabledCommands entry "${c}" is not a command name`);
  return problems;
}

export function renderRedisConf(input: RedisInput): string {
  const problems = redisInputProblems(input);
  if (problems.length) throw new Error(`invalid redis input:\n  - ${problems.join("\n  - ")}`);
  return `# Rendered by infra/render/redis.ts: edit the renderer, not this file.
bind ${input.bind.join(" ")}
port ${input.port}
protected-mode yes
tcp-keepalive 300
timeout 0
daemonize no
supervised no
# Logs go to the container's stdout (rotated by the log driver).
logfile ""
loglevel notice
always-show-logo no

dir ${input.dir}
# DEP-CACHE-03: sessions survive a restart: append-only file, fsync every second, plus snapshots.
appendonly yes
appendfsync everysec
appendfilename "appendonly.aof"
${input.savePoints.map(([s, n]) => `save ${s} ${n}`).join("\n")}
dbfilename dump.rdb

# DEP-CACHE-04: bounded memory; the container limit leaves headroom above this.
maxmemory ${input.maxmemoryMb}mb
maxmemory-policy ${input.maxmemoryPolicy}

enable-protected-configs no
enable-debug-command no
enable-module-command no
${input.disabledCommands.map((c) => `rename-command ${c} ""`).join("\n")}

# Password (requirepass) lives in a secret file; included last so nothing above can override it.
include ${input.authIncludePath}
`;
}

/** The secret include file: `requirepass` with the value quoted for redis.conf. */
export function renderRedisAuthConf(password: string): string {
  if (password.length < 16) throw new Error("redis password is shorter than 16 characters");
  if (/[\r\n\0]/.test(password)) throw new Error("redis password contains a line break or NUL");
  const quoted = password.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  return `requirepass "${quoted}"\n`;
}
