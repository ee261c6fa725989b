/**
 * Secret keys must arrive encrypted: a `secure:` value in the stack file, a secret key under
 * the engine. Plain text is a configuration error naming the key and never the value, on
 * both paths: the stack file read offline (preflight, verify, sign-off) and the running
 * program's config (pulumi up, the preflight's mock runtime).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, SECRET_KEY_SCOPES, SECRET_KEYS } from "../../infra/config/load";
import { loadStackConfig } from "../../infra/config/pulumi-config";
import { loadStackFileConfig, rawConfigFromStackFile, readStackFile } from "../../infra/config/stack-file";

const ROOT = path.resolve(__dirname, "../..");
const PLAIN = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";

function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  return [];
}

/** A project copy whose Pulumi.prod.yaml has backupOffsiteSecretKey as the given YAML value. */
function projectWithOffsiteKey(yamlValue: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-config-"));
  const prod = fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8");
  const changed = prod.replace(/( {2}mcp:backupOffsiteSecretKey:)\n {4}secure: .*\n/, `$1 ${yamlValue}\n`);
  expect(changed).not.toBe(prod);
  fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), changed);
  return dir;
}

test("the secret keys come from the schema's marks", () => {
  expect(SECRET_KEY_SCOPES).toEqual({ tlsCertificate: "prod", tlsPrivateKey: "always", backupOffsiteSecretKey: "always" });
  expect([...SECRET_KEYS].sort()).toEqual(["backupOffsiteSecretKey", "tlsCertificate", "tlsPrivateKey"]);
});

describe("stack file", () => {
  test("Pulumi.prod.yaml as committed (secure: values) passes", () => {
    expect(loadStackFileConfig("prod", ROOT).environment).toBe("prod");
  });

  test("a plain backupOffsiteSecretKey is refused naming the key, never the value", () => {
    const dir = projectWithOffsiteKey(PLAIN);
    try {
      const problems = problemsOf(() => loadStackFileConfig("prod", dir));
      expect(problems).toEqual([
        "mcp:backupOffsiteSecretKey: is a secret but is set in plain text, not as a secure: value: remove it from Pulumi.prod.yaml and set it with pulumi config set --secret mcp:backupOffsiteSecretKey",
      ]);
      expect(problems.join("\n")).not.toContain(PLAIN);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("npm run preflight -- --stack prod with the plain key: exit 2 naming the key, the value not shown", () => {
    const dir = projectWithOffsiteKey(PLAIN);
    try {
      for (const f of ["Pulumi.yaml", "package.json"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      for (const d of ["infra", "policies", "program", "checklist", "backup", "validate", "node_modules"])
        fs.symlinkSync(path.join(ROOT, d), path.join(dir, d));
      const r = spawnSync(
        process.execPath,
        [require.resolve("ts-node/dist/bin.js"), "--swc", path.join(ROOT, "scripts/preflight.ts"), "--stack", "prod", "--quiet"],
        {
          cwd: dir,
          encoding: "utf8",
          timeout: 120000,
        },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/mcp:backupOffsiteSecretKey: is a secret but is set in plain text/);
      expect(r.stdout + r.stderr).not.toContain(PLAIN);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("rules", () => {
  const prod = () => rawConfigFromStackFile(readStackFile("prod", ROOT));
  const secure = readStackFile("prod", ROOT).secretKeys;

  test("tlsCertificate must be encrypted in prod, may be plain elsewhere", () => {
    const raw = { ...prod(), tlsCertificate: CERT };
    const without = secure.filter((k) => k !== "mcp:tlsCertificate");
    expect(problemsOf(() => parseStackConfig(raw, "prod", { secretKeys: without }))).toEqual([
      expect.stringMatching(/^mcp:tlsCertificate: is a secret in a prod stack/),
    ]);
    expect(problemsOf(() => parseStackConfig(raw, "prod", { secretKeys: secure }))).toEqual([]);
    const dev = { ...raw, environment: "dev", app: { replicas: 1 } };
    expect(problemsOf(() => parseStackConfig(dev, "dev", { secretKeys: without }))).toEqual([]);
  });

  test("tlsPrivateKey plain is refused in any stack", () => {
    const raw = { ...prod(), environment: "dev", tlsPrivateKey: "[encrypted: present]" };
    const without = secure.filter((k) => k !== "mcp:tlsPrivateKey");
    expect(problemsOf(() => parseStackConfig(raw, "dev", { secretKeys: without }))).toEqual([expect.stringMatching(/^mcp:tlsPrivateKey: is a secret but/)]);
  });
});

describe("running program (engine config)", () => {
  async function load(secretKeys: string[]) {
    const sf = readStackFile("prod", ROOT);
    const config = { ...sf.engineConfig, "mcp:backupOffsiteSecretKey": PLAIN };
    pulumi.runtime.setAllConfig(config, secretKeys);
    await pulumi.runtime.setMocks({ newResource: () => ({ id: "x", state: {} }), call: () => ({}) }, "mcp-production-stack", "prod", true);
    return () => loadStackConfig();
  }

  test("a secret key the engine did not mark secret is refused, the value not shown", async () => {
    const f = await load(readStackFile("prod", ROOT).secretKeys.filter((k) => k !== "mcp:backupOffsiteSecretKey"));
    const problems = problemsOf(f);
    expect(problems).toEqual([expect.stringMatching(/^mcp:backupOffsiteSecretKey: is a secret but is set in plain text/)]);
    expect(problems.join("\n")).not.toContain(PLAIN);
  });

  test("the same value marked secret by the engine passes", async () => {
    const f = await load(readStackFile("prod", ROOT).secretKeys);
    expect(problemsOf(f)).toEqual([]);
  });
});
