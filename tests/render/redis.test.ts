/**
 * redis.conf on a real redis-server (loopback, free port, temp dir): unauthenticated
 * commands get NOAUTH, the password from the include file works, maxmemory and its
 * policy and AOF are live, dangerous commands are gone. Broken variants: an invalid
 * policy or a missing auth include file keeps Redis from starting at all.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import Redis from "ioredis";
import { redisInputFromConfig, RedisInput, renderRedisAuthConf, renderRedisConf, REDIS_AUTH_INCLUDE_PATH } from "../../infra/render/redis";
import { freePort, makeTempDir, requireExecutable, runTool, startProcess, tcpReady, TempDir } from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

describe.each(STACKS)("redis.conf for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const conf = renderRedisConf(redisInputFromConfig(config));

  test("protected mode, memory bound and policy from config, AOF, auth only through the include", () => {
    const lines = conf.split("\n");
    for (const l of [
      "protected-mode yes",
      `maxmemory ${config.redis.maxmemoryMb}mb`,
      `maxmemory-policy ${config.redis.maxmemoryPolicy}`,
      "appendonly yes",
      "appendfsync everysec",
      `include ${REDIS_AUTH_INCLUDE_PATH}`,
      'rename-command FLUSHALL ""',
    ])
      expect(lines).toContain(l);
    expect(conf).not.toMatch(/^\s*(requirepass|masterauth|user)\s/m);
    expect(lines[lines.length - 2]).toBe(`include ${REDIS_AUTH_INCLUDE_PATH}`); // last, so nothing overrides the password
  });
});

test("the auth file quotes the password so any character survives", () => {
  expect(renderRedisAuthConf('abc"def\\ghi-0123456789')).toBe('requirepass "abc\\"def\\\\ghi-0123456789"\n');
  expect(() => renderRedisAuthConf("short")).toThrow(/shorter than 16/);
  expect(() => renderRedisAuthConf("line\nbreak-0123456789")).toThrow(/line break/);
});

describe("redis-server running the rendered config", () => {
  const config = loadStackFile("prod");
  // Characters that need quoting in redis.conf, to prove renderRedisAuthConf's escaping.
  const password = `${randomBytes(18).toString("base64url")}"\\q`;
  let dir: TempDir;
  let input: RedisInput;
  let port: number;
  let server: Awaited<ReturnType<typeof startProcess>> | undefined;
  const clients: Redis[] = [];
  const client = (auth?: string) => {
    const c = new Redis({
      host: "127.0.0.1",
      port,
      password: auth,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    c.on("error", () => undefined);
    clients.push(c);
    return c;
  };
  const err = (p: Promise<unknown>) =>
    p.then(
      (v) => `ok: ${String(v)}`,
      (e: Error) => e.message,
    );

  beforeAll(async () => {
    dir = makeTempDir("redis-render-");
    port = await freePort();
    input = { ...redisInputFromConfig(config), bind: ["127.0.0.1"], port, dir: dir.path, authIncludePath: dir.join("auth.conf") };
    writeFileSync(dir.join("auth.conf"), renderRedisAuthConf(password), { mode: 0o600 });
    writeFileSync(dir.join("redis.conf"), renderRedisConf(input));
    server = await startProcess(requireExecutable("redis-server", "redis-server"), [dir.join("redis.conf")], { ready: tcpReady(port), readyTimeoutMs: 10_000 });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
    dir?.remove();
  });

  test("an unauthenticated command is refused with NOAUTH; a wrong password with WRONGPASS", async () => {
    const anon = client();
    await anon.connect();
    expect(await err(anon.ping())).toMatch(/^NOAUTH/);
    expect(await err(anon.get("x"))).toMatch(/^NOAUTH/);
    expect(await err(anon.auth("wrong-password-0123456789"))).toMatch(/^WRONGPASS/);
  });

  test("the password from the include file authenticates; data operations work", async () => {
    const c = client(password);
    await c.connect();
    expect(await c.ping()).toBe("PONG");
    await c.set("render:probe", "value", "EX", 60);
    expect(await c.get("render:probe")).toBe("value");
  });

  test("maxmemory, its policy and AOF persistence are live", async () => {
    const c = client(password);
    await c.connect();
    expect(await c.config("GET", "maxmemory-policy")).toEqual(["maxmemory-policy", config.redis.maxmemoryPolicy]);
    expect(await c.config("GET", "maxmemory")).toEqual(["maxmemory", String(config.redis.maxmemoryMb * 1024 * 1024)]);
    expect(await c.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
    expect(await c.config("GET", "protected-mode")).toEqual(["protected-mode", "yes"]);
    expect(existsSync(dir.join("appendonlydir"))).toBe(true);
  });

  test("FLUSHALL, FLUSHDB and DEBUG are gone; protected configs cannot be changed", async () => {
    const c = client(password);
    await c.connect();
    for (const cmd of ["flushall", "flushdb", "debug"]) expect(await err(c.call(cmd, ...(cmd === "debug" ? ["sleep", "0"] : [])))).toMatch(/unknown command/i);
    expect(await err(c.config("SET", "dir", "/tmp"))).toMatch(/protected config/i);
  });

  test("the password never appears in the main config or the server output", () => {
    expect(readFileSync(dir.join("redis.conf"), "utf8").includes(password)).toBe(false);
    expect(server!.output().includes(password)).toBe(false);
  });

  describe("broken variants are rejected by redis-server", () => {
    const bin = () => requireExecutable("redis-server", "redis-server");
    test("an invalid maxmemory-policy", async () => {
      writeFileSync(
        dir.join("bad-policy.conf"),
        renderRedisConf(input).replace(`maxmemory-policy ${config.redis.maxmemoryPolicy}`, "maxmemory-policy keep-everything"),
      );
      const r = await runTool(bin(), [dir.join("bad-policy.conf")], { timeoutMs: 5_000 });
      expect(r.timedOut).toBe(false);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/keep-everything/);
    });
    test("a missing auth include file (Redis never runs without its password)", async () => {
      writeFileSync(dir.join("no-auth.conf"), renderRedisConf({ ...input, port: await freePort(), authIncludePath: dir.join("absent-auth.conf") }));
      const r = await runTool(bin(), [dir.join("no-auth.conf")], { timeoutMs: 5_000 });
      expect(r.timedOut).toBe(false);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/absent-auth\.conf/);
    });
  });
});
