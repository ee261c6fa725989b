/** The preflight's pure parts: config reading, engine encoding, policy config, pack build, failure cleanup. */
import * as fs from "fs";
import * as path from "path";
import { ENCRYPTED_CONFIG_VALUE } from "../../infra/config/load";
import { readStackFile } from "../../infra/config/stack-file";
import {
  carriesEncryptedValue,
  goDurationSeconds,
  OUTPUT_VALUE_SIG,
  plain,
  RESOURCE_REF_SIG,
  secret,
  SECRET_SIG,
  SIG_KEY,
  toEngineProperties,
  UNKNOWN_STRING,
} from "../../preflight/engine-encoding";
import type { AnalyzerInfo } from "../../preflight/harness";
import { buildPack, packSources } from "../../preflight/pack-build";
import { livePackCount } from "../../preflight/pack-process";
import { PolicyConfigError, resolvePolicyConfig } from "../../preflight/policy-config";
import { runPreflight } from "../../preflight/run";

const ROOT = path.resolve(__dirname, "../..");

describe("stack file reading", () => {
  test("prod's secure values are present but never decrypted", () => {
    const sf = readStackFile("prod", ROOT);
    expect(sf.secretKeys.sort()).toEqual(["mcp:backupOffsiteSecretKey", "mcp:tlsCertificate", "mcp:tlsPrivateKey"]);
    expect(sf.engineConfig["mcp:tlsPrivateKey"]).toBe(ENCRYPTED_CONFIG_VALUE);
  });
});

describe("engine encoding", () => {
  test("secrets stay wrapped, resource references become IDs/URNs, internal keys go, encrypted config is unknown", () => {
    const props = toEngineProperties({
      a: { [SIG_KEY]: SECRET_SIG, value: "s3cret" },
      net: { [SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:x", id: "abc123", packageVersion: "5.2.0" },
      pending: { [SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:y", id: "" },
      comp: { [SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:component" },
      out: { [SIG_KEY]: OUTPUT_VALUE_SIG, secret: true, value: "v" },
      outUnknown: { [SIG_KEY]: OUTPUT_VALUE_SIG },
      __defaults: ["x"],
      key: ENCRYPTED_CONFIG_VALUE,
      nested: [{ k: ENCRYPTED_CONFIG_VALUE }],
    });
    expect(props).toEqual({
      a: secret("s3cret"),
      net: "abc123",
      pending: UNKNOWN_STRING,
      comp: "urn:component",
      out: secret("v"),
      outUnknown: UNKNOWN_STRING,
      key: UNKNOWN_STRING,
      nested: [{ k: UNKNOWN_STRING }],
    });
    expect(plain(props.a)).toBe("s3cret");
  });
  test("anything built from an undecryptable secure value is unknown too: embedded, or base64 as Docker configs and secrets carry it", () => {
    const b64 = (t: string) => Buffer.from(t).toString("base64");
    expect(
      toEngineProperties({ data: b64(ENCRYPTED_CONFIG_VALUE), rendered: `secret_key = ${ENCRYPTED_CONFIG_VALUE}\n`, other: b64("plain text, no marker") }),
    ).toEqual({ data: UNKNOWN_STRING, rendered: UNKNOWN_STRING, other: b64("plain text, no marker") });
    expect(carriesEncryptedValue(b64(`-----BEGIN KEY-----\n${ENCRYPTED_CONFIG_VALUE}\n`))).toBe(true);
    expect(carriesEncryptedValue("bW9kdWxlczoge30K")).toBe(false);
  });
  test("custom timeouts as the engine converts them", () => {
    expect(goDurationSeconds("1h30m")).toBe(5400);
    expect(goDurationSeconds("90s")).toBe(90);
    expect(goDurationSeconds("")).toBe(0);
  });
});

describe("policy config", () => {
  const info: AnalyzerInfo = {
    name: "pack",
    version: "1",
    policies: [
      {
        name: "a",
        description: "",
        enforcementLevel: "mandatory",
        kind: "resource",
        tags: [],
        configSchema: { minLength: { type: "integer" }, mode: { type: "string", enum: ["x", "y"] } },
      },
      { name: "b", description: "", enforcementLevel: "advisory", kind: "stack", tags: [] },
    ],
  };
  test("every policy gets an explicit level: the file's, else 'all', else its own", () => {
    expect(resolvePolicyConfig(info, {})).toEqual({
      a: { enforcementLevel: "mandatory", properties: {} },
      b: { enforcementLevel: "advisory", properties: {} },
    });
    expect(resolvePolicyConfig(info, { a: { minLength: 40 }, b: "disabled" })).toEqual({
      a: { enforcementLevel: "mandatory", properties: { minLength: 40 } },
      b: { enforcementLevel: "disabled", properties: {} },
    });
    expect(resolvePolicyConfig(info, { all: "advisory", a: "mandatory" })).toEqual({
      a: { enforcementLevel: "mandatory", properties: {} },
      b: { enforcementLevel: "advisory", properties: {} },
    });
  });
  test("bad entries are named, all at once", () => {
    let err: Error | undefined;
    try {
      resolvePolicyConfig(info, { c: "mandatory", a: { enforcementLevel: "strict" as never, minLength: "40", mode: "z", other: 1 } }, "policy-config.x.json");
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(PolicyConfigError);
    expect(err!.message).toMatch(/invalid policy-config\.x\.json \(5 problems\)/);
    expect(err!.message).toMatch(/"c": no such policy in pack \(policies: a, b\)/);
    expect(err!.message).toMatch(/"a"\.enforcementLevel: "strict" is not one of/);
    expect(err!.message).toMatch(/"a"\.minLength: expected integer, got string/);
    expect(err!.message).toMatch(/"a"\.mode: must be one of "x", "y"/);
    expect(err!.message).toMatch(/"a"\.other: unknown setting \(settings: minLength, mode\)/);
  });
  test.each(["prod", "dev"])("policies/policy-config.%s.json names real policies and settings", async (stack) => {
    const { ALL_POLICIES } = await import("../../policies/pack");
    const real: AnalyzerInfo = {
      name: "p",
      version: "1",
      policies: ALL_POLICIES.map((p) => ({
        name: p.meta.name,
        description: "",
        enforcementLevel: p.meta.enforcementLevel,
        kind: p.meta.kind,
        tags: [],
        configSchema: p.meta.configSchema.properties as Record<string, unknown>,
      })),
    };
    const file = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", `policy-config.${stack}.json`), "utf8"));
    expect(() => resolvePolicyConfig(real, file)).not.toThrow();
  });
});

describe("precompiled pack", () => {
  test("covers every rule file and the shared helpers it imports", () => {
    const rel = packSources(path.join(ROOT, "policies")).map((f) => path.relative(ROOT, f));
    for (const f of fs.readdirSync(path.join(ROOT, "policies", "rules"))) expect(rel).toContain(`policies/rules/${f}`);
    expect(rel).toContain("infra/config/images.ts");
    expect(rel).toContain("checklist/items.ts");
  });
  test("is cached by content and carries the pack's package.json", () => {
    const a = buildPack(ROOT);
    const b = buildPack(ROOT);
    expect(b.built).toBe(false);
    expect(b.packDir).toBe(a.packDir);
    expect(JSON.parse(fs.readFileSync(path.join(a.packDir, "package.json"), "utf8")).name).toBe("mcp-production-checklist");
    expect(fs.existsSync(path.join(a.packDir, "rules", "container-no-privileged.js"))).toBe(true);
  });
});

test("a program that throws is reported as the error, and no pack process is left behind", async () => {
  await expect(
    runPreflight({
      stack: "dev",
      projectDir: ROOT,
      program: () => {
        throw new Error("program exploded");
      },
    }),
  ).rejects.toThrow("program exploded");
  expect(livePackCount()).toBe(0);
}, 60000);
