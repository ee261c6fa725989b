/**
 * `npm run verify` against a stack that is not there (every name resolves nowhere, no Docker
 * engine): it finishes in under 5 s, reports each unreachable service once, and ends with one
 * line naming the one cause; and the cause finder itself on records of mixed causes.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseVerifyArgs, verify } from "../../scripts/verify";
import { commonCause } from "../../validate/core/root-cause";
import { sampleOutputs } from "../../testing/sample-outputs";

const ROOT = path.resolve(__dirname, "../..");
let tmp: string;
beforeAll(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "verify-nothing-"))));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Outputs of a prod stack whose every host is under .invalid (RFC 6761: never resolves). */
function outputsOfNothing(): string {
  const outputs = sampleOutputs({
    domain: "mcp.nothing.invalid",
    host: (service) => `${service}.nothing.invalid`,
    secrets: {
      postgresPassword: "pg-nothing-secret-1",
      postgresBackupPassword: "pg-nothing-secret-2",
      redisPassword: "redis-nothing-secret",
      grafanaAdminUser: "admin",
      grafanaAdminPassword: "grafana-nothing-secret",
      jwtSigningKey: "jwt-nothing-secret",
      backupEncryptionKey: "backup-nothing-secret",
    },
  });
  const file = path.join(tmp, "outputs.json");
  fs.writeFileSync(file, JSON.stringify(outputs));
  return file;
}

test("nothing deployed: under 5 s, one failure per unreachable service, and one line with the one cause", async () => {
  let stdout = "";
  let stderr = "";
  const t0 = Date.now();
  const args = ["--stack", "prod", "--outputs", outputsOfNothing(), "--docker-host", "unix:///nonexistent/docker.sock", "--direct", "--format", "json"];
  const code = await verify({ ...parseVerifyArgs(args), cwd: ROOT }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  const ms = Date.now() - t0;
  expect(code).toBe(1);
  expect(ms).toBeLessThan(5000);
  const report = JSON.parse(stdout) as { checks: { id: string; status: string; message: string }[] };
  const failed = report.checks.filter((c) => c.status === "fail");
  // One per service the checks need (edge, app, postgres, redis, prometheus, alertmanager, grafana), no more.
  expect(failed.length).toBeLessThanOrEqual(7);
  expect(failed.every((c) => /ENOTFOUND|EAI_AGAIN/.test(c.message))).toBe(true);
  expect(stderr).toMatch(/all \d failures have one cause, (ENOTFOUND|EAI_AGAIN): /);
  for (const s of ["pg-nothing-secret-1", "redis-nothing-secret", "grafana-nothing-secret", "jwt-nothing-secret"]) expect(stdout + stderr).not.toContain(s);
}, 30000);

test("the cause finder: one shared cause is named, mixed causes or a single failure are not", () => {
  const f = (message: string) => ({ status: "fail" as const, message });
  expect(commonCause([f("a: getaddrinfo ENOTFOUND a"), f("b: getaddrinfo ENOTFOUND b"), { status: "pass", message: "ok" }])).toMatchObject({
    code: "ENOTFOUND",
    failures: 2,
  });
  expect(commonCause([f("127.0.0.1:1: connect ECONNREFUSED"), f("127.0.0.1:2: connect ECONNREFUSED")])?.code).toBe("ECONNREFUSED");
  expect(commonCause([f("getaddrinfo ENOTFOUND a"), f("connect ECONNREFUSED")])).toBeUndefined();
  expect(commonCause([f("getaddrinfo ENOTFOUND a")])).toBeUndefined();
  expect(commonCause([f("expected 200, got 500"), f("expected 200, got 502")])).toBeUndefined();
});

test("outputs read from the Pulumi CLI are in the report's provenance: the command and the digest of what it printed", async () => {
  const outputsFile = outputsOfNothing();
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin, { recursive: true });
  // A stand-in for the CLI: prints the outputs document only for the exact command verify runs.
  fs.writeFileSync(
    path.join(bin, "pulumi"),
    `#!/bin/sh\n[ "$*" = "stack output --json --show-secrets --stack prod" ] || { echo "unexpected: $*" >&2; exit 3; }\ncat '${outputsFile}'\n`,
    { mode: 0o755 },
  );
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}${path.delimiter}${savedPath ?? ""}`;
  let stdout = "";
  let stderr = "";
  try {
    const args = ["--stack", "prod", "--docker-host", "unix:///nonexistent/docker.sock", "--direct", "--format", "json", "--only", "edge.tls-chain"];
    await verify({ ...parseVerifyArgs(args), cwd: ROOT }, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  } finally {
    process.env.PATH = savedPath;
  }
  expect(stderr).toContain("from the Pulumi CLI");
  const report = JSON.parse(stdout) as { provenance: { inputs: { role: string; path: string; sha256: string }[] } };
  const digest = createHash("sha256").update(fs.readFileSync(outputsFile)).digest("hex");
  expect(report.provenance.inputs).toContainEqual({ role: "outputs", path: "pulumi stack output --stack prod --json --show-secrets", sha256: digest });
  expect(stdout).not.toContain("jwt-nothing-secret");
}, 30000);
