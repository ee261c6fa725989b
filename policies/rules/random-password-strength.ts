/**
 * SEC-DATA-06 (JWT secrets 32+ bytes), SEC-DATA-07 (database passwords strong), PRE-CONFIG-10,
 * PRE-CONFIG-11 (generated, cryptographically secure): RandomPassword length and character set.
 */
import { resourcePolicy } from "../lib/define";
import { T } from "../lib/docker";
import { asBool, asNumber, asString, get } from "../lib/values";

export const randomPasswordStrength = resourcePolicy<{ minLength: number; requireSpecial: boolean; minSpecialChars: number }>({
  name: "random-password-strength",
  description: "Generated secrets (random.RandomPassword) are at least 32 characters with upper, lower, numeric and special characters.",
  checklistIds: ["SEC-DATA-06", "SEC-DATA-07", "PRE-CONFIG-10", "PRE-CONFIG-11"],
  severity: "critical",
  group: "secrets",
  remediation: "Create the secret with `new random.RandomPassword(name, { length: 32 or more, special: true })` and keep upper/lower/numeric enabled.",
  resourceTypes: [T.randomPassword],
  config: {
    minLength: { type: "integer", default: 32, description: "Shortest accepted length." },
    requireSpecial: { type: "boolean", default: true, description: "Special characters must be enabled." },
    minSpecialChars: { type: "integer", default: 4, description: "Smallest set of special characters allowed by overrideSpecial." },
  },
  check(r, ctx) {
    const length = asNumber(get(r.props, "length"));
    if (!length.known) ctx.undecidable("length");
    else if ((length.value ?? 0) < ctx.config.minLength)
      ctx.violation(`RandomPassword ${r.name} has length ${length.value ?? 0}; needs at least ${ctx.config.minLength}`);
    // Provider defaults: every class enabled.
    for (const key of ["upper", "lower", "numeric", "number"]) {
      const v = asBool(get(r.props, key));
      if (!v.known) ctx.undecidable(key);
      else if (v.value === false) ctx.violation(`RandomPassword ${r.name} disables ${key} characters`);
    }
    if (!ctx.config.requireSpecial) return;
    const special = asBool(get(r.props, "special"));
    if (!special.known) ctx.undecidable("special");
    else if (special.value === false) ctx.violation(`RandomPassword ${r.name} has special characters disabled`);
    const override = asString(get(r.props, "overrideSpecial"));
    if (!override.known) ctx.undecidable("overrideSpecial");
    else if (override.value !== undefined && new Set(override.value).size < ctx.config.minSpecialChars)
      ctx.violation(
        `RandomPassword ${r.name} limits special characters to ${new Set(override.value).size} (overrideSpecial); needs at least ${ctx.config.minSpecialChars}`,
      );
  },
});
