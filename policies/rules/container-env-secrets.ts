/**
 * SEC-DATA-02 (secrets via Docker secrets, not environment variables), SEC-DATA-05 (no
 * sensitive data in images or logs: `docker inspect` and crash dumps show env): secrets in
 * env values found by variable name, by randomness and by credentials inside URLs.
 */
import { resourcePolicy } from "../lib/define";
import { displayName, envOf, T } from "../lib/docker";
import { DEFAULT_ENTROPY_RULE, hasUrlCredentials, isInertValue, isSecretName, looksRandom } from "../lib/secrets";

export const containerEnvSecrets = resourcePolicy<{ allowKeys: string[]; minLength: number; minEntropy: number; maxMeanClassRun: number }>({
  name: "container-env-secrets",
  description: "No secret in a container's environment: secret-named variables must be *_FILE paths, and no value may look like key material or carry URL credentials.",
  checklistIds: ["SEC-DATA-02", "SEC-DATA-05"],
  severity: "critical",
  group: "secrets",
  remediation: "Deliver the secret as a file (uploads under /run/secrets, mode 0400) and pass its path in a *_FILE variable (e.g. DATABASE_PASSWORD_FILE=/run/secrets/postgres-password).",
  resourceTypes: ["docker:index/container:Container"],
  config: {
    allowKeys: { type: "array", items: { type: "string" }, default: [], description: "Variables exempt from the randomness check (never from the name check)." },
    minLength: { type: "integer", default: DEFAULT_ENTROPY_RULE.minLength, description: "Shortest token the randomness check considers." },
    minEntropy: { type: "number", default: DEFAULT_ENTROPY_RULE.minEntropy, description: "Shannon entropy (bits/char) at or above which a token counts as random." },
    maxMeanClassRun: { type: "number", default: DEFAULT_ENTROPY_RULE.maxMeanClassRun, description: "Random tokens switch character class often: mean same-class run length at or below this." },
  },
  check(r, ctx) {
    const env = envOf(r.props);
    if (!env.known) return ctx.undecidable("envs");
    const name = displayName(r);
    for (const e of env.value) {
      if (e.key === undefined) {
        ctx.undecidable(`envs[${e.index}]`);
        continue;
      }
      if (e.value === undefined) {
        ctx.undecidable(`env ${e.key}`);
        continue;
      }
      // Messages name the variable only: the value may be the secret itself.
      if (isSecretName(e.key) && !isInertValue(e.value)) ctx.violation(`container ${name}: env ${e.key} carries a secret value; use ${e.key}_FILE with a file under /run/secrets`);
      else if (hasUrlCredentials(e.value)) ctx.violation(`container ${name}: env ${e.key} contains credentials in a URL`);
      else if (!ctx.config.allowKeys.includes(e.key) && looksRandom(e.value, ctx.config)) ctx.violation(`container ${name}: env ${e.key} holds a value that looks like key material`);
    }
  },
});
