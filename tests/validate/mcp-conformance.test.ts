/**
 * The MCP endpoint's conformance checks (docs/app-contract.md) against the local stack: the
 * real Nginx with the rendered configuration in front of two app replicas, each serving MCP
 * with the official SDK's StreamableHTTPServerTransport, sessions shared through the real
 * Redis. Every check passes on the healthy stack; each fault switch of the app stand-in, and
 * each Nginx change that breaks a requirement, fails the check that owns it with a message
 * naming what was seen and what was expected. No secret or token may appear in the output.
 */
import { startLocalStack, type LocalStack } from "../../testing/stack";
import type { AppFaults } from "../../testing/stand-ins/app";
import { runChecks } from "../../validate/core/runner";
import type { CheckRecord } from "../../validate/core/types";
import { VERIFY_CHECKS } from "../../validate/registry";
import { VERIFY_PROBES } from "../../validate/dependencies";
import type { VerifyTarget } from "../../validate/target";

jest.setTimeout(45_000);

let stack: LocalStack;
const transcript: string[] = [];

/** The checks of the app contract's MCP requirements. */
const CONFORMANCE = [
  "mcp.origin",
  "mcp.auth-challenge",
  "mcp.resource-metadata",
  "mcp.token-validation",
  "mcp.protocol-version",
  "mcp.sessions",
  "mcp.session-replicas",
  "mcp.tool-ceiling",
  "mcp.stream-idle",
  "mcp.rate-limit",
  "mcp.audit",
];

beforeAll(async () => {
  stack = await startLocalStack();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** The stack's target with the opt-in stream check on (its idle time is the local stack's short one). */
const target = (): VerifyTarget => ({ ...stack.target, mcp: { ...stack.target.mcp, checkStreams: true } });

async function run(ids: string[], t: VerifyTarget = target()): Promise<Record<string, CheckRecord>> {
  const checks = VERIFY_CHECKS.filter((c) => ids.includes(c.id));
  expect(checks.map((c) => c.id).sort()).toEqual([...ids].sort());
  const records = await runChecks(checks, t, { secrets: t.secrets, probes: VERIFY_PROBES, progress: (l) => transcript.push(l) });
  transcript.push(JSON.stringify(records));
  return Object.fromEntries(records.map((r) => [r.id, r]));
}

async function one(id: string, t?: VerifyTarget): Promise<CheckRecord> {
  return (await run([id], t))[id];
}

const failed = (r: CheckRecord, pattern: RegExp) => {
  expect(`${r.status}: ${r.message}`).toMatch(new RegExp(`^fail: .*${pattern.source}`));
};

/** Sets a fault on every replica for the body, then back to healthy. */
async function withFault<K extends keyof AppFaults>(key: K, value: AppFaults[K], body: () => Promise<void>): Promise<void> {
  const before = stack.servers.apps.map((a) => a.faults[key]);
  try {
    for (const a of stack.servers.apps) a.faults[key] = value;
    await body();
  } finally {
    stack.servers.apps.forEach((a, i) => (a.faults[key] = before[i]));
  }
}

/** Runs the body with Nginx on a changed configuration, then back on the rendered one. */
async function withNginx(transform: (conf: string) => string, body: () => Promise<void>): Promise<void> {
  const rendered = { changed: false };
  try {
    await stack.servers.nginx.restart({
      transform: (c) => {
        const t = transform(c);
        rendered.changed = t !== c;
        return t;
      },
    });
    // A transform that no longer matches the rendered config would test nothing.
    expect(rendered.changed).toBe(true);
    await body();
  } finally {
    await stack.servers.nginx.restart({ transform: undefined });
  }
}

describe("healthy stack", () => {
  it("passes every conformance check through Nginx with the SDK server", async () => {
    const r = await run(CONFORMANCE);
    expect(Object.values(r).map((x) => `${x.id}: ${x.status} ${x.message}`)).toEqual(
      CONFORMANCE.map((id) => expect.stringMatching(new RegExp(`^${id}: pass `))),
    );
    expect(r["mcp.protocol-version"].message).toMatch(/negotiated and accepted 2025-11-25, .*1999-01-01 answered 400/);
    expect(r["mcp.session-replicas"].message).toMatch(/replica 1 -> 2: 200, replica 2 -> 1: 200/);
    expect(r["mcp.rate-limit"].message).toMatch(/each with Retry-After 1$/);
    expect(r["mcp.audit"].message).toMatch(/outcome ok$/);
  });

  it("mcp.initialize reports the negotiated revision and accepts any configured one", async () => {
    const r = await one("mcp.initialize");
    expect(r.message).toMatch(/negotiated protocol 2025-11-25/);
    const narrowed = await one("mcp.initialize", { ...target(), mcp: { ...target().mcp, protocolVersions: ["2025-06-18"] } });
    failed(narrowed, /server negotiated protocol version 2025-11-25/);
    expect(narrowed.expected).toBe("one of 2025-06-18 (mcp:app.protocolVersions)");
  });

  it("skips what the stack does not configure or opt into, saying why", async () => {
    const t = target();
    const r = await run(["mcp.tool-ceiling", "mcp.stream-idle", "mcp.audit", "mcp.session-replicas"], {
      ...t,
      mcp: { ...t.mcp, ceilingProbe: undefined, checkStreams: false, appLogs: undefined, replicaUrls: t.mcp.replicaUrls.slice(0, 1) },
    });
    expect(
      Object.values(r)
        .map((x) => `${x.id}: ${x.status}`)
        .sort(),
    ).toEqual(["mcp.audit", "mcp.session-replicas", "mcp.stream-idle", "mcp.tool-ceiling"].map((id) => `${id}: skip`));
    expect(r["mcp.tool-ceiling"].message).toMatch(/no mcp:app.ceilingProbe configured/);
    expect(r["mcp.stream-idle"].message).toMatch(/--stream-idle/);
  });
});

describe("app faults: each fails its own check", () => {
  it("mcp.origin: a foreign Origin served", async () => {
    await withFault("originNotChecked", true, async () => {
      const r = await one("mcp.origin");
      failed(r, /initialize with Origin https:\/\/rebinding\.invalid answered 200/);
      expect(r.expected).toMatch(/^403/);
    });
  });

  it("mcp.auth-challenge: 401 without WWW-Authenticate", async () => {
    await withFault("noAuthChallenge", true, async () => {
      const r = await one("mcp.auth-challenge");
      failed(r, /401 without a Bearer challenge naming the resource metadata: WWW-Authenticate absent/);
      expect(r.expected).toBe(
        `WWW-Authenticate: Bearer resource_metadata="https://mcp.verify.test:${stack.config.edge.httpsPort}/.well-known/oauth-protected-resource/mcp"`,
      );
    });
  });

  it("mcp.resource-metadata: no document at the metadata path", async () => {
    await withFault("noResourceMetadata", true, async () => {
      failed(await one("mcp.resource-metadata"), /GET https:\/\/mcp\.verify\.test:\d+\/\.well-known\/oauth-protected-resource\/mcp answered 404/);
    });
  });

  it("mcp.resource-metadata: a document naming another issuer", async () => {
    const t = target();
    const r = await one("mcp.resource-metadata", { ...t, mcp: { ...t.mcp, jwtIssuer: "https://other-issuer.invalid" } });
    failed(r, /authorization_servers \[".*"\] does not name the issuer https:\/\/other-issuer\.invalid/);
  });

  it.each([
    ["expiry", "expired"],
    ["issuer", "wrong issuer"],
    ["audience", "wrong audience"],
    ["signature", "bad signature"],
  ] as const)("mcp.token-validation: a token not checked for its %s", async (laxity, kind) => {
    await withFault("tokenLaxity", laxity, async () => {
      const r = await one("mcp.token-validation");
      failed(r, new RegExp(`did not refuse ${kind} token: 200$`));
      expect(r.expected).toBe("401 for each of: expired, wrong issuer, wrong audience, bad signature");
    });
  });

  it("mcp.sessions: requests without or with an unknown session served", async () => {
    await withFault("sessionsUnchecked", true, async () => {
      const r = await one("mcp.sessions");
      failed(r, /tools\/list without Mcp-Session-Id answered 200/);
      expect(r.expected).toBe("400");
    });
  });

  it("mcp.session-replicas: sessions kept in one replica's memory", async () => {
    await withFault("sessionsLocal", true, async () => {
      const r = await one("mcp.session-replicas");
      failed(r, /a session opened on replica 1 answered 404 \(Session not found\) on replica 2/);
    });
  });

  it("mcp.protocol-version: MCP-Protocol-Version ignored", async () => {
    await withFault("ignoreProtocolVersion", true, async () => {
      failed(await one("mcp.protocol-version"), /tools\/list with MCP-Protocol-Version 1999-01-01 answered 200, expected 400/);
    });
  });

  it("mcp.tool-ceiling: no ceiling, the call hangs", async () => {
    await withFault("noToolCeiling", true, async () => {
      const r = await one("mcp.tool-ceiling");
      failed(r, /tools\/call slow had no answer after 7\.\d s: it hangs/);
      expect(r.expected).toBe("an error answer by 2 s (+5 s grace)");
    });
  });

  it("mcp.tool-ceiling: a probe that ends before the ceiling proves nothing", async () => {
    const t = target();
    const r = await one("mcp.tool-ceiling", { ...t, mcp: { ...t.mcp, ceilingProbe: { tool: "slow", arguments: { seconds: 0 } } } });
    failed(r, /tools\/call slow succeeded after 0\.\d s/);
  });

  it("mcp.stream-idle: an idle stream that sends nothing, so its passing Nginx cannot be seen", async () => {
    await withFault("noStreamKeepAlive", true, async () => {
      const r = await one("mcp.stream-idle");
      failed(r, /nothing reached the client in 3 s on the open event stream/);
      expect(r.expected).toMatch(/unbuffered/);
    });
  });

  it("mcp.audit: no audit line", async () => {
    await withFault("audit", "silent", async () => {
      failed(await one("mcp.audit"), /0 audit lines for one tools\/call of echo by caller mcp-verify-audit-[0-9a-f]+ in the app's logs/);
    });
  });

  it("mcp.audit: argument values in the audit line", async () => {
    await withFault("audit", "arguments", async () => {
      failed(await one("mcp.audit"), /the app's logs hold the value of argument message of the tools\/call/);
    });
  });
});

describe("Nginx in front of the MCP endpoint", () => {
  it("mcp.stream-idle: a read timeout shorter than the idle time and the app's keep-alive interval", async () => {
    await withNginx(
      (c) => c.replace("proxy_read_timeout 3600s;", "proxy_read_timeout 1s;"),
      async () => {
        const r = await run(["mcp.stream-idle"]);
        failed(r["mcp.stream-idle"], /the event stream ended after 1\.\d s with 0 events/);
        expect(r["mcp.stream-idle"].expected).toBe("open at least 3 s without an event");
        expect(r["mcp.stream-idle"].remediation).toMatch(/proxy_read_timeout/);
      },
    );
  });

  it("mcp.stream-idle: a buffered stream", async () => {
    await withNginx(
      (c) => c.replace("proxy_buffering off;", "proxy_buffering on;\n            proxy_ignore_headers X-Accel-Buffering;"),
      async () => {
        failed(await one("mcp.stream-idle"), /no answer headers to the GET of the session's event stream within 8 s/);
      },
    );
  });

  it("mcp.auth-challenge: WWW-Authenticate hidden by Nginx", async () => {
    await withNginx(
      (c) => c.replace("proxy_buffering off;", "proxy_buffering off;\n            proxy_hide_header WWW-Authenticate;"),
      async () => {
        failed(await one("mcp.auth-challenge"), /WWW-Authenticate absent/);
      },
    );
  });

  it("mcp.origin: Origin dropped by Nginx, so the app cannot judge it", async () => {
    await withNginx(
      (c) => c.replace("proxy_buffering off;", 'proxy_buffering off;\n            proxy_set_header Origin "";'),
      async () => {
        failed(await one("mcp.origin"), /Origin https:\/\/rebinding\.invalid answered 200/);
      },
    );
  });

  it("mcp.initialize: Authorization dropped by Nginx, so no token reaches the app", async () => {
    await withNginx(
      (c) => c.replace("proxy_buffering off;", 'proxy_buffering off;\n            proxy_set_header Authorization "";'),
      async () => {
        const r = await run(["mcp.initialize", "mcp.auth-challenge"]);
        failed(r["mcp.initialize"], /Error POSTing to endpoint: .*"bearer token required".* \(401\)/);
        // The challenge is still right: the app sees every request as one without a token.
        expect(r["mcp.auth-challenge"].status).toBe("pass");
      },
    );
  });

  it("mcp.rate-limit: 429 answers without Retry-After", async () => {
    await withNginx(
      (c) => c.replace(/\n\s*add_header Retry-After [^;]+;/, ""),
      async () => {
        const r = await one("mcp.rate-limit");
        failed(r, /\d+ of \d+ 429 answers on https:\/\/mcp\.verify\.test:\d+\/mcp had no valid Retry-After \(seen: absent\)/);
        expect(r.expected).toBe("Retry-After: <seconds> on every 429");
      },
    );
  });
});

describe("secrets", () => {
  it("no secret value or token appears in any message or progress line", () => {
    const all = transcript.join("\n");
    expect(all.length).toBeGreaterThan(2000);
    const leaked = stack.secrets.filter((s) => all.includes(s));
    expect(leaked.map((s) => s.slice(0, 4) + "…")).toEqual([]);
    // A JWT is three base64url parts; none may be printed.
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./);
  });
});
