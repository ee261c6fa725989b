/**
 * The MCP endpoint policies (nginx-mcp-location, mcp-app-contract) on what the stack config
 * states: each judgement fires on its own one-value change of mcp:app or of the fixture's
 * nginx.conf and stays silent on the value next to it, through the in-process evaluate.
 * tests/policies/cases.ts holds their cases for the gRPC pack; tests/preflight/mutations.test.ts
 * their variants of the real prod program.
 */
import type { CollectedResource } from "../../preflight/collect";
import { MCP_PROTOCOL_VERSIONS, MCP_READ_TIMEOUT_MAX_SECONDS, MCP_STREAM_IDLE_MIN_SECONDS } from "../../checklist/thresholds";
import { metadataPathsFor } from "../../policies/rules/mcp-app-contract";
import { container, editUpload, evaluate, fixtureStack, INPUT } from "./fixture-stacks";

let base: CollectedResource[];
beforeAll(async () => {
  base = await fixtureStack("container");
}, 60000);

/** The violations of `policy` with mcp:app set to `app` (over the prod stack's) and nginx.conf edited. */
function violationsWith(policy: string, app: Record<string, unknown>, edit?: (conf: string) => string): string[] {
  const rs = structuredClone(base);
  if (edit) editUpload(container(rs, "nginx"), "/etc/nginx/nginx.conf", edit);
  const prev = INPUT.config["mcp:app"];
  INPUT.config["mcp:app"] = JSON.stringify({ ...(JSON.parse(prev ?? "{}") as object), ...app });
  try {
    return evaluate(policy, rs)
      .filter((f) => f.kind === "violation")
      .map((f) => f.message);
  } finally {
    INPUT.config["mcp:app"] = prev;
  }
}

const inMcpLocation = (lines: string) => (t: string) => t.replace("proxy_buffering off;", `proxy_buffering off;\n      ${lines}`);
const readTimeout = (value: string) => (t: string) => t.replace("proxy_read_timeout 1h;", `proxy_read_timeout ${value};`);

describe("nginx-mcp-location", () => {
  const fires = (app: Record<string, unknown>, edit?: (t: string) => string) => violationsWith("nginx-mcp-location", app, edit).join("\n");

  test("the read timeout: at least the tool-call ceiling and the stream minimum, at most the maximum, in nginx's units", () => {
    expect(fires({ toolCallTimeoutSeconds: 3600 })).toBe("");
    expect(fires({ toolCallTimeoutSeconds: 3600 }, readTimeout("59m 59s"))).toMatch(
      /location \/mcp \(serving \/mcp on 8443\) has proxy_read_timeout 59m 59s \(3599s\), below 3600s \(the tool-call ceiling mcp:app.toolCallTimeoutSeconds 3600s/,
    );
    expect(fires({ toolCallTimeoutSeconds: 30 }, readTimeout(String(MCP_STREAM_IDLE_MIN_SECONDS)))).toBe("");
    expect(fires({ toolCallTimeoutSeconds: 30 }, readTimeout("59s"))).toMatch(new RegExp(`below ${MCP_STREAM_IDLE_MIN_SECONDS}s .*stream idle minimum`));
    expect(fires({}, readTimeout(`${MCP_READ_TIMEOUT_MAX_SECONDS * 1000}ms`))).toBe("");
    expect(fires({}, readTimeout("61m"))).toMatch(new RegExp(`has proxy_read_timeout 61m \\(3660s\\), above the maximum ${MCP_READ_TIMEOUT_MAX_SECONDS}s`));
    expect(fires({}, readTimeout('"10 20"'))).toMatch(/has proxy_read_timeout "10 20", which this policy cannot read as an nginx time/);
    // Unset: nginx's default of 60s, enough for the default ceiling and no more.
    expect(fires({}, (t) => t.replace(/\n\s*proxy_read_timeout 1h;/, ""))).toBe("");
    expect(fires({ toolCallTimeoutSeconds: 61 }, (t) => t.replace(/\n\s*proxy_read_timeout 1h;/, ""))).toMatch(/has proxy_read_timeout 60s \(60s\), below 61s/);
  });

  test("the read timeout inherited from the server applies where the location sets none", () => {
    const edit = (t: string) =>
      t.replace(/\n\s*proxy_read_timeout 1h;/, "").replace("limit_req zone=per_ip burst=40;", "limit_req zone=per_ip burst=40;\n    proxy_read_timeout 30s;");
    expect(fires({}, edit)).toMatch(/has proxy_read_timeout 30s \(30s\), below 60s/);
  });

  test("buffering, compression and the HTTP version of the upstream connection", () => {
    expect(fires({}, (t) => t.replace("proxy_buffering off;", ""))).toMatch(/buffers responses \(proxy_buffering is not off\)/);
    expect(fires({}, (t) => t.replace("proxy_http_version 1.1;", ""))).toMatch(/proxies over HTTP\/1\.0: event streams need proxy_http_version 1\.1/);
    expect(fires({}, inMcpLocation("gzip on; gzip_types application/json;"))).toBe("");
    expect(fires({}, inMcpLocation("gzip on; gzip_types text/event-stream;"))).toMatch(/compresses text\/event-stream \(gzip buffers it\)/);
  });

  test("Authorization, Origin and the MCP headers pass unchanged; WWW-Authenticate and Mcp-Session-Id come back", () => {
    expect(fires({}, inMcpLocation("proxy_set_header Authorization $http_authorization; proxy_set_header Origin $http_origin;"))).toBe("");
    expect(fires({}, inMcpLocation('proxy_set_header Authorization "Bearer fixed-service-token";'))).toMatch(
      /overwrites the client's Authorization header \(proxy_set_header Authorization\); expected it passed on unchanged/,
    );
    expect(fires({}, inMcpLocation('proxy_set_header Authorization "Bearer fixed-service-token";'))).not.toContain("fixed-service-token");
    expect(fires({}, inMcpLocation("proxy_set_header origin https://$host;"))).toMatch(/overwrites the client's Origin header/);
    expect(fires({}, inMcpLocation('proxy_set_header Mcp-Session-Id "";'))).toMatch(/clears the client's Mcp-Session-Id header/);
    expect(fires({}, inMcpLocation("proxy_hide_header WWW-Authenticate;"))).toMatch(
      /hides the app's WWW-Authenticate header from the client \(proxy_hide_header WWW-Authenticate\)/,
    );
    expect(fires({}, inMcpLocation("proxy_hide_header X-Powered-By;"))).toBe("");
    expect(fires({}, inMcpLocation("proxy_pass_request_headers off;"))).toMatch(/does not pass request headers/);
    expect(fires({}, inMcpLocation('auth_basic "staff";'))).toMatch(/asks for basic auth \(auth_basic\)/);
  });

  test("the server judged is the one nginx picks for mcp:domain on the HTTPS port", () => {
    const otherServer = (name: string) => (t: string) =>
      t.replace(
        "  server {\n    listen 8081;",
        `  server {\n    listen 8443 ssl;\n    server_name ${name};\n    location / { proxy_pass http://app_pool; }\n  }\n  server {\n    listen 8081;`,
      );
    // Another site on the same port is not the MCP endpoint's server.
    expect(fires({}, otherServer("status.example.com"))).toBe("");
    // A server named for the stack's domain is the one clients reach, wherever it stands in the file.
    expect(fires({}, otherServer(INPUT.config["mcp:domain"]))).toMatch(/location \/ \(serving \/mcp on 8443\) proxies over HTTP\/1\.0/);
  });

  test("the location is the one nginx picks for mcp:app.mcpPath", () => {
    // /api/mcp falls to `location /`, which neither streams nor sets the MCP timeout.
    expect(fires({ mcpPath: "/api/mcp" })).toMatch(/location \/ \(serving \/api\/mcp on 8443\) proxies over HTTP\/1\.0/);
    expect(fires({}, (t) => t.replace("location /mcp {", "location = /mcp-legacy {"))).toMatch(/location \/ \(serving \/mcp on 8443\) buffers responses/);
    expect(
      fires({}, (t) => t.replace("location = /metrics { return 404; }", "location = /metrics { return 404; }\n    location = /mcp { return 503; }")),
    ).toMatch(/location = \/mcp \(serving \/mcp on 8443\) does not proxy to the app/);
  });
});

describe("mcp-app-contract", () => {
  const fires = (app: Record<string, unknown>, edit?: (t: string) => string) => violationsWith("mcp-app-contract", app, edit).join("\n");

  test("the default contract of the prod stack passes", () => {
    expect(fires({})).toBe("");
  });

  test("the metadata path is RFC 9728's for the MCP path, or the bare well-known path", () => {
    expect(metadataPathsFor("/mcp")).toEqual(["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]);
    expect(metadataPathsFor("/")).toEqual(["/.well-known/oauth-protected-resource"]);
    expect(fires({ resourceMetadataPath: "/.well-known/oauth-protected-resource" })).toBe("");
    expect(fires({ resourceMetadataPath: "/oauth/metadata" })).toBe(
      'mcp:app.resourceMetadataPath "/oauth/metadata" is not where a client looks for the metadata of /mcp: expected /.well-known/oauth-protected-resource/mcp or /.well-known/oauth-protected-resource (RFC 9728 §3.1)',
    );
    // Moving the endpoint without moving its metadata breaks discovery.
    expect(fires({ mcpPath: "/api/mcp" })).toMatch(/expected \/\.well-known\/oauth-protected-resource\/api\/mcp or/);
    expect(fires({ mcpPath: "/api/mcp", resourceMetadataPath: "/.well-known/oauth-protected-resource/api/mcp" })).toBe("");
  });

  test("the protocol revisions: only ones the pinned SDK supports, the newest among them", () => {
    const [newest, ...older] = MCP_PROTOCOL_VERSIONS;
    expect(fires({ protocolVersions: [newest] })).toBe("");
    expect(fires({ protocolVersions: older })).toBe(
      `mcp:app.protocolVersions leaves out the newest revision ${newest}: a current client negotiates down or fails`,
    );
    expect(fires({ protocolVersions: [newest, "2099-01-01"] })).toMatch(/mcp:app.protocolVersions names "2099-01-01", which the pinned SDK does not support/);
    expect(fires({ protocolVersions: [] })).toBe("mcp:app.protocolVersions names no protocol revision");
  });

  test("the tool-call ceiling is whole seconds within the edge's maximum read timeout", () => {
    expect(fires({ toolCallTimeoutSeconds: MCP_READ_TIMEOUT_MAX_SECONDS })).toBe("");
    expect(fires({ toolCallTimeoutSeconds: MCP_READ_TIMEOUT_MAX_SECONDS + 1 })).toMatch(
      new RegExp(
        `mcp:app.toolCallTimeoutSeconds ${MCP_READ_TIMEOUT_MAX_SECONDS + 1} is not a whole number of seconds from 1 to ${MCP_READ_TIMEOUT_MAX_SECONDS}`,
      ),
    );
    expect(fires({ toolCallTimeoutSeconds: 0 })).toMatch(/toolCallTimeoutSeconds 0 is not/);
    expect(fires({ toolCallTimeoutSeconds: 1.5 })).toMatch(/toolCallTimeoutSeconds 1.5 is not/);
  });

  test("the edge proxies the metadata document to the app, without credentials or address rules", () => {
    const addLocation = (l: string) => (t: string) => t.replace("location = /metrics { return 404; }", `location = /metrics { return 404; }\n    ${l}`);
    expect(fires({}, addLocation("location /.well-known/ { proxy_pass http://app_pool; }"))).toBe("");
    expect(fires({}, addLocation("location ~ /\\.(?!well-known/) { deny all; }"))).toBe("");
    expect(fires({}, addLocation("location /.well-known/ { allow 10.0.0.0/8; deny all; proxy_pass http://app_pool; }"))).toMatch(
      /restricts it by address \(deny\)/,
    );
    expect(fires({}, addLocation('location /.well-known/ { auth_basic "staff"; proxy_pass http://app_pool; }'))).toMatch(/asks for credentials/);
    expect(fires({}, addLocation("location /.well-known/ { root /var/www; }"))).toMatch(
      /location \/\.well-known\/ \(serving \/\.well-known\/oauth-protected-resource\/mcp on 8443\) does not proxy it to the app; a client cannot discover where to get a token/,
    );
  });
});
