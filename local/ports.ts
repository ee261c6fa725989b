/**
 * Free loopback ports for local servers (the drill's scratch server, the test harness). The kernel
 * picks the port (bind to 0), then the port is reserved across processes: the kernel will hand the
 * same port to the next caller as soon as our probe socket closes, and parallel jest workers ask
 * for ports all the time, so a port another process was given but has not bound yet must not be
 * given again. The reservation is a file named after the port, created exclusively (O_EXCL is the
 * atomic step) in one directory under the temp dir; it is released at process exit and expires
 * after RESERVATION_MS, much longer than any harness takes from asking to binding. A bind that
 * still fails (something outside these processes took the port) fails the test.
 */
import { closeSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const RESERVATION_DIR = join(tmpdir(), "mcp-port-reservations");
export const RESERVATION_MS = 10 * 60_000;
/** Kernel picks to try before giving up (each one reserved by someone else costs a retry). */
const MAX_PICKS = 50;

const mine = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const file of mine) rmSync(file, { force: true });
  });
}

function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not obtain a free port"))));
    });
  });
}

/** True when this call now holds the port's reservation (a fresh one held by anyone else: false). */
export function reservePort(port: number, host = "127.0.0.1", now = Date.now()): boolean {
  mkdirSync(RESERVATION_DIR, { recursive: true, mode: 0o1777 });
  const file = join(RESERVATION_DIR, `${host}-${port}`);
  // Bounded: one takeover of an expired reservation, then one more exclusive create.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      mine.add(file);
      installExitHook();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let mtime: number;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        continue; // released between our create and stat: try again
      }
      if (now - mtime < RESERVATION_MS) return false;
      rmSync(file, { force: true });
    }
  }
  return false;
}

/** Drops expired reservations (a process killed before its exit hook ran leaves its files). */
function pruneExpired(now: number): void {
  let names: string[];
  try {
    names = readdirSync(RESERVATION_DIR);
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(RESERVATION_DIR, name);
    try {
      if (now - statSync(file).mtimeMs >= RESERVATION_MS) rmSync(file, { force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

export async function freePort(host = "127.0.0.1"): Promise<number> {
  for (let pick = 0; pick < MAX_PICKS; pick++) {
    const port = await kernelPort(host);
    if (reservePort(port, host)) return port;
    if (pick === 0) pruneExpired(Date.now());
  }
  throw new Error(`no free port on ${host} after ${MAX_PICKS} picks: every one the kernel offered is reserved in ${RESERVATION_DIR}`);
}

/** N distinct free ports. */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports: number[] = [];
  // Distinct by construction: each one is reserved before the next is asked for.
  for (let i = 0; i < count; i++) ports.push(await freePort(host));
  return ports;
}
