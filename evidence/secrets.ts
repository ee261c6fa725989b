/**
 * Which stack outputs are secret: the one answer every command uses to redact its reports
 * and to tell whether a secret could leak. The values are those under the outputs'
 * `secrets` (infra/outputs.ts exports them as Pulumi secrets), less the ones that are
 * plain configuration bundled there.
 */

/**
 * Under `secrets` but not secret: the Grafana admin user name is set in the stack file in
 * plain text and sits in Grafana's environment; redacting it would only blank every
 * mention of the login in the reports.
 */
export const NOT_SECRET_OUTPUTS: readonly string[] = ["grafanaAdminUser"];

/** What `pulumi stack output` prints in place of a secret when --show-secrets was not given. */
export const MASKED_SECRET = "[secret]";

/** `name` is safe to print, `value` never. */
export interface KnownSecret {
  name: string;
  value: string;
}

/** The secret outputs by name; masked or empty values are no known secret. */
export function knownSecrets(outputs: { secrets?: unknown } | undefined): KnownSecret[] {
  const s = outputs?.secrets;
  if (!s || typeof s !== "object" || Array.isArray(s)) return [];
  return Object.entries(s)
    .filter(([name, value]) => !NOT_SECRET_OUTPUTS.includes(name) && typeof value === "string" && value !== "" && value !== MASKED_SECRET)
    .map(([name, value]) => ({ name, value: value as string }));
}

/** The values no report may contain. */
export function secretValues(outputs: { secrets?: unknown } | undefined): string[] {
  return knownSecrets(outputs).map((s) => s.value);
}
