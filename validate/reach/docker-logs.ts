/**
 * A container's log (stdout and stderr) through the Engine API, as a LogSource for checks
 * that look for error lines (PostgreSQL authentication failures). Non-TTY container logs
 * come multiplexed in 8-byte-header frames; this unwraps them.
 */
import type Docker from "dockerode";
import type { LogSource } from "../target";

/** Payloads of Docker's multiplexed stream frames ([stream, 0, 0, 0, size(4, BE)] + payload). */
export function demuxDockerLog(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const size = buf.readUInt32BE(i + 4);
    // Not a frame header: the container has a TTY and the log is raw text.
    if (kind > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf.toString("utf8");
    parts.push(buf.subarray(i + 8, Math.min(buf.length, i + 8 + size)));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** Log lines since the container started (bounded to the last `tail` lines). */
export function dockerLogSource(docker: Docker, container: string, tail = 5000): LogSource {
  return async () => {
    const out = (await docker.getContainer(container).logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
    return demuxDockerLog(Buffer.isBuffer(out) ? out : Buffer.from(String(out)));
  };
}

/**
 * A swarm service's log: every task's output, on whichever node it runs, through the
 * manager's service logs endpoint (multiplexed like a container's), last `tail` lines.
 */
export function dockerServiceLogSource(docker: Docker, service: string, tail = 2000): LogSource {
  return async () => {
    const out = (await docker.getService(service).logs({ stdout: true, stderr: true, follow: false, tail })) as unknown as Buffer;
    return demuxDockerLog(Buffer.isBuffer(out) ? out : Buffer.from(String(out)));
  };
}
