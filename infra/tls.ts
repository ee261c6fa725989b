/**
 * Certificates. The edge certificate is self-signed (@pulumi/tls) in dev and comes from
 * secret config in prod; PostgreSQL gets a certificate from a stack-internal CA so clients
 * can verify it (sslmode=verify-full). Checklist: PRE-CONFIG-09, SEC-DATA-01.
 */
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { StackConfig } from "./config/load";
import { HOSTS } from "./topology";

export interface StackCertificates {
  edgeCertPem: pulumi.Output<string>;
  edgeKeyPem: pulumi.Output<string>;
  internalCaCertPem: pulumi.Output<string>;
  postgresCertPem: pulumi.Output<string>;
  postgresKeyPem: pulumi.Output<string>;
}

const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth"];

export function createCertificates(config: StackConfig, prefix: string, opts: pulumi.CustomResourceOptions): StackCertificates {
  const caKey = new tls.PrivateKey(`${prefix}-internal-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const ca = new tls.SelfSignedCert(
    `${prefix}-internal-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: 24 * 365 * 5,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      subject: { commonName: `${prefix} internal CA`, organization: "MCP platform" },
    },
    opts,
  );
  const pgKey = new tls.PrivateKey(`${prefix}-postgres-tls-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
  const pgCsr = new tls.CertRequest(
    `${prefix}-postgres-csr`,
    { privateKeyPem: pgKey.privateKeyPem, dnsNames: [HOSTS.postgres, `${prefix}-postgres`], subject: { commonName: HOSTS.postgres } },
    opts,
  );
  const pgCert = new tls.LocallySignedCert(
    `${prefix}-postgres-cert`,
    {
      certRequestPem: pgCsr.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: 24 * 365,
      earlyRenewalHours: 24 * 30,
      allowedUses: SERVER_USES,
    },
    opts,
  );

  let edgeCertPem: pulumi.Output<string>;
  let edgeKeyPem: pulumi.Output<string>;
  if (config.tls.mode === "self-signed") {
    const key = new tls.PrivateKey(`${prefix}-edge-tls-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, opts);
    const cert = new tls.SelfSignedCert(
      `${prefix}-edge-cert`,
      {
        privateKeyPem: key.privateKeyPem,
        dnsNames: [config.domain],
        subject: { commonName: config.domain, organization: "MCP platform (self-signed)" },
        validityPeriodHours: config.tls.selfSignedValidityHours,
        earlyRenewalHours: 24 * config.tls.minDaysValid,
        allowedUses: SERVER_USES,
      },
      opts,
    );
    edgeCertPem = cert.certPem;
    edgeKeyPem = pulumi.secret(key.privateKeyPem);
  } else {
    // Validated as present by the config schema for tls.mode "provided".
    edgeCertPem = pulumi.output(config.tlsCertificate as string);
    edgeKeyPem = pulumi.secret(config.tlsPrivateKey as string);
  }
  return {
    edgeCertPem,
    edgeKeyPem,
    internalCaCertPem: ca.certPem,
    postgresCertPem: pgCert.certPem,
    postgresKeyPem: pulumi.secret(pgKey.privateKeyPem),
  };
}
