/**
 * blackbox-exporter config: one HTTP module that probes the public HTTPS endpoint from
 * inside the stack and verifies its certificate like a client would, so Prometheus gets
 * `probe_success`, `probe_duration_seconds` and `probe_ssl_earliest_cert_expiry`
 * (PRE-SEC-01 certificate expiry, FUN-PERF-01 health latency, FUN-API-01 health).
 */
import { stringify } from "yaml";
import type { StackConfig } from "../config/load";
import { PATHS } from "../topology";

/** Module Prometheus asks the exporter to run (`params.module`). */
export const BLACKBOX_MODULE = "https_2xx_edge";
export const BLACKBOX_CONFIG_PATH = "/etc/blackbox_exporter/config.yml";

export interface BlackboxInput {
  /** Name the certificate must match (SNI and verification), and the Host header sent. */
  serverName: string;
  /** CA bundle that verifies the edge certificate; unset uses the system CAs (a CA-issued cert). */
  caFile?: string;
  timeoutSeconds: number;
}

export function blackboxInputFromConfig(config: StackConfig): BlackboxInput {
  return {
    serverName: config.domain,
    // A self-signed edge certificate is its own trust anchor; a provided one chains to a public CA.
    caFile: config.tls.mode === "self-signed" ? PATHS.edgeCertForProbes : undefined,
    timeoutSeconds: 5,
  };
}

export function renderBlackboxConfig(input: BlackboxInput): string {
  if (!/^[A-Za-z0-9.-]+$/.test(input.serverName)) throw new Error(`invalid blackbox input: serverName "${input.serverName}" is not a host name`);
  if (!(input.timeoutSeconds > 0 && input.timeoutSeconds <= 60))
    throw new Error(`invalid blackbox input: timeoutSeconds ${input.timeoutSeconds} must be in (0, 60]`);
  const tls: Record<string, unknown> = { server_name: input.serverName, insecure_skip_verify: false, min_version: "TLS12" };
  if (input.caFile) tls.ca_file = input.caFile;
  const doc = {
    modules: {
      [BLACKBOX_MODULE]: {
        prober: "http",
        timeout: `${input.timeoutSeconds}s`,
        http: {
          method: "GET",
          // Empty means any 2xx.
          valid_status_codes: [],
          // The probe targets nginx by its internal name; the edge serves the public name.
          headers: { Host: input.serverName },
          fail_if_not_ssl: true,
          no_follow_redirects: true,
          preferred_ip_protocol: "ip4",
          tls_config: tls,
        },
      },
    },
  };
  return `# Rendered by infra/render/blackbox.ts: edit the renderer, not this file.\n${stringify(doc)}`;
}
