/**
 * PRE-SEC-04 (authentication enabled), PRE-CONFIG-12 (Grafana admin password set), PRE-SEC-02
 * (default passwords changed): Grafana has no anonymous access, no self sign-up, a non-default
 * admin user and an admin password delivered as a file.
 */
import { resourcePolicy } from "../lib/define";
import { displayName, envOf, serviceOf, T, uploadsOf } from "../lib/docker";

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());

/** `[section]` / `key = value` of grafana.ini; keys lower-cased as `section.key`. */
function parseIni(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s*[;#].*$/, "").trim();
    const s = /^\[([^\]]+)\]$/.exec(line);
    if (s) section = s[1].trim().toLowerCase();
    const kv = /^([\w.-]+)\s*=\s*(.*)$/.exec(line);
    if (kv) out.set(`${section}.${kv[1].toLowerCase()}`, kv[2].trim().replace(/^"(.*)"$/, "$1"));
  }
  return out;
}

export const grafanaAuth = resourcePolicy<{ grafanaService: string; defaultAdminUsers: string[] }>({
  name: "grafana-auth",
  description: "Grafana: anonymous access and sign-up off, admin user not 'admin', admin password from a file (GF_SECURITY_ADMIN_PASSWORD__FILE) that the stack uploads.",
  checklistIds: ["PRE-SEC-04", "PRE-CONFIG-12", "PRE-SEC-02"],
  severity: "high",
  group: "services",
  remediation: "Set GF_AUTH_ANONYMOUS_ENABLED=false, GF_USERS_ALLOW_SIGN_UP=false, GF_SECURITY_ADMIN_USER to mcp:grafana.adminUser and GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password (generated password uploaded there).",
  resourceTypes: [T.container],
  config: {
    grafanaService: { type: "string", default: "grafana", description: "Service (com.mcp.service) of Grafana." },
    defaultAdminUsers: { type: "array", items: { type: "string" }, default: ["admin", "administrator", "root"], description: "Admin user names treated as defaults." },
  },
  check(r, ctx) {
    if (serviceOf(r) !== ctx.config.grafanaService) return;
    const name = displayName(r);
    const env = envOf(r.props);
    const uploads = uploadsOf(r.props);
    if (!env.known) return ctx.undecidable("envs");
    const e = new Map<string, string | undefined>(env.value.filter((x) => x.key).map((x) => [x.key!, x.value]));
    if (env.value.some((x) => x.key === undefined)) ctx.undecidable("envs (an element is unknown)");
    const ini = new Map<string, string>();
    if (uploads.known) for (const f of uploads.value) if (/grafana\.ini$/.test(f.file) && f.content) for (const [k, v] of parseIni(f.content)) ini.set(k, v);
    const setting = (envKey: string, iniKey: string) => (e.has(envKey) ? e.get(envKey) : ini.get(iniKey));
    if (truthy(setting("GF_AUTH_ANONYMOUS_ENABLED", "auth.anonymous.enabled"))) ctx.violation(`container ${name}: Grafana allows anonymous access (auth.anonymous.enabled)`);
    if (truthy(setting("GF_USERS_ALLOW_SIGN_UP", "users.allow_sign_up"))) ctx.violation(`container ${name}: Grafana allows self sign-up (users.allow_sign_up)`);
    if (truthy(setting("GF_AUTH_DISABLE_LOGIN_FORM", "auth.disable_login_form")) && truthy(setting("GF_AUTH_PROXY_ENABLED", "auth.proxy.enabled")) === false)
      ctx.violation(`container ${name}: Grafana's login form is disabled without another auth method`);
    const user = setting("GF_SECURITY_ADMIN_USER", "security.admin_user");
    if (user === undefined || ctx.config.defaultAdminUsers.includes(user.trim().toLowerCase())) ctx.violation(`container ${name}: Grafana keeps the default admin user "${user ?? "admin"}"`);
    if (e.has("GF_SECURITY_ADMIN_PASSWORD") || ini.has("security.admin_password"))
      ctx.violation(`container ${name}: Grafana's admin password is set in plain configuration (GF_SECURITY_ADMIN_PASSWORD / admin_password); use GF_SECURITY_ADMIN_PASSWORD__FILE`);
    const file = e.get("GF_SECURITY_ADMIN_PASSWORD__FILE");
    if (!e.has("GF_SECURITY_ADMIN_PASSWORD") && !file) ctx.violation(`container ${name}: no Grafana admin password is set (GF_SECURITY_ADMIN_PASSWORD__FILE): Grafana falls back to "admin"`);
    else if (file) {
      if (!uploads.known) ctx.undecidable("uploads");
      else if (!uploads.value.some((u) => u.file === file)) ctx.violation(`container ${name}: GF_SECURITY_ADMIN_PASSWORD__FILE points at ${file}, which the stack does not upload`);
    }
  },
});
