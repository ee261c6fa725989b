/**
 * Test TLS material made with the openssl CLI: a throw-away CA and a server certificate
 * it signed (EC P-256, SANs for the given names and addresses). Good for nginx -t,
 * PostgreSQL ssl=on and TLS clients that verify against the CA.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireExecutable, runToolOk } from "../../local/run";

export interface TestCertificates {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

export interface CertOptions {
  commonName?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  days?: number;
  /** Sign with this CA (its cert and key files) instead of a new throw-away one. */
  ca?: Pick<TestCertificates, "caCert" | "caKey">;
}

export async function makeTestCertificates(dir: string, options: CertOptions = {}): Promise<TestCertificates> {
  const openssl = requireExecutable("openssl", "openssl");
  const cn = options.commonName ?? "localhost";
  const dns = options.dnsNames ?? [cn];
  const ips = options.ipAddresses ?? ["127.0.0.1"];
  const days = String(options.days ?? 30);
  mkdirSync(dir, { recursive: true });
  const out: TestCertificates = {
    caCert: options.ca?.caCert ?? join(dir, "ca.crt"),
    caKey: options.ca?.caKey ?? join(dir, "ca.key"),
    cert: join(dir, "server.crt"),
    key: join(dir, "server.key"),
  };
  const ext = join(dir, "server.ext");
  const csr = join(dir, "server.csr");
  const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(",");
  writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);

  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  if (!options.ca)
    await runToolOk(openssl, [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      out.caKey,
      "-out",
      out.caCert,
      "-days",
      days,
      "-subj",
      "/CN=mcp-test-ca",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
  await runToolOk(openssl, ["req", ...ec, "-keyout", out.key, "-out", csr, "-subj", `/CN=${cn}`]);
  // -CAserial in the output dir: a shared CA's directory is never written to.
  await runToolOk(openssl, [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    out.caCert,
    "-CAkey",
    out.caKey,
    "-CAserial",
    join(dir, "ca.srl"),
    "-CAcreateserial",
    "-out",
    out.cert,
    "-days",
    days,
    "-extfile",
    ext,
  ]);
  chmodSync(out.key, 0o600);
  if (!options.ca) chmodSync(out.caKey, 0o600);
  return out;
}
