/** Alertmanager through its HTTP API: ready, and every configured receiver loaded. */
import { fail, pass, type Check } from "../core/types";
import { joinUrl, request, requestJson } from "../net/http";
import type { VerifyTarget } from "../target";

export const alertmanagerReadyCheck: Check<VerifyTarget> = {
  id: "alertmanager.ready",
  title: "Alertmanager is ready",
  checklistIds: ["DEP-MON-04", "DEP-CORE-02"],
  needs: ["alertmanager"],
  retries: 3,
  retryDelayMs: 500,
  async run({ alertmanager: a }, { signal }) {
    const r = await request(joinUrl(a.url, "/-/ready"), {}, { signal });
    if (r.status !== 200)
      return fail(`Alertmanager /-/ready answered ${r.status}`, {
        expected: "200",
        actual: `${r.status} ${r.body.slice(0, 100)}`,
        remediation: "Check the Alertmanager logs (amtool check-config on the rendered config).",
      });
    return pass("Alertmanager ready");
  },
};

export const alertmanagerReceiversCheck: Check<VerifyTarget> = {
  id: "alertmanager.receivers",
  title: "Every configured receiver is loaded",
  checklistIds: ["MON-ALERT-01", "MON-ALERT-02", "POST-24H-05", "SIGN-OPS-01"],
  needs: ["alertmanager"],
  retries: 2,
  async run({ alertmanager: a }, { signal }) {
    const url = joinUrl(a.url, "/api/v2/receivers");
    const r = await requestJson<{ name: string }[]>(url, {}, { signal });
    if (r.status !== 200 || !Array.isArray(r.json))
      return fail(`GET ${url} answered ${r.status}`, { expected: "200 with the receiver list", actual: `${r.status} ${r.body.slice(0, 100)}` });
    const names = r.json.map((x) => x.name);
    const missing = a.expectedReceivers.filter((n) => !names.includes(n));
    if (missing.length > 0) {
      return fail(`receivers missing: ${missing.join(", ")}`, {
        expected: a.expectedReceivers.join(", "),
        actual: names.join(", ") || "none",
        remediation: "Redeploy the Alertmanager config rendered from mcp:alerting.receivers.",
      });
    }
    return pass(`receivers loaded: ${names.join(", ")}`, { measurements: { receivers: names.length } });
  },
};
