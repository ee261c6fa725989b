/**
 * What the kernel says about a task's main process, read on the Docker host through /proc:
 * the flags the daemon set (no-new-privileges, seccomp) and the files the engine mounted,
 * seen through the process's own root. Works for every image, a FROM-scratch one included
 * (no exec into the container), but only where the engine runs.
 */
import { readFileSync, statSync } from "node:fs";

export interface ProcStatus {
  noNewPrivs: number | undefined;
  /** 0 disabled, 1 strict, 2 filter (a seccomp profile is loaded). */
  seccomp: number | undefined;
}

export function parseProcStatus(text: string): ProcStatus {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s*(\\d+)`, "m").exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { noNewPrivs: field("NoNewPrivs"), seccomp: field("Seccomp") };
}

export function readProcStatus(pid: number): ProcStatus | { error: string } {
  if (!(pid > 0)) return { error: "the container has no running process" };
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch (e) {
    return { error: `cannot read /proc/${pid}/status (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): run verify as root on the Docker host` };
  }
}

export interface FileStat {
  uid: string;
  gid: string;
  /** Permission bits, octal, e.g. "0400". */
  mode: string;
}

export function statInTask(pid: number, path: string): FileStat | { error: string } {
  if (!(pid > 0)) return { error: "the container has no running process" };
  try {
    const st = statSync(`/proc/${pid}/root${path}`);
    return { uid: String(st.uid), gid: String(st.gid), mode: `0${(st.mode & 0o777).toString(8).padStart(3, "0")}` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === "ENOENT" ? "not mounted" : `cannot stat (${code ?? (e as Error).message})` };
  }
}
