/**
 * Short-lived containers and execs on the private test engine, with their output and exit
 * code, every wait bounded. Containers run hardened the way the stack runs its services
 * (read-only root, every capability dropped, no-new-privileges, a pids limit) and, unless a
 * network is named, with network mode "none".
 */
import type Docker from "dockerode";

export interface RunSpec {
  image: string;
  user: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  /** path -> tmpfs options, as HostConfig.Tmpfs (copies the image directory's owner and mode up). */
  tmpfs?: Record<string, string>;
  /** tmpfs mounts as a swarm service gets them (HostConfig.Mounts type tmpfs: root-owned, the given mode). */
  tmpfsMounts?: { path: string; sizeMb: number; mode: string }[];
  /** Named volumes (created on first use) and read-only bind mounts. */
  volumes?: { name: string; target: string; readOnly?: boolean }[];
  binds?: { source: string; target: string }[];
  /** User-defined network and the aliases on it (default: network mode "none"). */
  network?: { name: string; aliases: string[] };
  name?: string;
  readOnlyRootfs?: boolean;
  memoryMb?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Splits Docker's multiplexed (non-TTY) log stream into stdout and stderr. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const size = buf.readUInt32BE(i + 4);
    const chunk = buf.subarray(i + 8, i + 8 + size).toString("utf8");
    if (kind === 2) stderr += chunk;
    else stdout += chunk;
    i += 8 + size;
  }
  return { stdout, stderr };
}

export function createOptions(spec: RunSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.image,
    User: spec.user,
    Entrypoint: spec.entrypoint,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    NetworkingConfig: spec.network ? { EndpointsConfig: { [spec.network.name]: { Aliases: spec.network.aliases } } } : undefined,
    HostConfig: {
      NetworkMode: spec.network?.name ?? "none",
      ReadonlyRootfs: spec.readOnlyRootfs ?? true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      PidsLimit: 200,
      Memory: (spec.memoryMb ?? 512) * 1024 * 1024,
      Tmpfs: spec.tmpfs,
      Mounts: [
        ...(spec.volumes ?? []).map((v) => ({ Type: "volume" as const, Source: v.name, Target: v.target, ReadOnly: v.readOnly ?? false })),
        ...(spec.binds ?? []).map((b) => ({ Type: "bind" as const, Source: b.source, Target: b.target, ReadOnly: true })),
        ...(spec.tmpfsMounts ?? []).map((t) => ({
          Type: "tmpfs" as const,
          Source: "",
          Target: t.path,
          TmpfsOptions: { SizeBytes: t.sizeMb * 1024 * 1024, Mode: parseInt(t.mode, 8) },
        })),
      ],
    },
  };
}

/** Runs a container to completion (killed after `timeoutMs`), removes it, returns its output. */
export async function runToCompletion(docker: Docker, spec: RunSpec, timeoutMs = 30_000): Promise<RunResult> {
  const container = await docker.createContainer(createOptions(spec));
  try {
    // Asked after start returns, with "not-running": a wait sent before start ("next-exit")
    // races the start on another connection, and a container that exits before the engine
    // registers that waiter is never seen to exit (CI: a 30 s hang under load).
    await container.start();
    const waited = container.wait({ condition: "not-running" });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`container of ${spec.image} did not exit within ${timeoutMs} ms`)), timeoutMs);
    });
    let status: { StatusCode: number };
    try {
      status = (await Promise.race([waited, timeout])) as { StatusCode: number };
    } catch (err) {
      throw new Error(`${(err as Error).message} (${await stateOf(container)})`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    return { code: status.StatusCode, ...demux(logs) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** What the engine says of a container that outlived its wait, with its last output. */
async function stateOf(container: Docker.Container): Promise<string> {
  try {
    const { State } = await container.inspect();
    const tail = (await logsOf(container, 5)).trim().split("\n").slice(-5).join(" | ");
    return `engine: ${State.Status}${State.Running ? "" : `, exit code ${State.ExitCode}`}; last output: ${tail || "none"}`;
  } catch (err) {
    return `engine: inspect failed: ${(err as Error).message}`;
  }
}

/** Starts a long-running container; the caller removes it. */
export async function startContainer(docker: Docker, spec: RunSpec): Promise<Docker.Container> {
  const container = await docker.createContainer(createOptions(spec));
  await container.start();
  return container;
}

/** Runs `cmd` inside a running container (as its user unless `user` is given). */
export async function execIn(
  container: Docker.Container,
  cmd: string[],
  options: { user?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const exec = await container.exec({
    Cmd: cmd,
    User: options.user,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const timeoutMs = options.timeoutMs ?? 15_000;
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new Error(`exec ${cmd.join(" ")} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("end", () => (clearTimeout(timer), resolve()));
    stream.on("error", (e) => (clearTimeout(timer), reject(e)));
  });
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, ...demux(Buffer.concat(chunks)) };
}

/** Container logs so far (for failure messages). */
export async function logsOf(container: Docker.Container, tail = 40): Promise<string> {
  const buf = (await container.logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
  const { stdout, stderr } = demux(buf);
  return `${stdout}${stderr}`;
}
