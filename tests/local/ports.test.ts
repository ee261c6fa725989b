/**
 * local/ports.ts: the kernel picks a free port, and a port handed to one process is reserved
 * across processes, so parallel jest workers never get the same port from the helper.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { freePort, freePorts, reservePort, RESERVATION_DIR, RESERVATION_MS } from "../../local/ports";

const ROOT = join(__dirname, "../..");
const reservation = (port: number) => join(RESERVATION_DIR, `127.0.0.1-${port}`);

interface PortChild {
  ports: Promise<number[]>;
  /** Lets the child exit (releasing its reservations); resolves when it has. */
  exit(): Promise<void>;
}

/** A separate process asking for `count` ports one after another, as a jest worker's harness does; it holds them until told to exit. */
function portsFromAnotherProcess(count: number): PortChild {
  const code = `const { freePort } = require(${JSON.stringify(join(ROOT, "local/ports"))});
(async () => { const out = []; for (let i = 0; i < ${count}; i++) out.push(await freePort()); console.log(JSON.stringify(out)); process.stdin.resume(); })();`;
  const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", "-e", code], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const closed = new Promise<number | null>((resolve) => child.on("close", (c) => (clearTimeout(timer), resolve(c))));
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const ports = new Promise<number[]>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      if (out.endsWith("\n")) resolve(JSON.parse(out) as number[]);
    });
    void closed.then((c) => reject(new Error(`port child exited ${c} before answering: ${err}`)));
  });
  return {
    ports,
    exit: async () => {
      child.stdin.end();
      await closed;
    },
  };
}

test("a free port can be bound, and is reserved for this process until it exits", async () => {
  const port = await freePort();
  expect(readFileSync(reservation(port), "utf8")).toBe(`${process.pid}\n`);
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", () => resolve()));
  await new Promise((resolve) => server.close(resolve));
});

test("a fresh reservation is never handed out again; an expired one is taken over", async () => {
  const port = await freePort();
  expect(reservePort(port)).toBe(false);
  expect(reservePort(port, "127.0.0.1", Date.now() + RESERVATION_MS + 1000)).toBe(true);
  rmSync(reservation(port), { force: true });
  expect(reservePort(port)).toBe(true);
  expect(existsSync(reservation(port))).toBe(true);
});

test("two processes asking at the same time never get the same port", async () => {
  // Hundreds of picks each: without the reservation the kernel's random choice repeats a port
  // across the two processes almost every time (birthday odds over ~14,000 ports).
  const children = [portsFromAnotherProcess(300), portsFromAnotherProcess(300)];
  try {
    const [a, b, own] = await Promise.all([children[0].ports, children[1].ports, freePorts(300)]);
    const all = [...a, ...b, ...own];
    expect(all).toHaveLength(900);
    expect(new Set(all).size).toBe(900);
    // A child releases its reservations when it exits.
    await children[0].exit();
    expect(a.filter((p) => existsSync(reservation(p)))).toEqual([]);
    expect(b.every((p) => existsSync(reservation(p)))).toBe(true);
  } finally {
    await Promise.all(children.map((c) => c.exit()));
  }
}, 120_000);
