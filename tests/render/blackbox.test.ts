/**
 * blackbox-exporter config: the exporter's own `--config.check` accepts it and rejects a
 * broken variant; a real exporter run probes an HTTPS server on loopback, verifying its
 * certificate against the CA file and the configured server name.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import { AddressInfo } from "node:net";
import { BLACKBOX_MODULE, blackboxInputFromConfig, renderBlackboxConfig } from "../../infra/render/blackbox";
import { PATHS } from "../../infra/topology";
import {
  blackboxCheckConfig,
  freePort,
  makeTempDir,
  makeTestCertificates,
  outputOf,
  requireExecutable,
  startProcess,
  tcpReady,
  TempDir,
  TestCertificates,
} from "../../testing/tools";
import { loadStackFile, STACKS } from "./stack-configs";

describe.each(STACKS)("blackbox config for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const input = blackboxInputFromConfig(config);

  test("verifies TLS against the right trust anchor for the TLS mode", () => {
    expect(input.serverName).toBe(config.domain);
    // Provided (prod): a public CA, so the system CAs; self-signed (dev): the edge certificate itself.
    expect(input.caFile).toBe(config.tls.mode === "self-signed" ? PATHS.edgeCertForProbes : undefined);
    const yml = renderBlackboxConfig(input);
    expect(yml).toContain(`${BLACKBOX_MODULE}:`);
    expect(yml).toContain("insecure_skip_verify: false");
    expect(yml).toContain("fail_if_not_ssl: true");
  });

  test("the exporter's --config.check accepts it and rejects a broken variant", async () => {
    const dir = makeTempDir(`bbx-${stack}-`);
    try {
      writeFileSync(dir.join("ok.yml"), renderBlackboxConfig(input));
      const ok = await blackboxCheckConfig(dir.join("ok.yml"));
      expect({ code: ok.code, out: outputOf(ok) }).toEqual({ code: 0, out: expect.stringMatching(/Config file is ok/) });
      writeFileSync(dir.join("bad.yml"), renderBlackboxConfig(input).replace("fail_if_not_ssl: true", "fail_if_not_ssl: sometimes"));
      const bad = await blackboxCheckConfig(dir.join("bad.yml"));
      expect(bad.code).not.toBe(0);
      expect(outputOf(bad)).toMatch(/sometimes/);
    } finally {
      dir.remove();
    }
  });
});

describe("blackbox exporter probing a loopback HTTPS server with the rendered module", () => {
  let dir: TempDir;
  let certs: TestCertificates;
  let server: https.Server;
  let exporter: Awaited<ReturnType<typeof startProcess>> | undefined;
  let exporterPort: number;

  beforeAll(async () => {
    dir = makeTempDir("bbx-run-");
    certs = await makeTestCertificates(dir.path, { commonName: "mcp.test.internal", dnsNames: ["mcp.test.internal"] });
    server = https.createServer({ cert: readFileSync(certs.cert), key: readFileSync(certs.key) }, (req, res) => {
      res.writeHead(req.headers.host === "mcp.test.internal" ? 200 : 421);
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    writeFileSync(dir.join("blackbox.yml"), renderBlackboxConfig({ serverName: "mcp.test.internal", caFile: certs.caCert, timeoutSeconds: 5 }));
    exporterPort = await freePort();
    const bin = requireExecutable("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
    exporter = await startProcess(bin, [`--config.file=${dir.join("blackbox.yml")}`, `--web.listen-address=127.0.0.1:${exporterPort}`], {
      ready: tcpReady(exporterPort),
    });
  });
  afterAll(async () => {
    await exporter?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    dir?.remove();
  });

  async function probe(target: string): Promise<Record<string, number>> {
    const res = await fetch(`http://127.0.0.1:${exporterPort}/probe?module=${BLACKBOX_MODULE}&target=${encodeURIComponent(target)}`);
    const metrics: Record<string, number> = {};
    for (const line of (await res.text()).split("\n")) {
      const m = /^(\w+)(?:\{[^}]*\})? (\S+)$/.exec(line);
      if (m) metrics[m[1]] = Number(m[2]);
    }
    return metrics;
  }

  test("probe succeeds with the certificate verified for the public name, and reports its expiry", async () => {
    const m = await probe(`https://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
    expect(m.probe_success).toBe(1);
    expect(m.probe_http_status_code).toBe(200);
    const daysLeft = (m.probe_ssl_earliest_cert_expiry - Date.now() / 1000) / 86400;
    expect(daysLeft).toBeGreaterThan(25);
    expect(daysLeft).toBeLessThan(31);
    expect(m.probe_duration_seconds).toBeGreaterThan(0);
  });

  test("probe fails against a server whose certificate the CA did not sign", async () => {
    const other = makeTempDir("bbx-other-");
    const otherCerts = await makeTestCertificates(other.path, { commonName: "mcp.test.internal", dnsNames: ["mcp.test.internal"] });
    const rogue = https.createServer({ cert: readFileSync(otherCerts.cert), key: readFileSync(otherCerts.key) }, (_req, res) => res.end("ok"));
    await new Promise<void>((r) => rogue.listen(0, "127.0.0.1", r));
    try {
      const m = await probe(`https://127.0.0.1:${(rogue.address() as AddressInfo).port}/health`);
      expect(m.probe_success).toBe(0);
    } finally {
      rogue.closeAllConnections();
      await new Promise((r) => rogue.close(r));
      other.remove();
    }
  });
});
