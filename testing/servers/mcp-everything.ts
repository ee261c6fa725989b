/**
 * The reference MCP server, @modelcontextprotocol/server-everything, in Streamable HTTP
 * mode as the MCP peer of the runtime-check tests. It is an ESM package started as its
 * own node process; it reads its port from PORT (default 3001) and serves POST/GET/DELETE
 * on /mcp. Stopped with SIGINT (its own shutdown path), SIGKILL after a bound.
 */
import { dirname, join } from "node:path";
import { freePort } from "../../local/ports";
import { startProcess, tcpReady, type RunningProcess } from "../tools/process";

export interface McpEverything {
  /** Base URL; the MCP endpoint is `${url}/mcp`. */
  url: string;
  port: number;
  process: RunningProcess;
  stop(): Promise<void>;
}

export function serverEverythingEntry(): string {
  // The package's exports map hides package.json; resolve its bin through the main entry's directory.
  const pkgDir = dirname(require.resolve("@modelcontextprotocol/server-everything/package.json", { paths: [process.cwd()] }));
  return join(pkgDir, "dist", "index.js");
}

export async function startMcpEverything(): Promise<McpEverything> {
  const port = await freePort();
  const proc = await startProcess(process.execPath, [serverEverythingEntry(), "streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    ready: tcpReady(port),
    readyTimeoutMs: 20_000,
    stopSignal: "SIGINT",
    stopTimeoutMs: 3000,
  });
  return { url: `http://127.0.0.1:${port}`, port, process: proc, stop: () => proc.stop() };
}
