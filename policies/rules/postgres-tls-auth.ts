/**
 * SEC-DATA-01 (database connections encrypted), PRE-SEC-04 (authentication enabled):
 * PostgreSQL has ssl on, scram-sha-256 passwords, and pg_hba.conf allows TCP only as
 * hostssl with a password method: no trust, md5, password or plain `host` lines.
 */
import { parsePgHba, parsePostgresConf, pgBool } from "../lib/conf-files";
import { stackPolicy } from "../lib/define";
import { envMapOf } from "../lib/workload";
import { readFile, reportLookup } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

const WEAK_METHODS = new Set(["trust", "md5", "password"]);

export const postgresTlsAuth = stackPolicy<{ postgresService: string; defaultDataDir: string }>({
  name: "postgres-tls-auth",
  description:
    "PostgreSQL: ssl = on (TLS 1.2+), password_encryption scram-sha-256, and pg_hba.conf without trust/md5/password methods or non-TLS `host` TCP rules.",
  checklistIds: ["SEC-DATA-01", "PRE-SEC-04"],
  severity: "critical",
  group: "services",
  remediation:
    "Render postgresql.conf with ssl = on, ssl_min_protocol_version = 'TLSv1.2', password_encryption = scram-sha-256, and pg_hba.conf with `hostssl ... scram-sha-256` lines only (plus local scram-sha-256/peer); deliver both as Docker configs.",
  config: {
    postgresService: { type: "string", default: "postgres", description: "Service (com.mcp.service) of PostgreSQL." },
    defaultDataDir: {
      type: "string",
      default: "/var/lib/postgresql/data",
      description: "Where the image keeps postgresql.conf/pg_hba.conf when no -c config_file/hba_file is given.",
    },
  },
  check(resources, ctx) {
    for (const w of workloadsOf(resources, ctx.config.postgresService)) {
      const at = (m: string) => ctx.violation(`${w.label}: ${m}`, w.urn);
      const env = envMapOf(w);
      if (env.known) {
        const m = (env.value.POSTGRES_HOST_AUTH_METHOD ?? "").trim().toLowerCase();
        if (WEAK_METHODS.has(m)) at(`POSTGRES_HOST_AUTH_METHOD=${m}`);
      } else ctx.undecidable(`${w.label} env`, w.urn);
      if (!w.command.known) {
        ctx.undecidable(`${w.label} command`, w.urn);
        continue;
      }
      const cmd = w.command.value;
      // `-c name=value` settings override the file.
      const overrides = new Map<string, string>();
      cmd.forEach((a, i) => {
        const s = a === "-c" ? cmd[i + 1] : a.startsWith("--") && a.includes("=") ? a.slice(2) : undefined;
        const m = s ? /^([\w.]+)=(.*)$/.exec(s) : null;
        if (m) overrides.set(m[1].toLowerCase().replace(/-/g, "_"), m[2]);
      });
      const confPath = overrides.get("config_file") ?? `${ctx.config.defaultDataDir}/postgresql.conf`;
      const conf = readFile(w, confPath);
      if (conf.status !== "found") {
        reportLookup(w, ctx, conf, "TLS and authentication cannot be checked");
        continue;
      }
      const settings = parsePostgresConf(conf.content);
      for (const [k, v] of overrides) settings.set(k, v);
      if (!pgBool(settings.get("ssl"))) at("PostgreSQL has ssl off");
      const minProto = settings.get("ssl_min_protocol_version");
      if (minProto && /^TLSv1(\.[01])?$/i.test(minProto)) at(`PostgreSQL accepts ${minProto}`);
      if ((settings.get("password_encryption") ?? "scram-sha-256").toLowerCase() === "md5") at("PostgreSQL stores md5 password hashes (password_encryption)");
      const hbaPath = settings.get("hba_file") ?? `${ctx.config.defaultDataDir}/pg_hba.conf`;
      const hba = readFile(w, hbaPath);
      if (hba.status !== "found") {
        reportLookup(w, ctx, hba, "the image's default pg_hba.conf (which trusts local connections) would apply");
        continue;
      }
      const rules = parsePgHba(hba.content);
      if (rules.length === 0) at(`${hbaPath} has no rules`);
      for (const rule of rules) {
        if (rule.method === "reject") continue;
        if (WEAK_METHODS.has(rule.method)) at(`pg_hba.conf line ${rule.line} uses ${rule.method} authentication`);
        if (rule.type === "host" || rule.type === "hostnossl") at(`pg_hba.conf line ${rule.line} allows TCP connections without TLS (${rule.type})`);
      }
    }
  },
});
