/**
 * A throw-away local PostgreSQL for the restore drill, so a drill never needs CREATE
 * DATABASE rights on the production server (the stack's roles have none, by design) and
 * never competes with it for resources. The server is backup/scratch-postgres.ts, which the
 * test harness reuses for its real servers: temp dir, loopback port, always stopped and removed.
 * Needs the PostgreSQL server package on the machine running the drill (root, for runuser).
 */
import { startPostgres, type PgServer } from "./scratch-postgres";
import type { DrillConnection } from "./drill";

export async function withScratchServer<T>(
  fn: (connection: DrillConnection, server: PgServer) => Promise<T>,
  opts: { binDir?: string; log?: (l: string) => void } = {},
): Promise<T> {
  opts.log?.("starting a scratch PostgreSQL server on loopback for the drill");
  const server = await startPostgres({ binDir: opts.binDir });
  try {
    return await fn({ host: server.host, port: server.port, user: server.superuser, password: server.password, sslmode: "disable" }, server);
  } finally {
    await server.stop();
    opts.log?.("scratch server stopped and removed");
  }
}
