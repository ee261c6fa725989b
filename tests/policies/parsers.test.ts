/** The config readers the policies rely on, against the formats' own grammar. */
import { parsePgHba, parsePostgresConf, parseRedisConf, redisArgsAsDirectives } from "../../policies/lib/conf-files";
import { globToRegex } from "../../policies/lib/workload-files";
import { envOf, labelsOf } from "../../policies/lib/docker";
import { addedHeaders, children, inherited, locations, NginxParseError, parseListen, parseNginx, servers, upstreams } from "../../policies/lib/nginx";
import { entropy, hasUrlCredentials, isSecretName, looksRandom } from "../../policies/lib/secrets";
import { UNKNOWN_STRING } from "../../policies/lib/values";
import { secretTokens } from "../../policies/rules/secrets-not-exposed";
import { DYNAMIC, shellExecutables } from "../../policies/lib/shell-commands";
import { keyMaterialIn } from "../../policies/lib/key-material";
import { dockerDurationSeconds } from "../../policies/lib/durations";

describe("nginx.conf", () => {
  const conf = parseNginx(`
    # comment with { braces ; }
    http {
      ssl_protocols TLSv1.2;
      log_format x '{"a":"$b"}';
      upstream pool { server app-0:8080 max_fails=3; server unix:/tmp/s.sock; server app-1:8080 down; }
      server {
        listen [::]:8443 ssl http2;
        listen 127.0.0.1:8080;
        add_header X-A "1" always;
        location / { location /nested { add_header X-B 2; } }
        set $v "\${host}";
      }
    }`);
  test("structure, quotes and comments", () => {
    expect(children(conf, "http")).toHaveLength(1);
    const [s] = servers(conf);
    expect(s.listens).toEqual([
      { port: 8443, address: "::", ssl: true, raw: ["[::]:8443", "ssl", "http2"] },
      { port: 8080, address: "127.0.0.1", ssl: false, raw: ["127.0.0.1:8080"] },
    ]);
    expect(inherited(s, "ssl_protocols")[0].args).toEqual(["TLSv1.2"]);
    expect(locations(s.server.block).map((l) => l.args.join(" "))).toEqual(["/", "/nested"]);
    expect(addedHeaders(s.server.block).get("x-a")).toBe("1");
    expect(children(children(conf, "http")[0].block, "log_format")[0].args[1]).toBe('{"a":"$b"}');
  });
  test("upstreams", () => {
    expect(upstreams(conf)[0]).toEqual({
      name: "pool",
      servers: [
        { host: "app-0", port: 8080, flags: ["max_fails=3"] },
        { host: "/tmp/s.sock", port: undefined, flags: [] },
        { host: "app-1", port: 8080, flags: ["down"] },
      ],
    });
  });
  test("listen forms", () => {
    expect(parseListen({ name: "listen", args: ["80"], line: 1 })).toMatchObject({ port: 80, ssl: false });
    expect(parseListen({ name: "listen", args: ["example.com"], line: 1 })).toMatchObject({ port: 80, address: "example.com" });
  });
  test.each([["http { server { listen 80 }"], ["http { listen 80; "], ["}"], ['http { x "unterminated; }']])("rejects broken config %j", (text) => {
    expect(() => parseNginx(text)).toThrow(NginxParseError);
  });
});

describe("redis.conf, postgresql.conf, pg_hba.conf", () => {
  test("redis directives, quotes, command-line overrides", () => {
    expect(parseRedisConf('# c\nrequirepass "a b\\"c"\nprotected-mode yes\nrename-command FLUSHALL ""\n')).toEqual([
      { name: "requirepass", args: ['a b\\"c'] },
      { name: "protected-mode", args: ["yes"] },
      { name: "rename-command", args: ["FLUSHALL", ""] },
    ]);
    expect(redisArgsAsDirectives(["/etc/redis.conf", "--port", "6380", "--protected-mode", "no"])).toEqual([
      { name: "port", args: ["6380"] },
      { name: "protected-mode", args: ["no"] },
    ]);
  });
  test("postgresql.conf: = or space, quotes, comments, last one wins", () => {
    const m = parsePostgresConf("ssl = on  # tls\nssl_min_protocol_version='TLSv1.2'\nlog_line_prefix = '%m ''x'' '\nssl off\n");
    expect(m.get("ssl")).toBe("off");
    expect(m.get("ssl_min_protocol_version")).toBe("TLSv1.2");
    expect(m.get("log_line_prefix")).toBe("%m 'x' ");
  });
  test("pg_hba: local, CIDR and address+mask forms", () => {
    expect(
      parsePgHba("local all all peer\nhostssl all all 10.0.0.0/8 scram-sha-256\nhost all all 10.0.0.0 255.0.0.0 md5 # c\n").map((r) => [r.type, r.method]),
    ).toEqual([
      ["local", "peer"],
      ["hostssl", "scram-sha-256"],
      ["host", "md5"],
    ]);
  });
});

describe("docker inputs", () => {
  test("env elements may be unknown individually or as a whole", () => {
    expect(envOf({ envs: ["A=1", UNKNOWN_STRING, "B=x=y", "C"] })).toEqual({
      known: true,
      value: [
        { index: 0, key: "A", value: "1" },
        { index: 1, key: undefined, value: undefined },
        { index: 2, key: "B", value: "x=y" },
        { index: 3, key: "C", value: "" },
      ],
    });
    expect(envOf({ envs: UNKNOWN_STRING })).toEqual({ known: false });
    expect(labelsOf({ labels: [{ label: "a", value: "b" }] })).toEqual({ known: true, value: { a: "b" } });
  });
  test("globs", () => {
    expect(globToRegex("/etc/prometheus/rules/*.yml").test("/etc/prometheus/rules/mcp.yml")).toBe(true);
    expect(globToRegex("/etc/prometheus/rules/*.yml").test("/etc/prometheus/rules/x/mcp.yml")).toBe(false);
  });
  test("docker durations", () => {
    expect(dockerDurationSeconds("1m30s")).toBe(90);
    expect(dockerDurationSeconds("500ms")).toBe(0.5);
    expect(dockerDurationSeconds("15")).toBeUndefined();
  });
});

describe("secret heuristics", () => {
  test("names", () => {
    for (const k of ["DATABASE_PASSWORD", "JWT_SECRET", "API_KEY", "GF_SECURITY_ADMIN_PASSWORD", "REDIS_PASS", "AWS_SECRET_ACCESS_KEY"])
      expect({ k, s: isSecretName(k) }).toEqual({ k, s: true });
    for (const k of ["DATABASE_PASSWORD_FILE", "AUTH_REQUIRED", "MCP_BACKUP_OFFSITE_ACCESS_KEY_ID", "PASSWORD_MIN_LENGTH", "JWT_ISSUER", "PORT"])
      expect({ k, s: isSecretName(k) }).toEqual({ k, s: false });
  });
  test("randomness: generated secrets yes; URLs, DSNs, paths, sentences no", () => {
    for (const v of ["Kp7-xQ2_vB9.mZ4~wR6!tY8#nL3%jH5^", "9fK2xL7qP4mZ8vB1nR6tW3yH5jD0cS2a", "d2f1c0b7a9e84b6f9c3a1e5d7b0f2c4a"])
      expect({ v, r: looksRandom(v) }).toEqual({ v, r: true });
    for (const v of [
      "postgres:5432/mcp?sslmode=verify-full&sslrootcert=/etc/mcp/tls/internal-ca.crt",
      "https://mcp.example.com/grafana/",
      "--auth-local=scram-sha-256 --auth-host=scram-sha-256 --data-checksums",
      "/var/lib/postgresql/data/pgdata",
    ])
      expect({ v, r: looksRandom(v) }).toEqual({ v, r: false });
    expect(entropy("aaaa")).toBe(0);
  });
  test("credentials in URLs", () => {
    expect(hasUrlCredentials("postgres://u:p4ss@db/x")).toBe(true);
    expect(hasUrlCredentials("redis://redis:6379")).toBe(false);
  });
  test("secret tokens of structured secret files, without comments or syntax words", () => {
    const pw = "Kp7-xQ2_vB9.mZ4~wR6!tY8#nL3%jH5^";
    expect(secretTokens(`requirepass "${pw}"\n`)).toContain(pw);
    expect(secretTokens(`postgres:5432:mcp:backup:${pw}\n`)).toContain(pw);
    expect(secretTokens(JSON.stringify({ "redis://redis:6379": pw }))).toContain(pw);
    // The whole file is one token (leaking all of it is a leak); no single comment word is.
    const tokens = secretTokens(`# derived from backupEncryptionKey\n# public key: age1qqqqqqqqqqqqqq\nAGE-SECRET-KEY-1${pw}\n`).filter(
      (t) => !t.includes("\n"),
    );
    expect(tokens).toEqual([`AGE-SECRET-KEY-1${pw}`]);
  });
});

describe("shell health checks", () => {
  test("the executables of a one-liner: pipelines, lists, substitutions, assignments and redirections", () => {
    expect(shellExecutables('REDISCLI_AUTH="$(cat /run/secrets/redis-password)" redis-cli -h 127.0.0.1 ping | grep -q PONG')).toEqual([
      "redis-cli",
      "grep",
      "cat",
    ]);
    expect(shellExecutables("wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1")).toEqual(["wget"]);
    expect(shellExecutables("pg_isready -h /var/run/postgresql >/dev/null 2>&1 && test -f /tmp/ok; echo done")).toEqual(["pg_isready"]);
    expect(shellExecutables("exec /usr/bin/curl -f 'http://x/?a=1;b=2'")).toEqual(["/usr/bin/curl"]);
    expect(shellExecutables("if [ -s /tmp/x ]; then nc -z 127.0.0.1 9113; fi")).toEqual(["nc"]);
    expect(shellExecutables("`which wget` -q http://x")).toEqual([DYNAMIC, "which"]);
  });
});

describe("key material in file content", () => {
  test("private keys, secret settings, URL credentials and random tokens; not ordinary configuration", () => {
    expect(keyMaterialIn("-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n")).toBe("a private key");
    expect(keyMaterialIn("global:\n  smtp_auth_password: hunter2hunter2\n")).toBe("a secret setting (smtp_auth_password)");
    expect(keyMaterialIn('requirepass "Kp7-xQ2_vB9.mZ4~wR6!"\n')).toBe("a secret setting (requirepass)");
    expect(keyMaterialIn("url: postgres://u:p4ssw0rd@db/x\n")).toBe("credentials in a URL");
    expect(keyMaterialIn("9fK2xL7qP4mZ8vB1nR6tW3yH5jD0cS2a")).toBe("a random-looking token");
    for (const t of [
      "password_encryption = 'scram-sha-256'\nssl = on\n",
      "location / { proxy_pass http://mcp_app; }\n",
      "ssl_certificate_key /run/secrets/tls.key;\n",
      "smtp_auth_password_file: /run/secrets/smtp\n",
      "secureJsonData:\n  password: $__file{/run/secrets/pg}\n",
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    ])
      expect({ t, k: keyMaterialIn(t) }).toEqual({ t, k: undefined });
  });
});
