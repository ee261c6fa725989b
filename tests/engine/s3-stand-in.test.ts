/**
 * The S3 stand-in the engine suite gives the backup service's off-site copy, driven by the
 * real rclone (Debian's) exactly as infra/images/backup/mcp-backup.sh drives it: environment-only config,
 * `copyto` and `deletefile`, path-style bucket, the secret key only in rclone's environment.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { makeTempDir, makeTestCertificates, requireExecutable, type TempDir } from "../../testing/tools";
import { decodeAwsChunked, startS3StandIn, type S3StandIn } from "../../testing/stand-ins/s3";

jest.setTimeout(60_000);

let dir: TempDir;
let s3: S3StandIn;
let ca: string;
const SECRET_KEY = randomBytes(24).toString("base64url");

function rclone(args: string[]): Promise<{ code: number; out: string }> {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir.path,
    SSL_CERT_FILE: ca,
    RCLONE_CONFIG_OFFSITE_TYPE: "s3",
    RCLONE_CONFIG_OFFSITE_PROVIDER: "Other",
    RCLONE_CONFIG_OFFSITE_ENDPOINT: s3.url,
    RCLONE_CONFIG_OFFSITE_REGION: "eu-central-1",
    RCLONE_CONFIG_OFFSITE_ACCESS_KEY_ID: "AKIATESTKEY",
    RCLONE_CONFIG_OFFSITE_SECRET_ACCESS_KEY: SECRET_KEY,
  };
  return new Promise((resolve) =>
    execFile(
      requireExecutable("rclone", "rclone"),
      ["--config", "/dev/null", "--retries", "1", "--s3-no-check-bucket", ...args],
      { env, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

beforeAll(async () => {
  dir = await makeTempDir("mcp-s3-");
  const certs = await makeTestCertificates(dir.path, { commonName: "127.0.0.1", dnsNames: [], ipAddresses: ["127.0.0.1"] });
  ca = certs.caCert;
  s3 = await startS3StandIn({ host: "127.0.0.1", cert: readFileSync(certs.cert, "utf8"), key: readFileSync(certs.key, "utf8") });
});

afterAll(async () => {
  await s3?.stop();
  await dir?.remove();
});

describe("S3 stand-in with the real rclone", () => {
  it("stores a copyto byte for byte under bucket/prefix, and deletefile removes it", async () => {
    const body = randomBytes(300_000);
    writeFileSync(dir.join("b.dump.age"), body);
    const put = await rclone(["copyto", dir.join("b.dump.age"), "offsite:mcp-prod-backups/mcp/prod/b.dump.age"]);
    expect([put.code, put.out]).toEqual([0, ""]);
    expect(s3.objects.get("mcp-prod-backups/mcp/prod/b.dump.age")?.body.equals(body)).toBe(true);
    // Signed with the access key ID; the secret key never reached the server.
    expect([...s3.accessKeys]).toEqual(["AKIATESTKEY"]);
    expect(s3.requests.join("\n")).not.toContain(SECRET_KEY);
    const del = await rclone(["deletefile", "offsite:mcp-prod-backups/mcp/prod/b.dump.age"]);
    expect(del.code).toBe(0);
    expect(s3.objects.has("mcp-prod-backups/mcp/prod/b.dump.age")).toBe(false);
  });

  it("fails rclone when the server is not trusted (the backup would report the copy failed)", async () => {
    writeFileSync(dir.join("c"), "x");
    const saved = ca;
    ca = "/etc/ssl/certs/ca-certificates.crt";
    try {
      const r = await rclone(["--low-level-retries", "1", "copyto", dir.join("c"), "offsite:b/c"]);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/certificate signed by unknown authority|x509/);
    } finally {
      ca = saved;
    }
  });

  it("decodes aws-chunked bodies", () => {
    const chunked = Buffer.from("5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=ghi\r\n\r\n");
    expect(decodeAwsChunked(chunked).toString()).toBe("hello world");
  });
});
