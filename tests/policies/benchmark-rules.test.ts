/**
 * The safe sets the container-security rules take from the Pod Security Standards, and the
 * spellings Docker accepts for the same setting: what is inside a safe set passes, on a swarm
 * service and on a container; anything outside fires however it is spelt. cases.ts holds the
 * one-change variant of each rule; these are the edges around it.
 */
import type { CollectedResource } from "../../preflight/collect";
import type { EngineValue } from "../../preflight/engine-encoding";
import { both, service, spec } from "../../preflight/mutations";
import { container, evaluate, fixtureStack, type Kind } from "./fixture-stacks";

type Props = Record<string, EngineValue>;

const bases = new Map<Kind, CollectedResource[]>();
beforeAll(async () => {
  for (const k of ["service", "container"] as const) bases.set(k, await fixtureStack(k));
}, 60000);

/** Violation messages of one policy after one change. */
function fired(kind: Kind, policy: string, change: (rs: CollectedResource[]) => void, config: Record<string, unknown> = {}): string[] {
  const rs = structuredClone(bases.get(kind)!);
  change(rs);
  return evaluate(policy, rs, config)
    .filter((f) => f.kind === "violation")
    .map((f) => f.message);
}

const onService = (instance: string, fn: (cs: Props) => void) => (rs: CollectedResource[]) => spec(service(rs, instance), fn);
const onContainer = (instance: string, fn: (p: Props) => void) => (rs: CollectedResource[]) => both(container(rs, instance), fn);

describe("container-sysctls: the Kubernetes safe set", () => {
  test.each(["net.ipv4.ip_unprivileged_port_start", "kernel.shm_rmid_forced", "net/ipv4/tcp_keepalive_time"])("%s passes on both kinds", (name) => {
    expect(
      fired(
        "service",
        "container-sysctls",
        onService("app", (cs) => void (cs.sysctl = { [name]: "1" })),
      ),
    ).toEqual([]);
    expect(
      fired(
        "container",
        "container-sysctls",
        onContainer("app-1", (p) => void (p.sysctls = { [name]: "1" })),
      ),
    ).toEqual([]);
  });
  test.each(["net.ipv4.ip_forward", "NET.IPV4.CONF.ALL.FORWARDING", "kernel/msgmax", "net.core.somaxconn"])("%s fires on both kinds", (name) => {
    expect(
      fired(
        "service",
        "container-sysctls",
        onService("app", (cs) => void (cs.sysctl = { [name]: "1" })),
      ),
    ).toHaveLength(1);
    expect(
      fired(
        "container",
        "container-sysctls",
        onContainer("app-1", (p) => void (p.sysctls = { [name]: "1" })),
      ),
    ).toHaveLength(1);
  });
  test("a reviewed exception passes when the config lists it", () => {
    const change = onContainer("app-1", (p) => void (p.sysctls = { "net/core/somaxconn": "1024" }));
    expect(fired("container", "container-sysctls", change, { allowedSysctls: ["net.core.somaxconn"] })).toEqual([]);
  });
});

describe("container-mount-propagation", () => {
  const bind = (propagation: string) => ({ type: "bind", source: "/srv/mcp/shared", target: "/shared", bindOptions: { propagation } });
  test.each(["private", "rprivate", "slave", "rslave"])("%s passes on both kinds", (prop) => {
    expect(
      fired(
        "service",
        "container-mount-propagation",
        onService("app", (cs) => void (cs.mounts = [bind(prop)])),
      ),
    ).toEqual([]);
    expect(
      fired(
        "container",
        "container-mount-propagation",
        onContainer("app-1", (p) => void (p.mounts = [bind(prop)])),
      ),
    ).toEqual([]);
  });
  test.each(["shared", "rshared", "RSHARED"])("%s fires on both kinds", (prop) => {
    expect(
      fired(
        "service",
        "container-mount-propagation",
        onService("app", (cs) => void (cs.mounts = [bind(prop)])),
      ),
    ).toHaveLength(1);
    expect(
      fired(
        "container",
        "container-mount-propagation",
        onContainer("app-1", (p) => void (p.mounts = [bind(prop)])),
      ),
    ).toHaveLength(1);
  });
});

describe("container-capabilities: the Pod Security Standards' add-back sets", () => {
  const addService = (caps: string[]) => onService("app", (cs) => void (cs.capAdds = caps));
  const addContainer = (caps: string[]) => onContainer("app-1", (p) => void (p.capabilities = { drops: ["ALL"], adds: caps }));
  const restricted = { allowedAddsProfile: "restricted" };
  test.each(["NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", "net_bind_service"])("restricted (the stacks' config): %s passes", (cap) => {
    expect(fired("service", "container-capabilities", addService([cap]), restricted)).toEqual([]);
    expect(fired("container", "container-capabilities", addContainer([cap]), restricted)).toEqual([]);
  });
  test.each(["CHOWN", "cap_setuid", "NET_RAW", "CAP_SYS_TIME"])("restricted (the stacks' config): %s fires", (cap) => {
    expect(fired("service", "container-capabilities", addService([cap]), restricted).join("\n")).toMatch(/outside the Kubernetes restricted set/);
    expect(fired("container", "container-capabilities", addContainer([cap]), restricted).join("\n")).toMatch(/outside the Kubernetes restricted set/);
  });
  test("baseline (the default): CHOWN and SETUID pass, NET_RAW and SYS_TIME do not", () => {
    const baseline = {};
    expect(fired("service", "container-capabilities", addService(["CHOWN", "CAP_SETUID"]), baseline)).toEqual([]);
    expect(fired("container", "container-capabilities", addContainer(["chown", "setuid"]), baseline)).toEqual([]);
    expect(fired("service", "container-capabilities", addService(["NET_RAW"]), baseline).join("\n")).toMatch(/outside the Kubernetes baseline set.*: NET_RAW/);
    expect(fired("container", "container-capabilities", addContainer(["cap_sys_time"]), baseline).join("\n")).toMatch(/: SYS_TIME/);
  });
  test.each(["SYS_ADMIN", "CAP_SYS_ADMIN", "sys_admin", "cap_sys_admin"])("%s is dangerous however spelt", (cap) => {
    expect(fired("service", "container-capabilities", addService([cap])).join("\n")).toMatch(/adds dangerous capabilities: SYS_ADMIN/);
    expect(fired("container", "container-capabilities", addContainer([cap])).join("\n")).toMatch(/adds dangerous capabilities: SYS_ADMIN/);
  });
});

describe("container-security-profiles: SELinux types and /proc as the Pod Security Standards define them", () => {
  const opts = (o: string[]) => onContainer("app-1", (p) => void (p.securityOpts = ["no-new-privileges:true", ...o]));
  const selinux = (c: Props) => onService("app", (cs) => void (cs.privileges = { seLinuxContext: c }));
  test.each([
    "label=type:container_t",
    "label:type:container_init_t",
    "label=level:s0:c100,c200",
    "apparmor=docker-default",
    "seccomp=/etc/docker/seccomp.json",
  ])("container %s passes", (o) => expect(fired("container", "container-security-profiles", opts([o]))).toEqual([]));
  test.each([
    ["label=type:spc_t", /SELinux type spc_t/],
    ["label:type:unconfined_t", /SELinux type unconfined_t/],
    ["label=user:system_u", /sets an SELinux user/],
    ["label=role:system_r", /sets an SELinux role/],
    ["systempaths=unconfined", /unmasks \/proc and \/sys/],
    ["SECCOMP=UNCONFINED", /seccomp unconfined/],
    ["apparmor:unconfined", /apparmor unconfined/],
  ])("container %s fires", (o, re) => expect(fired("container", "container-security-profiles", opts([o as string])).join("\n")).toMatch(re as RegExp));
  test("service: a container type and a level pass; another type, a user or a role fire", () => {
    expect(fired("service", "container-security-profiles", selinux({ type: "container_t", level: "s0:c1,c2" }))).toEqual([]);
    expect(fired("service", "container-security-profiles", selinux({ type: "spc_t" })).join("\n")).toMatch(/service fx-app runs as SELinux type spc_t/);
    expect(fired("service", "container-security-profiles", selinux({ user: "system_u" })).join("\n")).toMatch(/service fx-app sets an SELinux user/);
    expect(fired("service", "container-security-profiles", selinux({ role: "system_r" })).join("\n")).toMatch(/service fx-app sets an SELinux role/);
  });
});

describe("container-host-mounts: no hostPath, the runtime socket however spelt", () => {
  const bindService = (source: string) => onService("app", (cs) => void (cs.mounts = [{ type: "bind", source, target: "/x" }]));
  const bindContainer = (source: string) => onContainer("app-1", (p) => void (p.mounts = [{ type: "bind", source, target: "/x" }]));
  test.each(["/var/run/docker.sock", "/run/docker.sock", "//var/run/docker.sock", "/var/run/./docker.sock", "/run/containerd/containerd.sock"])(
    "%s is the runtime socket on both kinds",
    (source) => {
      expect(fired("service", "container-host-mounts", bindService(source)).join("\n")).toMatch(/mounts the container runtime socket/);
      expect(fired("container", "container-host-mounts", bindContainer(source)).join("\n")).toMatch(/mounts the container runtime socket/);
    },
  );
  test.each(["//etc/ssl", "/srv/../etc", "/var/./lib/docker/volumes", "/var/run", "/run/", "/var/run/containerd"])(
    "%s is a sensitive path however spelt",
    (source) => {
      const sensitive = { hostPaths: "sensitive" };
      expect(fired("service", "container-host-mounts", bindService(source), sensitive).join("\n")).toMatch(/bind-mounts sensitive host path/);
      expect(fired("container", "container-host-mounts", bindContainer(source), sensitive).join("\n")).toMatch(/bind-mounts sensitive host path/);
    },
  );
  test("host /var hands over the socket under /var/run, on both kinds, even when only sensitive paths are refused", () => {
    const sensitive = { hostPaths: "sensitive" };
    expect(fired("service", "container-host-mounts", bindService("/var/"), sensitive).join("\n")).toMatch(
      /service fx-app bind-mounts host \/var\/, which holds the container runtime socket/,
    );
    expect(fired("container", "container-host-mounts", bindContainer("/var"), sensitive).join("\n")).toMatch(
      /container fx-app-1 bind-mounts host \/var, which holds/,
    );
    expect(fired("container", "container-host-mounts", bindContainer("/var/lib/mcp"), sensitive)).toEqual([]);
  });
  test("any other host path fires unless allowed by name or the config refuses only sensitive ones", () => {
    expect(fired("service", "container-host-mounts", bindService("/srv/mcp/data")).join("\n")).toMatch(/service fx-app bind-mounts host path \/srv\/mcp\/data/);
    expect(fired("container", "container-host-mounts", bindContainer("/srv/mcp/data/")).join("\n")).toMatch(/container fx-app-1 bind-mounts host path/);
    expect(fired("service", "container-host-mounts", bindService("/srv/mcp/data"), { allowedHostPaths: ["/srv/mcp/data"] })).toEqual([]);
    expect(fired("container", "container-host-mounts", bindContainer("/srv/mcp/data"), { hostPaths: "sensitive" })).toEqual([]);
  });
});

describe("container-no-sshd and container-default-bridge", () => {
  test("ssh tools that are not the daemon pass; sshd however started fires", () => {
    const args = (a: string[]) => onService("app", (cs) => void (cs.args = a));
    expect(fired("service", "container-no-sshd", args(["sh", "-c", "ssh-keygen -A && cat /etc/ssh/sshd_config"]))).toEqual([]);
    expect(fired("service", "container-no-sshd", args(["sh", "-c", "exec /usr/sbin/sshd -D -e"]))).toHaveLength(1);
    expect(
      fired(
        "container",
        "container-no-sshd",
        onContainer("app-1", (p) => void (p.entrypoints = ["sshd", "-D"])),
      ),
    ).toHaveLength(1);
    expect(
      fired(
        "container",
        "container-no-sshd",
        onContainer("app-1", (p) => void (p.image = "atmoz/sftp:alpine")),
      ),
    ).toHaveLength(1);
  });
  test("a container with no network of its own is on docker0 (networkMode unset, bridge or default); none is not", () => {
    const mode = (m: string | undefined) =>
      onContainer("app-1", (p) => void ((p.networksAdvanced = []), m === undefined ? delete p.networkMode : (p.networkMode = m)));
    for (const m of [undefined, "bridge", "default", "BRIDGE"]) expect(fired("container", "container-default-bridge", mode(m))).toHaveLength(1);
    expect(fired("container", "container-default-bridge", mode("none"))).toEqual([]);
  });
});

describe("container-restart-policy: at most 5 attempts (CIS Docker 5.15)", () => {
  const attempts = (n: number) => (rs: CollectedResource[]) =>
    both(service(rs, "app"), (p) => void ((p.taskSpec as Props).restartPolicy = { condition: "on-failure", maxAttempts: n, window: "2m" }));
  const retries = (n: number) => onContainer("app-1", (p) => void ((p.restart = "on-failure"), (p.maxRetryCount = n)));
  test("5 passes on both kinds, 6 does not", () => {
    expect(fired("service", "container-restart-policy", attempts(5))).toEqual([]);
    expect(fired("container", "container-restart-policy", retries(5))).toEqual([]);
    expect(fired("service", "container-restart-policy", attempts(6)).join("\n")).toMatch(/service fx-app restarts up to 6 times .*at most 5/);
    expect(fired("container", "container-restart-policy", retries(6)).join("\n")).toMatch(/container fx-app-1 retries 6 times .*at most 5/);
  });
});

describe("container-non-root-user: uid 0 however written (PSS Running as Non-root user)", () => {
  const svcUser = (u: string) => onService("app", (cs) => void (cs.user = u));
  const ctrUser = (u: string) => onContainer("app-1", (p) => void (p.user = u));
  test.each(["0", "00", "000:1000", "root", "root:root"])("%s fires on both kinds", (u) => {
    expect(fired("service", "container-non-root-user", svcUser(u))).toHaveLength(1);
    expect(fired("container", "container-non-root-user", ctrUser(u))).toHaveLength(1);
  });
  test.each(["1000", "1000:0", "10001:10001", "nobody"])("%s passes on both kinds", (u) => {
    expect(fired("service", "container-non-root-user", svcUser(u))).toEqual([]);
    expect(fired("container", "container-non-root-user", ctrUser(u))).toEqual([]);
  });
});
