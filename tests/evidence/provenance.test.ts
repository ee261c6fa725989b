/** Provenance: the commit and version that made a report and the SHA-256 of what it read, never failing without git. */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { collectProvenance, provenanceSchema, UNKNOWN } from "../../evidence/provenance";

const ROOT = path.resolve(__dirname, "../..");

test("in this checkout: the commit, whether the tree is dirty, package.json's version and each input's SHA-256", () => {
  const p = collectProvenance({ projectDir: ROOT, inputs: [{ role: "stack file", file: "Pulumi.prod.yaml" }] });
  expect(provenanceSchema.safeParse(p).error?.issues ?? []).toEqual([]);
  const head = fs.existsSync(path.join(ROOT, ".git")) ? expect.stringMatching(/^[0-9a-f]{40}$/) : UNKNOWN;
  expect(p.git.commit).toEqual(head);
  expect(typeof p.git.dirty === "boolean" || p.git.dirty === UNKNOWN).toBe(true);
  expect(p.product).toEqual({ name: "mcp-production-stack", version: JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version });
  const sha = createHash("sha256")
    .update(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml")))
    .digest("hex");
  expect(p.inputs).toEqual([{ role: "stack file", path: "Pulumi.prod.yaml", sha256: sha }]);
});

test("a checkout's commit, clean, then dirty once a tracked file changes", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provenance-git-"));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir, encoding: "utf8" }).trim();
  try {
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "probe", version: "9.8.7" }));
    git("init", "-q");
    git("add", "package.json");
    git("commit", "-q", "-m", "probe");
    const head = git("rev-parse", "HEAD");
    expect(collectProvenance({ projectDir: dir, productRoot: dir, inputs: [] })).toEqual({
      git: { commit: head, dirty: false },
      product: { name: "probe", version: "9.8.7" },
      inputs: [],
    });
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "probe", version: "9.8.8" }));
    expect(collectProvenance({ projectDir: dir, productRoot: dir, inputs: [] }).git).toEqual({ commit: head, dirty: true });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("outside a git checkout and without package.json: unknown, not an error", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provenance-"));
  try {
    fs.writeFileSync(path.join(dir, "outputs.json"), "{}");
    const p = collectProvenance({ projectDir: ROOT, productRoot: dir, inputs: [{ role: "outputs", file: path.join(dir, "outputs.json") }] });
    expect(p.git).toEqual({ commit: UNKNOWN, dirty: UNKNOWN });
    expect(p.product).toEqual({ name: UNKNOWN, version: UNKNOWN });
    // A file outside the project is named by its absolute path.
    expect(p.inputs).toEqual([{ role: "outputs", path: path.join(dir, "outputs.json"), sha256: createHash("sha256").update("{}").digest("hex") }]);
    expect(provenanceSchema.safeParse(p).success).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a commit that is no hash or an input without its SHA-256 is refused, naming the field", () => {
  const bad = { git: { commit: "HEAD", dirty: false }, product: { name: "x", version: "1" }, inputs: [{ role: "stack file", path: "Pulumi.prod.yaml" }] };
  expect(provenanceSchema.safeParse(bad).error?.issues.map((i) => i.path.join("."))).toEqual(["git.commit", "inputs.0.sha256"]);
});
