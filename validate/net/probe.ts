/**
 * Does anything answer at host:port? One connection, one protocol greeting, the first bytes
 * back: enough to tell a stopped service (refused), a missing name (ENOTFOUND) and a frozen
 * one (connected, silent) apart in well under a check's timeout, without logging in.
 */
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { errorMessage } from "../core/errors";

export interface ProbeOptions {
  /** Bytes that make the service answer (a PING, an SSLRequest, an HTTP request). */
  send?: Buffer | string;
  /** A TLS handshake is the answer (the edge); SNI name. Trust is the TLS check's job, not the probe's. */
  tls?: { servername?: string };
  /** How long to wait for the answer; the message names it. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Resolves once the service answered; rejects saying whether it refused, did not connect or connected and stayed silent. */
export function probeAnswer(host: string, port: number, o: ProbeOptions): Promise<void> {
  const where = `${host}:${port}`;
  return new Promise<void>((resolve, reject) => {
    let connected = false;
    let settled = false;
    const socket: Socket = o.tls
      ? tlsConnect({ host, port, servername: o.tls.servername, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] }, () => answered())
      : netConnect({ host, port });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve();
    };
    const answered = () => finish();
    const silent = () =>
      new Error(
        connected
          ? `${where} accepted the connection but did not answer within ${o.timeoutMs} ms (frozen or overloaded)`
          : `no connection to ${where} within ${o.timeoutMs} ms (ETIMEDOUT)`,
      );
    const timer = setTimeout(() => finish(silent()), o.timeoutMs);
    const onAbort = () => finish(silent());
    o.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      connected = true;
      if (!o.tls && o.send !== undefined) socket.write(o.send);
    });
    if (o.tls) socket.once("secureConnect", () => (connected = true));
    else socket.once("data", answered);
    // A server that hangs up at once is alive; what it means is for the checks to say.
    socket.once("end", answered);
    socket.once("error", (e) => finish(new Error(`${where}: ${errorMessage(e)}`)));
  });
}

/** PostgreSQL answers an SSLRequest with one byte ('S' or 'N') before any login. */
export const POSTGRES_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
/** Redis answers PING with PONG or NOAUTH: either proves it is serving. */
export const REDIS_PING = "PING\r\n";
export const httpHead = (host: string) => `HEAD / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
