import { runChecks, selectChecks } from "../../validate/core/runner";
import { buildVerifyReport, exitCodeFor, formatJson, formatJunit, formatText, summarize } from "../../validate/core/report";
import { createRedactor, REDACTED } from "../../evidence/redact";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import { errorMessage } from "../../validate/core/errors";
import { fail, pass, type Check } from "../../validate/core/types";

const SECRET = "s3cr3t-Value-0123456789abcdef";

function check(id: string, run: Check<{ n: number }>["run"], extra: Partial<Check<{ n: number }>> = {}): Check<{ n: number }> {
  return { id, title: `title of ${id}`, checklistIds: ["DEP-CORE-02"], run, ...extra };
}

describe("runner", () => {
  it("runs every check, keeps input order and records identity, timing and attempts", async () => {
    const lines: string[] = [];
    const records = await runChecks(
      [
        check("a.pass", async (t) => pass(`n is ${t.n}`, { measurements: { n: t.n } })),
        check("b.fail", async () => fail("broken", { expected: "x", actual: "y", remediation: "fix it" })),
      ],
      { n: 7 },
      { progress: (l) => lines.push(l) },
    );
    expect(records.map((r) => [r.id, r.status, r.attempts])).toEqual([
      ["a.pass", "pass", 1],
      ["b.fail", "fail", 1],
    ]);
    expect(records[0]).toMatchObject({ message: "n is 7", checklistIds: ["DEP-CORE-02"], measurements: { n: 7 }, title: "title of a.pass" });
    expect(lines.some((l) => /FAIL b\.fail/.test(l))).toBe(true);
  });

  it("turns a thrown error into a failure with the cause chain", async () => {
    const [r] = await runChecks(
      [
        check("x.throws", async () => {
          throw new Error("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
        }),
      ],
      { n: 0 },
      { progress: false },
    );
    expect(r.status).toBe("fail");
    expect(r.message).toContain("ECONNREFUSED");
  });

  it("bounds a check that ignores its signal by the timeout, while other checks complete", async () => {
    const started = Date.now();
    const records = await runChecks(
      [check("slow.hangs", () => new Promise(() => undefined), { timeoutMs: 300 }), check("fast.ok", async () => pass("ok"))],
      { n: 0 },
      { progress: false },
    );
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(records[0].status).toBe("fail");
    expect(records[0].message).toMatch(/timed out after 300 ms/);
    expect(records[1].status).toBe("pass");
  });

  it("aborts the signal at the deadline so clients can stop", async () => {
    let aborted = false;
    await runChecks(
      [
        check(
          "sig.abort",
          (_t, ctx) =>
            new Promise((resolve) =>
              ctx.signal.addEventListener("abort", () => {
                aborted = true;
                resolve(fail("stopped"));
              }),
            ),
          { timeoutMs: 100 },
        ),
      ],
      { n: 0 },
      { progress: false },
    );
    expect(aborted).toBe(true);
  });

  it("retries a failing attempt and passes when the service settles", async () => {
    let calls = 0;
    const [r] = await runChecks(
      [check("settle.retry", async () => (++calls < 3 ? fail(`not yet ${calls}`, { settling: true }) : pass("settled")), { retries: 3, retryDelayMs: 10 })],
      { n: 0 },
      { progress: false },
    );
    expect(r).toMatchObject({ status: "pass", attempts: 3 });
  });

  it("stops retrying after the bound and reports the last failure", async () => {
    let calls = 0;
    const refused = new Error("connect ECONNREFUSED 127.0.0.1:1");
    const [r] = await runChecks(
      [check("never.ok", async () => fail(`attempt ${++calls}`, { cause: refused }), { retries: 2, retryDelayMs: 5 })],
      { n: 0 },
      {
        progress: false,
      },
    );
    expect(r).toMatchObject({ status: "fail", attempts: 3, message: "attempt 3" });
  });

  it("reports the last attempt's failure when the deadline passes between retries", async () => {
    const [r] = await runChecks(
      [check("down.svc", async () => fail("connection refused", { cause: new Error("ECONNREFUSED") }), { retries: 10, retryDelayMs: 100, timeoutMs: 250 })],
      { n: 0 },
      { progress: false },
    );
    expect(r.status).toBe("fail");
    expect(r.message).toBe("connection refused");
    expect(r.attempts).toBeGreaterThan(1);
    expect(r.attempts).toBeLessThan(5);
  });

  it("never runs more checks at once than the concurrency bound", async () => {
    let running = 0;
    let peak = 0;
    const c = (id: string) =>
      check(id, async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return pass("ok");
      });
    await runChecks(["a", "b", "c", "d", "e", "f"].map(c), { n: 0 }, { concurrency: 2, progress: false });
    expect(peak).toBe(2);
  });

  it("runs exclusive checks after all others, one at a time", async () => {
    const events: string[] = [];
    let running = 0;
    const c = (id: string, exclusive = false) =>
      check(
        id,
        async () => {
          running++;
          events.push(`${id}:start:${running}`);
          await new Promise((r) => setTimeout(r, 15));
          running--;
          return pass("ok");
        },
        { exclusive },
      );
    const records = await runChecks([c("x.burst", true), c("a"), c("y.latency", true), c("b")], { n: 0 }, { progress: false });
    expect(records.map((r) => r.id)).toEqual(["x.burst", "a", "y.latency", "b"]);
    const starts = events.map((e) => e.split(":")[0]);
    expect(starts.slice(2)).toEqual(["x.burst", "y.latency"]);
    expect(events.filter((e) => e.startsWith("x.") || e.startsWith("y.")).every((e) => e.endsWith(":1"))).toBe(true);
  });

  it("redacts secrets from messages, measurements, details and progress, in raw, URL and base64 forms", async () => {
    const lines: string[] = [];
    const records = await runChecks(
      [
        check("leak.msg", async (_t, ctx) => {
          ctx.log(`connecting with ${SECRET}`);
          return fail(`password ${SECRET} rejected`, {
            actual: `postgres://u:${encodeURIComponent(SECRET)}@h`,
            remediation: Buffer.from(SECRET).toString("base64"),
            measurements: { token: SECRET },
          });
        }),
        check("leak.throw", async () => {
          throw new Error(`bad key ${SECRET}`);
        }),
      ],
      { n: 0 },
      { secrets: [SECRET], progress: (l) => lines.push(l) },
    );
    const all = JSON.stringify(records) + lines.join("\n");
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(Buffer.from(SECRET).toString("base64"));
    expect(all).toContain(REDACTED);
  });

  it("refuses duplicate ids", async () => {
    await expect(runChecks([check("dup", async () => pass("")), check("dup", async () => pass(""))], { n: 0 }, { progress: false })).rejects.toThrow(
      /duplicate check id "dup"/,
    );
  });
});

describe("selectChecks", () => {
  const checks = [{ id: "edge.tls-chain" }, { id: "edge.hsts" }, { id: "redis.auth" }];
  it("selects by id and by prefix", () => {
    expect(selectChecks(checks, ["redis.auth", "edge.*"]).map((c) => c.id)).toEqual(["edge.tls-chain", "edge.hsts", "redis.auth"]);
    expect(selectChecks(checks, undefined)).toHaveLength(3);
  });
  it("names unknown ids", () => {
    expect(() => selectChecks(checks, ["edge.nope"])).toThrow(/unknown check id "edge\.nope"/);
  });
});

describe("redactor", () => {
  it("ignores values too short to be secrets and leaves other text alone", () => {
    const r = createRedactor(["ab", undefined, SECRET]);
    expect(r("ab cd")).toBe("ab cd");
    expect(r(`x${SECRET}y`)).toBe(`x${REDACTED}y`);
  });
});

describe("errorMessage", () => {
  it("unwraps AggregateError", () => {
    expect(errorMessage(new AggregateError([new Error("connect ECONNREFUSED ::1:5"), new Error("connect ECONNREFUSED 127.0.0.1:5")]))).toContain("127.0.0.1:5");
  });
});

describe("report", () => {
  const records = [
    {
      id: "edge.hsts",
      title: "HSTS",
      checklistIds: ["DEP-WEB-02"],
      status: "pass" as const,
      message: "ok",
      durationMs: 3,
      attempts: 1,
      measurements: { maxAge: 31536000 },
    },
    {
      id: "redis.auth",
      title: "auth",
      checklistIds: ["DEP-CACHE-01"],
      status: "fail" as const,
      message: "answered without a password",
      expected: "NOAUTH",
      actual: "PONG",
      remediation: "set requirepass",
      durationMs: 4,
      attempts: 2,
    },
    { id: "backup.age", title: "age", checklistIds: ["BAK-SYSTEM-05"], status: "skip" as const, message: "no backups configured", durationMs: 0, attempts: 1 },
  ];
  const provenance = {
    git: { commit: "unknown" as const, dirty: "unknown" as const },
    product: { name: "mcp-production-stack", version: "0.1.0" },
    inputs: [],
  };
  const report = buildVerifyReport({ stack: "prod", records, startedAt: new Date("2026-01-01T00:00:00Z"), durationMs: 12, provenance });

  it("builds the VerifyReport evidence shape", () => {
    expect(report).toMatchObject({
      kind: "verify",
      formatVersion: EVIDENCE_FORMAT_VERSION,
      stack: "prod",
      generatedAt: "2026-01-01T00:00:00.000Z",
      durationMs: 12,
    });
    expect(JSON.parse(formatJson(report)).checks).toHaveLength(3);
    expect(summarize(report.checks)).toEqual({ total: 3, pass: 1, fail: 1, skip: 1 });
    expect(exitCodeFor(report)).toBe(1);
    expect(exitCodeFor({ ...report, checks: [records[0]] })).toBe(0);
  });

  it("text says what was expected, seen and how to fix it", () => {
    const t = formatText(report);
    expect(t).toMatch(/FAIL\s+redis\.auth\s+answered without a password/);
    expect(t).toContain("expected: NOAUTH");
    expect(t).toContain("fix:      set requirepass");
    expect(t).toContain("maxAge=31536000");
    expect(t).toContain("3 checks: 1 passed, 1 failed, 1 skipped");
  });

  it("junit has one testcase per check with failures and skips", () => {
    const x = formatJunit(report);
    expect((x.match(/<testcase /g) ?? []).length).toBe(3);
    expect(x).toMatch(/<failure message="answered without a password" type="CheckFailed"/);
    expect(x).toContain("<skipped/>");
    expect(x).toMatch(/tests="3"/);
    expect(x).toMatch(/failures="1"/);
  });
});
