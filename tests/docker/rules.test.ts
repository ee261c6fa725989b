/**
 * The pure parts of the Docker host and container checks: declared-versus-actual rules on
 * hand-written engine facts (spellings a test engine does not produce: CAP_ prefixes, CFS
 * quotas, IPv6 wildcards, random host ports), version and size comparisons, DOCKER_HOST
 * parsing, and the declared input built from stack outputs. The real-engine behaviour is in
 * engine-checks.test.ts.
 */
import type { StackOutputs } from "../../infra/outputs-types";
import { connectDocker, parseDockerHost } from "../../validate/docker/client";
import { declaredFromOutputs, secretsFromOutputs, type DeclaredContainer } from "../../validate/docker/declared";
import type { ContainerFacts } from "../../validate/docker/facts";
import {
  capabilitiesRule,
  carriesSecret,
  effectiveCpus,
  envSecretFindings,
  hasNoNewPrivileges,
  isRootUser,
  limitsRule,
  logRotationRule,
  normalPortSpec,
  portsRule,
  publishedPorts,
  healthRule,
  mountedFileFindings,
  noNewPrivilegesRule,
  taskRestartFindings,
  userRule,
} from "../../validate/docker/rules";
import { parseProcStatus } from "../../validate/docker/proc";
import { runningSlots, type TaskFacts } from "../../validate/docker/tasks";
import { compareVersions, parseGbFlag, parseRegistryFlag, parseVersion, parseVersionFlag, thresholdsFromConfig } from "../../validate/host/thresholds";
import { publishedHostPorts } from "../../validate/host/target";

const D: DeclaredContainer = {
  name: "c",
  serviceName: "mcp-prod-nginx",
  taskId: "t1",
  service: "nginx",
  user: "101:101",
  readOnlyRootfs: true,
  memoryMb: 128,
  cpus: "0.5",
  publishedPorts: ["443->8443/tcp (host)"],
  capAdd: [],
  logOpts: { "max-size": "10m", "max-file": "5" },
  healthcheck: true,
  secretFiles: [{ path: "/run/secrets/tls.key", uid: "101", gid: "101", mode: "0400" }],
  configFiles: [{ path: "/etc/nginx/nginx.conf", uid: "101", gid: "101", mode: "0444" }],
};

const F: ContainerFacts = {
  name: "c",
  status: "running",
  running: true,
  restarting: false,
  paused: false,
  exitCode: 0,
  oomKilled: false,
  startedAtMs: 1_000,
  error: "",
  health: { status: "healthy", failingStreak: 0 },
  restartCount: 0,
  pid: 4242,
  user: "101:101",
  env: [],
  labels: {},
  privileged: false,
  capAdd: [],
  capDrop: ["ALL"],
  securityOpt: ["no-new-privileges:true"],
  readonlyRootfs: true,
  memoryBytes: 128 * 1024 * 1024,
  nanoCpus: 500_000_000,
  cpuQuota: 0,
  cpuPeriod: 0,
  networkMode: "mcp-prod-edge",
  publishAllPorts: false,
  portBindings: { "8443/tcp": [{ HostIp: "0.0.0.0", HostPort: "443" }] },
  boundPorts: {
    "8443/tcp": [
      { HostIp: "0.0.0.0", HostPort: "443" },
      { HostIp: "::", HostPort: "443" },
    ],
  },
  logType: "json-file",
  logConfig: { "max-size": "10m", "max-file": "5" },
};

const facts = (change: Partial<ContainerFacts>): ContainerFacts => ({ ...F, ...change });

describe("container rules", () => {
  it("accept the matching container, with Docker's dual-stack binding of the wildcard address", () => {
    for (const rule of [userRule, capabilitiesRule, limitsRule, portsRule, logRotationRule, healthRule]) expect(rule(D, F)).toEqual([]);
  });

  it("treat an empty, 0 or root user as root", () => {
    expect(["", "0", "root", "0:0", "root:root", " 0 "].every(isRootUser)).toBe(true);
    expect(["1000", "1000:1000", "nobody", "65534:65534", "rootless"].some(isRootUser)).toBe(false);
    expect(userRule(D, facts({ user: "0:0" }))).toEqual([{ container: "c", field: "Config.User", declared: '"101:101"', actual: '"0:0" (root)' }]);
    expect(userRule(D, facts({ user: "102:102" }))[0].actual).toBe('"102:102"');
    expect(userRule({ ...D, user: "root" }, facts({ user: "root" }))[0].declared).toMatch(/declared spec itself is wrong/);
  });

  it("normalise capability spellings and name undeclared additions", () => {
    expect(capabilitiesRule({ ...D, capAdd: ["NET_BIND_SERVICE"] }, facts({ capDrop: ["all"], capAdd: ["CAP_NET_BIND_SERVICE"] }))).toEqual([]);
    expect(capabilitiesRule(D, facts({ capAdd: ["SYS_ADMIN"] }))).toEqual([
      { container: "c", field: "HostConfig.CapAdd", declared: "[]", actual: "[SYS_ADMIN] (not declared: SYS_ADMIN)" },
    ]);
    expect(capabilitiesRule({ ...D, capAdd: ["CHOWN"] }, F)).toEqual([{ container: "c", field: "HostConfig.CapAdd", declared: "[CHOWN]", actual: "[]" }]);
  });

  it("read no-new-privileges from the task process (the daemon sets it for swarm tasks), else from the container's options", () => {
    const status = parseProcStatus("Name:\tnginx\nNoNewPrivs:\t1\nSeccomp:\t2\n");
    expect(status).toEqual({ noNewPrivs: 1, seccomp: 2 });
    expect(noNewPrivilegesRule(D, facts({ securityOpt: [] }), status)).toEqual([]);
    expect(noNewPrivilegesRule(D, F, { noNewPrivs: 0, seccomp: 2 })[0]).toEqual({
      container: "c",
      field: "/proc/<pid>/status NoNewPrivs",
      declared: "1",
      actual: '0 (set "no-new-privileges": true in daemon.json)',
    });
    expect(noNewPrivilegesRule(D, F, { error: "cannot read" })).toEqual([]);
    expect(noNewPrivilegesRule(D, facts({ securityOpt: [] }), { error: "cannot read" })[0].actual).toBe("cannot read");
  });

  it("read no-new-privileges in each spelling the engine accepts", () => {
    expect(hasNoNewPrivileges(["no-new-privileges"])).toBe(true);
    expect(hasNoNewPrivileges(["no-new-privileges=true"])).toBe(true);
    expect(hasNoNewPrivileges(["no-new-privileges:false"])).toBe(false);
    expect(hasNoNewPrivileges(["seccomp=unconfined"])).toBe(false);
  });

  it("compute CPU limits from --cpus or a CFS quota", () => {
    expect(effectiveCpus({ nanoCpus: 0, cpuQuota: 50_000, cpuPeriod: 100_000 })).toBe(0.5);
    expect(limitsRule(D, facts({ nanoCpus: 0, cpuQuota: 50_000, cpuPeriod: 100_000 }))).toEqual([]);
    expect(limitsRule(D, facts({ memoryBytes: 256 * 1024 * 1024, nanoCpus: 1_000_000_000 }))).toEqual([
      { container: "c", field: "HostConfig.Memory", declared: "128 MiB", actual: "256 MiB" },
      { container: "c", field: "HostConfig.NanoCpus", declared: "0.5 CPUs", actual: "1 CPUs" },
    ]);
  });

  it("parse declared port specs and report extra, missing and host-mode exposure", () => {
    expect(normalPortSpec("443->8443")).toBe("0.0.0.0:443->8443/tcp");
    // Swarm ports bind every address of the node.
    expect(normalPortSpec("443->8443/tcp (host)")).toBe("0.0.0.0:443->8443/tcp");
    expect(portsRule({ ...D, publishedPorts: ["443->8443/tcp (ingress)"] }, facts({ portBindings: {}, boundPorts: {} }))).toEqual([]);
    expect(normalPortSpec("[::1]:80->8080/tcp")).toBe("::1:80->8080/tcp");
    expect(normalPortSpec("127.0.0.1:53->53/udp")).toBe("127.0.0.1:53->53/udp");
    expect(normalPortSpec("http")).toBeNull();
    expect(publishedPorts({ portBindings: { "80/tcp": [{ HostIp: "", HostPort: "" }] }, boundPorts: { "9000/tcp": null } })).toEqual([
      "0.0.0.0:(random)->80/tcp",
    ]);
    const extra = portsRule(D, facts({ portBindings: { ...F.portBindings, "8080/tcp": [{ HostIp: "", HostPort: "80" }] } }));
    expect(extra[0].actual).toBe("[0.0.0.0:443->8443/tcp, 0.0.0.0:80->8080/tcp] (not declared: 0.0.0.0:80->8080/tcp)");
    expect(portsRule(D, facts({ portBindings: {}, boundPorts: {} }))[0].actual).toBe("[] (missing: 0.0.0.0:443->8443/tcp)");
    expect(portsRule({ ...D, publishedPorts: [] }, facts({ portBindings: {}, boundPorts: {}, publishAllPorts: true })).map((f) => f.field)).toEqual([
      "HostConfig.PublishAllPorts",
    ]);
  });

  it("find secrets in env values raw, embedded, URL-encoded or base64, and never return a value", () => {
    const secret = "pa$$:w0rd/with+chars";
    expect(carriesSecret(secret, secret)).toBe(true);
    expect(carriesSecret(`postgres://u:${encodeURIComponent(secret)}@db/x`, secret)).toBe(true);
    expect(carriesSecret(`Basic ${Buffer.from(secret).toString("base64")}`, secret)).toBe(true);
    expect(carriesSecret("unrelated", secret)).toBe(false);
    // Short values match only whole, not inside other strings.
    expect(carriesSecret("admin-panel", "admin")).toBe(false);
    expect(carriesSecret("admin", "admin")).toBe(true);
    const findings = envSecretFindings(D, facts({ env: [`PGPASSWORD=${secret}`, "PGPASSWORD_FILE=/run/secrets/pg", "NOVALUE"] }), [
      { name: "postgresPassword", value: secret },
    ]);
    expect(findings).toEqual([
      {
        container: "c",
        field: "Config.Env PGPASSWORD",
        declared: "no secret values (secrets as files, *_FILE variables)",
        actual: "holds the value of secret postgresPassword",
      },
    ]);
    expect(JSON.stringify(findings)).not.toContain(secret);
  });

  it("require log rotation for json-file and flag disabled logging", () => {
    expect(logRotationRule({ ...D, logOpts: {} }, facts({ logConfig: {} }))).toEqual([
      { container: "c", field: 'HostConfig.LogConfig.Config["max-size"]', declared: "set (rotation)", actual: "(unset: json-file grows without bound)" },
    ]);
    expect(logRotationRule({ ...D, logOpts: {} }, facts({ logType: "local", logConfig: {} }))).toEqual([]);
    expect(logRotationRule({ ...D, logOpts: {} }, facts({ logType: "none", logConfig: {} }))[0].actual).toBe("none (logs discarded)");
    expect(logRotationRule(D, facts({ logConfig: { "max-size": "100m", "max-file": "5" } }))[0]).toMatchObject({ declared: '"10m"', actual: '"100m"' });
  });

  it("see a restart loop in the task list: a task that failed recently, or one that appeared while observed", () => {
    const t = (id: string, state: string, statusAtMs: number, extra: Partial<TaskFacts> = {}): TaskFacts => ({
      id,
      slot: 1,
      nodeId: "n",
      state,
      desiredState: "running",
      err: "",
      exitCode: undefined,
      containerId: undefined,
      createdAtMs: statusAtMs,
      statusAtMs,
      addresses: [],
      ...extra,
    });
    const running = [t("a", "running", 1_000)];
    expect(taskRestartFindings("svc", running, running, 50_000, 10_000)).toEqual([]);
    // Failed long before the observation: settled since.
    expect(taskRestartFindings("svc", [...running, t("old", "failed", 1_000)], [...running, t("old", "failed", 1_000)], 50_000, 10_000)).toEqual([]);
    const loop = taskRestartFindings(
      "svc",
      running,
      [t("b", "running", 60_000), t("a", "failed", 1_000), t("c", "failed", 55_000, { exitCode: 137, err: "task: non-zero exit (137)" })],
      50_000,
      10_000,
    );
    expect(loop).toEqual([
      {
        container: "svc",
        field: "tasks",
        declared: "stable (no task failed or replaced)",
        actual: "1 failed recently, 2 new while observed for 10.0s (last: slot 1 failed, exit code 137: task: non-zero exit (137))",
      },
    ]);
    // A task that ran for hours and was killed just now: its failure is recent, its creation is not.
    const killed = t("k", "failed", 55_000, { createdAtMs: 1_000, exitCode: 137 });
    expect(taskRestartFindings("svc", [killed], [killed], 50_000, 10_000)[0]?.actual).toMatch(/^1 failed recently, 0 new/);
  });

  it("count replicas by slot: a start-first update runs a slot's old and new task side by side", () => {
    const t = (id: string, slot: number | undefined, state = "running", desiredState = "running"): TaskFacts => ({
      id,
      slot,
      nodeId: "n",
      state,
      desiredState,
      err: "",
      exitCode: undefined,
      containerId: undefined,
      createdAtMs: 0,
      statusAtMs: 0,
      addresses: [],
    });
    expect(runningSlots([t("a", 1), t("a2", 1), t("b", 2), t("c", 3)])).toBe(3);
    expect(runningSlots([t("a", 1), t("b", 2, "failed"), t("c", 3, "running", "shutdown")])).toBe(1);
    // Global services have no slot: every running task counts.
    expect(runningSlots([t("g1", undefined), t("g2", undefined)])).toBe(2);
  });

  it("health: a declared check must report healthy; a service declared without one (scratch image) must have none", () => {
    expect(healthRule(D, facts({ health: { status: "unhealthy", failingStreak: 3, lastExitCode: 1 } }))[0].actual).toBe(
      "unhealthy (failing streak 3, last probe exit code 1)",
    );
    expect(healthRule(D, facts({ health: undefined }))[0].actual).toBe("none (State.Health absent)");
    expect(healthRule({ ...D, healthcheck: false }, facts({ health: undefined }))).toEqual([]);
    expect(healthRule({ ...D, healthcheck: false }, F)[0].declared).toBe("none (the image cannot run one)");
    expect(healthRule(D, facts({ running: false, status: "exited" }))[0].actual).toBe("exited");
  });

  it("mounted secrets and configs: owner and mode as declared, read through the task's root", () => {
    const stats: Record<string, { uid: string; gid: string; mode: string } | { error: string }> = {
      "/run/secrets/tls.key": { uid: "101", gid: "101", mode: "0400" },
      "/etc/nginx/nginx.conf": { uid: "101", gid: "101", mode: "0444" },
    };
    expect(mountedFileFindings(D, (p) => stats[p])).toEqual([]);
    expect(mountedFileFindings(D, (p) => (p.startsWith("/run") ? { uid: "0", gid: "0", mode: "0444" } : stats[p]))).toEqual([
      { container: "c", field: "/run/secrets/tls.key", declared: "secret 101:101 0400", actual: "0:0 0444" },
    ]);
    expect(mountedFileFindings(D, () => ({ error: "not mounted" })).map((f) => f.actual)).toEqual(["not mounted", "not mounted"]);
  });
});

describe("declared input from stack outputs", () => {
  const files = { healthcheck: true, secretFiles: [], configFiles: [] };
  const outputs = {
    services: [
      {
        service: "app",
        name: "mcp-prod-app",
        host: "app",
        image: "x",
        replicas: 2,
        stateful: false,
        networks: [],
        publishedPorts: [],
        user: "10001:10001",
        readOnlyRootfs: true,
        memoryMb: 768,
        cpus: "1.0",
        logOpts: { "max-size": "10m" },
        ...files,
      },
      {
        service: "nginx",
        name: "mcp-prod-nginx",
        host: "nginx",
        image: "y",
        replicas: 1,
        stateful: false,
        networks: [],
        publishedPorts: ["443->8443/tcp (host)"],
        user: "101:101",
        readOnlyRootfs: true,
        memoryMb: 128,
        cpus: "0.5",
        logOpts: {},
        capAdd: ["NET_BIND_SERVICE"],
        ...files,
      },
    ],
    secrets: { postgresPassword: "p".repeat(40), redisPassword: "[secret]", grafanaAdminUser: "mcp-grafana-admin", grafanaAdminPassword: "g".repeat(40) },
  } as unknown as Pick<StackOutputs, "services" | "secrets">;

  it("lists one declared service with its replicas, capAdd defaulting to none", () => {
    const d = declaredFromOutputs(outputs);
    expect(d.map((c) => [c.name, c.replicas, c.user, c.capAdd])).toEqual([
      ["mcp-prod-app", 2, "10001:10001", []],
      ["mcp-prod-nginx", 1, "101:101", ["NET_BIND_SERVICE"]],
    ]);
  });

  it("compares with real secret values only: not the admin user name, not masked values", () => {
    expect(secretsFromOutputs(outputs).map((s) => s.name)).toEqual(["postgresPassword", "grafanaAdminPassword"]);
  });
});

describe("host thresholds and engine address", () => {
  it("compares engine versions by release, ignoring distribution suffixes", () => {
    expect(parseVersion("20.10.24+dfsg1")).toEqual([20, 10, 24]);
    expect(parseVersion("v27.3.1")).toEqual([27, 3, 1]);
    expect(parseVersion("dev")).toBeNull();
    expect(compareVersions([20, 10, 24], [20, 10])).toBeGreaterThan(0);
    expect(compareVersions([20, 10], [20, 10, 0])).toBe(0);
    expect(compareVersions([19, 3, 15], [20, 10])).toBeLessThan(0);
  });

  it("lets flags override config thresholds and rejects bad values naming the flag", () => {
    const host = { minMemoryGb: 4, minDiskGb: 10, minDockerVersion: "20.10", registries: ["https://ghcr.io"] };
    expect(thresholdsFromConfig(host, { minMemoryGb: 1, minDiskGb: undefined })).toEqual({ ...host, minMemoryGb: 1 });
    expect(() => parseGbFlag("--min-disk-gb", "-1")).toThrow('--min-disk-gb must be a non-negative number of GB, got "-1"');
    expect(() => parseVersionFlag("--min-docker-version", "20")).toThrow('--min-docker-version must be a version like 20.10 or 20.10.7, got "20"');
    expect(() => parseRegistryFlag("--registry", "ftp://x")).toThrow('--registry must be an http(s) URL, got "ftp://x"');
    expect(
      publishedHostPorts({ edge: { bindAddress: "0.0.0.0", httpPort: 80, httpsPort: 443, hstsMaxAgeSeconds: 1 } }).map((p) => `${p.address}:${p.port}`),
    ).toEqual(["0.0.0.0:80", "0.0.0.0:443"]);
  });

  it("parses DOCKER_HOST the way the Docker CLI does", () => {
    expect(parseDockerHost(undefined)).toEqual({ socketPath: "/var/run/docker.sock" });
    expect(parseDockerHost("unix:///run/user/1000/docker.sock")).toEqual({ socketPath: "/run/user/1000/docker.sock" });
    expect(parseDockerHost("tcp://10.0.0.5:2375")).toEqual({ protocol: "http", host: "10.0.0.5", port: 2375 });
    expect(parseDockerHost("tcp://docker.internal:2376")).toEqual({ protocol: "https", host: "docker.internal", port: 2376 });
    expect(parseDockerHost("ssh://ops@host")).toEqual({ protocol: "ssh", host: "host", port: 22, username: "ops" });
    expect(parseDockerHost("ssh://host:2222")).toStrictEqual({ protocol: "ssh", host: "host", port: 2222 });
    expect(parseDockerHost("/run/docker.sock")).toEqual({ socketPath: "/run/docker.sock" });
    expect(() => parseDockerHost("npipe:////./pipe/docker_engine")).toThrow(/unsupported scheme npipe:/);
  });

  it("keeps the ssh user for the engine connection and names it in the endpoint", () => {
    const engine = connectDocker("ssh://ops@docker.internal:2222");
    expect((engine.docker.modem as unknown as { username?: string }).username).toBe("ops");
    expect(engine.endpoint).toBe("ssh://ops@docker.internal:2222");
    expect((connectDocker("ssh://docker.internal").docker.modem as unknown as { username?: string }).username).toBeUndefined();
  });

  it.each(["garbage", "docker.internal:2375", "10.0.0.5"])("refuses %s: no scheme and not a socket path, naming the value and the accepted forms", (v) => {
    expect(() => parseDockerHost(v)).toThrow(
      `Docker host "${v}" has no scheme and is not a socket path (use unix:///var/run/docker.sock, /path/to/docker.sock`,
    );
  });
});
