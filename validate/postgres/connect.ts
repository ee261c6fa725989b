/**
 * PostgreSQL connections for the checks: TLS verified against the internal CA and the
 * service's network name (whatever address the connection goes to), bounded connect and
 * statement timeouts, and closed when the check's signal aborts.
 */
import { isIP } from "node:net";
import { checkServerIdentity } from "node:tls";
import { Client, type ClientConfig } from "pg";
import type { PostgresTarget } from "../target";

export function pgConfig(p: PostgresTarget, who: "app" | "backup", tls: boolean): ClientConfig {
  return {
    host: p.host,
    port: p.port,
    database: p.database,
    user: who === "app" ? p.user : p.backupUser,
    password: who === "app" ? p.password : p.backupPassword,
    // SNI only for names (RFC 6066); the identity check always uses the service's name.
    ssl: tls
      ? {
          ca: p.ca,
          rejectUnauthorized: true,
          servername: isIP(p.servername) ? undefined : p.servername,
          checkServerIdentity: (_host, cert) => checkServerIdentity(p.servername, cert),
        }
      : false,
    connectionTimeoutMillis: 2500,
    statement_timeout: 2500,
    query_timeout: 3000,
    application_name: "mcp-post-deploy-verify",
  };
}

export async function withPg<T>(config: ClientConfig, signal: AbortSignal, body: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client(config);
  // pg reports socket errors on the client too; without a listener they would crash the process.
  client.on("error", () => undefined);
  const onAbort = () => void client.end().catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    return await body(client);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await client.end().catch(() => undefined);
  }
}
