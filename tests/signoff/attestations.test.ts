import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHECKLIST_ITEMS } from "../../checklist/items";
import { CHECKLIST_MAPPING } from "../../checklist/mapping";
import { AttestationError, isExpired, readAttestationsFile, validateAttestations, type ValidationContext } from "../../signoff/attestations";
import { attestationsFor, NOW, ROOT } from "./fixtures";

const ctx: ValidationContext = { items: CHECKLIST_ITEMS, mapping: CHECKLIST_MAPPING, stack: "prod", now: NOW };
const problems = (doc: unknown): string[] => {
  try {
    validateAttestations(doc, ctx, "att.yaml");
  } catch (e) {
    if (e instanceof AttestationError) return e.problems;
    throw e;
  }
  return [];
};

describe("attestations file", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "attest-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test("the example file in the repository is refused by its marker; a copy without the marker is valid", () => {
    const example = path.join(ROOT, "checklist/attestations.example.yaml");
    expect(() => readAttestationsFile(example, ctx)).toThrow(
      `Invalid attestations file ${example} (1 problem):\n  - example: this is the example attestations file (example: true)`,
    );
    // Detected by the marker, not the path: the same bytes elsewhere are refused, the copy without it is not.
    const copy = path.join(tmp, "attestations.prod.yaml");
    fs.copyFileSync(example, copy);
    expect(() => readAttestationsFile(copy, ctx)).toThrow(/example: this is the example attestations file/);
    fs.writeFileSync(copy, fs.readFileSync(example, "utf8").replace(/^example: true\n/m, ""));
    const a = readAttestationsFile(copy, ctx);
    expect(a.entries.map((e) => e.item)).toEqual(["PRE-INFRA-06", "SIGN-SEC-04", "HA-REDUNDANCY-03"]);
  });

  test("YAML and JSON files are both read", () => {
    const doc = attestationsFor(["PRE-INFRA-06"]);
    fs.writeFileSync(path.join(tmp, "a.json"), JSON.stringify(doc));
    fs.writeFileSync(path.join(tmp, "a.yml"), `version: 1\nstack: prod\nattestations:\n  - ${JSON.stringify(doc.attestations[0])}\n`);
    expect(readAttestationsFile(path.join(tmp, "a.json"), ctx).entries).toHaveLength(1);
    expect(readAttestationsFile(path.join(tmp, "a.yml"), ctx).entries[0]).toMatchObject({ item: "PRE-INFRA-06", decision: "attest" });
  });

  test("an unknown item ID is an error naming the entry, with IDs it may have meant", () => {
    const doc = attestationsFor(["PRE-INFRA-06"], { "PRE-INFRA-06": { item: "PRE-INFRA-66" } });
    expect(problems(doc)).toEqual([
      'attestations[0] (PRE-INFRA-66): item: unknown checklist item ID "PRE-INFRA-66" (did you mean PRE-INFRA-01, PRE-INFRA-02, PRE-INFRA-03, PRE-INFRA-04, PRE-INFRA-05?)',
    ]);
  });

  test("every bad entry is listed in ONE error, by index and item", () => {
    const doc = attestationsFor(["PRE-INFRA-06", "SIGN-SEC-04", "FUN-PERF-02", "DOC-OPS-03"], {
      "PRE-INFRA-06": { date: "2026-13-01" },
      "SIGN-SEC-04": { role: "Product Owner" },
      "FUN-PERF-02": { justification: "ok", evidence: undefined },
      "DOC-OPS-03": { colour: "blue" },
    });
    const p = problems(doc);
    expect(p).toEqual([
      "attestations[0] (PRE-INFRA-06): date: is not a real calendar date",
      "attestations[1] (SIGN-SEC-04): role: SIGN-SEC-04 is signed by the Security Lead, not the Product Owner",
      "attestations[2] (FUN-PERF-02): justification: must say why, in at least 10 characters",
      'attestations[3] (DOC-OPS-03): entry: unknown key "colour" (allowed: item, decision, by, role, date, expires, justification, evidence)',
    ]);
    expect(() => validateAttestations(doc, ctx, "att.yaml")).toThrow(/Invalid attestations file att\.yaml \(4 problems\)/);
  });

  test("attesting a machine-verified item, a missing evidence link, duplicates and impossible dates are errors", () => {
    const doc = attestationsFor(["SEC-CONTAINER-01", "PRE-INFRA-06", "FUN-PERF-03"], {
      "SEC-CONTAINER-01": { decision: "attest" },
      "PRE-INFRA-06": { evidence: undefined, date: "2026-12-01" },
      "FUN-PERF-03": { expires: "2026-11-01" },
    });
    doc.attestations.push({ ...doc.attestations[2] });
    expect(problems(doc)).toEqual([
      "attestations[0] (SEC-CONTAINER-01): decision: SEC-CONTAINER-01 is verified by a runtime check; a person cannot attest it — use decision: waive to accept it unmet",
      "attestations[1] (PRE-INFRA-06): evidence: required to attest (link to: Export of the host and cloud firewall rules showing 80/443 open to clients and 22 restricted to the admin network)",
      "attestations[1] (PRE-INFRA-06): date: 2026-12-01 is in the future",
      "attestations[2] (FUN-PERF-03): expires: 2026-11-01 must be after date 2026-11-20",
      "attestations[3] (FUN-PERF-03): item: FUN-PERF-03 already has an entry at attestations[2]",
      "attestations[3] (FUN-PERF-03): expires: 2026-11-01 must be after date 2026-11-20",
    ]);
  });

  test("a file for another stack, a wrong version and a non-mapping are refused", () => {
    expect(problems({ ...attestationsFor([]), stack: "dev" })).toEqual(['stack: file is for stack "dev", not "prod"']);
    expect(problems({ version: 2, attestations: [] })).toEqual(["version: must be 1"]);
    expect(problems(["x"])).toEqual(["file: must be a mapping with version and attestations"]);
    expect(problems({ version: 1, attestations: ["x"] })).toEqual(["attestations[0]: entry: must be a mapping"]);
  });

  test("unreadable and unparsable files name the file", () => {
    fs.writeFileSync(path.join(tmp, "bad.yaml"), "version: 1\nattestations: [\n");
    expect(() => readAttestationsFile(path.join(tmp, "bad.yaml"), ctx)).toThrow(/bad\.yaml .*not valid YAML/s);
    expect(() => readAttestationsFile(path.join(tmp, "none.yaml"), ctx)).toThrow(/none\.yaml .*cannot read: ENOENT/s);
  });

  test("expiry is the end of the expiry day, in UTC", () => {
    expect(isExpired({ expires: "2026-11-25" }, new Date("2026-11-25T23:59:59Z"))).toBe(false);
    expect(isExpired({ expires: "2026-11-25" }, new Date("2026-11-26T00:00:01Z"))).toBe(true);
  });
});
