/**
 * The Engine API calls the Docker provider makes, sent the way its Go client
 * (github.com/docker/docker/client v28.5.2) sends them: a version-prefixed path after API
 * version negotiation (WithAPIVersionNegotiation in provider config.go: the lower of the
 * client's 1.51 and the server's version), the same query parameters and headers, JSON
 * bodies shaped like the Go structs (engine-types.ts).
 */
import { request } from "node:http";
import type Docker from "dockerode";
import type { DataSpec, NetworkCreateRequest, ServiceInfo, ServiceSpec, TaskInfo, VolumeCreateRequest } from "./engine-types";

/** api/common.go DefaultVersion of the v28.5 client. */
export const CLIENT_API_VERSION = "1.51";

export class EngineCallError extends Error {
  constructor(
    readonly statusCode: number | undefined,
    readonly engineMessage: string,
    what: string,
  ) {
    super(`${what}: ${engineMessage}`);
    this.name = "EngineCallError";
  }
}

const versionLess = (a: string, b: string) => {
  const [a1, a2] = a.split(".").map(Number);
  const [b1, b2] = b.split(".").map(Number);
  return a1 < b1 || (a1 === b1 && a2 < b2);
};

interface DialOptions {
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Bounds a long-poll (container wait). */
  signal?: AbortSignal;
}

export class EngineApi {
  private constructor(
    readonly docker: Docker,
    /** The negotiated API version, e.g. "1.41" for Docker 20.10. */
    readonly version: string,
  ) {}

  /** client.NegotiateAPIVersion: GET /version, then the lower of the two versions. */
  static async connect(docker: Docker): Promise<EngineApi> {
    const v = (await docker.version()) as { ApiVersion?: string };
    const server = v.ApiVersion ?? CLIENT_API_VERSION;
    return new EngineApi(docker, versionLess(server, CLIENT_API_VERSION) ? server : CLIENT_API_VERSION);
  }

  /**
   * One HTTP exchange on the engine's socket. Plain node:http rather than the modem's dial,
   * which would put a POST body into the query string when there is no query, and a query
   * into the body when there is no body.
   */
  call<T>(method: "GET" | "POST" | "DELETE", path: string, what: string, o: DialOptions = {}): Promise<T> {
    const modem = this.docker.modem as unknown as { socketPath?: string; host?: string; port?: number | string };
    const qs = o.query ? `?${new URLSearchParams(o.query).toString()}` : "";
    const body = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const headers: Record<string, string | number> = { ...o.headers };
    if (body) {
      headers["Content-Type"] = "application/json";
      headers["Content-Length"] = body.length;
    }
    const target = modem.socketPath ? { socketPath: modem.socketPath } : { host: modem.host ?? "127.0.0.1", port: Number(modem.port ?? 2375) };
    return new Promise((resolve, reject) => {
      const req = request({ ...target, method, path: `/v${this.version}${path}${qs}`, headers, signal: o.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => reject(new EngineCallError(undefined, e.message, what)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(json as T);
          else reject(new EngineCallError(status, (json as { message?: string } | undefined)?.message ?? (text.trim() || `HTTP ${status}`), what));
        });
      });
      req.on("error", (e) => reject(new EngineCallError(undefined, e.message, what)));
      if (body) req.write(body);
      req.end();
    });
  }

  // --- services (client/service_*.go) ---

  /** client.ServiceCreate: X-Registry-Auth when the encoded auth is non-empty. */
  serviceCreate(spec: ServiceSpec, encodedAuth: string): Promise<{ ID: string; Warnings?: string[] | null }> {
    return this.call("POST", "/services/create", `create service "${spec.Name}"`, {
      body: spec,
      headers: encodedAuth ? { "X-Registry-Auth": encodedAuth } : {},
    });
  }

  /** client.ServiceUpdate: ?version=<index of the spec being replaced>. */
  serviceUpdate(id: string, version: number, spec: ServiceSpec, encodedAuth: string): Promise<{ Warnings?: string[] | null }> {
    return this.call("POST", `/services/${encodeURIComponent(id)}/update`, `update service "${spec.Name}"`, {
      query: { version: String(version) },
      body: spec,
      headers: encodedAuth ? { "X-Registry-Auth": encodedAuth } : {},
    });
  }

  /** client.ServiceInspectWithRaw with InsertDefaults false. */
  serviceInspect(id: string): Promise<ServiceInfo> {
    return this.call("GET", `/services/${encodeURIComponent(id)}`, `inspect service ${id}`, { query: { insertDefaults: "false" } });
  }

  serviceList(): Promise<ServiceInfo[]> {
    return this.call("GET", "/services", "list services");
  }

  serviceRemove(id: string): Promise<void> {
    return this.call("DELETE", `/services/${encodeURIComponent(id)}`, `remove service ${id}`);
  }

  /** client.TaskList with filters.Args (JSON {"key": {"value": true}}). */
  taskList(filters: Record<string, string[]>): Promise<TaskInfo[]> {
    const f: Record<string, Record<string, boolean>> = {};
    for (const [k, vs] of Object.entries(filters)) f[k] = Object.fromEntries(vs.map((v) => [v, true]));
    return this.call("GET", "/tasks", "list tasks", { query: { filters: JSON.stringify(f) } });
  }

  taskInspect(id: string): Promise<TaskInfo> {
    return this.call("GET", `/tasks/${encodeURIComponent(id)}`, `inspect task ${id}`);
  }

  nodeList(): Promise<{ ID: string; Status?: { State?: string } }[]> {
    return this.call("GET", "/nodes", "list nodes");
  }

  /** client.ContainerWait(condition "removed"): a long poll, bounded by `signal`. */
  containerWaitRemoved(id: string, signal: AbortSignal): Promise<{ StatusCode?: number; Error?: { Message?: string } | null }> {
    return this.call("POST", `/containers/${encodeURIComponent(id)}/wait`, `wait for container ${id}`, { query: { condition: "removed" }, signal });
  }

  /** client.ContainerRemove with RemoveVolumes and Force. */
  containerRemove(id: string): Promise<void> {
    return this.call("DELETE", `/containers/${encodeURIComponent(id)}`, `remove container ${id}`, { query: { v: "1", force: "1" } });
  }

  // --- secrets and configs (client/secret_create.go, config_create.go) ---

  secretCreate(spec: DataSpec): Promise<{ ID: string }> {
    return this.call("POST", "/secrets/create", `create secret "${spec.Name}"`, { body: spec });
  }

  secretRemove(id: string): Promise<void> {
    return this.call("DELETE", `/secrets/${encodeURIComponent(id)}`, `remove secret ${id}`);
  }

  configCreate(spec: DataSpec): Promise<{ ID: string }> {
    return this.call("POST", "/configs/create", `create config "${spec.Name}"`, { body: spec });
  }

  configRemove(id: string): Promise<void> {
    return this.call("DELETE", `/configs/${encodeURIComponent(id)}`, `remove config ${id}`);
  }

  // --- networks and volumes ---

  networkCreate(body: NetworkCreateRequest): Promise<{ Id: string; Warning?: string }> {
    return this.call("POST", "/networks/create", `create network "${body.Name}"`, { body });
  }

  networkInspect(id: string): Promise<{ Id: string; Name: string; Scope?: string; Options?: Record<string, string> | null }> {
    return this.call("GET", `/networks/${encodeURIComponent(id)}`, `inspect network ${id}`);
  }

  networkRemove(id: string): Promise<void> {
    return this.call("DELETE", `/networks/${encodeURIComponent(id)}`, `remove network ${id}`);
  }

  volumeCreate(body: VolumeCreateRequest): Promise<{ Name: string }> {
    return this.call("POST", "/volumes/create", `create volume "${body.Name ?? ""}"`, { body });
  }

  volumeInspect(name: string): Promise<{ Name: string }> {
    return this.call("GET", `/volumes/${encodeURIComponent(name)}`, `inspect volume ${name}`);
  }

  /** client.VolumeRemove(force=true): ?force=1. */
  volumeRemove(name: string): Promise<void> {
    return this.call("DELETE", `/volumes/${encodeURIComponent(name)}`, `remove volume ${name}`, { query: { force: "1" } });
  }
}
