/** SEC-DATA-01 (database connections encrypted), SEC-NET-03: no env switch that turns off TLS or its verification. */
import { resourcePolicy } from "../lib/define";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

interface Rule {
  key: RegExp;
  bad: RegExp;
  why: string;
}

const RULES: Rule[] = [
  { key: /^NODE_TLS_REJECT_UNAUTHORIZED$/, bad: /^0$/, why: "disables TLS certificate verification in Node.js" },
  { key: /SSL_?MODE$/i, bad: /^(disable|allow|prefer)$/i, why: "lets the PostgreSQL connection run without (verified) TLS" },
  { key: /(^|_)(TLS|SSL)_?(VERIFY|VERIFICATION|CHECK_HOSTNAME)$/i, bad: /^(0|false|no|off|none)$/i, why: "turns TLS verification off" },
  {
    key: /(^|_)(INSECURE|INSECURE_SKIP_VERIFY|SKIP_TLS_VERIFY|TLS_SKIP_VERIFY|SKIP_VERIFY|NO_VERIFY|SSL_NO_VERIFY)$/i,
    bad: /^(1|true|yes|on)$/i,
    why: "skips TLS verification",
  },
  { key: /^PYTHONHTTPSVERIFY$/, bad: /^0$/, why: "disables TLS certificate verification in Python" },
  { key: /(^|_)(TLS|SSL)(_ENABLED)?$/i, bad: /^(0|false|no|off|disabled?)$/i, why: "turns TLS off" },
  { key: /^GIT_SSL_NO_VERIFY$/, bad: /.+/, why: "disables TLS verification in git" },
];

export const containerTlsVerification = resourcePolicy({
  name: "container-tls-verification",
  description:
    "No workload environment variable disables TLS or certificate verification (NODE_TLS_REJECT_UNAUTHORIZED=0, *SSLMODE=disable/allow/prefer, *_INSECURE_SKIP_VERIFY=true, sslmode=disable in a DSN, ...).",
  checklistIds: ["SEC-DATA-01", "SEC-NET-03"],
  severity: "high",
  group: "secrets",
  remediation:
    "Remove the override; use sslmode=verify-full with the internal CA (DATABASE_SSLROOTCERT) for PostgreSQL and trust the CA file instead of disabling verification.",
  resourceTypes: WORKLOAD_TYPES,
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.env.known) return ctx.undecidable("env");
    for (const e of w.env.value) {
      if (e.key === undefined || e.value === undefined) {
        ctx.undecidable(e.key ? `env ${e.key}` : `env[${e.index}]`);
        continue;
      }
      const hit = RULES.find((x) => x.key.test(e.key!) && x.bad.test(e.value!.trim()));
      // The matched values are switches (0, false, disable), never secrets: safe to name.
      if (hit) ctx.violation(`${w.label}: env ${e.key}=${e.value.trim()} ${hit.why}`);
      else if (/[?&\s]sslmode=(disable|allow|prefer)\b/i.test(e.value))
        ctx.violation(`${w.label}: env ${e.key} connects with sslmode ${/sslmode=(\w+)/i.exec(e.value)![1]} (no verified TLS)`);
    }
  },
});
