/**
 * A real Nginx (Debian's nginx) for the runtime-check tests: the configuration rendered by
 * infra/render/nginx.ts with loopback listeners and upstreams, a certificate made by the
 * test, the rendered static files, all under a temp dir, run as the unprivileged `nobody`
 * user. `restart` swaps configuration or certificate (fault injection) on the same ports.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { http2ModeForVersion, renderNginxConf, type NginxInput } from "../../infra/render/nginx";
import { freePorts } from "../../local/ports";
import { startProcess, tcpReady, type RunningProcess } from "../tools/process";
import { requireExecutable } from "../../local/run";
import { allowTraversal, chownTree, makeTempDir, type TempDir } from "../../local/tempdir";

export interface NginxCert {
  certPem: string;
  keyPem: string;
}

export interface NginxServerOptions {
  /** The input minus what the harness owns (listen ports, paths under the temp dir). */
  input: Omit<NginxInput, "listen" | "bindAddress" | "publicPorts" | "tls" | "staticRoot" | "runtime" | "http2" | "statusAllow">;
  cert: NginxCert;
  /** Relative path under the static root -> content (renderStaticFiles output). */
  staticFiles: Record<string, string>;
  /** Fault injection on the rendered text (e.g. remove the redirect). */
  transform?: (conf: string) => string;
  /** Listen ports (default: free ports picked here). */
  ports?: { http: number; https: number; status: number };
}

export interface NginxServer {
  httpPort: number;
  httpsPort: number;
  statusPort: number;
  dir: string;
  /** The configuration currently loaded. */
  conf(): string;
  restart(changes?: Partial<NginxServerOptions>): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

const RUN_AS = "nobody";

function userIds(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", user]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", user]).toString().trim());
  return { uid, gid };
}

export async function startNginx(initial: NginxServerOptions): Promise<NginxServer> {
  const nginx = requireExecutable("nginx", "nginx");
  // `nginx -v` prints to stderr.
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync(nginx, ["-v"], { encoding: "utf8" }).stderr ?? "")?.[1];
  const dir: TempDir = makeTempDir("mcp-nginx-");
  const [httpPort, httpsPort, statusPort] = initial.ports ? [initial.ports.http, initial.ports.https, initial.ports.status] : await freePorts(3);
  const ids = userIds(RUN_AS);
  let options = initial;
  let proc: RunningProcess | undefined;
  let confText = "";

  const write = () => {
    const input: NginxInput = {
      ...options.input,
      listen: { http: httpPort, https: httpsPort, status: statusPort },
      bindAddress: "127.0.0.1",
      publicPorts: { http: httpPort, https: httpsPort },
      tls: { certPath: dir.join("tls", "server.crt"), keyPath: dir.join("tls", "server.key") },
      staticRoot: dir.join("html"),
      statusAllow: ["127.0.0.1"],
      http2: http2ModeForVersion(version),
      runtime: {
        pidFile: dir.join("nginx.pid"),
        tempDir: dir.join("tmp"),
        errorLog: dir.join("error.log"),
        accessLog: dir.join("access.log"),
        mimeTypes: "/etc/nginx/mime.types",
      },
    };
    mkdirSync(dir.join("tls"), { recursive: true });
    mkdirSync(dir.join("tmp"), { recursive: true });
    writeFileSync(input.tls.certPath, options.cert.certPem);
    writeFileSync(input.tls.keyPath, options.cert.keyPem);
    chmodSync(input.tls.keyPath, 0o600);
    for (const [rel, content] of Object.entries(options.staticFiles)) {
      const file = join(input.staticRoot, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    const rendered = renderNginxConf(input);
    confText = options.transform ? options.transform(rendered) : rendered;
    writeFileSync(dir.join("nginx.conf"), confText);
    allowTraversal(dir.path);
    chownTree(dir.path, ids.uid, ids.gid);
  };

  const start = async () => {
    write();
    // setpriv execs nginx as the user (runuser would fork and, on SIGTERM, wait 2 s before passing it on).
    proc = await startProcess(
      "setpriv",
      [
        `--reuid=${ids.uid}`,
        `--regid=${ids.gid}`,
        "--clear-groups",
        "--",
        nginx,
        "-p",
        dir.path,
        "-e",
        dir.join("startup-error.log"),
        "-c",
        dir.join("nginx.conf"),
        "-g",
        "daemon off;",
      ],
      {
        ready: async () => (await tcpReady(httpsPort)()) && (await tcpReady(httpPort)()),
        readyTimeoutMs: 10_000,
        pollIntervalMs: 50,
        stopSignal: "SIGTERM",
        stopTimeoutMs: 3000,
      },
    );
  };

  try {
    await start();
  } catch (e) {
    dir.remove();
    throw e;
  }
  return {
    httpPort,
    httpsPort,
    statusPort,
    dir: dir.path,
    conf: () => confText,
    output: () => `${proc?.output() ?? ""}${safeRead(dir.join("error.log"))}`,
    async restart(changes = {}) {
      await proc?.stop();
      options = { ...options, ...changes };
      await start();
    },
    async stop() {
      await proc?.stop();
      dir.remove();
    },
  };
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
