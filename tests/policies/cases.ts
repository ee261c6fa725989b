/**
 * Every policy, on both fixture stacks: the one change that makes it fire on a swarm
 * service and on a container (with the message expected), or, where the rule cannot concern
 * that kind, why not and what it still does not fire on. rules.test.ts runs these through the
 * in-process evaluate, tests/preflight/harness.test.ts through the real pack over gRPC.
 */
import type { CollectedResource } from "../../preflight/collect";
import type { EngineValue } from "../../preflight/engine-encoding";
import {
  both,
  editFile,
  editSecret,
  fileResource,
  generatedPassword,
  removeResources,
  service,
  set,
  setEnv,
  setMountField,
  spec,
  task,
} from "../../preflight/mutations";
import { addEnvs, container, editUpload, named, setUploadField, type Kind } from "./fixture-stacks";
import { ALERTMANAGER_YML, ALERT_RULES, POSTGRES_CONF, REDIS_CONF, REDIS_PASSWORD } from "./fixture-files";

export type Edit = (rs: CollectedResource[]) => void;
type Props = Record<string, EngineValue>;

export interface Fires {
  /** The one change that breaks the rule (nothing: the base stack already breaks it). */
  fire: Edit;
  expect: RegExp;
  /** Makes the base stack satisfy this rule, for a kind whose base breaks it. */
  pass?: Edit;
  config?: Record<string, unknown>;
}

export interface CannotConcern {
  /** Why the rule cannot concern this kind. */
  cannot: string;
  /** A change that would break the rule on the other kind: still no violation here. */
  tryBreak?: Edit;
  /** The reason the pack gives the engine (AnalyzeResponse not_applicable), when it gives one. */
  notApplicable?: RegExp;
}

export type KindCase = Fires | CannotConcern;
export const fires = (c: KindCase): c is Fires => "fire" in c;

const T = {
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  password: "random:index/randomPassword:RandomPassword",
  key: "tls:index/privateKey:PrivateKey",
  image: "docker:index/remoteImage:RemoteImage",
  container: "docker:index/container:Container",
};

const nothing: Edit = () => undefined;
const ctr = (rs: CollectedResource[], name: string, fn: (p: Props) => void) => both(container(rs, name), fn);
const svcTop = (rs: CollectedResource[], name: string, fn: (p: Props) => void) => both(service(rs, name), fn);
const editNginxService = (rs: CollectedResource[], f: (t: string) => string) => editFile(rs, "/etc/nginx/nginx.conf", f);
const editNginxContainer = (rs: CollectedResource[], f: (t: string) => string) => editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", f);
const dropLabels = (drop: string[]) => (p: Props) => void (p.labels = (p.labels as Props[]).filter((l) => !drop.includes(String(l.label))));
const replace = (a: string | RegExp, b: string) => (t: string) => t.replace(a, b);

/** Both kinds share one change (resources that are neither services nor containers, or a config file's text). */
const same = (c: Fires): { service: KindCase; container: KindCase } => ({ service: c, container: c });

/** Per policy: the service case and the container case. */
export const CASES: Record<string, { service: KindCase; container: KindCase }> = {
  // ── container-security ──
  "container-capabilities": {
    service: {
      fire: (rs) => spec(service(rs, "redis"), (cs) => void (cs.capAdds = ["SYS_ADMIN"])),
      expect: /service fx-redis adds dangerous capabilities: SYS_ADMIN/,
    },
    container: {
      fire: (rs) => ctr(rs, "redis", (p) => void (p.capabilities = { drops: [], adds: [] })),
      expect: /container fx-redis does not drop ALL capabilities/,
    },
  },
  "container-deprecated-fields": {
    service: {
      fire: (rs) =>
        task(service(rs, "app"), (ts) => void (ts.networksAdvanceds = (ts.networksAdvanceds as Props[]).map(({ id, ...rest }) => ({ ...rest, name: id })))),
      expect: /service fx-app uses deprecated fields: taskSpec\.networksAdvanceds\[\]\.name/,
    },
    container: { fire: (rs) => ctr(rs, "app-0", (p) => void (p.links = ["redis"])), expect: /container fx-app-0 uses deprecated fields: links/ },
  },
  "container-host-mounts": {
    service: {
      fire: (rs) =>
        spec(
          service(rs, "prometheus"),
          (cs) => void (cs.mounts = [...(cs.mounts as Props[]), { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock" }]),
        ),
      expect: /service fx-prometheus mounts the container runtime socket/,
    },
    container: {
      fire: (rs) => ctr(rs, "backup", (p) => void (p.mounts = [{ type: "bind", source: "/etc/ssl", target: "/x" }])),
      expect: /container fx-backup bind-mounts sensitive host path \/etc\/ssl/,
    },
  },
  "container-host-namespaces": {
    service: {
      fire: (rs) => task(service(rs, "nginx"), (ts) => void (ts.networksAdvanceds = [{ id: "host", aliases: [] }])),
      expect: /service fx-nginx uses the host network namespace/,
    },
    container: { fire: (rs) => ctr(rs, "postgres", (p) => void (p.pidMode = "host")), expect: /container fx-postgres uses the host pid namespace/ },
  },
  "container-no-host-devices": {
    service: {
      fire: (rs) =>
        task(service(rs, "app"), (ts) => void (((ts.resources as Props).reservation as Props).genericResources = { discreteResourcesSpecs: ["NVIDIA-GPU=1"] })),
      expect: /service fx-app is given host devices \(taskSpec\.resources\.reservation\.genericResources\)/,
    },
    container: {
      fire: (rs) => ctr(rs, "postgres", (p) => void (p.devices = [{ hostPath: "/dev/kvm", containerPath: "/dev/kvm" }])),
      expect: /container fx-postgres is given host devices \(devices\)/,
    },
  },
  "container-no-new-privileges": {
    service: {
      cannot:
        "a Docker API 1.41 service has no no-new-privileges field: the daemon's daemon.json enforces it for every container (docs/docker-host.md, npm run host:check)",
      tryBreak: (rs) => spec(service(rs, "grafana"), (cs) => void delete cs.privileges),
      notApplicable:
        /service fx-\S+ cannot declare no-new-privileges .* the daemon enforces it through daemon\.json `no-new-privileges: true` \(docs\/docker-host\.md, `npm run host:check`\)/,
    },
    container: { fire: (rs) => ctr(rs, "grafana", (p) => void (p.securityOpts = [])), expect: /container fx-grafana does not set no-new-privileges/ },
  },
  "container-no-privileged": {
    service: {
      cannot: "a Docker API 1.41 service cannot run privileged: the field does not exist, so a stray `privileged` on the resource changes nothing",
      tryBreak: (rs) => spec(service(rs, "redis"), (cs) => void (cs.privileged = true)),
    },
    container: { fire: (rs) => ctr(rs, "redis", (p) => void (p.privileged = true)), expect: /container fx-redis runs privileged/ },
  },
  "container-non-root-user": {
    service: { fire: (rs) => spec(service(rs, "app"), (cs) => void (cs.user = "")), expect: /service fx-app sets no user/ },
    container: { fire: (rs) => ctr(rs, "redis", (p) => void (p.user = "0:0")), expect: /container fx-redis runs as root \(user "0:0"\)/ },
  },
  "container-read-only-rootfs": {
    service: { fire: (rs) => spec(service(rs, "nginx"), (cs) => void (cs.readOnly = false)), expect: /service fx-nginx has a writable root filesystem/ },
    container: { fire: (rs) => ctr(rs, "nginx", (p) => void (p.readOnly = false)), expect: /container fx-nginx has a writable root filesystem/ },
  },
  "container-resource-limits": {
    service: {
      fire: (rs) => task(service(rs, "app"), (ts) => void delete ((ts.resources as Props).limits as Props).memoryBytes),
      expect: /service fx-app has no memory limit/,
    },
    container: { fire: (rs) => ctr(rs, "redis", (p) => void delete p.cpus), expect: /container fx-redis has no CPU limit/ },
  },
  "container-security-profiles": {
    service: {
      fire: (rs) => spec(service(rs, "redis"), (cs) => void (cs.privileges = { seLinuxContext: { disable: true } })),
      expect: /service fx-redis disables SELinux labelling/,
    },
    container: {
      fire: (rs) => ctr(rs, "app-1", (p) => void (p.securityOpts = ["no-new-privileges:true", "seccomp:unconfined"])),
      expect: /container fx-app-1 runs with seccomp unconfined/,
    },
  },
  "container-sysctls": {
    service: {
      fire: (rs) => spec(service(rs, "redis"), (cs) => void (cs.sysctl = { "net.core.somaxconn": "1024" })),
      expect: /service fx-redis sets sysctls outside the safe set: net\.core\.somaxconn/,
    },
    container: {
      fire: (rs) => ctr(rs, "app-1", (p) => void (p.sysctls = { "net/ipv4/ip_forward": "1" })),
      expect: /container fx-app-1 sets sysctls outside the safe set: net\/ipv4\/ip_forward/,
    },
  },
  "container-mount-propagation": {
    service: {
      fire: (rs) =>
        spec(service(rs, "prometheus"), (cs) => {
          cs.mounts = [
            ...((cs.mounts as Props[]) ?? []),
            { type: "bind", source: "/srv/mcp/shared", target: "/shared", bindOptions: { propagation: "rshared" } },
          ];
        }),
      expect: /service fx-prometheus mounts \/shared with rshared propagation/,
    },
    container: {
      fire: (rs) =>
        ctr(rs, "backup", (p) => void (p.mounts = [{ type: "bind", source: "/srv/mcp/shared", target: "/shared", bindOptions: { propagation: "shared" } }])),
      expect: /container fx-backup mounts \/shared with shared propagation/,
    },
  },
  "container-cgroup-parent": {
    service: {
      cannot:
        "a Docker API 1.41 service has no cgroup parent field: its tasks run under the daemon's cgroup (host:check verifies daemon.json sets no cgroup-parent)",
      notApplicable: /service fx-\S+ cannot choose a cgroup parent/,
    },
    container: { fire: (rs) => ctr(rs, "redis", (p) => void (p.cgroupParent = "/system.slice")), expect: /container fx-redis chooses its cgroup parent/ },
  },
  "container-no-sshd": {
    service: {
      fire: (rs) => spec(service(rs, "app"), (cs) => void (cs.commands = ["/bin/sh", "-c", "/usr/sbin/sshd -D & exec node server.js"])),
      expect: /service fx-app starts an SSH daemon/,
    },
    container: {
      fire: (rs) => ctr(rs, "grafana", (p) => void (p.image = "lscr.io/linuxserver/openssh-server:9.7_p1-r4-ls160")),
      expect: /container fx-grafana runs image openssh-server, an SSH server/,
    },
  },
  "volume-host-bind": same({
    fire: (rs) => set(named(rs, T.volume, "pgdata"), "driverOpts", { type: "none", o: "bind", device: "/srv/data" }),
    expect: /volume fx-pgdata binds a host path through driverOpts/,
  }),

  // ── network ──
  "container-default-bridge": {
    service: {
      cannot: "a swarm service's tasks attach to overlay networks, never to docker0",
      tryBreak: (rs) => task(service(rs, "app"), (ts) => void (ts.networksAdvanceds = [])),
      notApplicable: /service fx-\S+ tasks attach to overlay networks, never to the default bridge/,
    },
    container: { fire: (rs) => ctr(rs, "app-1", (p) => void (p.networksAdvanced = [])), expect: /container fx-app-1 is on the default bridge/ },
  },
  "container-published-ports": {
    service: {
      fire: (rs) =>
        svcTop(
          rs,
          "nginx",
          (p) => void ((p.endpointSpec as Props).ports = ((p.endpointSpec as Props).ports as Props[]).map((x) => ({ ...x, publishMode: "ingress" }))),
        ),
      expect: /service fx-nginx publishes host port 80 through the routing mesh/,
    },
    container: {
      fire: (rs) => ctr(rs, "redis", (p) => void (p.ports = [{ internal: 6379, external: 6379, ip: "0.0.0.0", protocol: "tcp" }])),
      expect: /container fx-redis \(service redis\) publishes host port 6379; only nginx may/,
    },
  },
  "data-services-internal-network": {
    service: {
      fire: (rs) =>
        task(
          service(rs, "postgres"),
          (ts) => void (ts.networksAdvanceds = [...(ts.networksAdvanceds as Props[]), { id: named(rs, T.network, "edge").id!, aliases: [] }]),
        ),
      expect: /service fx-postgres \(postgres\) is attached to non-internal network fx-edge/,
    },
    container: {
      fire: (rs) => ctr(rs, "redis", (p) => void (p.networksAdvanced = [{ name: "bridge", aliases: [] }])),
      expect: /container fx-redis \(redis\) is attached to network bridge, which this stack does not declare/,
    },
  },
  "network-encrypted": {
    service: { fire: (rs) => set(named(rs, T.network, "internal"), "options", {}), expect: /network fx-internal \(overlay\) is not encrypted/ },
    container: { fire: (rs) => set(named(rs, T.network, "edge"), "driver", "overlay"), expect: /network fx-edge \(overlay\) is not encrypted/ },
  },
  "network-internal-flag": same({
    fire: (rs) => set(named(rs, T.network, "internal"), "internal", false),
    expect: /network fx-internal is named internal but is not created with internal: true/,
  }),

  // ── images ──
  "image-pinned": {
    service: {
      fire: (rs) => spec(service(rs, "postgres"), (cs) => void (cs.image = "postgres:latest")),
      expect: /service fx-postgres image: "postgres:latest" uses :latest/,
    },
    container: {
      fire: (rs) => set(named(rs, T.image, "image-app"), "name", "ghcr.io/mcp-platform/mcp-gateway"),
      expect: /image ghcr\.io\/mcp-platform\/mcp-gateway: "ghcr\.io\/mcp-platform\/mcp-gateway" has no tag/,
    },
  },

  // ── secrets ──
  "config-placeholders": {
    service: {
      fire: (rs) => editFile(rs, "/etc/prometheus/prometheus.yml", (t) => `${t}remote_write:\n  - url: https://<replace-with-endpoint>/push\n`),
      expect: /service fx-prometheus: file \/etc\/prometheus\/prometheus\.yml contains a placeholder/,
    },
    container: {
      fire: (rs) => addEnvs(container(rs, "app-0"), "API_TOKEN_FILE=/run/secrets/your_token_here"),
      expect: /container fx-app-0: env API_TOKEN_FILE is a placeholder/,
    },
  },
  "container-env-secrets": {
    service: {
      fire: (rs) => setEnv(service(rs, "app"), "JWT_SECRET", "Zq8-Lm2_Xv7.Tr4~Ns9!Pk3#Wd6%Hb1^"),
      expect: /service fx-app: env JWT_SECRET carries a secret value/,
    },
    container: {
      fire: (rs) => addEnvs(container(rs, "app-1"), "CACHE_URL=redis://default:s3cretpass@redis:6379/0"),
      expect: /container fx-app-1: env CACHE_URL contains credentials in a URL/,
    },
  },
  "container-tls-verification": {
    service: {
      fire: (rs) => setEnv(service(rs, "app"), "NODE_TLS_REJECT_UNAUTHORIZED", "0"),
      expect: /service fx-app: env NODE_TLS_REJECT_UNAUTHORIZED=0 disables TLS/,
    },
    container: {
      fire: (rs) => addEnvs(container(rs, "app-1"), "DATABASE_URL=postgres://db:5432/mcp?sslmode=disable"),
      expect: /container fx-app-1: env DATABASE_URL connects with sslmode disable/,
    },
  },
  "default-passwords": {
    service: {
      fire: (rs) => editSecret(rs, "/run/secrets/grafana-admin-password", () => "admin"),
      expect: /service fx-grafana: secret file \/run\/secrets\/grafana-admin-password holds a default or placeholder password/,
    },
    container: {
      fire: (rs) => editUpload(container(rs, "redis"), "/run/secrets/redis-auth.conf", () => 'requirepass "changeme"\n'),
      expect: /container fx-redis: \/run\/secrets\/redis-auth\.conf sets a default or weak requirepass/,
    },
  },
  "random-password-strength": same({
    fire: (rs) => set(named(rs, T.password, "redisPassword"), "length", 20),
    expect: /RandomPassword fx-redisPassword has length 20; needs at least 32/,
  }),
  "secret-file-permissions": {
    service: {
      fire: (rs) => setMountField(service(rs, "postgres"), "/run/secrets/postgres-password", "fileMode", 0o644),
      expect: /service fx-postgres: secret file \/run\/secrets\/postgres-password has mode 0644/,
    },
    container: {
      fire: (rs) => setUploadField(container(rs, "postgres"), "/run/secrets/postgres-password", "owner", "0"),
      expect: /container fx-postgres: secret file \/run\/secrets\/postgres-password is owned by 0:70, not by the workload's user 70:70/,
    },
  },
  "secrets-as-docker-secrets": {
    service: {
      fire: (rs) => {
        // The Redis auth file moved from a Docker secret to a Docker config.
        const s = fileResource(rs, "/run/secrets/redis-auth.conf", "docker:index/secret:Secret");
        const c: CollectedResource = {
          ...structuredClone(s),
          type: "docker:index/serviceConfig:ServiceConfig",
          urn: s.urn.replace("secret:Secret", "serviceConfig:ServiceConfig"),
        };
        rs.push(c);
        spec(service(rs, "redis"), (cs) => {
          const ref = (cs.secrets as Props[]).find((x) => x.fileName === "/run/secrets/redis-auth.conf")!;
          cs.secrets = (cs.secrets as Props[]).filter((x) => x !== ref);
          cs.configs = [
            ...(cs.configs as Props[]),
            { configId: c.id!, configName: ref.secretName, fileName: ref.fileName, fileUid: ref.fileUid, fileGid: ref.fileGid, fileMode: 0o444 },
          ];
        });
      },
      expect: /service fx-redis: \/run\/secrets\/redis-auth\.conf is delivered as a Docker config, not a Docker secret/,
    },
    container: {
      fire: nothing,
      expect: /container fx-redis: \/run\/secrets\/redis-auth\.conf is delivered as an upload, not a Docker secret/,
      // A container that gets no secret files at all (the rule's only way to pass for a container).
      pass: (rs) => {
        for (const r of rs.filter((x) => x.type === T.container))
          both(r, (p) => void (p.uploads = ((p.uploads as Props[]) ?? []).filter((u) => !String(u.file).startsWith("/run/secrets/"))));
      },
    },
  },
  "secrets-not-exposed": {
    service: {
      fire: (rs) => setEnv(service(rs, "redis"), "REDIS_EXTRA", generatedPassword(rs, "redisPassword")),
      expect: /service fx-redis: env REDIS_EXTRA contains the value of RandomPassword fx-redisPassword/,
    },
    container: {
      fire: (rs) => addEnvs(container(rs, "app-0"), `CACHE_OPTS=--auth ${REDIS_PASSWORD}`),
      expect: /container fx-app-0: env CACHE_OPTS contains the value of secret file \/run\/secrets\/redis-auth\.conf/,
    },
  },

  // ── logging ──
  "container-labels": {
    service: {
      fire: (rs) => {
        const redis = service(rs, "redis");
        both(redis, dropLabels(["com.mcp.stack", "com.mcp.instance"]));
        spec(redis, dropLabels(["com.mcp.stack", "com.mcp.instance"]));
      },
      expect: /service fx-redis lacks labels com\.mcp\.stack, com\.mcp\.instance/,
    },
    container: {
      fire: (rs) => ctr(rs, "redis", dropLabels(["com.mcp.stack", "com.mcp.instance"])),
      expect: /container fx-redis lacks labels com\.mcp\.stack, com\.mcp\.instance/,
    },
  },
  "container-log-rotation": {
    service: {
      fire: (rs) => task(service(rs, "nginx"), (ts) => void ((ts.logDriver as Props).options = { "max-size": "10m" })),
      expect: /service fx-nginx keeps an unbounded number of log files/,
    },
    container: { fire: (rs) => ctr(rs, "app-0", (p) => void (p.logDriver = "none")), expect: /container fx-app-0 discards its logs/ },
  },

  // ── services ──
  "grafana-auth": {
    service: {
      fire: (rs) => setEnv(service(rs, "grafana"), "GF_AUTH_ANONYMOUS_ENABLED", "true"),
      expect: /service fx-grafana: Grafana allows anonymous access/,
    },
    container: {
      fire: (rs) => ctr(rs, "grafana", (p) => void (p.envs = ["GF_SECURITY_ADMIN_USER=ops", "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/missing"])),
      expect: /container fx-grafana: GF_SECURITY_ADMIN_PASSWORD__FILE points at \/run\/secrets\/missing, which the stack does not deliver/,
    },
  },
  "mcp-app-contract": {
    service: {
      // The classic "hide dot files" rule also hides /.well-known/.
      fire: (rs) =>
        editNginxService(rs, replace("location = /metrics { return 404; }", "location = /metrics { return 404; }\n    location ~ /\\. { deny all; }")),
      expect:
        /service fx-nginx: location ~ \/\\\. \(serving \/\.well-known\/oauth-protected-resource\/mcp on 8443\) restricts it by address \(deny\); a client cannot discover where to get a token/,
    },
    container: {
      fire: (rs) =>
        editNginxContainer(
          rs,
          replace("location = /metrics { return 404; }", "location = /metrics { return 404; }\n    location ^~ /.well-known/ { return 404; }"),
        ),
      expect:
        /container fx-nginx: location \^~ \/\.well-known\/ \(serving \/\.well-known\/oauth-protected-resource\/mcp on 8443\) answers it itself \(return\)/,
    },
  },
  "postgres-tls-auth": {
    service: {
      fire: (rs) => editFile(rs, "/etc/postgresql/postgresql.conf", () => POSTGRES_CONF.replace("ssl = on", "ssl = off")),
      expect: /service fx-postgres: PostgreSQL has ssl off/,
    },
    container: {
      fire: (rs) => editUpload(container(rs, "postgres"), "/etc/postgresql/pg_hba.conf", (t) => `${t}host all all 0.0.0.0/0 scram-sha-256\n`),
      expect: /container fx-postgres: pg_hba\.conf line \d+ allows TCP connections without TLS \(host\)/,
    },
  },
  "redis-auth": {
    service: {
      fire: (rs) => editFile(rs, "/etc/redis/redis.conf", () => REDIS_CONF.replace("protected-mode yes", "protected-mode no")),
      expect: /service fx-redis: Redis runs with protected-mode no/,
    },
    container: {
      fire: (rs) => editUpload(container(rs, "redis"), "/etc/redis/redis.conf", () => REDIS_CONF.replace(/^include .*$/m, "")),
      expect: /container fx-redis: Redis requires no password/,
    },
  },

  // ── edge ──
  "nginx-hsts": {
    service: {
      fire: (rs) => editNginxService(rs, replace(/add_header Strict-Transport-Security[^;]*;/, "")),
      expect: /service fx-nginx: TLS server on 8443 sends no Strict-Transport-Security header/,
    },
    container: {
      fire: (rs) => editNginxContainer(rs, replace("max-age=63072000", "max-age=300")),
      expect: /container fx-nginx: TLS server on 8443 HSTS max-age 300 is below/,
    },
  },
  "nginx-https-redirect": {
    service: {
      fire: (rs) => editNginxService(rs, replace("return 308 https://$host$request_uri;", "proxy_pass http://app_pool;")),
      expect: /service fx-nginx: the plain-HTTP server \(port 8080\) serves content instead of redirecting/,
    },
    container: {
      fire: (rs) => ctr(rs, "nginx", (p) => void (p.ports = [{ internal: 8443, external: 443, ip: "0.0.0.0", protocol: "tcp" }])),
      expect: /container fx-nginx: the HTTP host port is not published/,
    },
  },
  "nginx-mcp-location": {
    service: {
      fire: (rs) => editNginxService(rs, replace("proxy_buffering off;", "proxy_buffering on;")),
      expect: /service fx-nginx: location \/mcp \(serving \/mcp on 8443\) buffers responses \(proxy_buffering is not off\)/,
    },
    container: {
      fire: (rs) => editNginxContainer(rs, replace("proxy_buffering off;", 'proxy_buffering off;\n      proxy_set_header Authorization "";')),
      expect: /container fx-nginx: location \/mcp \(serving \/mcp on 8443\) clears the client's Authorization header \(proxy_set_header Authorization\)/,
    },
  },
  "nginx-rate-limit": {
    service: {
      fire: (rs) => editNginxService(rs, replace("limit_req zone=per_ip burst=40;", "")),
      expect: /service fx-nginx: location \/ proxies without limit_req/,
    },
    container: {
      fire: (rs) => editNginxContainer(rs, replace(/limit_req_zone[^;]*;/, "")),
      expect: /container fx-nginx: \/etc\/nginx\/nginx\.conf defines no limit_req_zone/,
    },
  },
  "nginx-tls": {
    service: {
      fire: (rs) => editNginxService(rs, replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.1 TLSv1.2;")),
      expect: /service fx-nginx: server on 8443 allows TLSv1\.1/,
    },
    container: {
      fire: (rs) => editNginxContainer(rs, replace("listen 8443 ssl;", "listen 8443;")),
      expect: /container fx-nginx: \/etc\/nginx\/nginx\.conf has no TLS server/,
    },
  },
  "tls-key-strength": same({
    fire: (rs) => both(named(rs, T.key, "ca-key"), (p) => Object.assign(p, { algorithm: "RSA", rsaBits: 1024, ecdsaCurve: null })),
    expect: /PrivateKey fx-ca-key is RSA 1024 bits/,
  }),

  // ── monitoring ──
  "alertmanager-receivers": {
    service: {
      fire: (rs) => editFile(rs, "/etc/alertmanager/alertmanager.yml", () => ALERTMANAGER_YML.replace("receiver: ops", "receiver: nobody")),
      expect: /service fx-alertmanager: route names receiver nobody, which is not defined/,
    },
    container: {
      fire: (rs) =>
        editUpload(container(rs, "alertmanager"), "/etc/alertmanager/alertmanager.yml", () => "route:\n  receiver: void\nreceivers:\n  - name: void\n"),
      expect: /container fx-alertmanager: default receiver void has no notification channel/,
    },
  },
  "prometheus-alert-rules": {
    service: {
      fire: (rs) => editFile(rs, "/etc/prometheus/rules/mcp.yml", () => ALERT_RULES.replace("severity: warning", "severity: info")),
      expect: /service fx-prometheus: no alert has severity warning/,
    },
    container: {
      fire: (rs) => editUpload(container(rs, "prometheus"), "/etc/prometheus/rules/mcp.yml", () => "groups: []\n"),
      expect: /container fx-prometheus: no alert rules are loaded/,
    },
  },
  "prometheus-retention": {
    service: {
      fire: (rs) => spec(service(rs, "prometheus"), (cs) => void (cs.args = ["--config.file=/etc/prometheus/prometheus.yml"])),
      expect: /service fx-prometheus: Prometheus has no --storage\.tsdb\.retention\.time/,
    },
    container: {
      fire: (rs) =>
        ctr(
          rs,
          "prometheus",
          (p) => void (p.command = ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=2d", "--storage.tsdb.retention.size=1GB"]),
        ),
      expect: /container fx-prometheus: retention 2d is outside 7\.\.400 days/,
    },
  },

  // ── backup ──
  "backup-encryption": {
    service: {
      fire: (rs) => setEnv(service(rs, "backup"), "MCP_BACKUP_NO_ENCRYPTION", "true"),
      expect: /service fx-backup: backup encryption is switched off/,
    },
    container: {
      fire: (rs) => ctr(rs, "backup", (p) => void (p.envs = (p.envs as string[]).map((e) => e.replace("/run/secrets/backup-age-identity", "/etc/backup/key")))),
      expect: /container fx-backup: MCP_BACKUP_IDENTITY_FILE points at \/etc\/backup\/key, which the stack does not deliver/,
    },
  },
  "backup-offsite": {
    service: {
      fire: (rs) => setEnv(service(rs, "backup"), "MCP_BACKUP_OFFSITE_ENDPOINT", "http://s3.example.com"),
      expect: /service fx-backup: off-site endpoint \(MCP_BACKUP_OFFSITE_ENDPOINT\) is not an https:\/\/ URL/,
    },
    container: {
      fire: (rs) => ctr(rs, "backup", (p) => void (p.networksAdvanced = [{ name: "fx-internal", aliases: [] }])),
      expect: /container fx-backup: attached only to internal networks/,
    },
  },
  "backup-retention": {
    service: {
      fire: (rs) => spec(service(rs, "backup"), (cs) => void delete (cs.env as Props).MCP_BACKUP_MAX_AGE_DAYS),
      expect: /service fx-backup: no retention age .* never pruned/,
    },
    container: {
      fire: (rs) => ctr(rs, "backup", (p) => void (p.envs = (p.envs as string[]).filter((e) => !e.startsWith("MCP_BACKUP_KEEP_LAST")))),
      expect: /container fx-backup: no retention count/,
    },
  },
  "backup-schedule": {
    service: {
      fire: (rs) => setEnv(service(rs, "backup"), "MCP_BACKUP_INTERVAL_SECONDS", "172800"),
      expect: /service fx-backup: backups run every 48h, more than 24h apart/,
    },
    container: { fire: (rs) => ctr(rs, "backup", (p) => void (p.volumes = [])), expect: /container fx-backup: backups are written to no named volume/ },
  },

  // ── availability ──
  "container-healthcheck": {
    service: { fire: (rs) => spec(service(rs, "redis"), (cs) => void delete cs.healthcheck), expect: /service fx-redis has no health check/ },
    container: {
      fire: (rs) => ctr(rs, "nginx-exporter", dropLabels(["com.mcp.healthcheck"])),
      expect: /container fx-nginx-exporter has its health check disabled \(NONE\)/,
    },
  },
  "container-restart-policy": {
    service: {
      fire: (rs) => task(service(rs, "app"), (ts) => void ((ts.restartPolicy as Props).maxAttempts = 0)),
      expect: /service fx-app restarts without a bound: set restartPolicy\.maxAttempts/,
    },
    container: { fire: (rs) => ctr(rs, "postgres", (p) => void (p.restart = "no")), expect: /container fx-postgres has restart policy "no"/ },
  },
  "ha-app-replicas": {
    service: {
      fire: (rs) => svcTop(rs, "app", (p) => void (((p.mode as Props).replicated as Props).replicas = 1)),
      expect: /the stack runs 1 app replica; needs at least 2/,
    },
    container: { fire: (rs) => removeResources(rs, (r) => r.name === "fx-app-1"), expect: /the stack runs 1 app replica; needs at least 2/ },
  },
  "nginx-upstream-replicas": {
    service: {
      fire: (rs) => editNginxService(rs, replace("server app:8080;", "server app:8080 backup;")),
      expect: /upstream app_pool marks service fx-app backup-only/,
    },
    container: { fire: (rs) => editNginxContainer(rs, replace("server app-1:8080;", "")), expect: /upstream app_pool does not include container fx-app-1/ },
  },
  "service-stateful-placement": {
    service: {
      fire: (rs) => task(service(rs, "redis"), (ts) => void ((ts.placement as Props).constraints = [])),
      expect: /service fx-redis mounts volume fx-redisdata with no placement constraint on a node label/,
    },
    container: {
      cannot: "a container runs on the one host it is created on: it has no replicas or placement to get wrong",
      notApplicable: /Policy only applies to resources of type 'docker:index\/service:Service'/,
    },
  },
  "service-update-rollback": {
    service: {
      fire: (rs) => svcTop(rs, "app", (p) => void ((p.updateConfig as Props).failureAction = "pause")),
      expect: /service fx-app updateConfig\.failureAction is pause; expected rollback/,
    },
    container: {
      cannot: "a container has no rolling update: `pulumi up` with the previous (pinned) image replaces it, which image-pinned covers",
      notApplicable: /Policy only applies to resources of type 'docker:index\/service:Service'/,
    },
  },

  // ── deployability ──
  "container-uploads-read-only": {
    service: {
      cannot: "a swarm service has no uploads: its files are Docker configs and secrets, which the engine mounts into read-only containers",
      tryBreak: (rs) => spec(service(rs, "nginx"), (cs) => void (cs.readOnly = true)),
    },
    container: {
      fire: nothing,
      expect: /container fx-nginx uploads 3 files .* into a read-only root filesystem: Docker refuses the upload/,
      // Docker accepts the upload into a writable root filesystem (which container-read-only-rootfs then refuses).
      pass: (rs) => {
        for (const r of rs.filter((x) => x.type === T.container)) both(r, (p) => void (p.readOnly = !(Array.isArray(p.uploads) && p.uploads.length > 0)));
      },
    },
  },
  "image-healthcheck-runnable": {
    service: {
      fire: (rs) =>
        spec(
          service(rs, "nginx-exporter"),
          (cs) =>
            void (cs.healthcheck = { tests: ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:9113/metrics"], interval: "10s", timeout: "5s", retries: 3 }),
        ),
      expect: /service fx-nginx-exporter: its CMD-SHELL health check needs \/bin\/sh, which image nginx\/nginx-prometheus-exporter:1\.3\.0 does not have/,
    },
    container: {
      fire: (rs) => ctr(rs, "redis", (p) => void ((p.healthcheck as Props).tests = ["CMD-SHELL", "curl -fsS http://127.0.0.1:6379 || exit 1"])),
      expect: /container fx-redis: its health check runs curl, which image redis:7\.4\.1-alpine3\.20 does not have/,
    },
  },
  "swarm-references-declared": {
    service: {
      fire: (rs) =>
        spec(
          service(rs, "redis"),
          (cs) => void (cs.secrets = (cs.secrets as Props[]).map((x) => ({ ...x, secretId: "0123456789abcdef", secretName: "redis-auth-from-elsewhere" }))),
        ),
      expect: /service fx-redis: secret redis-auth-from-elsewhere \(mounted at \/run\/secrets\/redis-auth\.conf\) is not declared in this stack/,
    },
    container: {
      cannot: "a container references no swarm configs or secrets (its files are uploads); a container network is the program's own choice",
      tryBreak: (rs) => ctr(rs, "app-0", (p) => void (p.networksAdvanced = [{ name: "some-external-network", aliases: [] }])),
    },
  },
};

export const KINDS: readonly Kind[] = ["service", "container"];
