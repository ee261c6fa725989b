/**
 * policies/lib/nginx-location.ts and nginx time values against the real nginx: the location a
 * running nginx answers a URI from is the one locationFor names, and nginx -t accepts exactly
 * the time values nginxTimeSeconds reads.
 */
import { writeFileSync } from "node:fs";
import { freePort } from "../../local/ports";
import { requireExecutable } from "../../local/run";
import { makeTempDir, type TempDir } from "../../local/tempdir";
import { nginxTimeSeconds } from "../../policies/lib/durations";
import { servers, parseNginx } from "../../policies/lib/nginx";
import { effective, effectiveValue, locationFor } from "../../policies/lib/nginx-location";
import { startProcess, tcpReady, type RunningProcess } from "../../testing/tools/process";
import { nginxConfigTest, outputOf } from "../../testing/tools/config-check";

/** Every location answers its own name, so the body says which one nginx picked. */
const LOCATIONS = `
    location / { return 200 "root"; }
    location /mcp {
      return 200 "mcp";
      location /mcp/nested { return 200 "mcp-nested"; }
    }
    location = /mcp/exact { return 200 "exact"; }
    location =/glued { return 200 "glued"; }
    location ^~ /static/ { return 200 "static"; }
    location ~ \\.php$ { return 200 "php"; }
    location ~* \\.(png|jpg)$ { return 200 "image"; }
    location /.well-known/ { return 200 "well-known"; }
    location ~ /\\. { return 200 "dot-files"; }
    location /api {
      return 200 "api";
      location ~ ^/api/v[0-9]+/ { return 200 "api-version"; }
    }
`;

const URIS = [
  "/",
  "/anything",
  "/mcp",
  "/mcp/x",
  "/mcp/nested/a",
  "/mcp/exact",
  "/mcp/exact/more",
  "/glued",
  "/static/a.php",
  "/a.php",
  "/mcp/x.php",
  "/mcp/nested/x.php",
  "/x/A.PNG",
  "/.well-known/oauth-protected-resource/mcp",
  "/.git/config",
  "/api/v2/tools",
  "/api/tools",
];

let dir: TempDir;
let nginx: RunningProcess | undefined;
let port: number;

beforeAll(async () => {
  dir = makeTempDir("nginx-location-");
  port = await freePort();
  writeFileSync(
    dir.join("nginx.conf"),
    `pid ${dir.join("nginx.pid")};\nerror_log ${dir.join("error.log")} warn;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  server {\n    listen 127.0.0.1:${port};\n${LOCATIONS}\n  }\n}\n`,
  );
  nginx = await startProcess(
    requireExecutable("nginx", "nginx"),
    ["-p", dir.path, "-e", dir.join("startup-error.log"), "-c", dir.join("nginx.conf"), "-g", "daemon off;"],
    { ready: tcpReady(port), readyTimeoutMs: 10000 },
  );
}, 20000);
afterAll(async () => {
  await nginx?.stop();
  dir?.remove();
});

test("the location locationFor names is the one the real nginx answers from, for every URI", async () => {
  const [server] = servers(parseNginx(`http { server { listen ${port}; ${LOCATIONS} } }`));
  const predicted = URIS.map((uri) => [uri, locationFor(server, uri).location?.block?.find((d) => d.name === "return")?.args[1]]);
  const served: [string, string][] = [];
  for (const uri of URIS) {
    const res = await fetch(`http://127.0.0.1:${port}${uri}`, { signal: AbortSignal.timeout(5000) });
    served.push([uri, await res.text()]);
  }
  expect(predicted).toEqual(served);
  // The cases that tell the rules apart are among them.
  expect(Object.fromEntries(served)).toMatchObject({
    "/mcp/x.php": "php",
    "/static/a.php": "static",
    "/.well-known/oauth-protected-resource/mcp": "dot-files",
    "/api/v2/tools": "api-version",
  });
});

test("a directive applies from the innermost level that sets it, and an unset one takes nginx's default", () => {
  const [server] = servers(
    parseNginx(`http {
      proxy_read_timeout 30s;
      proxy_set_header X-A a;
      server {
        proxy_buffering off;
        location /mcp { proxy_set_header Authorization ""; location /mcp/deep { } }
        location / { }
      }
    }`),
  );
  const deep = locationFor(server, "/mcp/deep/x");
  expect(effectiveValue(deep, "proxy_read_timeout", "60s")).toBe("30s");
  expect(effectiveValue(deep, "proxy_buffering", "on")).toBe("off");
  // The location's proxy_set_header replaces the http block's list as a whole.
  expect(effective(deep, "proxy_set_header").map((d) => d.args[0])).toEqual(["Authorization"]);
  expect(effective(locationFor(server, "/other"), "proxy_set_header").map((d) => d.args[0])).toEqual(["X-A"]);
  expect(effectiveValue(locationFor(server, "/other"), "proxy_http_version", "1.0")).toBe("1.0");
});

test("what nginxTimeSeconds reads nginx -t accepts, what nginx -t refuses it refuses too", async () => {
  const values = [
    ...["60s", "60", "0", "1h 30m", "1h  30m", "1h30m", "500ms", "1m30", "1d2h3m4s5ms", "1w 2d 3h 4m 5s 6ms", "60s "],
    ...["2M", "1y", "1m1h", "2w1w", "1ms1s", "60x", "1.5s", "30s 1m", " 60s", "10 1m", "10 500ms", "10 20 30", "s"],
    // Taken by nginx, not read here: a policy reports it as a value it cannot judge.
    "10 20",
  ];
  const verdicts: { value: string; nginx: boolean; read: boolean }[] = [];
  for (const [i, value] of values.entries()) {
    const conf = dir.join(`time-${i}.conf`);
    writeFileSync(
      conf,
      `pid ${dir.join(`time-${i}.pid`)};\nevents {}\nhttp { server { listen 127.0.0.1:${port}; location / { proxy_read_timeout "${value}"; } } }\n`,
    );
    const r = await nginxConfigTest(conf, { prefix: dir.path });
    verdicts.push({ value, nginx: r.code === 0 && outputOf(r).includes("test is successful"), read: nginxTimeSeconds(value) !== undefined });
  }
  expect(verdicts.filter((v) => v.read && !v.nginx)).toEqual([]);
  expect(verdicts.filter((v) => v.nginx && !v.read).map((v) => v.value)).toEqual(["10 20"]);
  expect(verdicts.filter((v) => v.read).length).toBe(11);
  expect([nginxTimeSeconds("1h 30m"), nginxTimeSeconds("500ms"), nginxTimeSeconds("90"), nginxTimeSeconds("1d2h3m4s5ms")]).toEqual([5400, 0.5, 90, 93784.005]);
});
