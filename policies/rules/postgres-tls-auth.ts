/**
 * SEC-DATA-01 (database connections encrypted), PRE-SEC-04 (authentication enabled):
 * PostgreSQL has ssl on, scram-sha-256 passwords, and pg_hba.conf allows TCP only as
 * hostssl with a password method: no trust, md5, password or plain `host` lines.
 */
import { parsePgHba, parsePostgresConf, pgBool } from "../lib/conf-files";
import { readUpload } from "../lib/container-files";
import { resourcePolicy } from "../lib/define";
import { commandOf, displayName, envMap, serviceOf, T } from "../lib/docker";

const WEAK_METHODS = new Set(["trust", "md5", "password"]);

export const postgresTlsAuth = resourcePolicy<{ postgresService: string; defaultDataDir: string }>({
  name: "postgres-tls-auth",
  description: "PostgreSQL: ssl = on (TLS 1.2+), password_encryption scram-sha-256, and pg_hba.conf without trust/md5/password methods or non-TLS `host` TCP rules.",
  checklistIds: ["SEC-DATA-01", "PRE-SEC-04"],
  severity: "critical",
  group: "services",
  remediation: "Render postgresql.conf with ssl = on, ssl_min_protocol_version = 'TLSv1.2', password_encryption = scram-sha-256, and pg_hba.conf with `hostssl ... scram-sha-256` lines only (plus local scram-sha-256/peer).",
  resourceTypes: [T.container],
  config: {
    postgresService: { type: "string", default: "postgres", description: "Service (com.mcp.service) of PostgreSQL." },
    defaultDataDir: { type: "string", default: "/var/lib/postgresql/data", description: "Where the image keeps postgresql.conf/pg_hba.conf when no -c config_file/hba_file is given." },
  },
  check(r, ctx) {
    if (serviceOf(r) !== ctx.config.postgresService) return;
    const name = displayName(r);
    const env = envMap(r.props);
    if (env.known) {
      const m = (env.value.POSTGRES_HOST_AUTH_METHOD ?? "").trim().toLowerCase();
      if (WEAK_METHODS.has(m)) ctx.violation(`container ${name}: POSTGRES_HOST_AUTH_METHOD=${m}`);
    } else ctx.undecidable("envs");
    const cmd = commandOf(r.props);
    if (!cmd.known) return ctx.undecidable("command");
    // `-c name=value` settings override the file.
    const overrides = new Map<string, string>();
    cmd.value.forEach((a, i) => {
      const s = a === "-c" ? cmd.value[i + 1] : a.startsWith("--") && a.includes("=") ? a.slice(2) : undefined;
      const m = s ? /^([\w.]+)=(.*)$/.exec(s) : null;
      if (m) overrides.set(m[1].toLowerCase().replace(/-/g, "_"), m[2]);
    });
    const confPath = overrides.get("config_file") ?? `${ctx.config.defaultDataDir}/postgresql.conf`;
    const conf = readUpload(r, confPath);
    if (conf.status === "unknown") return ctx.undecidable(conf.what);
    if (conf.status === "missing") return ctx.violation(`container ${name}: ${confPath} is not declared in the stack (uploads), so TLS and authentication cannot be checked`);
    const settings = parsePostgresConf(conf.content);
    for (const [k, v] of overrides) settings.set(k, v);
    if (!pgBool(settings.get("ssl"))) ctx.violation(`container ${name}: PostgreSQL has ssl off`);
    const minProto = settings.get("ssl_min_protocol_version");
    if (minProto && /^TLSv1(\.[01])?$/i.test(minProto)) ctx.violation(`container ${name}: PostgreSQL accepts ${minProto}`);
    if ((settings.get("password_encryption") ?? "scram-sha-256").toLowerCase() === "md5") ctx.violation(`container ${name}: PostgreSQL stores md5 password hashes (password_encryption)`);
    const hbaPath = settings.get("hba_file") ?? `${ctx.config.defaultDataDir}/pg_hba.conf`;
    const hba = readUpload(r, hbaPath);
    if (hba.status === "unknown") return ctx.undecidable(hba.what);
    if (hba.status === "missing") return ctx.violation(`container ${name}: ${hbaPath} is not declared in the stack (uploads); the image default trusts local connections`);
    const rules = parsePgHba(hba.content);
    if (rules.length === 0) ctx.violation(`container ${name}: ${hbaPath} has no rules`);
    for (const rule of rules) {
      if (rule.method === "reject") continue;
      if (WEAK_METHODS.has(rule.method)) ctx.violation(`container ${name}: pg_hba.conf line ${rule.line} uses ${rule.method} authentication`);
      if (rule.type === "host" || rule.type === "hostnossl") ctx.violation(`container ${name}: pg_hba.conf line ${rule.line} allows TCP connections without TLS (${rule.type})`);
    }
  },
});
