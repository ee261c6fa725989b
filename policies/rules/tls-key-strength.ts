/** PRE-CONFIG-09 (certificates generated properly), SEC-NET-03: generated TLS keys are RSA >= 2048, ECDSA P-256+ or Ed25519. */
import { resourcePolicy } from "../lib/define";
import { T } from "../lib/docker";
import { asNumber, asString, get } from "../lib/values";

export const tlsKeyStrength = resourcePolicy<{ minRsaBits: number; allowedCurves: string[] }>({
  name: "tls-key-strength",
  description: "Private keys the stack generates (tls.PrivateKey) are RSA of at least 2048 bits, ECDSA on P256/P384/P521, or ED25519.",
  checklistIds: ["PRE-CONFIG-09", "SEC-NET-03"],
  severity: "high",
  group: "edge",
  remediation: 'Use `new tls.PrivateKey(name, { algorithm: "ECDSA", ecdsaCurve: "P256" })` or RSA with rsaBits >= 2048.',
  resourceTypes: [T.tlsPrivateKey],
  config: {
    minRsaBits: { type: "integer", default: 2048, description: "Smallest RSA key size." },
    allowedCurves: { type: "array", items: { type: "string" }, default: ["P256", "P384", "P521"], description: "Accepted ECDSA curves." },
  },
  check(r, ctx) {
    const alg = asString(get(r.props, "algorithm"));
    if (!alg.known) return ctx.undecidable("algorithm");
    const a = (alg.value ?? "").toUpperCase();
    if (a === "RSA") {
      const bits = asNumber(get(r.props, "rsaBits"));
      if (!bits.known) return ctx.undecidable("rsaBits");
      // The provider's default is 2048.
      const b = bits.value ?? 2048;
      if (b < ctx.config.minRsaBits) ctx.violation(`PrivateKey ${r.name} is RSA ${b} bits; needs at least ${ctx.config.minRsaBits}`);
    } else if (a === "ECDSA") {
      const curve = asString(get(r.props, "ecdsaCurve"));
      if (!curve.known) return ctx.undecidable("ecdsaCurve");
      const c = (curve.value ?? "P224").toUpperCase();
      if (!ctx.config.allowedCurves.includes(c)) ctx.violation(`PrivateKey ${r.name} uses curve ${c}; allowed: ${ctx.config.allowedCurves.join(", ")}`);
    } else if (a !== "ED25519") ctx.violation(`PrivateKey ${r.name} uses algorithm ${a || "(none)"}`);
  },
});
