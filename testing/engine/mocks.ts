/**
 * Provider stand-ins for running the program onto a real engine: the preflight's mocks
 * (preflight/mocks.ts), except that
 *
 * - certificates are real (openssl): PostgreSQL loads its key pair and clients verify it
 *   against the internal CA, so a fake PEM would never start;
 * - what a provider keeps in state survives to the next run, as Pulumi's state does:
 *   generated passwords, keys and certificates come back unchanged for the same resource
 *   and inputs, unless a test names the resource to replace (a rotation).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { createHash, randomBytes } from "node:crypto";
import { mockPassword, mockPrivateKey, PreflightMocks } from "../../preflight/mocks";

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
/** Resource types whose outputs a provider generates once and keeps in state. */
const KEPT_TYPES = new Set([
  "random:index/randomPassword:RandomPassword",
  "random:index/randomBytes:RandomBytes",
  "tls:index/privateKey:PrivateKey",
  "tls:index/selfSignedCert:SelfSignedCert",
  "tls:index/certRequest:CertRequest",
  "tls:index/locallySignedCert:LocallySignedCert",
]);
/** Outputs of those types that are secrets (kept as secrets when reused). */
const SECRET_OUTPUTS = new Set(["result", "bcryptHash", "base64", "hex", "privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"]);

type State = Record<string, unknown>;

/** A value with the mock runtime's secret wrapper removed. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) return plain(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"], timeout: 30_000 });
}

const KEY_USAGE: Record<string, string> = {
  digital_signature: "digitalSignature",
  key_encipherment: "keyEncipherment",
  cert_signing: "keyCertSign",
  crl_signing: "cRLSign",
};
const EXT_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth" };

/** The x509v3 extensions of @pulumi/tls inputs (isCaCertificate, allowedUses, dnsNames, ipAddresses). */
function extensions(i: State, withSans = true): string {
  const uses = (i.allowedUses as string[] | undefined) ?? [];
  const lines = [`basicConstraints=${i.isCaCertificate ? "critical,CA:TRUE" : "CA:FALSE"}`];
  const ku = uses.map((u) => KEY_USAGE[u]).filter(Boolean);
  const eku = uses.map((u) => EXT_USAGE[u]).filter(Boolean);
  if (ku.length) lines.push(`keyUsage=critical,${ku.join(",")}`);
  if (eku.length) lines.push(`extendedKeyUsage=${eku.join(",")}`);
  const sans = [
    ...((i.dnsNames as string[] | undefined) ?? []).map((d) => `DNS:${d}`),
    ...((i.ipAddresses as string[] | undefined) ?? []).map((a) => `IP:${a}`),
  ];
  if (withSans && sans.length) lines.push(`subjectAltName=${sans.join(",")}`);
  return lines.join("\n") + "\n";
}

function subjectOf(i: State): string {
  const s = (i.subject as Record<string, string> | undefined) ?? {};
  const parts = [s.organization ? `/O=${s.organization}` : "", `/CN=${s.commonName ?? "mcp"}`];
  return parts.join("");
}

const days = (i: State) => String(Math.max(1, Math.ceil(Number(i.validityPeriodHours ?? 24) / 24)));

export interface EngineMocksOptions {
  /** States kept from an earlier run (EngineMocks.states of it). */
  prior?: ReadonlyMap<string, State>;
  /** Resource names (Pulumi names) to generate anew, as `pulumi up --replace` would. */
  replace?: readonly string[];
}

export class EngineMocks extends PreflightMocks {
  /** Plain state of every kept resource of this run, by `type::name`. */
  readonly states = new Map<string, State>();
  private readonly work = mkdtempSync(join(tmpdir(), "mcp-engine-tls-"));

  constructor(private readonly options: EngineMocksOptions = {}) {
    super();
  }

  /** Removes the scratch directory the certificates were made in. */
  dispose(): void {
    rmSync(this.work, { recursive: true, force: true });
  }

  override newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const key = `${args.type}::${args.name}`;
    const inputs = plain(args.inputs) as State;
    if (KEPT_TYPES.has(args.type)) {
      const prior = this.options.prior?.get(key);
      const same = prior && JSON.stringify(prior.__inputs) === JSON.stringify(inputs);
      const state = same && !this.options.replace?.includes(args.name) ? prior : this.generate(args, inputs);
      this.states.set(key, state);
      return { id: String(state.__id ?? "none"), state: this.wrapSecrets(state) };
    }
    return super.newResource(args);
  }

  private wrapSecrets(state: State): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(state)) {
      if (k.startsWith("__")) continue;
      out[k] = SECRET_OUTPUTS.has(k) && typeof v === "string" ? this.keepSecret(v) : v;
    }
    return out;
  }

  /** Records the value (no output may contain it) and returns it as a secret. */
  private keepSecret(v: string): unknown {
    return this.keep(v);
  }

  private generate(args: pulumi.runtime.MockResourceArgs, inputs: State): State {
    const withInputs = (id: string | undefined, state: Record<string, unknown>): State => ({ ...(plain(state) as State), __id: id, __inputs: inputs });
    const dir = mkdtempSync(join(this.work, "r-"));
    const file = (name: string, content: unknown) => {
      writeFileSync(join(dir, name), String(content), { mode: 0o600 });
      return name;
    };
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    switch (args.type) {
      case "tls:index/selfSignedCert:SelfSignedCert": {
        file("key.pem", inputs.privateKeyPem);
        file("ext.cnf", extensions(inputs));
        openssl(
          [
            "req",
            "-x509",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            subjectOf(inputs),
            "-days",
            days(inputs),
            "-out",
            "cert.pem",
            "-extensions",
            "v3",
            "-config",
            file("req.cnf", `[req]\ndistinguished_name=dn\n[dn]\n[v3]\n${extensions(inputs)}`),
          ],
          dir,
        );
        return withInputs(`cert-${args.name}`, {
          ...inputs,
          certPem: read("cert.pem"),
          validityStartTime: new Date().toISOString(),
          validityEndTime: new Date(Date.now() + Number(inputs.validityPeriodHours ?? 24) * 3600_000).toISOString(),
          readyForRenewal: false,
        });
      }
      case "tls:index/certRequest:CertRequest": {
        file("key.pem", inputs.privateKeyPem);
        const sans = [
          ...((inputs.dnsNames as string[] | undefined) ?? []).map((d) => `DNS:${d}`),
          ...((inputs.ipAddresses as string[] | undefined) ?? []).map((a) => `IP:${a}`),
        ];
        openssl(
          [
            "req",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            subjectOf(inputs),
            ...(sans.length ? ["-addext", `subjectAltName=${sans.join(",")}`] : []),
            "-out",
            "csr.pem",
          ],
          dir,
        );
        return withInputs(`csr-${args.name}`, { ...inputs, certRequestPem: read("csr.pem") });
      }
      case "tls:index/locallySignedCert:LocallySignedCert": {
        file("csr.pem", inputs.certRequestPem);
        file("ca.pem", inputs.caCertPem);
        file("ca.key", inputs.caPrivateKeyPem);
        // The CSR carries the SANs; the usages come from this resource's inputs, as in @pulumi/tls.
        file("ext.cnf", extensions(inputs, false));
        openssl(
          [
            "x509",
            "-req",
            "-in",
            "csr.pem",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            days(inputs),
            "-copy_extensions",
            "copy",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
          ],
          dir,
        );
        return withInputs(`signed-${args.name}`, {
          ...inputs,
          certPem: read("cert.pem"),
          validityStartTime: new Date().toISOString(),
          validityEndTime: new Date(Date.now() + Number(inputs.validityPeriodHours ?? 24) * 3600_000).toISOString(),
          readyForRenewal: false,
        });
      }
      case "random:index/randomPassword:RandomPassword": {
        const result = mockPassword(inputs);
        return withInputs("none", { ...inputs, result, bcryptHash: `$2a$10$${createHash("sha256").update(result).digest("hex").slice(0, 53)}` });
      }
      case "random:index/randomBytes:RandomBytes": {
        const bytes = randomBytes(Number(inputs.length ?? 32));
        return withInputs("none", { ...inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") });
      }
      case "tls:index/privateKey:PrivateKey": {
        const k = mockPrivateKey(inputs);
        const fp = createHash("sha256").update(k.publicKeyPem).digest("hex");
        return withInputs(fp.slice(0, 40), {
          ...inputs,
          privateKeyPem: k.privateKeyPem,
          privateKeyPemPkcs8: k.privateKeyPem,
          publicKeyPem: k.publicKeyPem,
          publicKeyFingerprintSha256: fp,
        });
      }
      default:
        throw new Error(`EngineMocks cannot generate ${args.type}`);
    }
  }
}
