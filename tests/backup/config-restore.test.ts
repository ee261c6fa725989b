/**
 * Configuration restore (BAK-RECOVERY-02): the stack configuration and every rendered config
 * export, restore into a fresh stack directory and re-render byte-identically; edits and
 * damage are detected.
 */
import { readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { compareBundles, exportStackConfig, readBundle, restoreStackConfig, runConfigRestoreDrill, writeBundle } from "../../backup/config-restore";
import { makeTempDir } from "../../local/tempdir";

const ROOT = resolve(__dirname, "../..");

describe("configuration restore", () => {
  it.each(["dev", "prod"])("restores the %s stack into a fresh directory and shows every file identical", (stack) => {
    const work = makeTempDir("mcp-cfg-drill-");
    try {
      const r = runConfigRestoreDrill({ projectDir: ROOT, stack, workRoot: work.path });
      expect(r).toMatchObject({ status: "pass", identical: true, differences: [], stack });
      expect(r.renderedFiles).toBeGreaterThanOrEqual(8);
      expect(r.files).toBe(r.renderedFiles + 2);
      expect(r.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
      // The drill cleans up after itself.
      expect(readdirSync(work.path)).toEqual([]);
    } finally {
      work.remove();
    }
  });

  it("exports the stack files and the rendered configs, never a secret file", () => {
    const b = exportStackConfig(ROOT, "prod");
    const paths = b.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "Pulumi.yaml",
        "Pulumi.prod.yaml",
        "rendered/nginx/etc/nginx/nginx.conf",
        "rendered/prometheus/etc/prometheus/prometheus.yml",
        "rendered/backup/opt/mcp-backup/mcp-backup.sh",
      ]),
    );
    expect(paths.some((p) => p.includes("/run/secrets/"))).toBe(false);
    // secure: values stay ciphertext.
    expect(b.files.find((f) => f.path === "Pulumi.prod.yaml")!.content).toContain("secure: v1:");
  });

  it("detects a configuration that renders differently after the restore", () => {
    const work = makeTempDir("mcp-cfg-edit-");
    try {
      const exported = exportStackConfig(ROOT, "dev");
      restoreStackConfig(exported, work.join("stack"));
      expect(compareBundles(exported, exportStackConfig(work.join("stack"), "dev"))).toEqual([]);
      const file = work.join("stack", "Pulumi.dev.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("requestsPerSecond: 50", "requestsPerSecond: 49"));
      const diff = compareBundles(exported, exportStackConfig(work.join("stack"), "dev"));
      expect(diff).toEqual(expect.arrayContaining([{ path: "Pulumi.dev.yaml", problem: "content" }]));
      expect(diff.some((d) => d.path === "rendered/nginx/etc/nginx/nginx.conf")).toBe(true);
    } finally {
      work.remove();
    }
  });

  it("refuses a damaged bundle, a non-empty target and paths that escape the stack directory", () => {
    const work = makeTempDir("mcp-cfg-bad-");
    try {
      const bundle = exportStackConfig(ROOT, "dev");
      const file = work.join("bundle.json");
      writeBundle(bundle, file);
      expect(readBundle(file).files).toHaveLength(bundle.files.length);
      writeFileSync(file, readFileSync(file, "utf8").replace("requestsPerSecond: 50", "requestsPerSecond: 51"));
      expect(() => readBundle(file)).toThrow(/Pulumi\.dev\.yaml does not match its SHA-256/);
      writeFileSync(work.join("occupied"), "x");
      expect(() => restoreStackConfig(bundle, work.path)).toThrow(/is not empty/);
      const evil = { ...bundle, files: [{ ...bundle.files[0], path: "../escape" }] };
      expect(() => restoreStackConfig(evil, work.join("fresh"))).toThrow(/escapes the stack directory/);
      expect(existsSync(work.join("escape"))).toBe(false);
    } finally {
      work.remove();
    }
  });
});
