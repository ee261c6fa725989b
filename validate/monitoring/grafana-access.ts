/**
 * Grafana's access rules as the running Grafana applies them (PRE-SEC-04), not as the stack
 * file declares them: requests without credentials are refused by the API and sent to the
 * login page by the UI, and the effective settings (GET /api/admin/settings, as the admin)
 * have anonymous access and sign-up off. Every other Grafana check sends the admin password,
 * so none of them would notice anonymous access.
 */
import { fail, pass, type Check } from "../core/types";
import { joinUrl, request } from "../net/http";
import { grafanaAdminGet } from "./grafana";
import type { VerifyTarget } from "../target";

export const grafanaAnonymousRefusedCheck: Check<VerifyTarget> = {
  id: "grafana.anonymous-refused",
  title: "Grafana refuses requests without credentials (API 401, UI to the login page)",
  checklistIds: ["PRE-SEC-04"],
  needs: ["grafana"],
  retries: 2,
  retryDelayMs: 500,
  async run({ grafana: g }, { signal }) {
    const apiPaths = ["/api/search", ...g.dashboardUids.slice(0, 1).map((uid) => `/api/dashboards/uid/${encodeURIComponent(uid)}`)];
    const problems: string[] = [];
    for (const p of apiPaths) {
      const r = await request(joinUrl(g.url, p), {}, { signal });
      if (r.status !== 401) problems.push(`GET ${p} without credentials answered ${r.status}, expected 401`);
    }
    const ui = await request(joinUrl(g.url, "/"), {}, { signal });
    const location = String(ui.headers.location ?? "");
    if (ui.status !== 302 || !/\/login$/.test(location))
      problems.push(`GET / without a session answered ${ui.status}${location ? ` to ${location}` : ""}, expected 302 to .../login`);
    if (problems.length)
      return fail(problems.join("; "), {
        expected: "401 from the API and a redirect to the login page without credentials",
        actual: problems.join("; "),
        remediation: "Turn anonymous access off: GF_AUTH_ANONYMOUS_ENABLED=false (infra/render/grafana.ts grafanaEnv), and redeploy Grafana.",
      });
    return pass(`${apiPaths.length} API paths answer 401 and the UI redirects to the login page without credentials`);
  },
};

/** The settings that must read "false" at runtime, with the variable that sets each. */
const MUST_BE_OFF: readonly { section: string; key: string; variable: string }[] = [
  { section: "auth.anonymous", key: "enabled", variable: "GF_AUTH_ANONYMOUS_ENABLED" },
  { section: "users", key: "allow_sign_up", variable: "GF_USERS_ALLOW_SIGN_UP" },
];

export const grafanaAuthSettingsCheck: Check<VerifyTarget> = {
  id: "grafana.auth-settings",
  title: "Grafana runs with anonymous access and sign-up off",
  checklistIds: ["PRE-SEC-04"],
  needs: ["grafana"],
  retries: 2,
  retryDelayMs: 500,
  async run({ grafana: g }, { signal }) {
    const r = await grafanaAdminGet<Record<string, Record<string, string>>>(g, "/api/admin/settings", signal);
    if (r.status !== 200 || !r.json || typeof r.json !== "object")
      return fail(`GET /api/admin/settings answered ${r.status}`, {
        expected: "200 with the effective settings (as the admin)",
        actual: `${r.status} ${r.body.slice(0, 100)}`,
        remediation: r.status === 401 ? "The admin password in Grafana differs from the stack secret (GF_SECURITY_ADMIN_PASSWORD__FILE)." : undefined,
      });
    const settings = r.json;
    const wrong = MUST_BE_OFF.filter((s) => String(settings[s.section]?.[s.key]).toLowerCase() !== "false");
    if (wrong.length)
      return fail(wrong.map((s) => `[${s.section}] ${s.key} is ${settings[s.section]?.[s.key] ?? "unset"}, expected false`).join("; "), {
        expected: MUST_BE_OFF.map((s) => `[${s.section}] ${s.key} = false`).join(", "),
        actual: wrong.map((s) => `[${s.section}] ${s.key} = ${settings[s.section]?.[s.key] ?? "unset"}`).join(", "),
        remediation: `Set ${wrong.map((s) => `${s.variable}=false`).join(" and ")} in Grafana's environment and redeploy it.`,
      });
    return pass("anonymous access and sign-up are off in Grafana's effective settings");
  },
};
