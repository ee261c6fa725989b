/**
 * A Grafana stand-in (Grafana has no Debian package) speaking the part of Grafana's
 * documented HTTP API the runtime checks use, provisioned from the same files the program
 * renders (renderGrafanaProvisioning):
 *   GET /api/health                         {"database":"ok","version":...} (no auth)
 *   GET /api/datasources/uid/:uid/health    runs a real query against the datasource's
 *                                           Prometheus URL, like Grafana does: "OK" or "ERROR"
 *   GET /api/dashboards/uid/:uid            { dashboard, meta } or 404
 *   GET /api/search?type=dash-db            provisioned dashboards
 *   GET /api/admin/settings                 the effective settings, section -> key -> string
 *   GET /                                   the UI: a redirect to /login without a session
 *   GET /metrics                            a small exposition (Prometheus scrapes it)
 * Every /api/ route but health needs basic auth with the admin user and password, unless the
 * GF_* environment turns anonymous access on (then reads are served as a Viewer, as Grafana
 * does). Settings come from Grafana's defaults overridden by the GF_* variables, read with
 * the same mapping as infra/grafana-settings.ts.
 * Runs in the test process on a loopback port, and as the program of the Grafana image
 * (testing/engine/images/entries/grafana.ts), which reads the same files from disk.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { parse } from "yaml";
import { grafanaSettingOf } from "../../infra/grafana-settings";

export interface GrafanaStandIn {
  url: string;
  port: number;
  /** Fault switch: answer /api/health with a failing database. */
  faults: { databaseDown: boolean };
  stop(): Promise<void>;
}

export interface GrafanaStandInOptions {
  adminUser: string;
  adminPassword: string;
  /** Rendered provisioning: path -> content (datasource YAML, dashboard JSON). */
  provisioning: Record<string, string>;
  version?: string;
  /** Listen address (default 127.0.0.1) and port (default: a free one). */
  host?: string;
  port?: number;
  /** Served from a sub-path (serve_from_sub_path): requests under it are answered with it stripped. */
  subPath?: string;
  /** The GF_* environment (e.g. infra/render/grafana.ts grafanaEnv): overrides Grafana's defaults. */
  env?: Record<string, string | undefined>;
}

/** Grafana's defaults (conf/defaults.ini) for the settings the stand-in acts on or reports. */
const DEFAULT_SETTINGS: Record<string, Record<string, string>> = {
  "auth.anonymous": { enabled: "false", org_role: "Viewer" },
  "auth.basic": { enabled: "true" },
  auth: { disable_login_form: "false" },
  users: { allow_sign_up: "false", allow_org_create: "false" },
  security: { admin_user: "admin", admin_password: "admin" },
};

/** Effective settings: the defaults with every GF_<SECTION>_<KEY> of `env` applied; secrets masked as Grafana does. */
function effectiveSettings(env: Record<string, string | undefined>): Record<string, Record<string, string>> {
  const out = structuredClone(DEFAULT_SETTINGS);
  for (const [name, value] of Object.entries(env)) {
    const s = value === undefined ? undefined : grafanaSettingOf(name);
    if (!s || s.fromFile) continue;
    (out[s.section] ??= {})[s.key] = value!;
  }
  out.security.admin_password = "************";
  return out;
}

interface Datasource {
  uid: string;
  name: string;
  type: string;
  url: string;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function startGrafanaStandIn(options: GrafanaStandInOptions): Promise<GrafanaStandIn> {
  const datasources: Datasource[] = [];
  const dashboards = new Map<string, Record<string, unknown>>();
  for (const [path, content] of Object.entries(options.provisioning)) {
    if (path.endsWith(".json")) {
      const d = JSON.parse(content) as Record<string, unknown>;
      if (typeof d.uid === "string") dashboards.set(d.uid, d);
    } else if (/\.ya?ml$/.test(path)) {
      const doc = parse(content) as { datasources?: Datasource[] } | null;
      for (const ds of doc?.datasources ?? []) datasources.push(ds);
    }
  }
  const version = options.version ?? "11.2.2";
  const faults = { databaseDown: false };
  const expectedAuth = `Basic ${Buffer.from(`${options.adminUser}:${options.adminPassword}`).toString("base64")}`;
  const settings = effectiveSettings(options.env ?? {});
  const anonymous = settings["auth.anonymous"].enabled === "true";
  let requests = 0;

  async function datasourceHealth(ds: Datasource): Promise<{ status: number; body: unknown }> {
    if (ds.type !== "prometheus") return { status: 400, body: { status: "ERROR", message: `plugin ${ds.type} not supported by the stand-in` } };
    try {
      const r = await fetch(`${ds.url.replace(/\/$/, "")}/api/v1/query?query=1%2B1`, { signal: AbortSignal.timeout(2000) });
      const body = (await r.json().catch(() => ({}))) as { status?: string };
      if (r.ok && body.status === "success") return { status: 200, body: { status: "OK", message: "Successfully queried the Prometheus API." } };
      return { status: 400, body: { status: "ERROR", message: `Prometheus answered ${r.status}` } };
    } catch (e) {
      const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
      return { status: 400, body: { status: "ERROR", message: `Post "${ds.url}/api/v1/query": ${cause}` } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requests++;
    const url = new URL(req.url ?? "/", "http://grafana");
    const sub = options.subPath?.replace(/\/+$/, "");
    const path = sub && (url.pathname === sub || url.pathname.startsWith(`${sub}/`)) ? url.pathname.slice(sub.length) || "/" : url.pathname;
    if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(
        `# HELP grafana_http_requests_total Requests served.\n# TYPE grafana_http_requests_total counter\ngrafana_http_requests_total ${requests}\n# HELP grafana_build_info Build info.\n# TYPE grafana_build_info gauge\ngrafana_build_info{version="${version}"} 1\n`,
      );
      return;
    }
    if (path === "/api/health") {
      return json(res, faults.databaseDown ? 503 : 200, { commit: "stand-in", database: faults.databaseDown ? "failing" : "ok", version });
    }
    const admin = req.headers.authorization === expectedAuth;
    if (path === "/" && req.method === "GET") {
      if (admin || anonymous) {
        res.writeHead(200, { "content-type": "text/html" });
        res.end("<!doctype html><title>Grafana</title>");
        return;
      }
      res.writeHead(302, { location: `${sub ?? ""}/login` });
      res.end();
      return;
    }
    if (!path.startsWith("/api/")) return json(res, 404, { message: "Not found" });
    // Anonymous access serves reads as a Viewer; admin routes still need the admin.
    if (!admin && !(anonymous && req.method === "GET" && !path.startsWith("/api/admin/"))) return json(res, 401, { message: "Invalid username or password" });
    if (path === "/api/admin/settings" && req.method === "GET") return json(res, 200, settings);
    let m = /^\/api\/datasources\/uid\/([^/]+)\/health$/.exec(path);
    if (m && req.method === "GET") {
      const ds = datasources.find((d) => d.uid === decodeURIComponent(m![1]));
      if (!ds) return json(res, 404, { message: "Data source not found" });
      const r = await datasourceHealth(ds);
      return json(res, r.status, r.body);
    }
    m = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path);
    if (m && req.method === "GET") {
      const ds = datasources.find((d) => d.uid === decodeURIComponent(m![1]));
      return ds ? json(res, 200, { ...ds, access: "proxy", readOnly: true }) : json(res, 404, { message: "Data source not found" });
    }
    m = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path);
    if (m && req.method === "GET") {
      const d = dashboards.get(decodeURIComponent(m[1]));
      if (!d) return json(res, 404, { message: "Dashboard not found" });
      return json(res, 200, {
        dashboard: { ...d, id: [...dashboards.keys()].indexOf(String(d.uid)) + 1 },
        meta: {
          type: "db",
          slug: String(d.title ?? "")
            .toLowerCase()
            .replace(/\W+/g, "-"),
          provisioned: true,
          canSave: false,
        },
      });
    }
    if (path === "/api/search" && req.method === "GET") {
      return json(
        res,
        200,
        [...dashboards.values()].map((d, i) => ({ id: i + 1, uid: d.uid, title: d.title, type: "dash-db", tags: d.tags ?? [] })),
      );
    }
    return json(res, 404, { message: "Not found" });
  }

  const server = createServer(
    (req, res) => void handle(req, res).catch(() => (res.headersSent ? res.destroy() : json(res, 500, { message: "internal error" }))),
  );
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  let stopped = false;
  return {
    url: `http://${host}:${port}`,
    port,
    faults,
    async stop() {
      if (stopped) return;
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
