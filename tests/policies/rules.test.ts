/**
 * Every policy, through its real CrossGuard function: silent on the compliant fixture stack,
 * firing (with the expected message) on a one-change variant of it.
 */
import { ALL_POLICIES } from "../../policies/pack";
import { secret, UNKNOWN_STRING } from "../../preflight/engine-encoding";
import { addEnv, container, find, FixtureResource, goodStack, GRAFANA_PASSWORD, REDIS_PASSWORD, res, setUpload, T, NGINX_CONF, REDIS_CONF, PG_HBA, POSTGRES_CONF, ALERT_RULES, ALERTMANAGER_YML } from "./fixtures";
import { runPolicy, undecidables, violations } from "./run-policy";

const PROD_CONFIG = JSON.stringify({ "mcp:environment": "prod", "mcp:edge": JSON.stringify({ bindAddress: "0.0.0.0", httpPort: 80, httpsPort: 443 }) });

beforeAll(() => {
  process.env.PULUMI_CONFIG = PROD_CONFIG;
});
afterAll(() => {
  delete process.env.PULUMI_CONFIG;
});

const policy = (name: string) => {
  const p = ALL_POLICIES.find((x) => x.meta.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
};

/** Runs a policy on the whole fixture stack (each resource for resource policies). */
async function check(name: string, stack: FixtureResource[], config: Record<string, unknown> = {}) {
  return runPolicy(policy(name), stack, config);
}

interface Case {
  policy: string;
  /** One change that breaks the rule. */
  breakIt(stack: FixtureResource[]): void;
  expect: RegExp;
  config?: Record<string, unknown>;
}

const nginx = (s: FixtureResource[]) => find(s, "nginx");
const editNginx = (s: FixtureResource[], f: (t: string) => string) => setUpload(nginx(s), "/etc/nginx/nginx.conf", f(NGINX_CONF));

const CASES: Case[] = [
  { policy: "container-no-privileged", breakIt: (s) => (find(s, "redis").props.privileged = true), expect: /runs privileged/ },
  { policy: "container-capabilities", breakIt: (s) => (find(s, "postgres").props.capabilities = { drops: [], adds: [] }), expect: /does not drop ALL/ },
  { policy: "container-capabilities", breakIt: (s) => (find(s, "app-0").props.capabilities = { drops: ["ALL"], adds: ["CAP_SYS_PTRACE"] }), expect: /dangerous capabilities: SYS_PTRACE/ },
  { policy: "container-capabilities", breakIt: (s) => (find(s, "app-0").props.capabilities = { drops: ["ALL"], adds: ["CHOWN"] }), expect: /not allowed for its service: CHOWN/, config: { allowedAdds: { app: [] } } },
  { policy: "container-no-new-privileges", breakIt: (s) => (find(s, "grafana").props.securityOpts = []), expect: /no-new-privileges/ },
  { policy: "container-security-profiles", breakIt: (s) => (find(s, "app-1").props.securityOpts = ["no-new-privileges:true", "seccomp:unconfined"]), expect: /seccomp unconfined/ },
  { policy: "container-security-profiles", breakIt: (s) => (find(s, "redis").props.securityOpts = ["label=disable"]), expect: /SELinux/ },
  { policy: "container-read-only-rootfs", breakIt: (s) => (find(s, "nginx").props.readOnly = false), expect: /writable root filesystem/ },
  { policy: "container-non-root-user", breakIt: (s) => (find(s, "app-0").props.user = ""), expect: /sets no user/ },
  { policy: "container-non-root-user", breakIt: (s) => (find(s, "redis").props.user = "0:0"), expect: /runs as root/ },
  { policy: "container-host-namespaces", breakIt: (s) => (find(s, "postgres").props.pidMode = "host"), expect: /pidMode: host/ },
  { policy: "container-host-namespaces", breakIt: (s) => (find(s, "app-0").props.networkMode = "container:mcp-test-redis"), expect: /another container's network namespace/ },
  { policy: "container-host-mounts", breakIt: (s) => (find(s, "prometheus").props.volumes = [{ hostPath: "/run/docker.sock", containerPath: "/var/run/docker.sock" }]), expect: /runtime socket/ },
  { policy: "container-host-mounts", breakIt: (s) => (find(s, "backup").props.mounts = [{ type: "bind", source: "/etc/ssl", target: "/x" }]), expect: /sensitive host path \/etc\/ssl/ },
  { policy: "container-no-host-devices", breakIt: (s) => (find(s, "postgres").props.devices = [{ hostPath: "/dev/kvm" }]), expect: /host devices/ },
  { policy: "container-no-host-devices", breakIt: (s) => (find(s, "app-0").props.gpus = "all"), expect: /GPUs/ },
  { policy: "container-published-ports", breakIt: (s) => (find(s, "redis").props.ports = [{ internal: 6379, external: 6379, ip: "0.0.0.0", protocol: "tcp" }]), expect: /publishes ports 6379/ },
  { policy: "container-published-ports", breakIt: (s) => (find(s, "grafana").props.publishAllPorts = true), expect: /publishAllPorts/ },
  { policy: "container-published-ports", breakIt: (s) => (nginx(s).props.ports = [{ internal: 8443, external: 8443, ip: "0.0.0.0", protocol: "tcp" }]), expect: /host port 8443/ },
  { policy: "container-published-ports", breakIt: (s) => (nginx(s).props.ports = [{ internal: 8443, external: 443, ip: "0.0.0.0", protocol: "tcp" }]), expect: /binds host port 443 to 0.0.0.0; configuration says 127.0.0.1/, config: { bindAddress: "127.0.0.1" } },
  { policy: "container-resource-limits", breakIt: (s) => delete find(s, "app-0").props.memory, expect: /no memory limit/ },
  { policy: "container-resource-limits", breakIt: (s) => delete find(s, "redis").props.cpus, expect: /no CPU limit/ },
  { policy: "container-restart-policy", breakIt: (s) => (find(s, "postgres").props.restart = "no"), expect: /restart policy "no"/ },
  { policy: "container-restart-policy", breakIt: (s) => (find(s, "postgres").props.restart = "on-failure"), expect: /without maxRetryCount/ },
  { policy: "container-healthcheck", breakIt: (s) => delete find(s, "redis").props.healthcheck, expect: /no health check/ },
  { policy: "container-healthcheck", breakIt: (s) => (find(s, "app-0").props.healthcheck = { tests: ["CMD-SHELL", "true"], interval: "15s", timeout: "5s", retries: 3 }), expect: /cannot fail/ },
  { policy: "container-healthcheck", breakIt: (s) => (find(s, "app-1").props.healthcheck = { tests: ["CMD", "x"], interval: "5s", timeout: "10s", retries: 3 }), expect: /timeout .* not below its interval/ },
  { policy: "image-pinned", breakIt: (s) => (s.find((r) => r.name === "mcp-test-image-postgres")!.props.name = "postgres:latest"), expect: /uses :latest/ },
  { policy: "image-pinned", breakIt: (s) => (s.find((r) => r.name === "mcp-test-image-postgres")!.props.name = "postgres"), expect: /has no tag/ },
  { policy: "image-pinned", breakIt: (s) => (find(s, "app-0").props.image = "ghcr.io/mcp-platform/mcp-gateway:latest"), expect: /container mcp-test-app-0 image: .*:latest/ },
  { policy: "image-pinned", breakIt: () => undefined, expect: /not pinned by digest/, config: { requireDigest: true } },
  { policy: "image-pinned", breakIt: (s) => (s.find((r) => r.name === "mcp-test-image-app")!.props.name = "registry.example.net/app:1.0"), expect: /registry registry.example.net is not in the allowed list/ },
  { policy: "container-env-secrets", breakIt: (s) => addEnv(find(s, "app-0"), `JWT_SECRET=${GRAFANA_PASSWORD}`), expect: /env JWT_SECRET carries a secret value/ },
  { policy: "container-env-secrets", breakIt: (s) => addEnv(find(s, "app-0"), "SESSION_SEED=9fK2xL7qP4mZ8vB1nR6tW3yH5jD0cS2a"), expect: /env SESSION_SEED holds a value that looks like key material/ },
  { policy: "container-env-secrets", breakIt: (s) => addEnv(find(s, "app-1"), "CACHE_URL=redis://default:s3cretpass@redis:6379/0"), expect: /credentials in a URL/ },
  { policy: "secrets-not-exposed", breakIt: (s) => addEnv(find(s, "app-0"), `CACHE_OPTS=--auth ${REDIS_PASSWORD}`), expect: /env CACHE_OPTS contains the value of secret file \/run\/secrets\/redis-auth.conf|contains the value of/ },
  { policy: "secrets-not-exposed", breakIt: (s) => (find(s, "redis").props.command = ["redis-server", "/etc/redis/redis.conf", "--requirepass", REDIS_PASSWORD]), expect: /command line contains the value/ },
  {
    policy: "secrets-not-exposed",
    breakIt: (s) => {
      const g = find(s, "grafana");
      (g.props.uploads as Record<string, unknown>[]).push({ file: "/etc/grafana/grafana.ini", content: `[security]\nadmin_password = ${GRAFANA_PASSWORD}\n`, permissions: "0644" });
    },
    expect: /world-readable file \/etc\/grafana\/grafana.ini contains the value of secret file \/run\/secrets\/grafana-admin-password/,
  },
  { policy: "container-tls-verification", breakIt: (s) => addEnv(find(s, "app-0"), "NODE_TLS_REJECT_UNAUTHORIZED=0"), expect: /NODE_TLS_REJECT_UNAUTHORIZED=0 disables TLS/ },
  { policy: "container-tls-verification", breakIt: (s) => addEnv(find(s, "app-1"), "PGSSLMODE=prefer"), expect: /PGSSLMODE=prefer/ },
  { policy: "container-tls-verification", breakIt: (s) => addEnv(find(s, "app-1"), "DATABASE_URL=postgres://db:5432/mcp?sslmode=disable"), expect: /sslmode disable/ },
  { policy: "container-log-rotation", breakIt: (s) => (find(s, "nginx").props.logOpts = { "max-size": "10m" }), expect: /unbounded number of log files/ },
  { policy: "container-log-rotation", breakIt: (s) => (find(s, "app-0").props.logDriver = "none"), expect: /discards its logs/ },
  { policy: "container-labels", breakIt: (s) => (find(s, "redis").props.labels = [{ label: "com.mcp.service", value: "redis" }]), expect: /lacks labels com.mcp.stack, com.mcp.instance/ },
  { policy: "container-deprecated-fields", breakIt: (s) => (find(s, "app-0").props.links = ["redis"]), expect: /deprecated fields: links/ },
  { policy: "random-password-strength", breakIt: (s) => (s.find((r) => r.type === T.password)!.props.length = 20), expect: /length 20; needs at least 32/ },
  { policy: "random-password-strength", breakIt: (s) => (s.find((r) => r.type === T.password)!.props.special = false), expect: /special characters disabled/ },
  { policy: "random-password-strength", breakIt: (s) => (s.find((r) => r.type === T.password)!.props.overrideSpecial = "-"), expect: /limits special characters to 1/ },
  { policy: "random-password-strength", breakIt: (s) => (s.find((r) => r.type === T.password)!.props.numeric = false), expect: /disables numeric/ },
  { policy: "secret-file-permissions", breakIt: (s) => ((find(s, "postgres").props.uploads as Record<string, unknown>[])[2].permissions = "0644"), expect: /\/run\/secrets\/postgres-password has mode 0644/ },
  { policy: "secret-file-permissions", breakIt: (s) => delete (find(s, "postgres").props.uploads as Record<string, unknown>[])[2].permissions, expect: /0644 \(default\)/ },
  { policy: "config-placeholders", breakIt: (s) => addEnv(find(s, "app-0"), "API_TOKEN_FILE=/run/secrets/your_token_here"), expect: /env API_TOKEN_FILE is a placeholder/ },
  { policy: "config-placeholders", breakIt: (s) => setUpload(find(s, "prometheus"), "/etc/prometheus/prometheus.yml", "global: {}\nremote_write:\n  - url: https://<replace-with-endpoint>/push\n"), expect: /file \/etc\/prometheus\/prometheus.yml contains a placeholder/ },
  { policy: "default-passwords", breakIt: (s) => setUpload(find(s, "grafana"), "/run/secrets/grafana-admin-password", "admin"), expect: /holds a default or placeholder password/ },
  { policy: "default-passwords", breakIt: (s) => setUpload(find(s, "postgres"), "/run/secrets/postgres-password", "short-pw"), expect: /shorter than 16/ },
  { policy: "default-passwords", breakIt: (s) => setUpload(find(s, "redis"), "/run/secrets/redis-auth.conf", 'requirepass "changeme"\n'), expect: /default or weak requirepass/ },
  { policy: "grafana-auth", breakIt: (s) => addEnv(find(s, "grafana"), "GF_AUTH_ANONYMOUS_ENABLED=true"), expect: /anonymous access/ },
  { policy: "grafana-auth", breakIt: (s) => (find(s, "grafana").props.envs = (find(s, "grafana").props.envs as string[]).filter((e) => !e.startsWith("GF_SECURITY_ADMIN_USER="))), expect: /default admin user "admin"/ },
  { policy: "grafana-auth", breakIt: (s) => addEnv(find(s, "grafana"), "GF_SECURITY_ADMIN_PASSWORD=whatever-it-is-long"), expect: /plain configuration/ },
  { policy: "grafana-auth", breakIt: (s) => (find(s, "grafana").props.envs = ["GF_SECURITY_ADMIN_USER=ops", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/missing"]), expect: /which the stack does not upload/ },
  { policy: "grafana-auth", breakIt: (s) => (find(s, "grafana").props.envs = ["GF_SECURITY_ADMIN_USER=ops"]), expect: /falls back to "admin"/ },
  { policy: "redis-auth", breakIt: (s) => setUpload(find(s, "redis"), "/etc/redis/redis.conf", REDIS_CONF.replace("protected-mode yes", "protected-mode no")), expect: /protected-mode no/ },
  { policy: "redis-auth", breakIt: (s) => setUpload(find(s, "redis"), "/etc/redis/redis.conf", REDIS_CONF.replace(/^include .*$/m, "")), expect: /requires no password/ },
  { policy: "redis-auth", breakIt: (s) => (find(s, "redis").props.command = ["redis-server", "/etc/redis/redis.conf", "--protected-mode", "no"]), expect: /protected-mode no/ },
  { policy: "redis-auth", breakIt: (s) => setUpload(find(s, "redis"), "/etc/redis/redis.conf", `${REDIS_CONF}include /etc/redis/extra.conf\n`), expect: /includes \/etc\/redis\/extra.conf, which the stack does not upload/ },
  { policy: "postgres-tls-auth", breakIt: (s) => setUpload(find(s, "postgres"), "/etc/postgresql/postgresql.conf", POSTGRES_CONF.replace("ssl = on", "ssl = off")), expect: /ssl off/ },
  { policy: "postgres-tls-auth", breakIt: (s) => setUpload(find(s, "postgres"), "/etc/postgresql/pg_hba.conf", `${PG_HBA}host all all 0.0.0.0/0 scram-sha-256\n`), expect: /allows TCP connections without TLS \(host\)/ },
  { policy: "postgres-tls-auth", breakIt: (s) => setUpload(find(s, "postgres"), "/etc/postgresql/pg_hba.conf", PG_HBA.replace("local all all scram-sha-256", "local all all trust")), expect: /uses trust authentication/ },
  { policy: "postgres-tls-auth", breakIt: (s) => setUpload(find(s, "postgres"), "/etc/postgresql/postgresql.conf", `${POSTGRES_CONF}password_encryption = md5\n`), expect: /md5 password hashes/ },
  { policy: "postgres-tls-auth", breakIt: (s) => (find(s, "postgres").props.command = ["postgres", "-c", "config_file=/etc/postgresql/postgresql.conf", "-c", "hba_file=/etc/postgresql/pg_hba.conf", "-c", "ssl=off"]), expect: /ssl off/ },
  { policy: "prometheus-retention", breakIt: (s) => (find(s, "prometheus").props.command = ["--config.file=/etc/prometheus/prometheus.yml"]), expect: /no --storage.tsdb.retention.time/ },
  { policy: "prometheus-retention", breakIt: (s) => (find(s, "prometheus").props.command = ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=2d", "--storage.tsdb.retention.size=1GB"]), expect: /retention 2d is outside 7..400 days/ },
  { policy: "prometheus-alert-rules", breakIt: (s) => setUpload(find(s, "prometheus"), "/etc/prometheus/rules/mcp.yml", "groups: []\n"), expect: /no alert rules are loaded/ },
  { policy: "prometheus-alert-rules", breakIt: (s) => setUpload(find(s, "prometheus"), "/etc/prometheus/rules/mcp.yml", ALERT_RULES.replace("severity: warning", "severity: info")), expect: /no alert has severity warning/ },
  { policy: "prometheus-alert-rules", breakIt: (s) => setUpload(find(s, "prometheus"), "/etc/prometheus/prometheus.yml", "rule_files: ['rules/*.yml']\n"), expect: /sends alerts nowhere/ },
  { policy: "alertmanager-receivers", breakIt: (s) => setUpload(find(s, "alertmanager"), "/etc/alertmanager/alertmanager.yml", ALERTMANAGER_YML.replace("receiver: ops", "receiver: nobody")), expect: /names receiver nobody, which is not defined/ },
  { policy: "alertmanager-receivers", breakIt: (s) => setUpload(find(s, "alertmanager"), "/etc/alertmanager/alertmanager.yml", "route:\n  receiver: void\nreceivers:\n  - name: void\n"), expect: /default receiver void has no notification channel/ },
  { policy: "alertmanager-receivers", breakIt: (s) => s.splice(s.indexOf(find(s, "alertmanager")), 1), expect: /no alertmanager container/ },
  { policy: "backup-schedule", breakIt: (s) => s.splice(s.indexOf(find(s, "backup")), 1), expect: /no backup container/ },
  { policy: "backup-schedule", breakIt: (s) => (find(s, "backup").props.envs = (find(s, "backup").props.envs as string[]).map((e) => e.replace("INTERVAL_SECONDS=21600", "INTERVAL_SECONDS=172800"))), expect: /more than 24h apart/ },
  { policy: "backup-schedule", breakIt: (s) => (find(s, "backup").props.volumes = []), expect: /no named volume/ },
  { policy: "backup-retention", breakIt: (s) => (find(s, "backup").props.envs = (find(s, "backup").props.envs as string[]).filter((e) => !e.startsWith("MCP_BACKUP_MAX_AGE_DAYS"))), expect: /never pruned/ },
  { policy: "backup-encryption", breakIt: (s) => addEnv(find(s, "backup"), "MCP_BACKUP_NO_ENCRYPTION=true"), expect: /encryption is switched off/ },
  { policy: "backup-encryption", breakIt: (s) => (find(s, "backup").props.envs = (find(s, "backup").props.envs as string[]).map((e) => e.replace("/run/secrets/backup-age-identity", "/etc/backup/key"))), expect: /which the stack does not upload/ },
  { policy: "backup-offsite", breakIt: (s) => (find(s, "backup").props.envs = (find(s, "backup").props.envs as string[]).map((e) => e.replace("https://s3", "http://s3"))), expect: /not an https:\/\/ URL/ },
  { policy: "backup-offsite", breakIt: (s) => (find(s, "backup").props.networksAdvanced = [{ name: "mcp-test-internal", aliases: [] }]), expect: /only to internal networks/ },
  { policy: "ha-app-replicas", breakIt: (s) => s.splice(s.indexOf(find(s, "app-1")), 1), expect: /runs 1 app replica; needs at least 2/ },
  { policy: "nginx-upstream-replicas", breakIt: (s) => editNginx(s, (t) => t.replace("server app-1:8080;", "")), expect: /does not include replica app-1/ },
  { policy: "nginx-upstream-replicas", breakIt: (s) => editNginx(s, (t) => t.replace("server app-1:8080;", "server app-1:8080 down;")), expect: /marks replica app-1 down/ },
  { policy: "nginx-tls", breakIt: (s) => editNginx(s, (t) => t.replace("listen 8443 ssl;", "listen 8443;")), expect: /no TLS server/ },
  { policy: "nginx-tls", breakIt: (s) => editNginx(s, (t) => t.replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.1 TLSv1.2;")), expect: /allows TLSv1.1/ },
  { policy: "nginx-tls", breakIt: (s) => editNginx(s, (t) => t.replace("ssl_protocols TLSv1.2 TLSv1.3;", "")), expect: /does not set ssl_protocols/ },
  { policy: "nginx-tls", breakIt: (s) => editNginx(s, (t) => t.replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.2; ssl_ciphers HIGH:RC4-SHA;")), expect: /weak ciphers/ },
  { policy: "nginx-tls", breakIt: (s) => editNginx(s, (t) => t.replace("listen 8443 ssl;", "listen 8443 ssl").replace("ssl_certificate /etc", "x")), expect: /does not parse|no ssl_certificate/ },
  { policy: "nginx-tls", breakIt: (s) => s.splice(s.indexOf(nginx(s)), 1), expect: /no nginx container/ },
  { policy: "nginx-https-redirect", breakIt: (s) => editNginx(s, (t) => t.replace("return 308 https://$host$request_uri;", "proxy_pass http://app_pool;")), expect: /serves content instead of redirecting/ },
  { policy: "nginx-https-redirect", breakIt: (s) => (nginx(s).props.ports = [{ internal: 8443, external: 443, ip: "0.0.0.0", protocol: "tcp" }]), expect: /HTTP host port is not published/ },
  { policy: "nginx-hsts", breakIt: (s) => editNginx(s, (t) => t.replace(/add_header Strict-Transport-Security[^;]*;/, "")), expect: /sends no Strict-Transport-Security/ },
  { policy: "nginx-hsts", breakIt: (s) => editNginx(s, (t) => t.replace("max-age=63072000", "max-age=300")), expect: /HSTS max-age 300 is below/ },
  { policy: "nginx-hsts", breakIt: (s) => editNginx(s, (t) => t.replace("location = /metrics { return 404; }", 'location = /metrics { add_header X-Debug "1"; return 404; }')), expect: /drops Strict-Transport-Security/ },
  { policy: "nginx-rate-limit", breakIt: (s) => editNginx(s, (t) => t.replace("limit_req zone=per_ip burst=40;", "")), expect: /location \/ proxies without limit_req/ },
  { policy: "nginx-rate-limit", breakIt: (s) => editNginx(s, (t) => t.replace(/limit_req_zone[^;]*;/, "")), expect: /defines no limit_req_zone/ },
  { policy: "data-services-internal-network", breakIt: (s) => (find(s, "postgres").props.networksAdvanced = [{ name: "mcp-test-edge", aliases: [] }]), expect: /non-internal network mcp-test-edge/ },
  { policy: "data-services-internal-network", breakIt: (s) => (find(s, "redis").props.networksAdvanced = [{ name: "bridge", aliases: [] }]), expect: /which this stack does not declare/ },
  { policy: "data-services-internal-network", breakIt: (s) => (find(s, "redis").props.networkMode = "mcp-test-edge"), expect: /non-internal network mcp-test-edge as networkMode/ },
  { policy: "network-internal-flag", breakIt: (s) => (s.find((r) => r.name === "mcp-test-internal")!.props.internal = false), expect: /not created with internal: true/ },
  { policy: "volume-host-bind", breakIt: (s) => (s.find((r) => r.type === T.volume)!.props.driverOpts = { type: "none", o: "bind", device: "/srv/data" }), expect: /binds a host path/ },
  { policy: "tls-key-strength", breakIt: (s) => (s.find((r) => r.type === T.key)!.props = { algorithm: "RSA", rsaBits: 1024 }), expect: /RSA 1024 bits/ },
];

describe("policies on the compliant fixture stack", () => {
  test.each(ALL_POLICIES.map((p) => p.meta.name))("%s reports nothing", async (name) => {
    const r = await check(name, goodStack());
    expect(r).toEqual([]);
  });
});

describe("each policy fires on a one-change variant", () => {
  test.each(CASES.map((c, i) => [`${c.policy} #${i}`, c] as const))("%s", async (_label, c) => {
    const stack = goodStack();
    c.breakIt(stack);
    const r = violations(await check(c.policy, stack, c.config));
    expect(r.map((x) => x.message).join("\n")).toMatch(c.expect);
    expect(r.every((x) => x.level === policy(c.policy).meta.enforcementLevel)).toBe(true);
  });

  test("every policy has at least one firing case", () => {
    const covered = new Set(CASES.map((c) => c.policy));
    expect(ALL_POLICIES.map((p) => p.meta.name).filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe("unknown values at preview", () => {
  test("an unknown input is reported as undecidable (advisory), never as a pass", async () => {
    const stack = goodStack();
    find(stack, "redis").props.privileged = UNKNOWN_STRING;
    const r = await check("container-no-privileged", stack);
    expect(violations(r)).toEqual([]);
    expect(undecidables(r)).toHaveLength(1);
    expect(undecidables(r)[0]).toMatchObject({ level: "advisory", message: "[undecidable at preview] privileged" });
  });

  test("unknownValues=fail turns it into a violation at the policy's level", async () => {
    const stack = goodStack();
    find(stack, "redis").props.user = UNKNOWN_STRING;
    const r = await check("container-non-root-user", stack, { unknownValues: "fail" });
    expect(r).toHaveLength(1);
    expect(r[0].level).toBe("mandatory");
    expect(r[0].message).toContain("[undecidable at preview] user");
  });

  test("a whole unknown env list is undecidable for the secret rules", async () => {
    const stack = goodStack();
    find(stack, "app-0").props.envs = UNKNOWN_STRING;
    expect(undecidables(await check("container-env-secrets", stack))).toHaveLength(1);
    expect(undecidables(await check("container-tls-verification", stack))).toHaveLength(1);
  });

  test("an unknown secret file content is undecidable for default-passwords", async () => {
    const stack = goodStack();
    const g = find(stack, "grafana");
    (g.props.uploads as Record<string, unknown>[])[0].content = secret(UNKNOWN_STRING);
    const r = await check("default-passwords", stack);
    expect(violations(r)).toEqual([]);
    expect(undecidables(r).map((x) => x.message)).toEqual(["[undecidable at preview] content of /run/secrets/grafana-admin-password"]);
  });

  test("an unknown network name is undecidable for the internal-network rule", async () => {
    const stack = goodStack();
    find(stack, "postgres").props.networksAdvanced = [{ name: UNKNOWN_STRING, aliases: [] }];
    const r = await check("data-services-internal-network", stack);
    expect(violations(r)).toEqual([]);
    expect(undecidables(r)).toHaveLength(1);
  });

  test("an unknown nginx.conf is undecidable for every edge rule", async () => {
    const stack = goodStack();
    setUpload(nginx(stack), "/etc/nginx/nginx.conf", "");
    (nginx(stack).props.uploads as Record<string, unknown>[])[0].content = UNKNOWN_STRING;
    for (const name of ["nginx-tls", "nginx-https-redirect", "nginx-hsts", "nginx-rate-limit", "nginx-upstream-replicas"]) {
      const r = await check(name, stack);
      expect({ name, v: violations(r) }).toEqual({ name, v: [] });
      expect({ name, n: undecidables(r).length }).toEqual({ name, n: 1 });
    }
  });
});

describe("messages never carry secret values", () => {
  test("secret findings name keys and origins only", async () => {
    const stack = goodStack();
    addEnv(find(stack, "app-0"), `REDIS_PASSWORD=${REDIS_PASSWORD}`);
    addEnv(find(stack, "app-1"), `CACHE_OPTS=${REDIS_PASSWORD}`);
    const all = [...(await check("container-env-secrets", stack)), ...(await check("secrets-not-exposed", stack)), ...(await check("default-passwords", stack))];
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const r of all) expect(r.message).not.toContain(REDIS_PASSWORD);
  });
});

describe("stack config from PULUMI_CONFIG", () => {
  test("dev needs one app replica, prod two", async () => {
    const stack = goodStack();
    stack.splice(stack.indexOf(find(stack, "app-1")), 1);
    expect(violations(await check("ha-app-replicas", stack))).toHaveLength(1);
    process.env.PULUMI_CONFIG = JSON.stringify({ "mcp:environment": "dev" });
    try {
      expect(violations(await check("ha-app-replicas", stack))).toEqual([]);
      // Off-site backups are required only in prod (require: auto).
      find(stack, "backup").props.envs = ["MCP_BACKUP_INTERVAL_SECONDS=3600", "MCP_BACKUP_KEEP_LAST=3", "MCP_BACKUP_MAX_AGE_DAYS=3", "MCP_BACKUP_IDENTITY_FILE=/run/secrets/backup-age-identity"];
      expect(violations(await check("backup-offsite", stack))).toEqual([]);
    } finally {
      process.env.PULUMI_CONFIG = PROD_CONFIG;
    }
    expect(violations(await check("backup-offsite", stack)).map((x) => x.message).join()).toMatch(/off-site backup is not enabled/);
  });

  test("published ports follow mcp:edge from stack config", async () => {
    process.env.PULUMI_CONFIG = JSON.stringify({ "mcp:edge": JSON.stringify({ bindAddress: "127.0.0.1", httpPort: 8080, httpsPort: 8443 }) });
    try {
      const stack = goodStack();
      expect(violations(await check("container-published-ports", stack)).map((x) => x.message)).toEqual([
        "Only Nginx publishes ports (the configured HTTP and HTTPS ports, on the configured bind address); no publishAllPorts.\ncontainer mcp-test-nginx publishes host port 80; allowed: 8080, 8443",
        "Only Nginx publishes ports (the configured HTTP and HTTPS ports, on the configured bind address); no publishAllPorts.\ncontainer mcp-test-nginx binds host port 80 to 0.0.0.0; configuration says 127.0.0.1",
        "Only Nginx publishes ports (the configured HTTP and HTTPS ports, on the configured bind address); no publishAllPorts.\ncontainer mcp-test-nginx publishes host port 443; allowed: 8080, 8443",
        "Only Nginx publishes ports (the configured HTTP and HTTPS ports, on the configured bind address); no publishAllPorts.\ncontainer mcp-test-nginx binds host port 443 to 0.0.0.0; configuration says 127.0.0.1",
      ]);
    } finally {
      process.env.PULUMI_CONFIG = PROD_CONFIG;
    }
  });
});

test("a resource policy ignores other resource types", async () => {
  const r = await runPolicy(policy("container-no-privileged"), res(T.network, "n", { privileged: true }));
  expect(r).toEqual([]);
  expect(container({ service: "x" }).type).toBe(T.container);
});
