/** `npm run host:check --format json` writes the verify report the sign-off reads: parsed here with the evidence schema. */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { verifyReportSchema } from "../../evidence/verify";
import { freePorts } from "../../local/ports";
import { main } from "../../scripts/host-check";

const ROOT = path.resolve(__dirname, "../..");

test("against an engine that does not answer: a valid verify report with its provenance, exit 1", async () => {
  const [closed, http, https] = await freePorts(3);
  let stdout = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  let code: number;
  try {
    code = await main([
      "--stack",
      "dev",
      "--format",
      "json",
      "--docker-host",
      `tcp://127.0.0.1:${closed}`,
      "--no-registries",
      "--bind-address",
      "127.0.0.1",
      "--http-port",
      String(http),
      "--https-port",
      String(https),
      "--project-dir",
      ROOT,
    ]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  expect(code).toBe(1);
  const r = verifyReportSchema.safeParse(JSON.parse(stdout));
  expect(r.error?.issues ?? []).toEqual([]);
  expect(r.data?.stack).toBe("dev");
  const sha = createHash("sha256")
    .update(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml")))
    .digest("hex");
  expect(r.data?.provenance.inputs).toEqual([{ role: "stack file", path: "Pulumi.dev.yaml", sha256: sha }]);
}, 60_000);
