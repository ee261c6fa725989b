/**
 * An image's root filesystem as a plan: every path with its type, mode and owner, and where
 * its bytes come from (a host file or inline content). Planning touches nothing, so a
 * recipe can be fingerprinted cheaply and only built when its fingerprint is new;
 * `materialize` then writes the tree into a staging directory as root (owners and modes
 * exactly as planned) for `tar` to archive.
 *
 * Paths are absolute image paths. A path below a planned symlink is refused: writing
 * through a symlink in the staging directory could follow an absolute target onto the host.
 */
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, lchownSync, lstatSync, mkdirSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, posix } from "node:path";
import { sharedLibraries } from "./host";

export interface Owner {
  uid: number;
  gid: number;
}

export const ROOT: Owner = { uid: 0, gid: 0 };

interface Base {
  mode: number;
  owner: Owner;
}
type Node =
  | (Base & { kind: "dir"; implicit: boolean })
  | (Base & { kind: "file"; host: string })
  | (Base & { kind: "file"; content: Buffer })
  | { kind: "symlink"; target: string };

export interface EntryOptions {
  mode?: number;
  owner?: Owner;
}

function norm(path: string): string {
  if (!path.startsWith("/")) throw new Error(`image path must be absolute: ${path}`);
  const p = posix.normalize(path).replace(/\/+$/, "");
  return p === "" ? "/" : p;
}

export class ImageTree {
  private readonly nodes = new Map<string, Node>();

  has(path: string): boolean {
    return this.nodes.has(norm(path));
  }

  /** Planned paths (sorted), for tests and messages. */
  paths(): string[] {
    return [...this.nodes.keys()].sort();
  }

  private parents(path: string): void {
    const parts = path.split("/").filter(Boolean);
    let cur = "";
    for (let i = 0; i < parts.length - 1; i++) {
      cur += `/${parts[i]}`;
      const n = this.nodes.get(cur);
      if (!n) this.nodes.set(cur, { kind: "dir", mode: 0o755, owner: ROOT, implicit: true });
      else if (n.kind !== "dir") throw new Error(`cannot place ${path}: ${cur} is planned as a ${n.kind}`);
    }
  }

  private put(path: string, node: Node): void {
    const p = norm(path);
    const prev = this.nodes.get(p);
    if (prev && !(prev.kind === "dir" && node.kind === "dir")) {
      const same = JSON.stringify(prev) === JSON.stringify(node);
      if (!same) throw new Error(`image path ${p} is planned twice (${prev.kind} and ${node.kind})`);
      return;
    }
    this.parents(p);
    this.nodes.set(p, node);
  }

  /** A directory; declaring it again (e.g. after an implicit parent) sets its mode and owner. */
  dir(path: string, opts: EntryOptions = {}): this {
    this.put(path, { kind: "dir", mode: opts.mode ?? 0o755, owner: opts.owner ?? ROOT, implicit: false });
    return this;
  }

  file(path: string, content: string | Buffer, opts: EntryOptions = {}): this {
    this.put(path, {
      kind: "file",
      content: Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8"),
      mode: opts.mode ?? 0o644,
      owner: opts.owner ?? ROOT,
    });
    return this;
  }

  symlink(path: string, target: string): this {
    this.put(path, { kind: "symlink", target });
    return this;
  }

  /** A host file's bytes (symlinks followed) at `imagePath`, with the host's mode unless given. */
  copy(hostPath: string, imagePath = hostPath, opts: EntryOptions = {}): this {
    let st;
    try {
      st = statSync(hostPath);
    } catch (err) {
      throw new Error(`cannot copy ${hostPath} into the image: ${(err as Error).message}`, { cause: err });
    }
    if (!st.isFile()) throw new Error(`cannot copy ${hostPath} into the image: not a regular file`);
    this.put(imagePath, { kind: "file", host: hostPath, mode: opts.mode ?? st.mode & 0o7777, owner: opts.owner ?? ROOT });
    return this;
  }

  /** Every shared object `hostBinary` loads, at the path the loader found it on this machine. */
  libraries(hostBinary: string): this {
    for (const lib of sharedLibraries(hostBinary)) if (!this.has(lib)) this.copy(lib);
    return this;
  }

  /** An executable plus its shared-library closure. */
  binary(hostPath: string, imagePath = hostPath, opts: EntryOptions = {}): this {
    this.copy(hostPath, imagePath, opts);
    return this.libraries(hostPath);
  }

  /**
   * A host directory tree (files, directories, relative symlinks kept as symlinks). `skip`
   * gets the path relative to `hostDir` and leaves that entry (and below) out.
   */
  copyTree(hostDir: string, imageDir = hostDir, opts: { skip?: (rel: string) => boolean; owner?: Owner } = {}): this {
    const walk = (rel: string, depth: number) => {
      if (depth > 32) throw new Error(`${hostDir}/${rel}: directory tree deeper than 32 levels`);
      const hostPath = rel ? join(hostDir, rel) : hostDir;
      const imagePath = rel ? posix.join(imageDir, rel) : imageDir;
      const st = lstatSync(hostPath);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(hostPath);
        // An absolute target means something else inside the image: follow it on the host instead.
        if (target.startsWith("/")) this.copy(hostPath, imagePath, { owner: opts.owner });
        else this.symlink(imagePath, target);
      } else if (st.isDirectory()) {
        this.dir(imagePath, { mode: st.mode & 0o7777, owner: opts.owner });
        for (const name of readdirSync(hostPath).sort()) {
          const child = rel ? `${rel}/${name}` : name;
          if (!opts.skip?.(child)) walk(child, depth + 1);
        }
      } else if (st.isFile()) {
        this.copy(hostPath, imagePath, { mode: st.mode & 0o7777, owner: opts.owner });
      }
    };
    walk("", 0);
    return this;
  }

  /**
   * Fingerprint of the plan: paths, types, modes, owners, inline bytes, and for host files
   * their path, size, mtime and inode (a package upgrade or a checkout changes them).
   */
  fingerprint(): string {
    const h = createHash("sha256");
    for (const path of this.paths()) {
      const n = this.nodes.get(path)!;
      if (n.kind === "symlink") h.update(`L ${path} -> ${n.target}\n`);
      else if (n.kind === "dir") h.update(`D ${path} ${n.mode.toString(8)} ${n.owner.uid}:${n.owner.gid}\n`);
      else if ("host" in n) {
        const st = statSync(n.host);
        h.update(`F ${path} ${n.mode.toString(8)} ${n.owner.uid}:${n.owner.gid} host ${n.host} ${st.size} ${st.mtimeMs} ${st.ino}\n`);
      } else h.update(`F ${path} ${n.mode.toString(8)} ${n.owner.uid}:${n.owner.gid} ${createHash("sha256").update(n.content).digest("hex")}\n`);
    }
    return h.digest("hex");
  }

  /** Bytes the tree will hold (files only), for log lines. */
  size(): number {
    let total = 0;
    for (const n of this.nodes.values()) if (n.kind === "file") total += "host" in n ? statSync(n.host).size : n.content.length;
    return total;
  }

  /** Writes the tree under `stage` (an empty directory). Needs root for the owners. */
  materialize(stage: string): void {
    if (typeof process.getuid === "function" && process.getuid() !== 0)
      throw new Error("building an image tree needs root (files get the image's owners); run as root, as .ci/run does");
    // The staging directory is the image's /: mkdtemp made it 0700.
    chmodSync(stage, 0o755);
    lchownSync(stage, 0, 0);
    for (const path of this.paths()) {
      const n = this.nodes.get(path)!;
      const dst = join(stage, path);
      if (n.kind === "symlink") {
        symlinkSync(n.target, dst);
        lchownSync(dst, 0, 0);
        continue;
      }
      if (n.kind === "dir") mkdirSync(dst, { recursive: false });
      else if ("host" in n) copyFileSync(n.host, dst);
      else writeFileSync(dst, n.content);
      lchownSync(dst, n.owner.uid, n.owner.gid);
      // After chown: chown clears setuid/setgid bits, chmod sets them last.
      chmodSync(dst, n.mode);
    }
  }
}
