/**
 * The edge's TLS: the served chain verifies for the configured host name and stays valid
 * long enough (DEP-WEB-02, PRE-SEC-01, PRE-CONFIG-09), and TLS 1.0/1.1 are refused while
 * TLS 1.2+ works (SEC-NET-03). Uses node:tls directly so the handshake is what is tested.
 */
import * as tls from "node:tls";
import { isIP } from "node:net";
import { fail, pass, type Check } from "../core/types";
import { errorMessage } from "../core/errors";
import type { EdgeTarget, VerifyTarget } from "../target";
import { connectTarget } from "../net/http";

interface Handshake {
  ok: boolean;
  socket?: tls.TLSSocket;
  error?: NodeJS.ErrnoException;
}

function handshake(t: EdgeTarget, signal: AbortSignal, extra: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    const options: tls.ConnectionOptions = {
      ...connectTarget(t.hostname, t.httpsPort, t.http),
      servername: isIP(t.hostname) ? undefined : t.hostname,
      ca: t.http.ca ? [...tls.rootCertificates, t.http.ca] : undefined,
      ...extra,
    };
    const socket = tls.connect(options);
    const onAbort = () => socket.destroy(new Error(String(signal.reason?.message ?? "aborted")));
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("secureConnect", () => {
      signal.removeEventListener("abort", onAbort);
      resolve({ ok: true, socket });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve({ ok: false, error });
    });
  });
}

const DAY_MS = 86_400_000;

function describeCert(cert: tls.PeerCertificate | undefined): string {
  if (!cert || !cert.subject) return "no certificate";
  return `subject CN=${cert.subject.CN ?? "?"}, names ${cert.subjectaltname ?? "none"}, issuer CN=${cert.issuer?.CN ?? "?"}, valid until ${cert.valid_to}`;
}

const TRUST_CODES = [
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_UNTRUSTED",
];

export const tlsChainCheck: Check<VerifyTarget> = {
  id: "edge.tls-chain",
  title: "TLS certificate chain valid for the host name and not expiring soon",
  checklistIds: ["DEP-WEB-02", "PRE-SEC-01", "PRE-CONFIG-09", "SEC-NET-03"],
  needs: ["edge"],
  retries: 2,
  async run({ edge }, { signal }) {
    const where = `${edge.hostname}:${edge.httpsPort}`;
    const verified = await handshake(edge, signal, { rejectUnauthorized: true });
    if (!verified.ok) {
      const code = verified.error?.code ?? "";
      // Look at what was served anyway, so the message can say what is wrong with it.
      const peek = await handshake(edge, signal, { rejectUnauthorized: false });
      const served = peek.socket ? describeCert(peek.socket.getPeerCertificate()) : `no handshake (${errorMessage(peek.error)})`;
      peek.socket?.destroy();
      if (code === "CERT_HAS_EXPIRED") {
        return fail(`certificate served on ${where} has expired`, {
          expected: `a certificate valid for ${edge.hostname} for ${edge.minDaysValid}+ days`,
          actual: served,
          remediation: "Renew the certificate (mcp:tlsCertificate / mcp:tlsPrivateKey) and run pulumi up.",
        });
      }
      if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        return fail(`certificate served on ${where} does not cover ${edge.hostname}`, {
          expected: `subjectAltName including DNS:${edge.hostname}`,
          actual: served,
          remediation: `Issue the certificate for ${edge.hostname} (mcp:domain must match it).`,
        });
      }
      if (TRUST_CODES.includes(code)) {
        return fail(`certificate chain served on ${where} is not trusted (${code})`, {
          expected: "a chain up to a trusted CA, intermediates included",
          actual: served,
          remediation: "Serve the full chain (leaf + intermediates) in mcp:tlsCertificate; for a self-signed stack, pass its CA with --ca.",
        });
      }
      return fail(`TLS handshake with ${where} failed: ${errorMessage(verified.error)}`, {
        cause: verified.error,
        expected: "a TLS handshake",
        actual: errorMessage(verified.error),
        remediation: "Check that Nginx is running and its port is published.",
      });
    }
    const socket = verified.socket!;
    const cert = socket.getPeerCertificate();
    const protocol = socket.getProtocol() ?? "unknown";
    socket.destroy();
    const validTo = new Date(cert.valid_to);
    const daysLeft = Math.floor((validTo.getTime() - Date.now()) / DAY_MS);
    const measurements = { daysLeft, validTo: validTo.toISOString(), protocol, issuer: cert.issuer?.CN ?? "" };
    if (daysLeft < edge.minDaysValid) {
      return fail(`certificate for ${edge.hostname} expires in ${daysLeft} days`, {
        expected: `at least ${edge.minDaysValid} days of validity (tls.minDaysValid)`,
        actual: `expires ${validTo.toISOString()}`,
        remediation: "Renew the certificate before it expires.",
        measurements,
      });
    }
    return pass(`certificate for ${edge.hostname} verifies (issuer ${cert.issuer?.CN ?? "?"}), ${daysLeft} days left, ${protocol}`, { measurements });
  },
};

/** Errors that mean the server refused the offered protocol version (vs. could not be reached). */
const REFUSAL = /ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|WRONG_VERSION_NUMBER|HANDSHAKE_FAILURE|ECONNRESET|socket disconnected before secure TLS/i;

export const tlsLegacyRefusedCheck: Check<VerifyTarget> = {
  id: "edge.tls-legacy-refused",
  title: "TLS 1.0 and 1.1 refused, TLS 1.2+ accepted",
  checklistIds: ["SEC-NET-03"],
  needs: ["edge"],
  retries: 1,
  async run({ edge }, { signal }) {
    const modern = await handshake(edge, signal, { rejectUnauthorized: false, minVersion: "TLSv1.2" });
    if (!modern.ok)
      return fail(`no TLS 1.2+ handshake with ${edge.hostname}:${edge.httpsPort}: ${errorMessage(modern.error)}`, {
        cause: modern.error,
        expected: "TLS 1.2 or 1.3 accepted",
        actual: errorMessage(modern.error),
        remediation: "Check that Nginx is running with ssl_protocols TLSv1.2 TLSv1.3.",
      });
    const modernProtocol = modern.socket!.getProtocol() ?? "?";
    modern.socket!.destroy();
    const accepted: string[] = [];
    for (const version of ["TLSv1", "TLSv1.1"] as const) {
      // SECLEVEL=0 lets this client offer the old versions at all; the server must say no.
      const r = await handshake(edge, signal, { rejectUnauthorized: false, minVersion: version, maxVersion: version, ciphers: "DEFAULT@SECLEVEL=0" });
      if (r.ok) {
        accepted.push(version);
        r.socket!.destroy();
      } else if (!REFUSAL.test(`${r.error?.code ?? ""} ${r.error?.message ?? ""}`)) {
        return fail(`could not tell whether ${version} is refused: ${errorMessage(r.error)}`, {
          expected: `a protocol-version refusal for ${version}`,
          actual: errorMessage(r.error),
        });
      }
    }
    if (accepted.length > 0) {
      return fail(`server accepts ${accepted.join(" and ")}`, {
        expected: "TLS 1.0 and 1.1 refused",
        actual: `handshake completed with ${accepted.join(", ")}`,
        remediation: "Set ssl_protocols TLSv1.2 TLSv1.3 in nginx.conf (rendered by infra/render/nginx.ts).",
      });
    }
    return pass(`TLS 1.0 and 1.1 refused; ${modernProtocol} accepted`, { measurements: { negotiated: modernProtocol } });
  },
};
