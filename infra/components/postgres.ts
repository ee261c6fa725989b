/**
 * PostgreSQL: TLS-only (hostssl + scram-sha-256), connection logging, roles for the app,
 * the backup service and the exporter created at first start from password files.
 * Checklist: SEC-DATA-01, DEP-DB-01, DEP-DB-04, PRE-CONFIG-04, PRE-CONFIG-10.
 */
import type { StackConfig } from "../config/load";
import { HOSTS, PATHS, PORTS } from "../topology";
import type { ServiceSpec } from "../spec";
import { baseSpec, execHealthcheck, secretFile, SpecContext, tmpfsFor } from "./common";
import { POSTGRES_PASSWORD_FILES, postgresInputFromConfig, renderPgHbaConf, renderPostgresConf, renderPostgresInitScript } from "../render/postgres";

/** The alpine image's postgres user. */
export const POSTGRES_USER = "70:70";
export const POSTGRES_CONF_PATH = "/etc/postgresql/postgresql.conf";
export const PG_HBA_PATH = "/etc/postgresql/pg_hba.conf";
export const POSTGRES_ADMIN_ROLE = "postgres";
export const POSTGRES_ADMIN_PASSWORD_FILE = `${PATHS.secretsDir}/postgres-admin-password`;
export const POSTGRES_INIT_PATH = "/docker-entrypoint-initdb.d/10-mcp-roles.sh";

export function postgresSpecs(config: StackConfig, ctx: SpecContext): ServiceSpec[] {
  const input = postgresInputFromConfig(config);
  return [
    baseSpec(
      config,
      ctx,
      {
        service: "postgres",
        name: HOSTS.postgres,
        image: config.images.postgres,
        user: POSTGRES_USER,
        // pg_isready needs no credentials; the socket check proves the server accepts connections.
        healthcheck: execHealthcheck(
          ["pg_isready", "-h", "/var/run/postgresql", "-p", String(PORTS.postgres), "-U", config.postgres.user, "-d", config.postgres.database],
          { startPeriod: "60s" },
        ),
      },
      {
        stateful: true,
        // A clean shutdown writes a checkpoint; a SIGKILL after 30 s would mean crash recovery.
        stopGracePeriod: "60s",
        command: ["postgres", "-c", `config_file=${POSTGRES_CONF_PATH}`, "-c", `hba_file=${PG_HBA_PATH}`],
        env: {
          POSTGRES_DB: config.postgres.database,
          // The superuser is a separate role; the init script creates the app, backup and
          // exporter roles from their password files.
          POSTGRES_USER: POSTGRES_ADMIN_ROLE,
          POSTGRES_PASSWORD_FILE: POSTGRES_ADMIN_PASSWORD_FILE,
          POSTGRES_INITDB_ARGS: "--auth-local=scram-sha-256 --auth-host=scram-sha-256 --data-checksums",
          PGDATA: "/var/lib/postgresql/data/pgdata",
        },
        configFiles: [
          { path: POSTGRES_CONF_PATH, content: renderPostgresConf(input), mode: "0444" },
          { path: PG_HBA_PATH, content: renderPgHbaConf(input), mode: "0444" },
          // Not executable (a Docker config is 0444): the entrypoint sources it, which the script allows for.
          { path: POSTGRES_INIT_PATH, content: renderPostgresInitScript(input), mode: "0444" },
          { path: PATHS.postgresTlsCert, content: { material: "postgresTlsCert" }, mode: "0444" },
          { path: PATHS.postgresCaCert, content: { material: "internalCaCert" }, mode: "0444" },
        ],
        secretFiles: [
          secretFile(POSTGRES_ADMIN_PASSWORD_FILE, "postgresAdminPassword", POSTGRES_USER),
          secretFile(POSTGRES_PASSWORD_FILES.app, "postgresPassword", POSTGRES_USER),
          secretFile(POSTGRES_PASSWORD_FILES.backup, "postgresBackupPassword", POSTGRES_USER),
          secretFile(POSTGRES_PASSWORD_FILES.exporter, "postgresExporterPassword", POSTGRES_USER),
          // PostgreSQL refuses a key file readable by anyone but its owner.
          secretFile(PATHS.postgresTlsKey, "postgresTlsKey", POSTGRES_USER),
        ],
        networks: [{ name: "internal", aliases: [HOSTS.postgres] }],
        volumes: [{ volume: "pgdata", containerPath: "/var/lib/postgresql/data" }],
        tmpfs: tmpfsFor(["/tmp", "/var/run/postgresql"]),
      },
    ),
  ];
}
