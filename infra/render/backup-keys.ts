/**
 * Key material for the backups, derived from the stack's generated secrets (pure functions).
 *
 * The stack generates `backupEncryptionKey` as a 64-character random string. age needs an
 * X25519 identity, so the identity is derived from that string with HKDF-SHA256 and
 * written in age's own encoding (`AGE-SECRET-KEY-1...`, Bech32). The container gets the
 * derived identity file; the restore drill derives the same identity from the stack
 * output, so nothing else has to be stored or copied. SEC-DATA-09.
 */
import { createPrivateKey, createPublicKey, hkdfSync } from "node:crypto";

const HKDF_SALT = "mcp-backup/age-identity";
const HKDF_INFO = "v1";

// --- Bech32 (BIP-173), the encoding age uses for its keys --------------------------------

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATOR[i];
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

function toWords(bytes: Uint8Array): number[] {
  const words: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      words.push((acc >> bits) & 31);
    }
  }
  if (bits > 0) words.push((acc << (5 - bits)) & 31);
  return words;
}

function fromWords(words: number[]): Uint8Array {
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const w of words) {
    acc = (acc << 5) | w;
    bits += 5;
    while (bits >= 8) {
      bits -= 8;
      bytes.push((acc >> bits) & 0xff);
    }
  }
  if (bits >= 5 || (acc << (8 - bits)) & 0xff) throw new Error("invalid Bech32 padding");
  return Uint8Array.from(bytes);
}

/** Bech32 string (lower case) of `data` under human-readable part `hrp`. */
export function bech32Encode(hrp: string, data: Uint8Array): string {
  const words = toWords(data);
  const chk = polymod([...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (chk >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join("")}`;
}

/** Decodes a Bech32 string (either case, not mixed); throws on a bad checksum. */
export function bech32Decode(s: string): { hrp: string; data: Uint8Array } {
  if (s !== s.toLowerCase() && s !== s.toUpperCase()) throw new Error("mixed-case Bech32 string");
  const lower = s.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (sep < 1 || sep + 7 > lower.length) throw new Error("not a Bech32 string");
  const hrp = lower.slice(0, sep);
  const words = [...lower.slice(sep + 1)].map((c) => {
    const w = CHARSET.indexOf(c);
    if (w < 0) throw new Error("invalid Bech32 character");
    return w;
  });
  if (polymod([...hrpExpand(hrp), ...words]) !== 1) throw new Error("Bech32 checksum mismatch");
  return { hrp, data: fromWords(words.slice(0, -6)) };
}

// --- age X25519 keys -----------------------------------------------------------------------

const IDENTITY_HRP = "age-secret-key-";
const RECIPIENT_HRP = "age";
/** PKCS#8 DER prefix of an X25519 private key (RFC 8410); the 32 key bytes follow. */
const X25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

/** The 32 identity bytes HKDF-derived from the stack's backupEncryptionKey. */
export function identityBytesFromStackKey(stackKey: string): Uint8Array {
  if (stackKey.length < 32) throw new Error("backup encryption key is shorter than 32 characters");
  return new Uint8Array(hkdfSync("sha256", Buffer.from(stackKey, "utf8"), HKDF_SALT, HKDF_INFO, 32));
}

/** age identity (`AGE-SECRET-KEY-1...`) for the stack's backupEncryptionKey. */
export function ageIdentityFromStackKey(stackKey: string): string {
  return bech32Encode(IDENTITY_HRP, identityBytesFromStackKey(stackKey)).toUpperCase();
}

export function isAgeIdentity(s: string): boolean {
  try {
    const { hrp, data } = bech32Decode(s.trim());
    return hrp === IDENTITY_HRP && data.length === 32;
  } catch {
    return false;
  }
}

/** The public recipient (`age1...`) of an age identity, as `age-keygen -y` prints it. */
export function ageRecipientOf(identity: string): string {
  const { hrp, data } = bech32Decode(identity.trim());
  if (hrp !== IDENTITY_HRP || data.length !== 32) throw new Error("not an age X25519 identity");
  const priv = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, Buffer.from(data)]), format: "der", type: "pkcs8" });
  const jwk = createPublicKey(priv).export({ format: "jwk" }) as { x: string };
  return bech32Encode(RECIPIENT_HRP, Buffer.from(jwk.x, "base64url"));
}

/**
 * The identity for whatever key material an operator hands the drill: an age identity as
 * is, otherwise the stack's raw backupEncryptionKey (derived as the container does).
 */
export function identityFromKeyMaterial(material: string): string {
  const trimmed = material.trim();
  const firstKeyLine = trimmed.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  if (firstKeyLine) {
    if (!isAgeIdentity(firstKeyLine)) throw new Error("the key file holds a malformed age identity");
    return firstKeyLine;
  }
  return ageIdentityFromStackKey(trimmed);
}

/** Content of the identity file the container reads (age's key-file format). */
export function renderAgeIdentityFile(stackKey: string): string {
  const identity = ageIdentityFromStackKey(stackKey);
  return `# mcp backup identity (derived from the stack's backupEncryptionKey)\n# public key: ${ageRecipientOf(identity)}\n${identity}\n`;
}

// --- libpq password file -------------------------------------------------------------------

/** A `.pgpass` line; `:` and `\` in any field are escaped as libpq requires. */
export function renderPgpass(entry: { host: string; port: number | string; database: string; user: string; password: string }): string {
  const esc = (v: string | number) => String(v).replace(/\\/g, "\\\\").replace(/:/g, "\\:");
  return `${[entry.host, entry.port, entry.database, entry.user, entry.password].map(esc).join(":")}\n`;
}
