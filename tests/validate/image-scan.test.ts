/**
 * images.vulnerability-scan on Trivy JSON reports (the format `trivy image --format json` writes,
 * SchemaVersion 2) read from disk, against the prod stack's own image inventory: every image
 * scanned with nothing fixable passes; an image without a report, a fixable critical finding, a
 * stale scan or a report of another digest fails naming it; a file that is not a Trivy report is
 * refused naming the field; without reports the check skips saying which option gives them.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadStackFileConfig } from "../../infra/config/stack-file";
import { SERVICE_NAMES } from "../../infra/config/schema";
import { makeTempDir, type TempDir } from "../../local/tempdir";
import { runChecks } from "../../validate/core/runner";
import { checkById, IMAGE_SCAN_EXTRA, OPT_IN_CHECKS } from "../../validate/registry";
import { readTrivyReport } from "../../validate/images/trivy-report";
import { IMAGE_SCAN_MAX_AGE_DAYS, reportCovers } from "../../validate/images/vulnerability-scan";
import type { VerifyTarget } from "../../validate/target";
import { parseVerifyArgs, verify } from "../../scripts/verify";

const ROOT = resolve(__dirname, "../..");
const config = loadStackFileConfig("prod", ROOT);
const inventory = SERVICE_NAMES.map((s) => ({ service: `mcp-prod-${s}`, image: config.images[s] }));
const check = checkById("images.vulnerability-scan");
const DIGEST = `sha256:${"ab".repeat(32)}`;

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir("mcp-image-scan-");
});
afterEach(() => tmp.remove());

interface Finding {
  id: string;
  severity: "CRITICAL" | "HIGH" | "MEDIUM" | "LOW";
  fixed?: string;
}

/** One report as Trivy writes it (fields it always sets included), on disk. */
function writeReport(image: string, findings: Finding[] = [], o: { ageDays?: number; digest?: string } = {}): string {
  const repo = image.split(":")[0];
  const report = {
    SchemaVersion: 2,
    CreatedAt: new Date(Date.now() - (o.ageDays ?? 0) * 86_400_000).toISOString(),
    ArtifactName: image,
    ArtifactType: "container_image",
    Metadata: {
      OS: { Family: "alpine", Name: "3.20.3" },
      ImageID: `sha256:${"cd".repeat(32)}`,
      DiffIDs: [`sha256:${"ef".repeat(32)}`],
      RepoTags: [image],
      RepoDigests: [`${repo}@${o.digest ?? DIGEST}`],
    },
    Results: [
      {
        Target: `${image} (alpine 3.20.3)`,
        Class: "os-pkgs",
        Type: "alpine",
        Vulnerabilities: findings.length
          ? findings.map((f) => ({
              VulnerabilityID: f.id,
              PkgName: "openssl",
              InstalledVersion: "3.3.2-r0",
              FixedVersion: f.fixed ?? "",
              Status: f.fixed ? "fixed" : "affected",
              Severity: f.severity,
              Title: "example",
            }))
          : null,
      },
    ],
  };
  const file = tmp.join(`${repo.replace(/[^a-z0-9]+/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
}

async function scan(files: string[], images = inventory) {
  const reports = files.map((file) => ({ file, report: readTrivyReport(file) }));
  const target = { extra: { [IMAGE_SCAN_EXTRA]: { images, reports } } } as unknown as VerifyTarget;
  const [r] = await runChecks([check], target, { secrets: [], progress: false });
  return r;
}

const allScanned = (over: Record<string, Finding[]> = {}) => inventory.map((i) => writeReport(i.image, over[i.image] ?? []));

test("every image scanned, nothing fixable at critical or high: pass, counting what has no fix yet", async () => {
  const r = await scan(
    allScanned({
      [config.images.postgres]: [{ id: "CVE-2024-0001", severity: "HIGH" }],
      [config.images.redis]: [{ id: "CVE-2024-0002", severity: "MEDIUM", fixed: "3.3.3-r0" }],
    }),
  );
  const images = new Set(inventory.map((i) => i.image)).size;
  expect(`${r.status} ${r.message}`).toBe(
    `pass ${images} images scanned (${inventory.length} reports): no critical or high finding with a fix available (1 critical/high without a fix yet)`,
  );
  expect(r.measurements).toEqual(expect.objectContaining({ images, findings: 2, blocking: 0, criticalHighWithoutFix: 1 }));
});

test("an image of the inventory without a report: fail naming the service and image", async () => {
  const files = allScanned().filter((f) => !f.includes("grafana"));
  const r = await scan(files);
  expect(r.status).toBe("fail");
  expect(r.message).toContain(`no scan report for 1 of`);
  expect(r.message).toContain(`mcp-prod-grafana (${config.images.grafana})`);
});

test("a critical finding with a fixed version: fail naming the CVE, package and fix", async () => {
  const r = await scan(allScanned({ [config.images.nginx]: [{ id: "CVE-2024-9143", severity: "CRITICAL", fixed: "3.3.2-r1" }] }));
  expect(r.status).toBe("fail");
  expect(r.message).toBe("1 critical/high finding(s) with a fix available: mcp-prod-nginx: CVE-2024-9143 CRITICAL in openssl 3.3.2-r0 (fixed in 3.3.2-r1)");
  expect(r.remediation).toMatch(/\.trivyignore/);
});

test("a scan older than the limit: fail saying how old", async () => {
  const files = inventory.map((i) => writeReport(i.image, [], { ageDays: i.service.endsWith("-app") ? IMAGE_SCAN_MAX_AGE_DAYS + 3 : 0 }));
  const r = await scan(files);
  expect(r.status).toBe("fail");
  expect(r.message).toMatch(new RegExp(`^scan older than 7 days: mcp-prod-app \\(${config.images.app.replace(/[.]/g, "\\.")}\\) scanned 10 days ago in `));
});

test("a digest-pinned image is covered only by a report of that digest; Docker Hub names match in either spelling", () => {
  const pinned = `postgres:16.4-alpine3.20@${DIGEST}`;
  expect(reportCovers(readTrivyReport(writeReport("postgres:16.4-alpine3.20")), pinned)).toBe(true);
  expect(reportCovers(readTrivyReport(writeReport("postgres:16.4-alpine3.20", [], { digest: `sha256:${"99".repeat(32)}` })), pinned)).toBe(false);
  expect(reportCovers(readTrivyReport(writeReport("docker.io/library/postgres:16.4-alpine3.20")), "postgres:16.4-alpine3.20")).toBe(true);
  expect(reportCovers(readTrivyReport(writeReport("postgres:16.4-alpine3.20")), "postgres:16.5-alpine3.20")).toBe(false);
});

test("a file that is not a Trivy image report is refused naming the field", () => {
  const cdx = tmp.join("bom.json");
  writeFileSync(cdx, JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.5" }));
  expect(() => readTrivyReport(cdx)).toThrow(
    /^image scan report .*bom\.json is not a Trivy image report \(trivy image --format json --output FILE IMAGE\): SchemaVersion: /,
  );
  const v1 = tmp.join("v1.json");
  writeFileSync(v1, JSON.stringify([{ Target: "x", Vulnerabilities: null }]));
  expect(() => readTrivyReport(v1)).toThrow(/\(top level\)/);
  expect(() => readTrivyReport(tmp.join("missing.json"))).toThrow(/missing\.json is not readable JSON: ENOENT/);
});

test("without reports it skips naming the option; verify collects --image-scan per image", async () => {
  const [r] = await runChecks([check], { extra: {} } as unknown as VerifyTarget, { secrets: [], progress: false });
  expect(`${r.status} ${r.message}`).toBe("skip no image scan report given (--image-scan FILE, repeatable)");
  expect(OPT_IN_CHECKS["images.vulnerability-scan"]).toMatch(/--image-scan/);
  expect(parseVerifyArgs(["--stack", "prod", "--image-scan", "a.json", "--image-scan", "b.json"]).imageScan).toEqual(["a.json", "b.json"]);
});

test("verify refuses a --image-scan file that is not a report before it connects to anything: exit 2 naming the file", async () => {
  const bad = tmp.join("scan.json");
  writeFileSync(bad, JSON.stringify({ SchemaVersion: 2, ArtifactType: "filesystem" }));
  let stderr = "";
  const code = await verify(parseVerifyArgs(["--stack", "prod", "--image-scan", bad]), { stdout: () => undefined, stderr: (s) => (stderr += s) });
  expect(code).toBe(2);
  expect(stderr).toMatch(/^verify: image scan report .*scan\.json is not a Trivy image report .*: CreatedAt: /);
});
