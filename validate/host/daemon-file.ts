/**
 * The engine's daemon.json as the daemon checks see it. Most hardening settings
 * (no-new-privileges, default-ulimits, log-opts, userland-proxy, ...) are not reported by the
 * Engine API on Docker 20.10, so they are read from the file on the Docker host; where the
 * engine does report a setting, the checks compare both (a file edited but not yet loaded by
 * dockerd, or a file that is not the engine's, shows up as a difference).
 *
 * Settings given as dockerd command-line flags instead of in the file are not seen here:
 * docs/docker-host.md keeps all of them in daemon.json.
 */
import { readFile, stat } from "node:fs/promises";
import { describeError } from "../docker/engine-api";

export type DaemonFile =
  /** Read and parsed: a JSON object. `uid` and `mode` of the file for CIS 3.17/3.18. */
  | { kind: "file"; path: string; config: Readonly<Record<string, unknown>>; uid: number; mode: number }
  /** No file: dockerd runs on its built-in defaults. */
  | { kind: "absent"; path: string }
  /** There, but not usable: unreadable, not JSON, not an object. */
  | { kind: "unusable"; path: string; reason: string }
  /** The engine runs on another machine: its file cannot be read from here. */
  | { kind: "remote"; endpoint: string };

/** Parses the file's text the way dockerd does: an empty file is an empty configuration. */
export function parseDaemonFile(path: string, text: string, st: { uid: number; mode: number }): DaemonFile {
  if (text.trim() === "") return { kind: "file", path, config: {}, uid: st.uid, mode: st.mode };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: "unusable", path, reason: `not valid JSON (${(err as Error).message}); dockerd refuses to start with it` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { kind: "unusable", path, reason: `not a JSON object (${Array.isArray(value) ? "an array" : JSON.stringify(value)})` };
  return { kind: "file", path, config: value as Record<string, unknown>, uid: st.uid, mode: st.mode };
}

export async function readDaemonFile(path: string, local: boolean, endpoint: string): Promise<DaemonFile> {
  if (!local) return { kind: "remote", endpoint };
  try {
    const [text, st] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    return parseDaemonFile(path, text, { uid: st.uid, mode: st.mode & 0o7777 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent", path };
    const hint = (err as NodeJS.ErrnoException).code === "EACCES" ? " (run host:check as root, or as a user who can read it)" : "";
    return { kind: "unusable", path, reason: `cannot be read: ${describeError(err)}${hint}` };
  }
}

/** A key of the file: its value, or `undefined` when unset (or there is no file). */
export function fileSetting(file: DaemonFile, key: string): unknown {
  return file.kind === "file" ? file.config[key] : undefined;
}

/** How an unset key reads in a message: "unset (Docker's default: false)". */
export function unset(file: DaemonFile, dockerDefault: string): string {
  const why = file.kind === "absent" ? `${file.path} does not exist; ` : "";
  return `unset (${why}Docker's default: ${dockerDefault})`;
}

export function show(value: unknown): string {
  return JSON.stringify(value);
}

/** The file part of a check cannot run: remote engine, or a file that is there but unusable. */
export function fileProblem(file: DaemonFile): { kind: "remote" | "unusable"; text: string } | undefined {
  if (file.kind === "remote")
    return {
      kind: "remote",
      text: `engine at ${file.endpoint} is remote: its daemon.json cannot be read from here, run host:check on the Docker host (--daemon-json PATH)`,
    };
  if (file.kind === "unusable") return { kind: "unusable", text: `daemon.json at ${file.path} ${file.reason}` };
  return undefined;
}

/** Where the settings came from, for messages: the file's path or "the engine". */
export function fileLabel(file: DaemonFile): string {
  return file.kind === "file" || file.kind === "absent" || file.kind === "unusable" ? file.path : "daemon.json";
}
