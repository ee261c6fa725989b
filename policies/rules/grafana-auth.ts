/**
 * PRE-SEC-04 (authentication enabled), PRE-CONFIG-12 (Grafana admin password set), PRE-SEC-02
 * (default passwords changed): Grafana has no anonymous access, no self sign-up, a non-default
 * admin user and an admin password delivered as a file.
 */
import { stackPolicy } from "../lib/define";
import { readFile } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

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

export const grafanaAuth = stackPolicy<{ grafanaService: string; defaultAdminUsers: string[] }>({
  name: "grafana-auth",
  description:
    "Grafana: anonymous access and sign-up off, admin user not 'admin', admin password from a file (GF_SECURITY_ADMIN_PASSWORD__FILE) that the stack delivers (a Docker secret, or an upload).",
  checklistIds: ["PRE-SEC-04", "PRE-CONFIG-12", "PRE-SEC-02"],
  severity: "high",
  group: "services",
  remediation:
    "Set GF_AUTH_ANONYMOUS_ENABLED=false, GF_USERS_ALLOW_SIGN_UP=false, GF_SECURITY_ADMIN_USER to mcp:grafana.adminUser and GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana-admin-password (the generated password, a Docker secret at that path).",
  config: {
    grafanaService: { type: "string", default: "grafana", description: "Service (com.mcp.service) of Grafana." },
    defaultAdminUsers: {
      type: "array",
      items: { type: "string" },
      default: ["admin", "administrator", "root"],
      description: "Admin user names treated as defaults.",
    },
  },
  check(resources, ctx) {
    for (const w of workloadsOf(resources, ctx.config.grafanaService)) {
      const at = (m: string) => ctx.violation(`${w.label}: ${m}`, w.urn);
      if (!w.env.known) {
        ctx.undecidable(`${w.label} env`, w.urn);
        continue;
      }
      const e = new Map<string, string | undefined>(w.env.value.filter((x) => x.key).map((x) => [x.key!, x.value]));
      if (w.env.value.some((x) => x.key === undefined)) ctx.undecidable(`${w.label} env (an element is unknown)`, w.urn);
      const ini = new Map<string, string>();
      if (w.files.known) for (const f of w.files.value) if (/grafana\.ini$/.test(f.path) && f.content) for (const [k, v] of parseIni(f.content)) ini.set(k, v);
      const setting = (envKey: string, iniKey: string) => (e.has(envKey) ? e.get(envKey) : ini.get(iniKey));
      if (truthy(setting("GF_AUTH_ANONYMOUS_ENABLED", "auth.anonymous.enabled"))) at("Grafana allows anonymous access (auth.anonymous.enabled)");
      if (truthy(setting("GF_USERS_ALLOW_SIGN_UP", "users.allow_sign_up"))) at("Grafana allows self sign-up (users.allow_sign_up)");
      if (truthy(setting("GF_AUTH_DISABLE_LOGIN_FORM", "auth.disable_login_form")) && truthy(setting("GF_AUTH_PROXY_ENABLED", "auth.proxy.enabled")) === false)
        at("Grafana's login form is disabled without another auth method");
      const user = setting("GF_SECURITY_ADMIN_USER", "security.admin_user");
      // A user name is not a secret; the default one is named so the finding says which.
      if (user === undefined || ctx.config.defaultAdminUsers.includes(user.trim().toLowerCase()))
        at(`Grafana keeps the default admin user "${user ?? "admin"}"`);
      if (e.has("GF_SECURITY_ADMIN_PASSWORD") || ini.has("security.admin_password"))
        at("Grafana's admin password is set in plain configuration (GF_SECURITY_ADMIN_PASSWORD / admin_password); use GF_SECURITY_ADMIN_PASSWORD__FILE");
      const file = e.get("GF_SECURITY_ADMIN_PASSWORD__FILE");
      if (!e.has("GF_SECURITY_ADMIN_PASSWORD") && !file)
        at('no Grafana admin password is set (GF_SECURITY_ADMIN_PASSWORD__FILE): Grafana falls back to "admin"');
      else if (file) {
        const f = readFile(w, file);
        if (f.status === "missing")
          at(`GF_SECURITY_ADMIN_PASSWORD__FILE points at ${file}, which the stack does not deliver (no Docker secret or upload at that path)`);
        else if (f.status === "unknown" && f.what.startsWith("files")) ctx.undecidable(`${w.label} files`, w.urn);
      }
    }
  },
});
