/**
 * A root filesystem tarball for a test image, built from Debian's busybox-static (one
 * static binary, applets as symlinks). No registry is reachable here, so the engine gets
 * its image through `POST /images/create?fromSrc=-` (docker import) of this tarball.
 * Pure except for reading the busybox binary.
 */
import { readFileSync } from "node:fs";

export const BUSYBOX_PATH = "/bin/busybox";

/** Applets the tests' containers run (commands, health checks, a crash loop). */
export const APPLETS = ["sh", "sleep", "true", "false", "id", "cat", "echo", "env", "ls", "test", "wget", "nc", "httpd", "kill", "nslookup"];

export interface TarEntry {
  path: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  content?: Buffer;
  linkTarget?: string;
  uid?: number;
  gid?: number;
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL.
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(e: TarEntry): Buffer {
  const h = Buffer.alloc(512, 0);
  const name = e.type === "dir" && !e.path.endsWith("/") ? `${e.path}/` : e.path;
  if (Buffer.byteLength(name) > 100) throw new Error(`tar path longer than 100 bytes: ${name}`);
  h.write(name, 0, 100, "utf8");
  h.write(octal(e.mode & 0o7777, 8), 100, 8, "ascii");
  h.write(octal(e.uid ?? 0, 8), 108, 8, "ascii");
  h.write(octal(e.gid ?? 0, 8), 116, 8, "ascii");
  h.write(octal(e.type === "file" ? (e.content?.length ?? 0) : 0, 12), 124, 12, "ascii");
  h.write(octal(0, 12), 136, 12, "ascii");
  h.write("        ", 148, 8, "ascii");
  h.write(e.type === "file" ? "0" : e.type === "dir" ? "5" : "2", 156, 1, "ascii");
  if (e.linkTarget) h.write(e.linkTarget, 157, 100, "utf8");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.write("root", 265, 32, "ascii");
  h.write("root", 297, 32, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return h;
}

/** A POSIX ustar archive of the entries (two zero blocks at the end). */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(header(e));
    if (e.type === "file" && e.content && e.content.length > 0) {
      parts.push(e.content);
      const pad = (512 - (e.content.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

/** The test user the "good" containers run as. */
export const TEST_UID = 1000;

export function busyboxRootfsEntries(busybox: Buffer): TarEntry[] {
  const text = (s: string) => Buffer.from(s, "utf8");
  return [
    ...["bin", "etc", "run", "var", "home"].map((p): TarEntry => ({ path: p, type: "dir", mode: 0o755 })),
    { path: "tmp", type: "dir", mode: 0o1777 },
    { path: "bin/busybox", type: "file", mode: 0o755, content: busybox },
    ...APPLETS.map((a): TarEntry => ({ path: `bin/${a}`, type: "symlink", mode: 0o777, linkTarget: "busybox" })),
    {
      path: "etc/passwd",
      type: "file",
      mode: 0o644,
      content: text(`root:x:0:0:root:/root:/bin/sh\napp:x:${TEST_UID}:${TEST_UID}:app:/home:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n`),
    },
    { path: "etc/group", type: "file", mode: 0o644, content: text(`root:x:0:\napp:x:${TEST_UID}:\nnogroup:x:65534:\n`) },
  ];
}

export function busyboxRootfsTar(busyboxPath = BUSYBOX_PATH): Buffer {
  let busybox: Buffer;
  try {
    busybox = readFileSync(busyboxPath);
  } catch (err) {
    throw new Error(`cannot read ${busyboxPath} (${(err as Error).message}): install Debian's busybox-static`, { cause: err });
  }
  return tarArchive(busyboxRootfsEntries(busybox));
}
