/**
 * What an image build reads from this machine: installed Debian package versions, files a
 * package must have provided, and the shared-library closure of a binary (ldd). Every
 * failure names the package to install, so a fresh machine says what it lacks instead of
 * producing an image that dies at start.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const TIMEOUT_MS = 20_000;

function run(command: string, args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: TIMEOUT_MS, maxBuffer: 16 << 20 });
  if (r.error) throw new Error(`could not run ${command} ${args.join(" ")}: ${r.error.message}`);
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Installed versions of `packages`; throws naming every one that is missing. */
export function dpkgVersions(packages: readonly string[]): Record<string, string> {
  const wanted = [...new Set(packages)].sort();
  if (wanted.length === 0) return {};
  // dpkg-query exits 1 when any name is unknown but still prints the known ones.
  const r = run("dpkg-query", ["-W", "-f=${Package}\t${Version}\t${db:Status-Status}\n", ...wanted]);
  const found: Record<string, string> = {};
  for (const line of r.stdout.split("\n")) {
    const [name, version, status] = line.split("\t");
    if (name && version && status === "installed") found[name] = version;
  }
  const missing = wanted.filter((p) => !found[p]);
  if (missing.length)
    throw new Error(`Debian package${missing.length > 1 ? "s" : ""} not installed: ${missing.join(", ")} (apt-get install -y ${missing.join(" ")})`);
  return Object.fromEntries(wanted.map((p) => [p, found[p]]));
}

/** `path`, which Debian's `pkg` installs; throws naming the package when it is absent. */
export function requireHostFile(path: string, pkg: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: it comes from Debian's ${pkg} (apt-get install -y ${pkg})`);
  return path;
}

const lddCache = new Map<string, string[]>();

/**
 * Absolute paths of every shared object `binary` loads, the dynamic loader included, as
 * ldd resolves them on this machine. A static binary has none.
 */
export function sharedLibraries(binary: string): string[] {
  const cached = lddCache.get(binary);
  if (cached) return cached;
  const r = run("ldd", [binary]);
  const text = `${r.stdout}${r.stderr}`;
  if (/not a dynamic executable|statically linked/.test(text)) {
    lddCache.set(binary, []);
    return [];
  }
  if (r.code !== 0) throw new Error(`ldd ${binary} failed (exit ${r.code}): ${text.trim()}`);
  const libs: string[] = [];
  for (const raw of r.stdout.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const missing = /^(\S+) => not found/.exec(line);
    if (missing) throw new Error(`${binary} needs ${missing[1]}, which no installed package provides (ldd: not found)`);
    const arrow = /^\S+ => (\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    const direct = /^(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    const path = arrow?.[1] ?? direct?.[1];
    if (path) libs.push(path);
  }
  lddCache.set(binary, libs);
  return libs;
}

/** `busybox --list-full` of the host's busybox-static: applet paths relative to /. */
export function busyboxAppletPaths(busybox: string): string[] {
  const r = run(busybox, ["--list-full"]);
  if (r.code !== 0) throw new Error(`${busybox} --list-full failed: ${r.stderr.trim()}`);
  return r.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}
