/**
 * SEC-DATA-02 (secrets via Docker secrets, not environment variables), SEC-DATA-05 (no
 * sensitive data in images or logs: `docker inspect` and crash dumps show env): secrets in
 * env values found by variable name, by randomness and by credentials inside URLs.
 */
import { resourcePolicy } from "../lib/define";
import { DEFAULT_ENTROPY_RULE, envSecretFinding } from "../lib/secrets";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

export const containerEnvSecrets = resourcePolicy<{ allowKeys: string[]; minLength: number; minEntropy: number; maxMeanClassRun: number }>({
  name: "container-env-secrets",
  description:
    "No secret in a workload's environment: secret-named variables must be *_FILE paths, and no value may look like key material or carry URL credentials.",
  checklistIds: ["SEC-DATA-02", "SEC-DATA-05"],
  severity: "critical",
  group: "secrets",
  remediation:
    "Deliver the secret as a Docker secret (docker.Secret mounted at /run/secrets/<name>, mode 0400) and pass its path in a *_FILE variable (e.g. DATABASE_PASSWORD_FILE=/run/secrets/postgres-password).",
  resourceTypes: WORKLOAD_TYPES,
  config: {
    allowKeys: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Variables exempt from the randomness check (never from the name check).",
    },
    minLength: { type: "integer", default: DEFAULT_ENTROPY_RULE.minLength, description: "Shortest token the randomness check considers." },
    minEntropy: {
      type: "number",
      default: DEFAULT_ENTROPY_RULE.minEntropy,
      description: "Shannon entropy (bits/char) at or above which a token counts as random.",
    },
    maxMeanClassRun: {
      type: "number",
      default: DEFAULT_ENTROPY_RULE.maxMeanClassRun,
      description: "Random tokens switch character class often: mean same-class run length (letters and digits) at or below this.",
    },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.env.known) return ctx.undecidable("env");
    for (const e of w.env.value) {
      if (e.key === undefined) {
        ctx.undecidable(`env[${e.index}]`);
        continue;
      }
      if (e.value === undefined) {
        ctx.undecidable(`env ${e.key}`);
        continue;
      }
      // Messages name the variable only: the value may be the secret itself.
      const found = envSecretFinding(e.key, e.value, ctx.config, ctx.config.allowKeys);
      if (found?.by === "name") ctx.violation(`${w.label}: env ${e.key} carries a secret value; use ${e.key}_FILE with a Docker secret under /run/secrets`);
      else if (found?.by === "url-credentials") ctx.violation(`${w.label}: env ${e.key} contains credentials in a URL`);
      else if (found) ctx.violation(`${w.label}: env ${e.key} holds a value that looks like key material (${found.kind})`);
    }
  },
});
