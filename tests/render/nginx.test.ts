/**
 * nginx.conf: content properties, `nginx -t` on the prod and dev renderings (and broken
 * variants it must reject), and one real run on loopback proving the directives behave.
 *
 * nginx -t resolves upstream host names (app, grafana: the swarm services) while parsing. The production
 * rendering is tested unchanged: `nginxConfigTest` runs it in a private mount namespace
 * with a hosts file mapping those names to 127.0.0.1 (unshare --mount, as root).
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as http from "node:http";
import * as https from "node:https";
import { AddressInfo } from "node:net";
import {
  NGINX_LIVENESS_PATH,
  NGINX_STATUS_PATH,
  NginxInput,
  http2ModeForVersion,
  isRateLimitedPath,
  NGINX_RATE_LIMITED_LOCATIONS,
  nginxInputFromConfig,
  renderNginxConf,
  renderStaticFiles,
} from "../../infra/render/nginx";
import { HOSTS } from "../../infra/topology";
import { rateLimitProbePath } from "../../validate/target-from-outputs";
import {
  freePorts,
  makeTempDir,
  makeTestCertificates,
  nginxConfigTest,
  outputOf,
  requireExecutable,
  startProcess,
  TempDir,
  TestCertificates,
  tcpReady,
  allowTraversal,
} from "../../testing/tools";
import { inputForLocalRun, loopbackHosts, writeConf } from "./nginx-support";
import { loadStackFile, STACKS } from "./stack-configs";

/** The block opened by `header` (through its matching brace). */
function block(conf: string, header: string): string {
  const start = conf.indexOf(header);
  if (start < 0) throw new Error(`no block "${header}"`);
  return fromBrace(conf, start, header);
}

/** The `server { ... }` that contains the line `listenLine`. */
function serverWith(conf: string, listenLine: string): string {
  const at = conf.indexOf(listenLine);
  if (at < 0) throw new Error(`no server with "${listenLine}"`);
  return fromBrace(conf, conf.lastIndexOf("server {", at), listenLine);
}

function fromBrace(conf: string, start: number, what: string): string {
  let depth = 0;
  for (let i = conf.indexOf("{", start); i < conf.length; i++) {
    if (conf[i] === "{") depth++;
    if (conf[i] === "}" && --depth === 0) return conf.slice(start, i + 1);
  }
  throw new Error(`unbalanced block at "${what}"`);
}

describe.each(STACKS)("nginx.conf for the %s stack", (stack) => {
  const config = loadStackFile(stack);
  const input = nginxInputFromConfig(config);
  const conf = renderNginxConf(input);
  const httpsServer = serverWith(conf, `listen ${input.listen.https} ssl`);

  test("TLS 1.2/1.3 only, modern ciphers, HSTS always with the configured max-age", () => {
    expect(conf).toMatch(/^\s*ssl_protocols TLSv1\.2 TLSv1\.3;$/m);
    expect(conf).not.toMatch(/TLSv1(\.1)?[ ;]/);
    expect(conf).toMatch(/ssl_ciphers ECDHE-[A-Z0-9-:]+;/);
    expect(conf).not.toMatch(/ssl_ciphers[^;]*(RC4|3DES|CBC|MD5|NULL)/);
    expect(conf).toContain(`add_header Strict-Transport-Security "max-age=${config.edge.hstsMaxAgeSeconds}; includeSubDomains" always;`);
    expect(conf).toMatch(/server_tokens off;/);
    expect(conf).toMatch(/add_header X-Content-Type-Options "nosniff" always;/);
  });

  test("port 80 (container 8080) only answers 301 to https", () => {
    const plain = serverWith(conf, `listen ${input.listen.http} default_server`);
    expect(plain).toContain("return 301 https://$host$request_uri;");
    expect(plain).not.toContain("proxy_pass");
  });

  test("upstream is the app service (its virtual IP balances over every replica) and the only proxy target for the app", () => {
    const upstream = block(conf, "upstream mcp_app");
    expect(upstream).toContain(`server ${HOSTS.app}:${config.app.port} `);
    expect(upstream.match(/^\s*server /gm)).toHaveLength(1);
    expect(conf.match(/proxy_pass http:\/\/(?!mcp_app|grafana_ui)/g)).toBeNull();
  });

  test("stub_status is readable only from loopback and the swarm's overlay address pool", () => {
    const status = block(conf, `location = ${NGINX_STATUS_PATH} `);
    expect(status.match(/allow [^;]+;/g)).toEqual(["allow 127.0.0.1;", `allow ${config.swarm.addressPool};`]);
    expect(status).toContain("deny all;");
  });

  test("rate limit zone, limit_req on proxied routes and status 429", () => {
    expect(conf).toContain(`limit_req_zone $binary_remote_addr zone=mcp_per_ip:${config.rateLimit.zoneSizeMb}m rate=${config.rateLimit.requestsPerSecond}r/s;`);
    expect(conf).toMatch(/limit_req_status 429;/);
    // limit_req sends no Retry-After: a map on $status gives every 429 one, at the HTTPS server level.
    expect(conf).toMatch(/map \$status \$retry_after \{\s+429\s+1;\s+default "";\s+\}/);
    expect(httpsServer).toContain("add_header Retry-After $retry_after always;");
    for (const loc of [`location ${config.app.mcpPath} `, "location / {", `location = ${config.app.healthPath} `]) {
      expect(block(httpsServer, loc)).toContain(`limit_req zone=mcp_per_ip burst=${config.rateLimit.burst} nodelay;`);
    }
  });

  test("the locations limit_req covers are the ones the runtime checks are told about: health included", () => {
    const limited = (loc: string) => block(httpsServer, loc).includes("limit_req zone=");
    const c = config.app;
    const cases: [string, string][] = [
      [`location = ${c.healthPath} `, c.healthPath],
      [`location ${c.mcpPath} `, c.mcpPath],
      ["location / {", c.listServersPath],
      [`location ^~ ${c.staticPath} `, `${c.staticPath}robots.txt`],
    ];
    for (const [loc, path] of cases) expect(`${path}: ${limited(loc)}`).toBe(`${path}: ${isRateLimitedPath(path, c)}`);
    expect(isRateLimitedPath(c.healthPath, c)).toBe(true);
    expect(NGINX_RATE_LIMITED_LOCATIONS).toContain("health");
    expect(rateLimitProbePath(c)).toBe(c.listServersPath);
    expect(() => rateLimitProbePath({ ...c, listServersPath: `${c.staticPath}servers` })).toThrow(/does not rate limit/);
  });

  test("MCP endpoint is proxied unbuffered with a long read timeout over HTTP/1.1 keep-alive", () => {
    const mcp = block(httpsServer, `location ${config.app.mcpPath} `);
    for (const d of ["proxy_buffering off;", "proxy_cache off;", "proxy_http_version 1.1;", 'proxy_set_header Connection "";', "proxy_read_timeout 3600s;"])
      expect(mcp).toContain(d);
  });

  test("metrics are never served publicly; static files come from disk; JSON access log; stub_status", () => {
    expect(block(httpsServer, `location = ${config.app.metricsPath} `)).toContain("return 404;");
    expect(block(httpsServer, "location = /grafana/metrics")).toContain("return 404;");
    expect(block(httpsServer, `location ^~ ${config.app.staticPath} `)).toContain(`root ${input.staticRoot};`);
    expect(conf).toMatch(/log_format json_combined escape=json '\{"time":"\$time_iso8601"/);
    expect(conf).toMatch(/access_log \S+ json_combined;/);
    const status = serverWith(conf, `listen ${input.listen.status};`);
    expect(status).toContain("stub_status;");
    expect(status).toContain("deny all;");
    expect(conf).toMatch(/client_max_body_size \d+[kmg]?;/);
  });

  test("content of static files includes the robots.txt probe under the static path", () => {
    const files = renderStaticFiles(config.app.staticPath);
    expect(files["static/robots.txt"]).toContain("User-agent: *");
  });

  describe("nginx -t", () => {
    let dir: TempDir;
    let certs: TestCertificates;
    let local: NginxInput;
    beforeAll(async () => {
      dir = makeTempDir(`nginx-${stack}-`);
      certs = await makeTestCertificates(dir.path, { commonName: config.domain });
      local = await inputForLocalRun(config, dir, certs);
    });
    afterAll(() => dir?.remove());

    test("accepts the rendered config (upstream names resolved through a private hosts file)", async () => {
      const path = writeConf(dir, "nginx.conf", renderNginxConf(local));
      const r = await nginxConfigTest(path, { prefix: dir.path, hosts: loopbackHosts(local) });
      expect(r.code).toBe(0);
      expect(outputOf(r)).toMatch(/configuration file \S+ test is successful/);
      expect(outputOf(r)).not.toMatch(/\[(warn|emerg|alert)\]/);
    });

    test("rejects a broken variant: unknown TLS protocol", async () => {
      const path = writeConf(dir, "broken-tls.conf", renderNginxConf(local).replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.2 TLSv9;"));
      const r = await nginxConfigTest(path, { prefix: dir.path, hosts: loopbackHosts(local) });
      expect(r.code).not.toBe(0);
      expect(outputOf(r)).toMatch(/invalid value "TLSv9"/);
    });

    test("rejects a broken variant: missing certificate file", async () => {
      const path = writeConf(dir, "broken-cert.conf", renderNginxConf({ ...local, tls: { ...local.tls, certPath: dir.join("missing.crt") } }));
      const r = await nginxConfigTest(path, { prefix: dir.path, hosts: loopbackHosts(local) });
      expect(r.code).not.toBe(0);
      expect(outputOf(r)).toMatch(/cannot load certificate/);
    });

    test("rejects the config when an upstream name does not resolve (proves the hosts mapping matters)", async () => {
      const path = writeConf(dir, "nginx-unresolved.conf", renderNginxConf(local));
      const r = await nginxConfigTest(path, { prefix: dir.path, hosts: { unrelated: "127.0.0.1" } });
      expect(r.code).not.toBe(0);
      expect(outputOf(r)).toMatch(/host not found in upstream "app:/);
    });
  });
});

describe("nginx input", () => {
  const config = loadStackFile("prod");
  const input = nginxInputFromConfig(config);

  test("the redirect names the public https port when it is not 443", () => {
    const conf = renderNginxConf({ ...input, publicPorts: { http: 8000, https: 8443 } });
    expect(conf).toContain("return 301 https://$host:8443$request_uri;");
  });

  test("bad input fails with one error naming each bad field", () => {
    const bad = { ...input, upstreams: [], paths: { ...input.paths, mcpPath: input.paths.metricsPath }, grafanaUpstream: "grafana" };
    let message = "";
    try {
      renderNginxConf(bad);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("upstreams is empty");
    expect(message).toContain('paths.mcpPath equals paths.metricsPath ("/metrics")');
    expect(message).toContain('grafanaUpstream "grafana" is not host:port');
  });

  test("HTTP/2 syntax follows the nginx version of the image", () => {
    expect(http2ModeForVersion("1.22.1")).toBe("listen-flag");
    expect(http2ModeForVersion("1.25.1")).toBe("directive");
    expect(http2ModeForVersion("1.27.2")).toBe("directive");
    expect(input.http2).toBe("directive"); // the configured image is nginx-unprivileged 1.27.2
    expect(renderNginxConf(input)).toMatch(/^\s*http2 on;$/m);
  });
});

// ---- One real run: the directives above do what they claim. ----

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, options: https.RequestOptions = {}): Promise<Reply> {
  const mod = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { timeout: 5_000, ...options }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

describe("nginx running the rendered config on loopback", () => {
  const config = loadStackFile("prod");
  let dir: TempDir;
  let certs: TestCertificates;
  let nginx: Awaited<ReturnType<typeof startProcess>> | undefined;
  const backends: http.Server[] = [];
  const hits: Record<string, string[]> = { a: [], b: [] };
  let ports: number[];
  let input: NginxInput;

  beforeAll(async () => {
    dir = makeTempDir("nginx-run-");
    allowTraversal(dir.path);
    certs = await makeTestCertificates(dir.path, { commonName: "localhost" });
    // Two stand-in replicas that record which paths reached them.
    for (const name of ["a", "b"] as const) {
      const server = http.createServer((req, res) => {
        hits[name].push(req.url ?? "");
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "ok", replica: name }));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      backends.push(server);
    }
    ports = await freePorts(3);
    const base = await inputForLocalRun(config, dir, certs);
    input = {
      ...base,
      serverName: "localhost",
      bindAddress: "127.0.0.1",
      listen: { http: ports[0], https: ports[1], status: ports[2] },
      publicPorts: { http: ports[0], https: ports[1] },
      upstreams: backends.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`),
      grafanaUpstream: undefined,
      // Low limit so the test sees 429 after a handful of requests.
      rateLimit: { requestsPerSecond: 1, burst: 5, zoneSizeMb: 1 },
      runtime: { ...base.runtime, user: "nobody nogroup" },
    };
    for (const [rel, content] of Object.entries(renderStaticFiles(config.app.staticPath))) {
      const path = `${input.staticRoot}/${rel}`;
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      writeFileSync(path, content, { mode: 0o644 });
    }
    allowTraversal(input.staticRoot);
    const confPath = writeConf(dir, "nginx.conf", renderNginxConf(input));
    const bin = requireExecutable("nginx", "nginx");
    nginx = await startProcess(bin, ["-p", dir.path, "-e", dir.join("logs", "startup.log"), "-c", confPath, "-g", "daemon off;"], {
      ready: tcpReady(ports[1]),
      readyTimeoutMs: 10_000,
      stopSignal: "SIGQUIT",
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const s of backends) await new Promise((r) => s.close(r));
    dir?.remove();
  });

  const httpsGet = (path: string) =>
    request(`https://127.0.0.1:${ports[1]}${path}`, { ca: readFileSync(certs.caCert), servername: "localhost", headers: { host: "localhost" } });

  test("HTTP redirects to HTTPS with 301", async () => {
    const r = await request(`http://127.0.0.1:${ports[0]}/health?x=1`, { headers: { host: "localhost" } });
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe(`https://localhost:${ports[1]}/health?x=1`);
  });

  test("health is proxied over verified TLS with HSTS and security headers", async () => {
    const r = await httpsGet(config.app.healthPath);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body).status).toBe("ok");
    expect(r.headers["strict-transport-security"]).toBe(`max-age=${config.edge.hstsMaxAgeSeconds}; includeSubDomains`);
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers.server).toBe("nginx");
  });

  test("static robots.txt is served from disk, keeping the security headers", async () => {
    const r = await httpsGet(`${config.app.staticPath}robots.txt`);
    expect(r.status).toBe(200);
    expect(r.body).toBe(renderStaticFiles(config.app.staticPath)["static/robots.txt"]);
    expect(r.headers["strict-transport-security"]).toBeDefined();
    expect(r.headers["cache-control"]).toBe("max-age=3600");
  });

  test("the app's metrics path answers 404 and never reaches a replica", async () => {
    const before = hits.a.length + hits.b.length;
    expect((await httpsGet(config.app.metricsPath)).status).toBe(404);
    expect((await httpsGet(`${config.app.metricsPath}/extra`)).status).toBe(404);
    expect(hits.a.length + hits.b.length).toBe(before);
    expect([...hits.a, ...hits.b]).not.toContain(config.app.metricsPath);
  });

  test("stub_status answers on the status port; the access log is JSON", async () => {
    const r = await request(`http://127.0.0.1:${ports[2]}${NGINX_STATUS_PATH}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^Active connections: \d+/);
    expect((await request(`http://127.0.0.1:${ports[2]}${NGINX_LIVENESS_PATH}`)).body).toBe("ok\n");
    const lines = readFileSync(input.runtime.accessLog, "utf8").trim().split("\n");
    const entry = JSON.parse(lines[lines.length - 1]);
    expect(entry).toMatchObject({ method: "GET", host: "localhost", ssl_protocol: expect.stringMatching(/^TLSv1\.[23]$/) });
    expect(typeof entry.status).toBe("number");
  });

  test("requests reach both replicas, then the rate limit answers 429 with Retry-After; other answers carry none", async () => {
    const answers: { status: number; retryAfter: unknown }[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await httpsGet(`/api/servers?i=${i}`);
      answers.push({ status: r.status, retryAfter: r.headers["retry-after"] });
    }
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(429);
    // limit_req itself sends no Retry-After: the rendered map adds it (1 s at 1 r/s), to 429 answers only.
    expect(new Set(answers.filter((a) => a.status === 429).map((a) => a.retryAfter))).toEqual(new Set(["1"]));
    expect(answers.filter((a) => a.status !== 429).map((a) => a.retryAfter)).toEqual(answers.filter((a) => a.status !== 429).map(() => undefined));
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(hits.a.some((u) => u.startsWith("/api/servers"))).toBe(true);
    expect(hits.b.some((u) => u.startsWith("/api/servers"))).toBe(true);
  });
});
