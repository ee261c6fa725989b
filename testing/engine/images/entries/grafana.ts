/**
 * The `grafana` program of the Grafana image (stand-in for grafana/grafana-oss): takes the
 * command line /run.sh builds (`grafana server --homepath=... --config=... cfg:default.paths.*=...`)
 * and the GF_* environment, reads the provisioning files the program renders (datasources
 * and dashboard providers under the provisioning path, dashboard JSON under each file
 * provider's path) and serves them with testing/stand-ins/grafana.ts on GF_SERVER_HTTP_PORT.
 *
 * Like Grafana, it will not start when it cannot write its data directory (where Grafana
 * keeps its sqlite database). __GRAFANA_VERSION__ is filled in at bundle time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { startGrafanaStandIn } from "../../../stand-ins/grafana";

declare const __GRAFANA_VERSION__: string;

function log(level: string, logger: string, msg: string, fields: Record<string, string | number> = {}): void {
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === "number" ? v : JSON.stringify(v)}`)
    .join("");
  process.stderr.write(`logger=${logger} t=${new Date().toISOString()} level=${level} msg=${JSON.stringify(msg)}${extra}\n`);
}

function fail(msg: string): never {
  log("error", "server", msg);
  process.exit(1);
}

/** `cfg:default.paths.data=/var/lib/grafana` style overrides from the command line. */
function cfgOverrides(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const m = /^cfg:(?:default\.)?([^=]+)=(.*)$/.exec(a);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function readProvisioning(provisioningDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of yamlFiles(join(provisioningDir, "datasources"))) files[f] = readFileSync(f, "utf8");
  for (const f of yamlFiles(join(provisioningDir, "dashboards"))) {
    const doc = parse(readFileSync(f, "utf8")) as { providers?: { type?: string; options?: { path?: string } }[] } | null;
    for (const p of doc?.providers ?? []) {
      const dir = p.options?.path;
      if ((p.type ?? "file") !== "file" || !dir) continue;
      if (!existsSync(dir)) {
        log("warn", "provisioning.dashboard", "dashboard provider path does not exist", { path: dir });
        continue;
      }
      for (const name of readdirSync(dir)
        .filter((n) => n.endsWith(".json"))
        .sort())
        files[join(dir, name)] = readFileSync(join(dir, name), "utf8");
    }
  }
  return files;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("-v") || args.includes("--version")) {
    process.stdout.write(`Version ${__GRAFANA_VERSION__} (stand-in, node ${process.version})\n`);
    return;
  }
  if (args[0] !== "server") fail(`only "grafana server" is implemented by this stand-in (got "${args[0] ?? ""}")`);
  const cfg = cfgOverrides(args);
  const env = process.env;
  const dataDir = cfg["paths.data"] ?? env.GF_PATHS_DATA ?? "/var/lib/grafana";
  const provisioningDir = env.GF_PATHS_PROVISIONING ?? cfg["paths.provisioning"] ?? "/etc/grafana/provisioning";

  // Grafana opens (creating) its sqlite database here first; an unwritable data dir ends the start.
  const probe = join(dataDir, `.stand-in-write-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (err) {
    fail(`failed to open the database in ${dataDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const plugins = cfg["paths.plugins"] ?? env.GF_PATHS_PLUGINS;
  if (plugins && !existsSync(plugins)) mkdirSync(plugins, { recursive: true });

  const port = Number(env.GF_SERVER_HTTP_PORT ?? "3000");
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`GF_SERVER_HTTP_PORT=${env.GF_SERVER_HTTP_PORT} is not a port`);
  let subPath: string | undefined;
  if (env.GF_SERVER_SERVE_FROM_SUB_PATH === "true" && env.GF_SERVER_ROOT_URL) {
    try {
      const p = new URL(env.GF_SERVER_ROOT_URL.replace(/%\(.*?\)s/g, "x")).pathname.replace(/\/+$/, "");
      if (p) subPath = p;
    } catch {
      fail(`GF_SERVER_ROOT_URL=${env.GF_SERVER_ROOT_URL} is not a URL`);
    }
  }
  const provisioning = readProvisioning(provisioningDir);
  const server = await startGrafanaStandIn({
    adminUser: env.GF_SECURITY_ADMIN_USER || "admin",
    // run.sh exported it from GF_SECURITY_ADMIN_PASSWORD__FILE; Grafana's default otherwise.
    adminPassword: env.GF_SECURITY_ADMIN_PASSWORD || "admin",
    provisioning,
    version: __GRAFANA_VERSION__,
    host: env.GF_SERVER_HTTP_ADDR || "0.0.0.0",
    port,
    subPath,
    env,
  });
  log("info", "provisioning", "provisioned", { files: Object.keys(provisioning).length, path: provisioningDir });
  log("info", "http.server", "HTTP Server Listen", { address: `${env.GF_SERVER_HTTP_ADDR || "[::]"}:${server.port}`, protocol: "http", subUrl: subPath ?? "" });
  const stop = (signal: string) => {
    log("info", "server", "Shutdown started", { reason: `System signal: ${signal}` });
    const hard = setTimeout(() => process.exit(0), 5000);
    hard.unref();
    void server.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("terminated"));
  process.on("SIGINT", () => stop("interrupt"));
}

main().catch((err: Error) => fail(`start failed: ${err.message}`));
