/**
 * Evidence files for the sign-off tests, built from the mapping so every item has the
 * evidence its kind needs: a preflight report, a verify report, jest results, a restore
 * drill report and stack outputs whose secrets are freshly generated per test run.
 */
import { randomBytes } from "crypto";
import * as path from "path";
import type { DrillRunReport } from "../../evidence/drill";
import type { PreflightReport } from "../../evidence/preflight";
import { sha256OfFile, type Provenance } from "../../evidence/provenance";
import type { VerifyReport } from "../../evidence/verify";
import { EVIDENCE_FORMAT_VERSION } from "../../evidence/version";
import { CHECKLIST_ITEMS, CHECKLIST_VERSION } from "../../checklist/items";
import { CHECKLIST_MAPPING } from "../../checklist/mapping";
import { defaultOwner } from "../../checklist/owners";
import type { CheckRecord } from "../../validate/core/types";
import { main as signoffMain } from "../../scripts/signoff";

export const ROOT = path.resolve(__dirname, "../..");
export const NOW = new Date("2026-11-25T12:00:00Z");

/** Provenance as a report records it (a fixed commit: the reports stay comparable between runs). */
export const PROVENANCE: Provenance = {
  git: { commit: "0123456789abcdef0123456789abcdef01234567", dirty: false },
  product: { name: "mcp-production-stack", version: "0.1.0" },
  inputs: [],
};

/** The stack's policy config as the preflight records it. */
export const POLICY_CONFIG = (stack = "prod") => ({
  path: `policies/policy-config.${stack}.json`,
  sha256: sha256OfFile(path.join(ROOT, "policies", `policy-config.${stack}.json`)),
});

export const itemsOfKind = (kind: string) => CHECKLIST_ITEMS.filter((i) => CHECKLIST_MAPPING[i.id].verify.kind === kind);

export function preflightReport(over: (itemId: string) => Partial<PreflightReport["items"][number]> = () => ({})): PreflightReport {
  const items = itemsOfKind("policy").map((i) => {
    const v = CHECKLIST_MAPPING[i.id].verify as unknown as { policies: string[] };
    return { itemId: i.id, status: "pass" as const, policies: [...v.policies], violations: [], ...over(i.id) };
  });
  return {
    kind: "preflight",
    formatVersion: EVIDENCE_FORMAT_VERSION,
    stack: "prod",
    policyPack: { name: "mcp-production-checklist", version: "0.1.0" },
    generatedAt: NOW.toISOString(),
    resourceCount: 61,
    mandatoryViolations: 0,
    items,
    violations: items.flatMap((i) => i.violations),
    policyConfig: POLICY_CONFIG(),
    mutation: null,
    provenance: PROVENANCE,
  };
}

/** Every check the mapping names, passing, with the items the mapping gives it. */
export function verifyReport(over: (checkId: string) => Partial<CheckRecord> = () => ({})): VerifyReport {
  const byCheck = new Map<string, string[]>();
  for (const i of itemsOfKind("runtime"))
    for (const c of (CHECKLIST_MAPPING[i.id].verify as unknown as { checks: string[] }).checks) byCheck.set(c, [...(byCheck.get(c) ?? []), i.id]);
  const checks: CheckRecord[] = [...byCheck].map(([id, checklistIds]) => ({
    id,
    title: id,
    checklistIds,
    status: "pass",
    message: `${id} ok`,
    durationMs: 12,
    attempts: 1,
    ...over(id),
  }));
  return {
    kind: "verify",
    formatVersion: EVIDENCE_FORMAT_VERSION,
    stack: "prod",
    generatedAt: NOW.toISOString(),
    durationMs: 2345,
    checks,
    provenance: PROVENANCE,
  };
}

/** jest --json output in which every test the mapping names passed. */
export function jestResults(over: (file: string, title: string) => string | undefined = () => undefined): unknown {
  const byFile = new Map<string, Set<string>>();
  for (const i of itemsOfKind("program"))
    for (const t of (CHECKLIST_MAPPING[i.id].verify as unknown as { tests: { file: string; name: string }[] }).tests)
      byFile.set(t.file, new Set([...(byFile.get(t.file) ?? []), t.name]));
  return {
    numFailedTests: 0,
    startTime: NOW.getTime(),
    testResults: [...byFile].map(([file, titles]) => ({
      name: path.join(ROOT, file),
      assertionResults: [...titles].map((title) => ({ title, ancestorTitles: [], status: over(file, title) ?? "passed" })),
    })),
  };
}

export function drillReport(status: "pass" | "fail" = "pass"): DrillRunReport {
  return {
    kind: "restore-drill-run",
    formatVersion: EVIDENCE_FORMAT_VERSION,
    stack: "prod",
    generatedAt: NOW.toISOString(),
    status,
    database: {
      kind: "restore-drill",
      formatVersion: 1,
      status,
      startedAt: NOW.toISOString(),
      finishedAt: NOW.toISOString(),
      backup: {
        file: "mcp-20261125T1000Z.dump.age",
        createdAt: "2026-11-25T10:30:00Z",
        sizeBytes: 123456,
        sha256: "0".repeat(64),
        sha256Verified: true,
        recipient: "age1example",
        pgDumpVersion: "16.4",
      },
      scratchDatabase: "mcp_drill_1",
      scratchDropped: true,
      tables: 7,
      rowsExpected: 100000,
      rowsRestored: status === "pass" ? 100000 : 99990,
      differences: status === "pass" ? [] : [{ table: "servers", problem: "rows", expected: 10, actual: 0 }],
      rtoSeconds: 4.2,
      rpoSeconds: 5400,
      verifySeconds: 0.4,
      totalSeconds: 5.1,
      restoreMBps: 20,
      targets: { rtoMinutes: 60, rpoMinutes: 360, withinRto: true, withinRpo: true },
    },
    configuration: {
      kind: "config-restore",
      status: "pass",
      stack: "prod",
      files: 14,
      renderedFiles: 12,
      bundleSha256: "1".repeat(64),
      identical: true,
      differences: [],
      seconds: 0.2,
    },
    provenance: PROVENANCE,
  };
}

export function secretsFixture(): Record<string, string> {
  const s = () => randomBytes(24).toString("base64url");
  return {
    postgresPassword: s(),
    postgresBackupPassword: s(),
    redisPassword: s(),
    grafanaAdminUser: "mcp-grafana-admin",
    grafanaAdminPassword: s(),
    jwtSigningKey: s() + s(),
    backupEncryptionKey: s() + s(),
  };
}

export function outputsFixture(secrets: Record<string, string>): unknown {
  return {
    stack: "prod",
    environment: "prod",
    domain: "mcp.example.com",
    publicUrl: "https://mcp.example.com",
    checklistVersion: CHECKLIST_VERSION,
    secretFingerprints: { postgresPassword: "0123456789ab" },
    secrets,
  };
}

export function attestationsFor(
  ids: readonly string[],
  over: Record<string, Record<string, unknown>> = {},
): { version: number; stack: string; attestations: Record<string, unknown>[] } {
  const byId = new Map(CHECKLIST_ITEMS.map((i) => [i.id, i]));
  return {
    version: 1,
    stack: "prod",
    attestations: ids.map((id) => {
      const m = CHECKLIST_MAPPING[id];
      const item = byId.get(id)!;
      const role = m.owner ?? defaultOwner(item);
      return {
        item: id,
        decision: m.verify.kind === "attestation" ? "attest" : "waive",
        by: "Pat Example",
        role,
        date: "2026-11-20",
        expires: "2027-02-20",
        justification: `Checked ${id} against the evidence listed.`,
        evidence: `https://evidence.example.com/${id}`,
        ...over[id],
      };
    }),
  };
}

/** Runs the sign-off CLI in-process, capturing what it prints. */
export function runSignoffCli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = "";
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    return { code: signoffMain(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
