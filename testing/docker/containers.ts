/**
 * Test containers from a declared spec: `createOptionsFor` builds Engine API create options
 * that satisfy a DeclaredContainer the way the program's containers do (non-root, read-only
 * root, CapDrop ALL, no-new-privileges, limits, log rotation, health check), with network
 * mode "none" so nothing leaves the container. Tests then break one field at a time.
 * Port bindings on a "none" container are recorded by the engine (HostConfig.PortBindings)
 * but nothing is bound: there is no network to forward from.
 */
import type Docker from "dockerode";
import type { DeclaredContainer } from "../../validate/docker/declared";
import { TEST_IMAGE } from "./engine";

export type CreateOptions = Docker.ContainerCreateOptions;
export type HostConfigOptions = NonNullable<CreateOptions["HostConfig"]>;

function portBindings(published: readonly string[]): { exposed: Record<string, object>; bindings: Record<string, { HostIp: string; HostPort: string }[]> } {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of published) {
    const m = /^(?:(.*):)?(\d+)->(\d+)(?:\/(tcp|udp))?$/.exec(p);
    if (!m) throw new Error(`test port spec "${p}" is not ip:external->internal/proto`);
    const key = `${m[3]}/${m[4] ?? "tcp"}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: m[1] ?? "", HostPort: m[2] });
  }
  return { exposed, bindings };
}

/** Create options for a container that matches `d` in every field the checks read. */
export function createOptionsFor(d: DeclaredContainer, labels: Record<string, string> = {}): CreateOptions {
  const { exposed, bindings } = portBindings(d.publishedPorts);
  return {
    name: d.name,
    Image: TEST_IMAGE,
    Cmd: ["sleep", "3600"],
    User: d.user,
    Env: ["MCP_TEST=1", "DATABASE_PASSWORD_FILE=/run/secrets/postgres-password"],
    Labels: { "com.mcp.service": d.service, "com.mcp.instance": d.name, ...labels },
    ExposedPorts: exposed,
    // Probe every 200 ms so the suite does not wait on health.
    Healthcheck: { Test: ["CMD", "true"], Interval: 200_000_000, Timeout: 2_000_000_000, Retries: 2, StartPeriod: 0 },
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: d.readOnlyRootfs,
      CapDrop: ["ALL"],
      CapAdd: [...d.capAdd],
      SecurityOpt: ["no-new-privileges:true"],
      Memory: d.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(Number(d.cpus) * 1e9),
      PidsLimit: 50,
      PortBindings: bindings,
      RestartPolicy: { Name: "unless-stopped" },
      LogConfig: { Type: "json-file", Config: { ...d.logOpts } },
    },
  };
}

/** `base` with `change` applied; HostConfig is merged, not replaced. */
export function withChanges(base: CreateOptions, change: Partial<Omit<CreateOptions, "HostConfig">> & { HostConfig?: Partial<HostConfigOptions> }): CreateOptions {
  return { ...base, ...change, HostConfig: { ...base.HostConfig, ...change.HostConfig } };
}

/** Creates and starts every container at once; returns their ids by name. */
export async function runContainers(docker: Docker, specs: readonly CreateOptions[]): Promise<Map<string, string>> {
  const ids = await Promise.all(
    specs.map(async (s) => {
      const c = await docker.createContainer(s);
      await c.start();
      return [s.name as string, c.id] as const;
    }),
  );
  return new Map(ids);
}
