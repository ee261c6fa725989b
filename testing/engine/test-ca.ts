/**
 * The CA that stands for the public CAs of production in the engine suite: it signs the
 * edge certificate the stack is given (mcp:tlsCertificate) and the S3 stand-in's, and every
 * stand-in image trusts it in its CA bundle (as real images trust the public CAs). Made once
 * per machine in the image cache directory (its key never leaves it, never in the repository),
 * so image contents, and their content hashes, stay the same from run to run.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { requireExecutable, runToolOk } from "../../local/run";

export const TEST_CA_DIR = join(__dirname, "..", "..", "node_modules", ".cache", "mcp-engine-images", "test-ca");

export interface TestCa {
  caCert: string;
  caKey: string;
}

export async function testCa(): Promise<TestCa> {
  const ca = { caCert: join(TEST_CA_DIR, "ca.crt"), caKey: join(TEST_CA_DIR, "ca.key") };
  if (existsSync(ca.caCert) && existsSync(ca.caKey)) return ca;
  // Made in a temp dir and renamed: two test workers at once end with one CA.
  const tmp = `${TEST_CA_DIR}.${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const openssl = requireExecutable("openssl", "openssl");
  await runToolOk(openssl, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    join(tmp, "ca.key"),
    "-out",
    join(tmp, "ca.crt"),
    "-days",
    "3650",
    "-subj",
    "/O=MCP engine suite/CN=mcp-engine-test-root",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  try {
    renameSync(tmp, TEST_CA_DIR);
  } catch {
    // Another worker made it first: use theirs.
    rmSync(tmp, { recursive: true, force: true });
  }
  return ca;
}
