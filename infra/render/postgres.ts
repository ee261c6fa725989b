/**
 * PostgreSQL settings, client authentication and first-start roles.
 *
 * - postgresql.conf: TLS on (>= 1.2), scram-sha-256 password hashing, connection logging
 *   (SEC-DATA-01, DEP-DB-05, SEC-DATA-10).
 * - pg_hba.conf: TCP only over TLS with scram-sha-256 and only for the stack's roles;
 *   non-TLS TCP is rejected outright; no trust, md5 or plain `host` lines.
 * - init script (/docker-entrypoint-initdb.d): creates the app role (owner of the
 *   database), a read-only backup role (pg_read_all_data, DEP-DB-04) and an exporter role
 *   (pg_monitor), reading their passwords from files, never from the environment.
 */
import type { StackConfig } from "../config/load";
import { PATHS, PORTS } from "../topology";

/** Role postgres_exporter connects as (the stack config has no key for it). */
export const POSTGRES_EXPORTER_ROLE = "mcp_exporter";
/** Password files inside the PostgreSQL container (and wherever a client reads them). */
export const POSTGRES_PASSWORD_FILES = {
  app: `${PATHS.secretsDir}/postgres-password`,
  backup: `${PATHS.secretsDir}/postgres-backup-password`,
  exporter: `${PATHS.secretsDir}/postgres-exporter-password`,
} as const;
/** Shortest password the init script accepts from a file (generated ones are 32+). */
export const MIN_PASSWORD_LENGTH = 16;

export interface PostgresInput {
  listenAddresses: string;
  port: number;
  maxConnections: number;
  sharedBuffersMb: number;
  socketDir: string;
  tls: { certFile: string; keyFile: string; caFile?: string };
  /** Rendered as hba_file when set (the container passes it on the command line instead). */
  hbaFile?: string;
  /** pg_hba ADDRESS values TCP clients may come from ("samenet": the server's own networks). */
  clientNetworks: string[];
  database: string;
  roles: { app: string; backup: string; exporter: string };
  passwordFiles: { app: string; backup: string; exporter: string };
}

export function postgresInputFromConfig(config: StackConfig): PostgresInput {
  return {
    listenAddresses: "*",
    port: PORTS.postgres,
    maxConnections: config.postgres.maxConnections,
    sharedBuffersMb: config.postgres.sharedBuffersMb,
    socketDir: "/var/run/postgresql",
    tls: { certFile: PATHS.postgresTlsCert, keyFile: PATHS.postgresTlsKey, caFile: PATHS.postgresCaCert },
    // Only the internal Docker network (and the container itself) can reach the server.
    clientNetworks: ["samenet"],
    database: config.postgres.database,
    roles: { app: config.postgres.user, backup: config.postgres.backupUser, exporter: POSTGRES_EXPORTER_ROLE },
    passwordFiles: { ...POSTGRES_PASSWORD_FILES },
  };
}

const IDENT = /^[a-z_][a-z0-9_]*$/;
const FILE = /^\/[A-Za-z0-9._/-]+$/;

export function postgresInputProblems(input: PostgresInput): string[] {
  const problems: string[] = [];
  if (!IDENT.test(input.database)) problems.push(`database "${input.database}" must match ${IDENT}`);
  for (const [k, v] of Object.entries(input.roles)) if (!IDENT.test(v)) problems.push(`roles.${k} "${v}" must match ${IDENT}`);
  const roles = Object.values(input.roles);
  if (new Set(roles).size !== roles.length) problems.push(`roles must be distinct (got ${roles.join(", ")})`);
  for (const [k, v] of Object.entries(input.passwordFiles))
    if (!FILE.test(v)) problems.push(`passwordFiles.${k} "${v}" must be an absolute path of [A-Za-z0-9._/-]`);
  const files = {
    "tls.certFile": input.tls.certFile,
    "tls.keyFile": input.tls.keyFile,
    "tls.caFile": input.tls.caFile,
    socketDir: input.socketDir,
    hbaFile: input.hbaFile,
  };
  for (const [k, v] of Object.entries(files)) if (v !== undefined && !FILE.test(v)) problems.push(`${k} "${v}" must be an absolute path of [A-Za-z0-9._/-]`);
  if (!/^[A-Za-z0-9.:*, -]+$/.test(input.listenAddresses)) problems.push(`listenAddresses "${input.listenAddresses}" is not a list of addresses`);
  if (input.clientNetworks.length === 0) problems.push("clientNetworks is empty: no client could connect");
  for (const n of input.clientNetworks)
    if (!/^(samenet|samehost|[0-9a-fA-F.:]+\/\d{1,3})$/.test(n)) problems.push(`clientNetworks entry "${n}" must be samenet, samehost or a CIDR`);
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) problems.push(`port ${input.port} is out of range`);
  return problems;
}

function check(input: PostgresInput): void {
  const problems = postgresInputProblems(input);
  if (problems.length) throw new Error(`invalid postgres input:\n  - ${problems.join("\n  - ")}`);
}

const q = (v: string) => `'${v.replace(/'/g, "''")}'`;

export function renderPostgresConf(input: PostgresInput): string {
  check(input);
  const settings: [string, string, string?][] = [
    ["listen_addresses", q(input.listenAddresses)],
    ["port", String(input.port)],
    ["max_connections", String(input.maxConnections)],
    ["shared_buffers", `${input.sharedBuffersMb}MB`],
    ["unix_socket_directories", q(input.socketDir)],
    ...(input.hbaFile ? ([["hba_file", q(input.hbaFile)]] as [string, string][]) : []),
    ["password_encryption", q("scram-sha-256"), "SEC-DATA-07: only SCRAM verifiers are stored"],
    ["ssl", "on", "SEC-DATA-01: clients connect over TLS (pg_hba.conf rejects non-TLS TCP)"],
    ["ssl_cert_file", q(input.tls.certFile)],
    ["ssl_key_file", q(input.tls.keyFile)],
    ...(input.tls.caFile ? ([["ssl_ca_file", q(input.tls.caFile)]] as [string, string][]) : []),
    ["ssl_min_protocol_version", q("TLSv1.2")],
    ["ssl_ciphers", q("HIGH:!aNULL:!MD5:!3DES:!RC4")],
    ["ssl_prefer_server_ciphers", "on"],
    ["log_destination", q("stderr"), "the container's log driver rotates it (MON-LOG-04)"],
    ["logging_collector", "off"],
    ["log_connections", "on", "DEP-DB-05 / SEC-DATA-10: every login and failed login is logged"],
    ["log_disconnections", "on"],
    ["log_line_prefix", q("%m [%p] %q%u@%d from %h ")],
    // Never 'ddl' or 'all': ALTER ROLE ... PASSWORD would be written to the log in clear.
    ["log_statement", q("none")],
    ["log_min_duration_statement", "1000", "FUN-PERF-02: statements slower than 1 s are logged"],
    ["log_lock_waits", "on"],
    ["log_timezone", q("UTC")],
    ["timezone", q("UTC")],
  ];
  const lines = settings.map(([k, v, why]) => (why ? `# ${why}\n${k} = ${v}` : `${k} = ${v}`));
  return `# Rendered by infra/render/postgres.ts: edit the renderer, not this file.\n${lines.join("\n")}\n`;
}

export function renderPgHbaConf(input: PostgresInput): string {
  check(input);
  const users = [input.roles.app, input.roles.backup, input.roles.exporter].join(",");
  const rows: string[][] = [
    // The container's own socket (init scripts, maintenance): password still required.
    ["local", "all", "all", "", "scram-sha-256"],
    // Any TCP connection without TLS is refused with a clear message.
    ["hostnossl", "all", "all", "all", "reject"],
    // The stack's roles over TLS only; anything not matched (e.g. the superuser over TCP) is refused.
    ...input.clientNetworks.map((net) => ["hostssl", "all", users, net, "scram-sha-256"]),
  ];
  const header = ["# TYPE", "DATABASE", "USER", "ADDRESS", "METHOD"];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .replace(/\s+$/, "");
  return `# Rendered by infra/render/postgres.ts: edit the renderer, not this file.\n${fmt(header)}\n${rows.map(fmt).join("\n")}\n`;
}

/**
 * Shell script for /docker-entrypoint-initdb.d (the image runs it once, on an empty data
 * dir, as the postgres user with POSTGRES_USER/POSTGRES_DB/PGPASSWORD set for the
 * temporary socket-only server). Also runnable by hand with PGHOST/PGPORT set.
 * Idempotent: rerunning updates passwords and grants.
 *
 * The passwords travel from file to server inside psql (`\set x \`cat file\``): never on a
 * command line, in the environment or in a log line. The session turns statement logging
 * off first, so even a failing ALTER ROLE ... PASSWORD is not written to the server log.
 * The script refuses to continue if the app role is a superuser (POSTGRES_USER must be a
 * separate admin role).
 */
export function renderPostgresInitScript(input: PostgresInput): string {
  check(input);
  const { roles, passwordFiles: files, database } = input;
  const fileList = [files.app, files.backup, files.exporter].map((f) => `'${f}'`).join(" ");
  const ensureRole = (role: string, variable: string, limit: string) =>
    [
      `SELECT format('CREATE ROLE %I', '${role}') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') \\gexec`,
      `ALTER ROLE ${role} WITH LOGIN NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${limit} PASSWORD :'${variable}';`,
    ].join("\n");
  return `#!/bin/sh
# Rendered by infra/render/postgres.ts: edit the renderer, not this file.
# Creates the MCP roles with passwords read from files (never from the environment).
set -eu

for f in ${fileList}; do
  if [ ! -r "$f" ] || [ "$(wc -c < "$f" | tr -d ' ')" -lt ${MIN_PASSWORD_LENGTH} ]; then
    echo "mcp-init: password file $f is missing, unreadable or shorter than ${MIN_PASSWORD_LENGTH} bytes" >&2
    exit 1
  fi
done

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "\${POSTGRES_USER:-postgres}" --dbname "\${POSTGRES_DB:-postgres}" <<'SQL'
-- Nothing below may reach the server log: some statements carry passwords.
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
SET log_min_duration_statement = -1;
SET password_encryption = 'scram-sha-256';

SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = '${roles.app}' AND rolsuper) AS app_is_superuser \\gset
\\if :app_is_superuser
DO $$ BEGIN RAISE EXCEPTION 'app role ${roles.app} is a superuser: run the image with POSTGRES_USER set to a separate admin role'; END $$;
\\endif

\\set app_password \`cat '${files.app}'\`
\\set backup_password \`cat '${files.backup}'\`
\\set exporter_password \`cat '${files.exporter}'\`

${ensureRole(roles.app, "app_password", "-1")}
${ensureRole(roles.backup, "backup_password", "5")}
${ensureRole(roles.exporter, "exporter_password", "5")}
\\unset app_password
\\unset backup_password
\\unset exporter_password

-- The app owns its database (migrations create its tables); nobody else may connect by default.
ALTER DATABASE ${database} OWNER TO ${roles.app};
REVOKE ALL ON DATABASE ${database} FROM PUBLIC;
GRANT CONNECT ON DATABASE ${database} TO ${roles.app}, ${roles.backup}, ${roles.exporter};

-- DEP-DB-04: the backup role reads everything and writes nothing.
GRANT pg_read_all_data TO ${roles.backup};
ALTER ROLE ${roles.backup} SET default_transaction_read_only = on;

-- postgres_exporter: statistics views only.
GRANT pg_monitor TO ${roles.exporter};
ALTER ROLE ${roles.exporter} SET default_transaction_read_only = on;
SQL
echo "mcp-init: roles ${roles.app}, ${roles.backup}, ${roles.exporter} are ready"
`;
}
