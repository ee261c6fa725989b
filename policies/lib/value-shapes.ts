/**
 * Shapes a value has before anyone measures its randomness. Identifiers that are random by
 * construction (git commit ids, UUIDs, image digests, PEM certificates) are public, and a
 * randomness test alone would call them key material; tokens whose shape is a credential
 * (JWTs, provider tokens, private keys) are secrets however they score.
 */

/** A private key in any PEM or age spelling, anywhere in the text. */
export const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----|-----BEGIN OPENSSH PRIVATE KEY-----|(?:^|\s)AGE-SECRET-KEY-1/m;

/** Public PEM blocks: their base64 body is random-looking but publishes nothing. */
const PUBLIC_PEM = /-----BEGIN (CERTIFICATE|PUBLIC KEY|X509 CRL|CERTIFICATE REQUEST|TRUSTED CERTIFICATE)-----[\s\S]*?-----END \1-----/g;

/** Credential formats whose issuers document a fixed prefix, or the three-part JWT. */
const CREDENTIAL_SHAPES: [string, RegExp][] = [
  ["a JSON web token", /^eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{16,}$/],
  ["a GitHub token", /^(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{40,})$/],
  ["a GitLab token", /^glpat-[\w-]{20,}$/],
  ["a Slack token", /^xox[abposr]-[\w-]{10,}$/],
  ["an API secret key", /^(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}$|^sk-[\w-]{20,}$/],
  ["an AWS access key id", /^(?:AKIA|ASIA)[0-9A-Z]{16}$/],
  ["an authorization header value", /^(?:Bearer|Basic|Token)\s+[\w.~+/=-]{16,}$/],
  ["a Slack webhook URL", /^https:\/\/hooks\.slack\.com\/(?:services|workflows)\/\S+$/],
];

/** What credential format a token has, or undefined. */
export function credentialShape(token: string): string | undefined {
  return CREDENTIAL_SHAPES.find(([, re]) => re.test(token))?.[0];
}

/** Names under which a hex string is a digest or a revision, not a key. */
const DIGEST_NAME = /(^|_)(SHA\d*|DIGEST|HASH|CHECKSUM|COMMIT|REVISION|REV|GIT_REF|ETAG|FINGERPRINT|BUILD_ID)($|_)/i;

/** Base64 of readable text (a config blob): binary key material does not decode to this. */
function isBase64OfText(token: string): boolean {
  if (token.length < 16 || token.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return false;
  const text = Buffer.from(token, "base64").toString("utf8");
  // Structure (braces, separators, newlines) is what config has and a base64'd password lacks.
  return /^[\t\n\r\x20-\x7e]+$/.test(text) && /[{}:=\n]|\s\S+\s/.test(text);
}

/** Which public identifier a token is (so no randomness test applies), or undefined. */
export function publicShape(token: string, name?: string): string | undefined {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(token)) return "a UUID";
  // git prints commit ids in lower case; 40 hex is SHA-1's length.
  if (/^[0-9a-f]{40}$/.test(token)) return "a git commit id";
  if (/^(?:[\w./:-]+@)?sha(?:256|384|512):[0-9a-f]{64,128}$/.test(token)) return "an image or content digest";
  if (name && DIGEST_NAME.test(name) && /^(?:[a-z0-9]+:)?[0-9a-f]{7,128}$/i.test(token)) return "a digest";
  // Semantic versions, with git describe's `g<hex>` build part.
  if (/^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(token)) return "a version";
  if (isBase64OfText(token)) return "base64 of text";
  return undefined;
}

/**
 * The parts of a token whose randomness says something: the value of a `--flag=value`, the
 * path segments and query values of a URL (a token in a webhook path is still found), else
 * the token itself.
 */
export function meaningfulParts(token: string): string[] {
  const flag = /^--?[a-z][\w.-]*=(.*)$/i.exec(token);
  if (flag) return flag[1] ? meaningfulParts(flag[1]) : [];
  if (/^--?[a-z][\w.-]*$/i.test(token)) return [];
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^\s]*)$/i.exec(token);
  if (url) return url[1].split(/[/?&=#]/).filter(Boolean);
  return [token];
}

/** The text without its public PEM blocks. */
export function withoutPublicPem(text: string): string {
  return text.replace(PUBLIC_PEM, " ");
}
