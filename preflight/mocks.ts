/**
 * Mock provider state for running the program offline: what the Docker, random and tls
 * providers would report after create, so values that flow between resources (image IDs,
 * network names, generated passwords) are known the way they are during `pulumi up`.
 * Generated secrets are returned as Pulumi secrets and recorded, so tests can prove no
 * report or log line contains one.
 */
import { createHash, generateKeyPairSync, randomInt } from "crypto";
import * as pulumi from "@pulumi/pulumi";

const hex = (s: string, n = 64) => createHash("sha256").update(s).digest("hex").slice(0, n);

const ALPHA = { upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ", lower: "abcdefghijklmnopqrstuvwxyz", numeric: "0123456789" };
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** A password honouring RandomPassword's inputs (length, classes, minimums, overrideSpecial). */
export function mockPassword(inputs: Record<string, unknown>): string {
  const length = Math.max(1, Math.min(1024, Number(inputs.length ?? 16) || 16));
  const sets: { chars: string; min: number }[] = [];
  if (inputs.upper !== false) sets.push({ chars: ALPHA.upper, min: Number(inputs.minUpper ?? 0) });
  if (inputs.lower !== false) sets.push({ chars: ALPHA.lower, min: Number(inputs.minLower ?? 0) });
  if (inputs.numeric !== false && inputs.number !== false) sets.push({ chars: ALPHA.numeric, min: Number(inputs.minNumeric ?? 0) });
  if (inputs.special !== false)
    sets.push({
      chars: typeof inputs.overrideSpecial === "string" && inputs.overrideSpecial ? inputs.overrideSpecial : DEFAULT_SPECIAL,
      min: Number(inputs.minSpecial ?? 0),
    });
  const all = sets.map((s) => s.chars).join("") || ALPHA.lower;
  const out: string[] = [];
  for (const s of sets) for (let i = 0; i < s.min && out.length < length; i++) out.push(s.chars[randomInt(s.chars.length)]);
  while (out.length < length) out.push(all[randomInt(all.length)]);
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.join("");
}

/** A real key of the kind a tls.PrivateKey asks for (ECDSA curve, ED25519 or RSA bits), so anything that parses it works. */
export function mockPrivateKey(inputs: Record<string, unknown>): { privateKeyPem: string; publicKeyPem: string } {
  const alg = String(inputs.algorithm ?? "RSA").toUpperCase();
  const pair =
    alg === "ECDSA"
      ? generateKeyPairSync("ec", {
          namedCurve: { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[String(inputs.ecdsaCurve ?? "P224")] ?? "P-256",
        })
      : alg === "ED25519"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("rsa", { modulusLength: Math.max(512, Number(inputs.rsaBits ?? 2048)) });
  return {
    privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function pem(label: string, seed: string): string {
  const body = Buffer.from(createHash("sha512").update(seed).digest("hex"))
    .toString("base64")
    .replace(/(.{64})/g, "$1\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export class PreflightMocks implements pulumi.runtime.Mocks {
  /** Every secret value the mocks generated (never to appear in output). */
  readonly generatedSecrets: string[] = [];

  protected keep(v: string): pulumi.Output<string> {
    this.generatedSecrets.push(v);
    return pulumi.secret(v);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const i = args.inputs as Record<string, unknown>;
    const named = (fallback: string) => (typeof i.name === "string" && i.name ? i.name : fallback);
    switch (args.type) {
      case "docker:index/remoteImage:RemoteImage": {
        const name = String(i.name ?? args.name);
        const digest = hex(`digest:${name}`);
        return {
          id: `sha256:${hex(name)}${name}`,
          state: { ...i, imageId: `sha256:${hex(name)}`, repoDigest: `${name.replace(/[:@].*$/, "")}@sha256:${digest}` },
        };
      }
      case "docker:index/network:Network":
        return { id: hex(`net:${named(args.name)}`), state: { ...i, name: named(args.name), driver: i.driver ?? "bridge", scope: "local" } };
      case "docker:index/volume:Volume":
        return {
          id: named(args.name),
          state: { ...i, name: named(args.name), driver: i.driver ?? "local", mountpoint: `/var/lib/docker/volumes/${named(args.name)}/_data` },
        };
      case "docker:index/container:Container":
        return { id: hex(`container:${named(args.name)}`), state: { ...i, name: named(args.name), exitCode: null } };
      case "random:index/randomPassword:RandomPassword": {
        const result = mockPassword(i);
        return { id: "none", state: { ...i, result: this.keep(result), bcryptHash: this.keep(`$2a$10$${hex(result, 53)}`) } };
      }
      case "random:index/randomBytes:RandomBytes": {
        const bytes = Buffer.from(Array.from({ length: Number(i.length ?? 32) }, () => randomInt(256)));
        return { id: "none", state: { ...i, base64: this.keep(bytes.toString("base64")), hex: this.keep(bytes.toString("hex")) } };
      }
      case "tls:index/privateKey:PrivateKey": {
        const k = mockPrivateKey(i);
        return {
          id: hex(k.publicKeyPem, 40),
          state: {
            ...i,
            privateKeyPem: this.keep(k.privateKeyPem),
            privateKeyPemPkcs8: this.keep(k.privateKeyPem),
            publicKeyPem: k.publicKeyPem,
            publicKeyFingerprintSha256: hex(k.publicKeyPem, 64),
          },
        };
      }
      case "tls:index/selfSignedCert:SelfSignedCert":
      case "tls:index/locallySignedCert:LocallySignedCert":
        return {
          id: hex(`${args.name}`, 40),
          state: {
            ...i,
            certPem: pem("CERTIFICATE", args.name),
            validityStartTime: "2026-01-01T00:00:00Z",
            validityEndTime: "2027-01-01T00:00:00Z",
            readyForRenewal: false,
          },
        };
      case "tls:index/certRequest:CertRequest":
        return { id: hex(`${args.name}`, 40), state: { ...i, certRequestPem: pem("CERTIFICATE REQUEST", args.name) } };
      default:
        return { id: args.custom === false ? undefined : hex(`${args.type}:${args.name}`, 32), state: { ...i } };
    }
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    return { ...(args.inputs as Record<string, unknown>) };
  }
}
