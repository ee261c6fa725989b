/**
 * Failing fast: only failures that may heal are retried, and a service that does not answer
 * is reported once by the first check that needs it, the others skipped naming it. Probes
 * here run against real sockets on loopback: a listener, a port nothing listens on, one
 * that accepts and never answers, and a name that does not resolve.
 */
import { createServer, type Server, type Socket } from "node:net";
import { runChecks } from "../../validate/core/runner";
import { classifyError } from "../../validate/core/healing";
import { isBlocked } from "../../validate/core/needs";
import { fail, pass, type Check, type Probe } from "../../validate/core/types";
import { probeAnswer, REDIS_PING } from "../../validate/net/probe";
import { freePort } from "../../local/ports";

type T = { port: number };
const check = (id: string, run: Check<T>["run"], extra: Partial<Check<T>> = {}): Check<T> => ({ id, title: id, checklistIds: ["DEP-CORE-02"], run, ...extra });
const errno = (code: string) => Object.assign(new Error(`getaddrinfo ${code} nothing.invalid`), { code });

describe("which failures are retried", () => {
  it("classifies errors in one place", () => {
    expect(classifyError(new Error("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:9") }))).toBe("transient");
    expect(classifyError(new Error("Command timed out"))).toBe("transient");
    expect(classifyError(errno("EAI_AGAIN"))).toBe("dns-temporary");
    expect(classifyError(errno("ENOTFOUND"))).toBe("deterministic");
    expect(classifyError(new Error("GET http://x/api/v1/rules answered 500"))).toBe("deterministic");
  });

  it("reports a deterministic answer on the first attempt, at once", async () => {
    let calls = 0;
    const started = Date.now();
    const [r] = await runChecks(
      [check("rule.err", async () => (calls++, fail("group/Rule health err")), { retries: 5, retryDelayMs: 1000 })],
      { port: 0 },
      { progress: false },
    );
    expect(r).toMatchObject({ status: "fail", attempts: 1, message: "group/Rule health err" });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("retries a thrown refused connection, a not-found name never, a failing resolver once", async () => {
    const attempts = async (err: Error) =>
      (
        await runChecks(
          [
            check(
              "x.y",
              async () => {
                throw err;
              },
              { retries: 4, retryDelayMs: 5 },
            ),
          ],
          { port: 0 },
          { progress: false },
        )
      )[0].attempts;
    expect(await attempts(new Error("connect ECONNREFUSED 127.0.0.1:9"))).toBe(5);
    expect(await attempts(errno("ENOTFOUND"))).toBe(1);
    expect(await attempts(errno("EAI_AGAIN"))).toBe(2);
  });
});

describe("probes", () => {
  let server: Server;
  let silent: Server;
  let port: number;
  let silentPort: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Answers like Redis does to a PING without a password.
    server = createServer((s) => s.on("data", () => s.end("-NOAUTH Authentication required.\r\n")));
    // Accepts and never answers: a frozen process as a client sees it.
    silent = createServer((s) => void sockets.push(s));
    port = await freePort();
    silentPort = await freePort();
    await Promise.all([new Promise<void>((r) => server.listen(port, "127.0.0.1", r)), new Promise<void>((r) => silent.listen(silentPort, "127.0.0.1", r))]);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => silent.close(r))]);
  });

  it("passes for a service that answers, names refusal, silence and a name that does not exist", async () => {
    await expect(probeAnswer("127.0.0.1", port, { send: REDIS_PING, timeoutMs: 1000 })).resolves.toBeUndefined();
    const closed = await freePort();
    await expect(probeAnswer("127.0.0.1", closed, { send: REDIS_PING, timeoutMs: 1000 })).rejects.toThrow(`127.0.0.1:${closed}: connect ECONNREFUSED`);
    const t0 = Date.now();
    await expect(probeAnswer("127.0.0.1", silentPort, { send: REDIS_PING, timeoutMs: 300 })).rejects.toThrow(
      `127.0.0.1:${silentPort} accepted the connection but did not answer within 300 ms`,
    );
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(probeAnswer("nothing.invalid", 1, { timeoutMs: 1000 })).rejects.toThrow(/ENOTFOUND/);
  });

  const probe: Probe<T> = { remediation: "start it", run: (t, ctx) => probeAnswer("127.0.0.1", t.port, { ...ctx, send: REDIS_PING }) };

  async function runWith(target: T, notApplicable?: Record<string, string>) {
    const ran: string[] = [];
    const c = (id: string, needs?: string[]) => check(id, async () => (ran.push(id), pass("ok")), { needs });
    const records = await runChecks([c("svc.a", ["svc"]), c("svc.b", ["svc"]), c("other.c"), c("svc.d", ["svc"])], target, {
      probes: { svc: probe },
      probeTimeoutMs: 300,
      notApplicable,
      progress: false,
    });
    return { ran, records };
  }

  it("runs every check when the service answers", async () => {
    const { ran, records } = await runWith({ port });
    expect(ran.sort()).toEqual(["other.c", "svc.a", "svc.b", "svc.d"]);
    expect(records.every((r) => r.status === "pass")).toBe(true);
  });

  it("reports a service that does not answer once and skips the rest naming the check that found it", async () => {
    for (const [p, cause] of [
      [await freePort(), /ECONNREFUSED/],
      [silentPort, /accepted the connection but did not answer within 300 ms/],
    ] as const) {
      const started = Date.now();
      const { ran, records } = await runWith({ port: p });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(ran).toEqual(["other.c"]);
      const [a, b, c, d] = records;
      expect(a).toMatchObject({ status: "fail", attempts: 0, remediation: "start it" });
      expect(a.message).toMatch(new RegExp(`^svc unreachable: 127\\.0\\.0\\.1:${p}`));
      expect(a.message).toMatch(cause);
      for (const r of [b, d]) {
        expect(r.status).toBe("skip");
        expect(r.message).toMatch(/^skipped: svc unreachable, reported by svc\.a: /);
        expect(r.message).toMatch(cause);
        expect(isBlocked(r)).toBe(true);
      }
      expect(c.status).toBe("pass");
    }
  });

  it("does not hold the other checks, the exclusive ones included, while a frozen service's probe waits", async () => {
    const startedAt: Record<string, number> = {};
    const t0 = Date.now();
    const c = (id: string, ms: number, extra: Partial<Check<T>> = {}) =>
      check(id, async () => ((startedAt[id] = Date.now() - t0), await new Promise((r) => setTimeout(r, ms)), pass("ok")), extra);
    const records = await runChecks(
      [c("svc.a", 0, { needs: ["svc"] }), c("other.b", 100), c("other.c", 100), c("burst.x", 300, { exclusive: true }), c("svc.d", 0, { needs: ["svc"] })],
      { port: silentPort },
      { probes: { svc: probe }, probeTimeoutMs: 800, progress: false },
    );
    const total = Date.now() - t0;
    expect(records.map((r) => r.status)).toEqual(["fail", "pass", "pass", "pass", "skip"]);
    expect(startedAt["burst.x"]).toBeLessThan(700);
    expect(total).toBeLessThan(1300);
  });

  it("does not probe for checks that are not applicable, and refuses a need without a probe", async () => {
    const { records } = await runWith({ port: await freePort() }, { "svc.a": "n/a", "svc.b": "n/a", "svc.d": "n/a" });
    expect(records.map((r) => r.status)).toEqual(["skip", "skip", "pass", "skip"]);
    expect(records.every((r) => !isBlocked(r))).toBe(true);
    await expect(runChecks([check("x.y", async () => pass(""), { needs: ["nope"] })], { port }, { probes: {}, progress: false })).rejects.toThrow(
      /no probe is given for it/,
    );
  });
});
