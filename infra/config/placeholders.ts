/**
 * Placeholder and default values that must never reach a deployed stack (PRE-CONFIG-02,
 * PRE-SEC-02). Shared by config validation and the policy pack.
 */
const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /^your_.*_here$/i,
  /^<[^>]*>$/, // <replace-me>
  /^\$\{[^}]*\}$/, // ${UNSET_VAR}
  /changeme|change_me|change-me/i,
  /^(todo|tbd|fixme|xxx+|placeholder|example|dummy|test)$/i,
];

/** Well-known default credentials: exact matches, case-insensitive. */
const DEFAULT_SECRETS = new Set([
  "password",
  "admin",
  "root",
  "postgres",
  "secret",
  "123456",
  "12345678",
  "qwerty",
  "letmein",
  "default",
  "pass",
  "guest",
  "grafana",
  "redis",
]);

export function isPlaceholder(value: string): boolean {
  if (value.trim() === "") return true;
  return PLACEHOLDER_PATTERNS.some((p) => p.test(value.trim()));
}

export function isDefaultSecret(value: string): boolean {
  return DEFAULT_SECRETS.has(value.trim().toLowerCase());
}

/** Why a value is not acceptable as configuration, or undefined. */
export function placeholderProblem(value: string): string | undefined {
  if (value.trim() === "") return "is empty";
  if (isPlaceholder(value)) return "is a placeholder";
  if (isDefaultSecret(value)) return "is a well-known default value";
  return undefined;
}
