/**
 * Free loopback ports for local servers (the drill's scratch server, the test harness). The kernel picks the port (bind to 0), so two
 * parallel jest workers never race on a hand-picked number; the tiny window between
 * closing our socket and the server binding is accepted (a bind failure fails the test).
 */
import { createServer } from "node:net";

export async function freePort(host = "127.0.0.1"): Promise<number> {
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

/** N distinct free ports. */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports = new Set<number>();
  // Bounded: the kernel hands out distinct ports almost always; 10x attempts is plenty.
  for (let attempt = 0; ports.size < count && attempt < count * 10; attempt++) ports.add(await freePort(host));
  if (ports.size < count) throw new Error(`could only find ${ports.size} of ${count} free ports`);
  return [...ports];
}
