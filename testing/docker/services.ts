/**
 * Test swarm services from a declared spec: `serviceSpecFor` builds an Engine API service
 * spec that satisfies a DeclaredService the way the program's services do (non-root,
 * read-only root, CapDrop ALL, limits, log rotation, health check, a Docker secret and a
 * config mounted as declared), on a test overlay network. Tests then break one field at a
 * time. Nothing is published: swarm binds published ports on every address.
 */
import type Docker from "dockerode";
import type { DeclaredService } from "../../validate/docker/declared";
import { TEST_IMAGE } from "./engine";

export interface ServiceCreate {
  Name: string;
  Labels: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: Record<string, unknown> & { Image: string };
    Resources?: { Limits?: { MemoryBytes?: number; NanoCPUs?: number } };
    RestartPolicy?: { Condition: string; Delay?: number; MaxAttempts?: number; Window?: number };
    LogDriver?: { Name: string; Options?: Record<string, string> };
    Networks?: { Target: string; Aliases?: string[] }[];
  };
  Mode: { Replicated: { Replicas: number } };
  UpdateConfig?: Record<string, unknown>;
  EndpointSpec: { Mode: "dnsrr" | "vip" };
}

const S = 1e9;

/** Create spec for a service that matches `d` in every field the checks read. */
export function serviceSpecFor(
  d: DeclaredService,
  refs: { network: string; secret?: { id: string; name: string }; config?: { id: string; name: string } },
  labels: Record<string, string> = {},
): ServiceCreate {
  const file = (f: { path: string; uid: string; gid: string; mode: string }) => ({ Name: f.path, UID: f.uid, GID: f.gid, Mode: parseInt(f.mode, 8) });
  return {
    Name: d.name,
    Labels: { "com.mcp.service": d.service, ...labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: TEST_IMAGE,
        Command: ["sleep", "3600"],
        User: d.user,
        Env: ["MCP_TEST=1", "DATABASE_PASSWORD_FILE=/run/secrets/postgres-password"],
        Labels: { "com.mcp.service": d.service, ...labels },
        ReadOnly: d.readOnlyRootfs,
        CapabilityDrop: ["ALL"],
        CapabilityAdd: [...d.capAdd],
        // Probe every 200 ms so the suite does not wait on health.
        Healthcheck: d.healthcheck ? { Test: ["CMD", "true"], Interval: 0.2 * S, Timeout: 2 * S, Retries: 2, StartPeriod: 0 } : { Test: ["NONE"] },
        Secrets: refs.secret ? d.secretFiles.map((f) => ({ File: file(f), SecretID: refs.secret!.id, SecretName: refs.secret!.name })) : [],
        Configs: refs.config ? d.configFiles.map((f) => ({ File: file(f), ConfigID: refs.config!.id, ConfigName: refs.config!.name })) : [],
        StopGracePeriod: 1 * S,
      },
      Resources: { Limits: { MemoryBytes: d.memoryMb * 1024 * 1024, NanoCPUs: Math.round(Number(d.cpus) * S) } },
      RestartPolicy: { Condition: "any", Delay: 0.2 * S, MaxAttempts: 0, Window: 0 },
      LogDriver: { Name: "json-file", Options: { ...d.logOpts } },
      Networks: [{ Target: refs.network, Aliases: [d.service] }],
    },
    Mode: { Replicated: { Replicas: d.replicas } },
    EndpointSpec: { Mode: "dnsrr" },
  };
}

type Change = { [K in keyof ServiceCreate]?: ServiceCreate[K] extends object ? Partial<ServiceCreate[K]> : ServiceCreate[K] } & {
  ContainerSpec?: Record<string, unknown>;
};

/** `base` with `change` applied; TaskTemplate and its ContainerSpec are merged, not replaced. */
export function withServiceChanges(base: ServiceCreate, change: Change): ServiceCreate {
  const { ContainerSpec, TaskTemplate, ...rest } = change;
  return {
    ...base,
    ...rest,
    TaskTemplate: { ...base.TaskTemplate, ...TaskTemplate, ContainerSpec: { ...base.TaskTemplate.ContainerSpec, ...ContainerSpec } },
  } as ServiceCreate;
}

export async function createServices(docker: Docker, specs: readonly ServiceCreate[]): Promise<void> {
  await Promise.all(specs.map((s) => docker.createService(s as never)));
}

/** Bounded wait until every named service has its replicas running (or `untilMs` passes); returns the ones that did not. */
export async function awaitRunning(docker: Docker, names: readonly string[], untilMs: number): Promise<string[]> {
  const deadline = Date.now() + untilMs;
  let pending = [...names];
  while (pending.length && Date.now() < deadline) {
    const tasks = (await docker.listTasks()) as { ServiceID: string; Status?: { State?: string }; DesiredState?: string }[];
    const services = (await docker.listServices()) as { ID: string; Spec?: { Name?: string; Mode?: { Replicated?: { Replicas?: number } } } }[];
    pending = pending.filter((n) => {
      const s = services.find((x) => x.Spec?.Name === n);
      if (!s) return true;
      const running = tasks.filter((t) => t.ServiceID === s.ID && t.Status?.State === "running" && t.DesiredState === "running").length;
      return running < (s.Spec?.Mode?.Replicated?.Replicas ?? 1);
    });
    if (pending.length) await new Promise((r) => setTimeout(r, 250));
  }
  return pending;
}
