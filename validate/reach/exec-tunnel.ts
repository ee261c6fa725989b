/**
 * How the checks reach services that publish no ports: a loopback TCP listener on the
 * machine running the checks, where every accepted connection becomes a Docker exec of
 * `nc <host> <port>` inside a relay container on the stack's internal network, its
 * stdin/stdout spliced to the connection through the Engine API. The checks then talk to
 * 127.0.0.1:<local port> exactly as the tests talk to loopback servers, so the CLI, the
 * deploy hooks and the tests run the same check code; TLS (PostgreSQL) is end to end
 * because the relay only moves bytes.
 *
 * Why exec and not a one-shot verifier container: nothing has to be pulled or built (the
 * stack's Alpine-based images carry busybox `nc`), no container is created or left behind,
 * and it needs only the Engine API access `pulumi up` already has.
 */
import { createServer, type Server, type Socket } from "node:net";
import { PassThrough, type Duplex } from "node:stream";
import type Docker from "dockerode";

export interface Tunnel {
  /** Where the checks connect: always loopback. */
  host: string;
  port: number;
  /** host:port inside the stack network this tunnel leads to. */
  remote: string;
  close(): Promise<void>;
}

export interface ExecTunnelOptions {
  docker: Docker;
  /** Container (name or id) on the network where `host` resolves. */
  container: string;
  /** Command that copies stdin/stdout to host:port (default busybox `nc host port`). */
  relayCommand?: (host: string, port: number) => string[];
  /** Called with relay failures (nc's stderr, exec errors) for progress output. */
  onError?: (message: string) => void;
}

export const DEFAULT_RELAY_COMMAND = (host: string, port: number) => ["nc", host, String(port)];

async function splice(socket: Socket, opts: ExecTunnelOptions, host: string, port: number): Promise<void> {
  const exec = await opts.docker.getContainer(opts.container).exec({
    Cmd: (opts.relayCommand ?? DEFAULT_RELAY_COMMAND)(host, port),
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let errText = "";
  let sawOutput = false;
  stderr.on("data", (d: Buffer) => (errText = (errText + d.toString()).slice(-500)));
  stdout.on("data", (d: Buffer) => {
    sawOutput = true;
    socket.write(d);
  });
  opts.docker.modem.demuxStream(stream, stdout, stderr);
  socket.on("data", (d) => stream.write(d));
  // Half-close: the client finished sending; the relay still delivers the answer.
  socket.on("end", () => stream.end());
  socket.on("error", () => stream.destroy());
  socket.on("close", () => stream.destroy());
  const finish = () => {
    if (errText.trim()) opts.onError?.(`relay to ${host}:${port} via ${opts.container}: ${errText.trim()}`);
    // A relay that could not connect produced no bytes: reset, so the client sees a failure, not an empty answer.
    if (!sawOutput && errText.trim()) socket.destroy();
    else socket.end();
  };
  stream.on("end", finish);
  stream.on("error", (e) => {
    opts.onError?.(`relay to ${host}:${port} via ${opts.container}: ${e.message}`);
    socket.destroy();
  });
}

/** Opens a loopback listener whose connections are relayed to host:port inside the stack network. */
export async function openExecTunnel(opts: ExecTunnelOptions, host: string, port: number): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  // allowHalfOpen: a client that finishes sending (FIN) still gets the rest of the answer.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.pause();
    splice(socket, opts, host, port)
      .then(() => socket.resume())
      .catch((e: Error) => {
        opts.onError?.(`cannot exec the relay in ${opts.container}: ${e.message}`);
        socket.destroy();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const localPort = typeof address === "object" && address ? address.port : 0;
  return {
    host: "127.0.0.1",
    port: localPort,
    remote: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
