/**
 * Heuristics for "this value is a secret": by variable name, by randomness, by embedded
 * credentials. Used to keep secrets out of environment variables (SEC-DATA-02).
 */
import { credentialShape, meaningfulParts, PRIVATE_KEY, publicShape, withoutPublicPem } from "./value-shapes";

/** Names that hold a credential unless they point at a file (`*_FILE`) or are an identifier. */
const SECRET_NAME =
  /(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|SECRETS|TOKEN|APIKEY|API_KEY|PRIVATE_KEY|SECRET_KEY|ACCESS_KEY|AUTH_KEY|CREDENTIALS?|SIGNING_KEY|ENCRYPTION_KEY|MASTER_KEY)($|_)/i;
const REFERENCE_SUFFIX = /_(FILE|PATH|DIR|ID|NAME|USER|USERNAME|URL_FILE|ENABLED|REQUIRED|LENGTH|TTL)$/i;

export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key) && !REFERENCE_SUFFIX.test(key);
}

/** Values that cannot be a credential: empty, booleans, numbers, absolute paths. */
export function isInertValue(v: string): boolean {
  const t = v.trim();
  return t === "" || /^(true|false|yes|no|on|off|none|null)$/i.test(t) || /^-?\d+(\.\d+)?[a-z]{0,2}$/i.test(t) || /^\/[\w./@-]*$/.test(t);
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const classOf = (ch: string) => (/[a-z]/.test(ch) ? 0 : /[A-Z]/.test(ch) ? 1 : /[0-9]/.test(ch) ? 2 : 3);

/** Mean length of runs of the same character class: random strings switch class often. */
export function meanClassRun(s: string): number {
  if (!s) return 0;
  let runs = 1;
  for (let i = 1; i < s.length; i++) if (classOf(s[i]) !== classOf(s[i - 1])) runs++;
  return s.length / runs;
}

export interface EntropyRule {
  minLength: number;
  minEntropy: number;
  /** Random strings switch character class every ~1.5-2 characters; words and paths do not. */
  maxMeanClassRun: number;
}

export const DEFAULT_ENTROPY_RULE: EntropyRule = { minLength: 20, minEntropy: 3.5, maxMeanClassRun: 2.2 };

const HIGH_ENTROPY = 4.5;

/** True when the value (or a whitespace-free token of it) looks like generated key material. */
export function looksRandom(value: string, rule: EntropyRule = DEFAULT_ENTROPY_RULE): boolean {
  const tokens = value.split(/\s+/).filter((t) => t.length >= rule.minLength);
  return tokens.some((t) => {
    if (/^[0-9a-f]+$/i.test(t) && t.length >= 32) return true; // hex keys
    const h = entropy(t);
    if (h < rule.minEntropy) return false;
    // Punctuation separates the words of structured values (en_US.UTF-8, v1.2.3-rc.4, image
    // references), so class switching is measured on letters and digits alone.
    const alnum = t.replace(/[^A-Za-z0-9]/g, "");
    if (alnum.length < Math.min(12, rule.minLength)) return false;
    const run = meanClassRun(alnum);
    // Near-uniform characters are random even with longer runs: one in five 40-character base62
    // tokens has a mean run above 2.2, while words and paths stay below 4.5 bits per character.
    return run <= rule.maxMeanClassRun || (h >= HIGH_ENTROPY && run <= 3.5);
  });
}

/** `scheme://user:password@host`: a credential inside a URL. */
export function hasUrlCredentials(value: string): boolean {
  return /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i.test(value);
}

/**
 * What kind of key material a value holds, or undefined: a private key, a token in a
 * credential format, or a random-looking part that is not a public identifier (a commit id,
 * UUID, digest, certificate, base64'd config, a flag's name). `name` is the variable or
 * setting that holds the value, when there is one. Never returns the material.
 */
export function keyMaterialKind(value: string, rule: EntropyRule = DEFAULT_ENTROPY_RULE, name?: string): string | undefined {
  if (PRIVATE_KEY.test(value)) return "a private key";
  const whole = credentialShape(value.trim());
  if (whole) return whole;
  for (const token of withoutPublicPem(value).split(/\s+/)) {
    const t = token.replace(/^["']|["',;]$/g, "");
    const credential = credentialShape(t);
    if (credential) return credential;
    for (const part of meaningfulParts(t)) if (!publicShape(part, name) && looksRandom(part, rule)) return "a random-looking token";
  }
  return undefined;
}

/** Why an environment entry carries a secret, or undefined: by its name, a URL credential, or its shape. */
export type EnvSecretFinding = { by: "name" } | { by: "url-credentials" } | { by: "shape"; kind: string };

/** The env rule's decision (SEC-DATA-02), pure so the corpus benchmark measures exactly what the pack enforces. */
export function envSecretFinding(
  key: string,
  value: string,
  rule: EntropyRule = DEFAULT_ENTROPY_RULE,
  allowKeys: readonly string[] = [],
): EnvSecretFinding | undefined {
  if (isSecretName(key) && !isInertValue(value)) return { by: "name" };
  if (hasUrlCredentials(value)) return { by: "url-credentials" };
  if (allowKeys.includes(key)) return undefined;
  const kind = keyMaterialKind(value, rule, key);
  return kind ? { by: "shape", kind } : undefined;
}
