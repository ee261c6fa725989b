/**
 * The Docker test engine is torn down in every path: a normal stop, a test process that
 * throws or exits without stopping it (process 'exit' guard), and one killed outright
 * (detached watchdog). Each crash case runs in a child process that starts its own engine.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { tarArchive } from "../../testing/docker/rootfs";
import { mountsUnder, processesOf } from "../../testing/docker/reaper";
import { processAlive } from "../../local/pids";

jest.setTimeout(90_000);

interface Crashed {
  dir: string;
  dockerdPid: number;
  containerPid: number;
  /** Host interfaces the engine made (the swarm gateway bridge). */
  links: string[];
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

function crash(mode: string): Promise<Crashed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", join(__dirname, "fixtures/engine-crash.ts"), mode], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return reject(new Error(`fixture printed no state (code ${code}, signal ${signal}):\n${out}\n${err}`));
      resolve({ ...JSON.parse(line), exit: { code, signal } });
    });
  });
}

/** Polls (bounded) until nothing of the engine is left; returns what is left at the deadline. */
async function leftovers(c: Crashed, withinMs: number): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = [
      ...(existsSync(c.dir) ? [`directory ${c.dir}`] : []),
      ...(processAlive(c.dockerdPid) ? [`dockerd ${c.dockerdPid}`] : []),
      ...(processAlive(c.containerPid) ? [`container process ${c.containerPid}`] : []),
      ...processesOf(c.dir)
        .filter(processAlive)
        .map((p) => `process ${p}`),
      ...mountsUnder(c.dir).map((m) => `mount ${m}`),
      ...c.links.filter((l) => spawnSync("ip", ["link", "show", l], { stdio: "ignore" }).status === 0).map((l) => `interface ${l}`),
    ];
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("docker test engine teardown", () => {
  it("cleans up through the exit guard when the test process throws", async () => {
    const c = await crash("throw");
    expect(c.exit.code).not.toBe(0);
    expect(c.containerPid).toBeGreaterThan(0);
    // The guard runs synchronously before the process is gone.
    expect(await leftovers(c, 2_000)).toEqual([]);
  });

  it("cleans up through the watchdog when the test process is killed with SIGKILL", async () => {
    const c = await crash("sigkill");
    expect(c.exit.signal).toBe("SIGKILL");
    // Watchdog notices within ~1 s, then dockerd's own shutdown (2 s stop timeout) and the reaper.
    expect(await leftovers(c, 30_000)).toEqual([]);
  });

  it("cleans up a swarm engine (task, overlay, gateway bridge) through the watchdog after SIGKILL", async () => {
    const c = await crash("swarm-sigkill");
    expect(c.exit.signal).toBe("SIGKILL");
    expect(c.links).toHaveLength(1);
    expect(await leftovers(c, 40_000)).toEqual([]);
  });
});

describe("rootfs tarball", () => {
  it("writes ustar headers with valid checksums, padded content and the end-of-archive blocks", () => {
    const tar = tarArchive([
      { path: "bin", type: "dir", mode: 0o755 },
      { path: "bin/hello", type: "file", mode: 0o755, content: Buffer.from("#!/bin/sh\necho hi\n") },
      { path: "bin/sh", type: "symlink", mode: 0o777, linkTarget: "busybox" },
    ]);
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(tar.length - 1024).every((b) => b === 0)).toBe(true);
    const headers = [0, 512, 1536].map((o) => tar.subarray(o, o + 512));
    for (const h of headers) {
      expect(h.subarray(257, 263).toString("ascii")).toBe("ustar\0");
      const stored = parseInt(h.subarray(148, 154).toString("ascii"), 8);
      const sum = [...h].reduce((n, b, i) => n + (i >= 148 && i < 156 ? 32 : b), 0);
      expect(stored).toBe(sum);
    }
    expect(headers.map((h) => [h.subarray(0, 100).toString().replace(/\0+$/, ""), String.fromCharCode(h[156])])).toEqual([
      ["bin/", "5"],
      ["bin/hello", "0"],
      ["bin/sh", "2"],
    ]);
    expect(tar.subarray(1024, 1024 + 18).toString()).toBe("#!/bin/sh\necho hi\n");
    expect(parseInt(headers[1].subarray(124, 135).toString("ascii"), 8)).toBe(18);
  });
});
