/**
 * SEC-NET-04's HSTS minimum lives in checklist/thresholds.ts alone: the stack schema refuses a
 * max-age below it naming the key, and accepts the minimum itself. The policy and the runtime
 * check are held to the same constant in tests/policies/rules.test.ts and tests/validate/stack.test.ts.
 */
import { resolve } from "node:path";
import { ConfigError, parseStackConfig } from "../../infra/config/load";
import { rawConfigFromStackFile, readStackFile } from "../../infra/config/stack-file";
import { HSTS_MIN_MAX_AGE_SECONDS } from "../../checklist/thresholds";

const ROOT = resolve(__dirname, "../..");

function problems(hstsMaxAgeSeconds: number): string[] {
  const raw = rawConfigFromStackFile(readStackFile("prod", ROOT));
  try {
    parseStackConfig({ ...raw, edge: { ...(raw.edge as object), hstsMaxAgeSeconds } }, "prod");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  return [];
}

describe("edge.hstsMaxAgeSeconds", () => {
  it("is refused below the checklist's minimum, naming the key and the minimum", () => {
    for (const v of [0, 300, HSTS_MIN_MAX_AGE_SECONDS - 1])
      expect(problems(v)).toEqual([`mcp:edge.hstsMaxAgeSeconds: must be at least ${HSTS_MIN_MAX_AGE_SECONDS} (180 days, SEC-NET-04; checklist/thresholds.ts)`]);
  });

  it("accepts the minimum and the 1-year default", () => {
    expect(problems(HSTS_MIN_MAX_AGE_SECONDS)).toEqual([]);
    expect(problems(31536000)).toEqual([]);
    expect(HSTS_MIN_MAX_AGE_SECONDS).toBe(180 * 86_400);
  });
});
