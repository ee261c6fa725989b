/**
 * Speed: @pulumi/policy's server converts a request's protobuf properties to JavaScript once
 * per policy (server.js calls deserializeProperties inside its policy loop), so a container
 * analyzed by 30 policies is converted 30 times. This shares one conversion per request
 * Struct among the policies: validations only read their properties (each still gets its
 * own unknown-checking proxy), and the remediation path (proxySecrets = true) is left alone.
 * Measured on a 5,000-resource stack: see bench/preflight.ts.
 *
 * Installed by index.ts only (the pack process). If @pulumi/policy's internals change shape,
 * this does nothing and the pack runs as before.
 */
export function shareDeserialization(): boolean {
  let mod: { deserializeProperties?: (s: object, proxySecrets: boolean) => Record<string, unknown> };
  try {
    mod = require("@pulumi/policy/deserialize");
  } catch {
    return false;
  }
  const original = mod.deserializeProperties;
  if (typeof original !== "function" || (original as { shared?: boolean }).shared) return false;
  const cache = new WeakMap<object, Record<string, unknown>>();
  const shared = (struct: object, proxySecrets: boolean) => {
    if (proxySecrets || !struct || typeof struct !== "object") return original(struct, proxySecrets);
    let props = cache.get(struct);
    if (!props) {
      // Frozen deeply: a policy that tried to change shared properties would fail loudly.
      props = deepFreeze(original(struct, false));
      cache.set(struct, props);
    }
    return props;
  };
  (shared as { shared?: boolean }).shared = true;
  mod.deserializeProperties = shared;
  return true;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === "object" && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}
