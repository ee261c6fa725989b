/**
 * Property values the way the Pulumi engine passes them to an analyzer (pkg/resource/plugin
 * MarshalProperties with KeepUnknowns, KeepSecrets, no KeepResources, SkipInternalKeys):
 *   - secrets stay wrapped: {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": ...}
 *   - unknowns are the unknown sentinel string (the SDK already sends 04da6b54-...)
 *   - resource references are downgraded to the resource's ID (custom) or URN (component)
 *   - keys starting with "__" are dropped
 * Also: a `secure:` stack config value that could not be decrypted offline (the marker from
 * infra/config/load.ts) is unknown, not a string: its content must never read as checked.
 * That holds for anything built from it too: a text that contains the marker, and base64 of
 * one (Docker configs and secrets carry their content base64-encoded).
 */
import { ENCRYPTED_CONFIG_VALUE } from "../infra/config/load";

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type EngineValue = null | boolean | number | string | EngineValue[] | { [k: string]: EngineValue };

export const secret = (value: EngineValue): EngineValue => ({ [SIG_KEY]: SECRET_SIG, value });

export function isSecretValue(v: unknown): v is { value: EngineValue } {
  return !!v && typeof v === "object" && !Array.isArray(v) && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** True for the undecryptable marker, a text containing it, or base64 of such a text. */
export function carriesEncryptedValue(s: string): boolean {
  if (s.includes(ENCRYPTED_CONFIG_VALUE)) return true;
  return s.length >= 16 && BASE64.test(s) && Buffer.from(s, "base64").toString("utf8").includes(ENCRYPTED_CONFIG_VALUE);
}

/** SDK-serialized value (Struct.toJavaScript of a RegisterResourceRequest object) -> analyzer value. */
export function toEngineValue(v: unknown): EngineValue | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v === "boolean" || typeof v === "number") return v;
  if (typeof v === "string") return carriesEncryptedValue(v) ? UNKNOWN_STRING : v;
  if (Array.isArray(v)) return v.map((e) => toEngineValue(e) ?? null);
  const o = v as Record<string, unknown>;
  const sig = o[SIG_KEY];
  if (sig === SECRET_SIG) return secret(toEngineValue(o.value) ?? null);
  if (sig === RESOURCE_REF_SIG) {
    if (typeof o.id === "string") return o.id === "" ? UNKNOWN_STRING : o.id;
    return typeof o.urn === "string" ? o.urn : UNKNOWN_STRING;
  }
  if (sig === OUTPUT_VALUE_SIG) {
    const inner = "value" in o ? (toEngineValue(o.value) ?? null) : UNKNOWN_STRING;
    return o.secret ? secret(inner) : inner;
  }
  const out: Record<string, EngineValue> = {};
  for (const [k, x] of Object.entries(o)) {
    // Assets and archives keep their signature key; other internal keys are the engine's own.
    if (k.startsWith("__") && k !== SIG_KEY) continue;
    const e = toEngineValue(x);
    if (e !== undefined) out[k] = e;
  }
  return out;
}

export function toEngineProperties(obj: Record<string, unknown> | undefined): Record<string, EngineValue> {
  const v = toEngineValue(obj ?? {});
  return (v && typeof v === "object" && !Array.isArray(v) ? v : {}) as Record<string, EngineValue>;
}

/** A value with secrets unwrapped (what a policy sees). */
export function plain(v: unknown): unknown {
  if (isSecretValue(v)) return plain(v.value);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Go-style duration ("5m", "1h30m", "90s") in seconds, as the engine converts custom timeouts. */
export function goDurationSeconds(d: string): number {
  if (!d) return 0;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * unit[m[2]];
  return total;
}
