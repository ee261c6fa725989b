/**
 * The real tools that read our rendered configs, each run on a file and returning the
 * tool's own verdict and output (tests assert on both: a clean pass, and a rejected
 * broken variant, so a check that never fails cannot slip in).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireExecutable, runTool, ToolResult } from "../../local/run";

export interface NginxTestOptions {
  /** Prefix dir (-p); relative paths in the config resolve against it. */
  prefix: string;
  /**
   * Host names the config refers to (upstreams) and the address each resolves to.
   * nginx -t resolves upstream names at parse time; given hosts, the test runs in a
   * private mount namespace (`unshare --mount`, needs root) with these entries
   * bind-mounted over /etc/hosts, so the production config is tested unchanged.
   */
  hosts?: Record<string, string>;
  timeoutMs?: number;
}

/** `nginx -t` on a config file. Passing means exit 0 and "test is successful". */
export async function nginxConfigTest(confPath: string, options: NginxTestOptions): Promise<ToolResult> {
  const nginx = requireExecutable("nginx", "nginx");
  // -e keeps nginx from opening the compiled-in /var/log/nginx/error.log before it reads the config.
  const args = ["-t", "-p", options.prefix, "-e", join(options.prefix, "startup-error.log"), "-c", confPath];
  if (!options.hosts || Object.keys(options.hosts).length === 0) return runTool(nginx, args, { timeoutMs: options.timeoutMs });
  const hostsFile = join(options.prefix, "hosts");
  const lines = ["127.0.0.1 localhost", "::1 localhost ip6-localhost", ...Object.entries(options.hosts).map(([name, ip]) => `${ip} ${name}`)];
  writeFileSync(hostsFile, lines.join("\n") + "\n");
  const unshare = requireExecutable("unshare", "util-linux");
  const script = 'mount --bind "$1" /etc/hosts && shift && exec "$@"';
  return runTool(unshare, ["--mount", "--propagation", "private", "sh", "-c", script, "sh", hostsFile, nginx, ...args], { timeoutMs: options.timeoutMs });
}

export function promtoolCheckConfig(configPath: string): Promise<ToolResult> {
  return runTool(requireExecutable("promtool", "prometheus"), ["check", "config", configPath]);
}

export function promtoolCheckRules(...rulePaths: string[]): Promise<ToolResult> {
  return runTool(requireExecutable("promtool", "prometheus"), ["check", "rules", ...rulePaths]);
}

/** Runs rule unit tests; rule_files in the test file resolve relative to the test file. */
export function promtoolTestRules(testPath: string): Promise<ToolResult> {
  return runTool(requireExecutable("promtool", "prometheus"), ["test", "rules", testPath], { timeoutMs: 60_000 });
}

export function amtoolCheckConfig(configPath: string): Promise<ToolResult> {
  return runTool(requireExecutable("amtool", "prometheus-alertmanager"), ["check-config", configPath]);
}

/** Receivers an alert with these labels is routed to, per `amtool config routes test` (comma-separated on stdout). */
export function amtoolRoutesTest(configPath: string, labels: Record<string, string>): Promise<ToolResult> {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return runTool(requireExecutable("amtool", "prometheus-alertmanager"), ["config", "routes", "test", `--config.file=${configPath}`, ...pairs]);
}

/** Debian ships the blackbox exporter as `prometheus-blackbox-exporter`. */
export function blackboxCheckConfig(configPath: string): Promise<ToolResult> {
  const bin = requireExecutable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
  return runTool(bin, ["--config.check", `--config.file=${configPath}`]);
}

/** Joined output for assertions and failure messages. */
export const outputOf = (r: ToolResult) => `${r.stdout}${r.stderr}`;
