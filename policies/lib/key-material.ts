/**
 * Whether a file's text is (or carries) key material: a PEM private key, a `secret-name =
 * value` setting with a real value, credentials inside a URL, or one random-looking token.
 * The same heuristics as the env rules (policies/lib/secrets.ts), applied to file content.
 */
import { memoByText } from "./memo";
import { hasUrlCredentials, isInertValue, keyMaterialKind } from "./secrets";
import { PRIVATE_KEY } from "./value-shapes";

/** `KEY=value`, `key: value`, `key = value`, `requirepass value` (one setting per line). */
const SETTING = /^\s*([A-Za-z_][\w.-]*)\s*(?:=|:|\s)\s*(.+?)\s*$/;

/**
 * A setting that holds a credential names it last (smtp_auth_password, api_token, requirepass);
 * password_encryption or proxy_pass name something else. Stricter than the env-name rule,
 * because config files are full of words like these.
 */
const SECRET_SETTING =
  /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|API_KEY|PRIVATE_KEY|SECRET_KEY|ACCESS_KEY|AUTH_KEY|CREDENTIALS?|SIGNING_KEY|ENCRYPTION_KEY|MASTER_KEY)$|^REQUIREPASS$/i;

/** Values that only point somewhere: a variable, a template, a file reference, a URL without credentials. */
const isReference = (v: string) => /^\$|^\{\{|file\b|^[a-z][a-z0-9+.-]*:\/\/[^@\s]*$/i.test(v);

/** What kind of key material the text holds, or undefined. Never returns the material. */
export const keyMaterialIn = memoByText((text: string): string | undefined => {
  if (PRIVATE_KEY.test(text)) return "a private key";
  if (hasUrlCredentials(text)) return "credentials in a URL";
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(line)) continue;
    const m = SETTING.exec(line);
    if (!m) continue;
    const key = m[1].replace(/[.-]/g, "_");
    const value = m[2]
      .replace(/;$/, "")
      .replace(/^["']|["']$/g, "")
      .trim();
    if (SECRET_SETTING.test(key) && value.length >= 8 && !isInertValue(value) && !isReference(value)) return `a secret setting (${m[1]})`;
  }
  const t = text.trim();
  // Only a file that is one token is judged by shape: config files are full of ids and hashes.
  return t && !/\s/.test(t) ? keyMaterialKind(t) : undefined;
});
