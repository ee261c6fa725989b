/**
 * The parts every stand-in shares: users and groups as /etc/passwd and /etc/group, the
 * filesystem skeleton of the base the upstream image is built FROM (Alpine, or the
 * busybox:glibc base of the Prometheus images), busybox-static for the applets, a POSIX
 * /bin/sh, and the CA bundle.
 *
 * /bin/sh is Debian's dash, not busybox's ash. Debian's busybox-static runs its own applets
 * in preference to anything on PATH (FEATURE_SH_STANDALONE) and its wget crashes on -T
 * (built without FEATURE_WGET_TIMEOUT), while every HTTP health check of the stack is
 * `wget -q -T 4 ...` run by /bin/sh. Under dash, `wget` is looked up on PATH (as Alpine's
 * ash does) and finds files/wget.sh, which enforces the timeout around busybox's wget.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TEST_CA_DIR } from "../test-ca";
import { BUSYBOX_PATH } from "../../docker/rootfs";
import { busyboxAppletPaths, requireHostFile } from "./host";
import { ImageTree, ROOT, type Owner } from "./tree";

export interface ImageUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  gecos?: string;
}
export interface ImageGroup {
  name: string;
  gid: number;
  members?: string[];
}

export const ROOT_USER: ImageUser = { name: "root", uid: 0, gid: 0, home: "/root", shell: "/bin/sh", gecos: "root" };
export const ROOT_GROUP: ImageGroup = { name: "root", gid: 0 };
export const NOBODY_USER: ImageUser = { name: "nobody", uid: 65534, gid: 65534, home: "/home", shell: "/bin/false", gecos: "nobody" };
export const NOBODY_GROUP: ImageGroup = { name: "nobody", gid: 65534 };

export const owner = (u: { uid: number; gid: number }): Owner => ({ uid: u.uid, gid: u.gid });

/** Where the upstream base puts busybox's applets: Alpine spreads them (--list-full), busybox:glibc has all in /bin. */
export type BusyboxLayout = "alpine" | "bin";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Packages every image with a shell draws from (their versions go into each image's hash). */
export const BASE_PACKAGES = ["busybox-static", "dash", "libc6", "ca-certificates"] as const;
export const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
const TEST_CA_CERT = join(TEST_CA_DIR, "ca.crt");

export function passwdFile(users: readonly ImageUser[]): string {
  return users.map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.gecos ?? u.name}:${u.home}:${u.shell}\n`).join("");
}

export function groupFile(groups: readonly ImageGroup[]): string {
  return groups.map((g) => `${g.name}:x:${g.gid}:${(g.members ?? []).join(",")}\n`).join("");
}

/** Replaces busybox's wget, whose -T crashes in Debian's build (see files/wget.sh). */
export const WGET_BRIDGE = join(__dirname, "files", "wget.sh");

/**
 * busybox-static at /bin/busybox and a symlink per applet, never over a path the recipe
 * already planned; /bin/sh is dash and wget is the -T bridge (see the file comment).
 */
export function addBusybox(tree: ImageTree, layout: BusyboxLayout): void {
  requireHostFile(BUSYBOX_PATH, "busybox-static");
  tree.copy(BUSYBOX_PATH, "/bin/busybox", { mode: 0o755 });
  tree.binary(requireHostFile("/usr/bin/dash", "dash"), "/bin/dash", { mode: 0o755 });
  tree.symlink("/bin/sh", "dash");
  for (const rel of busyboxAppletPaths(BUSYBOX_PATH)) {
    // linuxrc lives at / and only means something to an initramfs.
    if (!rel.includes("/")) continue;
    const name = rel.split("/").pop()!;
    const path = layout === "bin" ? `/bin/${name}` : `/${rel}`;
    if (path === "/bin/busybox" || tree.has(path)) continue;
    if (name === "wget") tree.copy(WGET_BRIDGE, path, { mode: 0o755 });
    else tree.symlink(path, "/bin/busybox");
  }
}

export interface BaseOptions {
  users: readonly ImageUser[];
  groups: readonly ImageGroup[];
  /** null: no busybox at all (the FROM-scratch image). */
  busybox: BusyboxLayout | null;
  /** Whether the base has /tmp (default true). */
  tmp?: boolean;
  /** What this stand-in is, written to /etc/os-release so a shell in the container can tell. */
  description: string;
}

/** The skeleton of the upstream base image. Call after planning the image's own binaries. */
export function addBase(tree: ImageTree, options: BaseOptions): void {
  requireHostFile(CA_BUNDLE, "ca-certificates");
  // The machine's public CAs plus the suite's test CA, which stands for the public CA that
  // signs a production certificate (testing/engine/test-ca.ts): what the S3 stand-in and the
  // stack's edge certificate chain to.
  tree.file(CA_BUNDLE, `${readFileSync(CA_BUNDLE, "utf8").trimEnd()}\n${readFileSync(TEST_CA_CERT, "utf8")}`, { mode: 0o644 });
  // FROM scratch: nothing but what the binary needs (upstream copies the CA bundle only).
  if (options.busybox === null) return;
  tree.dir("/etc");
  if (options.tmp ?? true) tree.dir("/tmp", { mode: 0o1777 });
  tree.file("/etc/passwd", passwdFile(options.users));
  tree.file("/etc/group", groupFile(options.groups));
  // Name lookups through /etc/hosts first (Docker writes the service names there), then DNS.
  tree.file("/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n");
  tree.file("/etc/os-release", `NAME="mcp-engine stand-in"\nID=mcp-engine\nPRETTY_NAME="${options.description}"\n`);
  for (const d of ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/home", "/run", "/var", "/proc", "/sys", "/dev", "/mnt"])
    if (!tree.has(d)) tree.dir(d);
  tree.dir("/root", { mode: 0o700, owner: ROOT });
  if (options.busybox === "alpine") {
    tree.symlink("/etc/ssl/cert.pem", "certs/ca-certificates.crt");
    if (!tree.has("/var/run")) tree.symlink("/var/run", "../run");
  }
  addBusybox(tree, options.busybox);
}
