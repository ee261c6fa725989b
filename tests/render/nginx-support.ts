/**
 * Shared by the nginx renderer tests: the local nginx's HTTP/2 syntax, and a stack's
 * rendered input with only the file locations moved into a temp dir (upstreams, ports,
 * server name and every directive stay as deployed).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { NginxInput, http2ModeForVersion, nginxInputFromConfig } from "../../infra/render/nginx";
import type { StackConfig } from "../../infra/config/load";
import { requireExecutable, runTool, TempDir, TestCertificates } from "../../testing/tools";

/** Version of the nginx on this machine (Debian 1.22 here; the image is newer). */
export async function localNginxVersion(): Promise<string> {
  const r = await runTool(requireExecutable("nginx", "nginx"), ["-v"]);
  const m = /nginx\/(\d+\.\d+\.\d+)/.exec(r.stderr + r.stdout);
  if (!m) throw new Error(`cannot read nginx version from: ${r.stderr}`);
  return m[1];
}

/**
 * The stack's nginx input with TLS files, runtime paths and static root under `dir`, and
 * the HTTP/2 switch the local nginx understands (`http2 on` needs >= 1.25.1).
 */
export async function inputForLocalRun(config: StackConfig, dir: TempDir, certs: TestCertificates): Promise<NginxInput> {
  const base = nginxInputFromConfig(config);
  mkdirSync(dir.join("html"), { recursive: true });
  mkdirSync(dir.join("logs"), { recursive: true });
  mkdirSync(dir.join("temp"), { recursive: true });
  return {
    ...base,
    tls: { certPath: certs.cert, keyPath: certs.key },
    staticRoot: dir.join("html"),
    http2: http2ModeForVersion(await localNginxVersion()),
    runtime: {
      pidFile: dir.join("nginx.pid"),
      tempDir: dir.join("temp"),
      errorLog: dir.join("logs", "error.log"),
      accessLog: dir.join("logs", "access.log"),
      mimeTypes: "/etc/nginx/mime.types",
    },
  };
}

export function writeConf(dir: TempDir, name: string, content: string): string {
  const path = dir.join(name);
  writeFileSync(path, content);
  return path;
}

/** Every upstream host name in the input, mapped to loopback for `nginx -t`. */
export function loopbackHosts(input: NginxInput): Record<string, string> {
  const names = [...input.upstreams, ...(input.grafanaUpstream ? [input.grafanaUpstream] : [])].map((u) => u.replace(/:\d+$/, ""));
  return Object.fromEntries(names.map((n) => [n, "127.0.0.1"]));
}
