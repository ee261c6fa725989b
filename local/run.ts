/**
 * Run a command to completion and capture its output, with a hard timeout. Used for the
 * real tools that read our rendered configs (nginx -t, promtool, amtool, openssl, psql).
 */
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export interface ToolResult {
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  /** Default 30 s; the process group is killed when it elapses. */
  timeoutMs?: number;
}

export function runTool(command: string, args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${err.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ command: [command, ...args].join(" "), code, signal, stdout, stderr, timedOut });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** Like runTool, but throws (with the tool's output) unless it exits 0. */
export async function runToolOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<ToolResult> {
  const r = await runTool(command, args, options);
  if (r.code !== 0) throw new Error(`${r.command} failed (${r.timedOut ? "timed out" : `exit ${r.code ?? r.signal}`}):\n${r.stdout}${r.stderr}`);
  return r;
}

/** Absolute path of an executable, looked up in PATH and the given extra directories. */
export function findExecutable(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", ...extraDirs];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Path of a tool a test needs, or an error that says which Debian package provides it. */
export function requireExecutable(name: string, debianPackage: string, extraDirs: readonly string[] = []): string {
  const path = findExecutable(name, extraDirs);
  if (!path) throw new Error(`${name} not found: install the Debian package "${debianPackage}" (apt-get install -y ${debianPackage})`);
  return path;
}
