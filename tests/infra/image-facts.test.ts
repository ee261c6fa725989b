/**
 * docs/images.md is the table of what the program relies on about each default image; every
 * service spec of every stack is held against the committed table: it runs as the image's
 * user, writes only the paths the image is known to let it write, and its health check runs
 * only what the image has (no shell check on an image without a shell).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderImagesDoc, IMAGE_TABLE_COLUMNS } from "../../infra/image-facts-doc";
import { BUSYBOX_APPLETS } from "../../infra/image-facts";
import { stackSpecs } from "../../infra/components";
import { loadStackFileConfig } from "../../infra/config/stack-file";
import { resourcePrefix } from "../../infra/topology";
import { hasHealthcheck, type ServiceSpec } from "../../infra/spec";

const ROOT = join(__dirname, "..", "..");
const DOC = readFileSync(join(ROOT, "docs/images.md"), "utf8");

interface Row {
  service: string;
  image: string;
  shell: string | null;
  tools: string[];
  runAs: string;
  writable: string[];
}

const unticked = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

function table(doc: string): Row[] {
  const lines = doc.split("\n");
  const header = lines.findIndex((l) => l.startsWith(`| ${IMAGE_TABLE_COLUMNS[0]} |`));
  if (header < 0) throw new Error("docs/images.md has no facts table");
  const out: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const c = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((x) => x.trim());
    const col = (name: (typeof IMAGE_TABLE_COLUMNS)[number]) => c[IMAGE_TABLE_COLUMNS.indexOf(name)];
    out.push({
      service: col("Service"),
      image: unticked(col("Default image"))[0],
      shell: col("Shell") === "none" ? null : unticked(col("Shell"))[0],
      tools: col("Probe tools") === "none" ? [] : unticked(col("Probe tools")),
      runAs: unticked(col("Runs as"))[0],
      writable: col("Writable paths") === "none" ? [] : unticked(col("Writable paths")),
    });
  }
  return out;
}

/** Executables a health check calls: argv[0] of CMD, every command word of CMD-SHELL (pipes, $(...)). */
export function healthExecutables(test: string[]): { shell: boolean; commands: string[] } {
  if (test[0] === "CMD") return { shell: false, commands: [test[1]] };
  const script = test.slice(1).join(" ");
  const commands: string[] = [];
  for (const part of script.split(/\|\||&&|[|;]|\$\(|\)/)) {
    const words = part
      .trim()
      .split(/\s+/)
      .filter((w) => w && !/^[A-Z_][A-Z0-9_]*=/.test(w) && !/^["']/.test(w));
    if (words[0] && !/^(exit|true|false|\[)$/.test(words[0])) commands.push(words[0]);
  }
  return { shell: true, commands };
}

const has = (row: Row, cmd: string) => {
  const base = cmd.split("/").pop() as string;
  return (
    row.tools.includes(base) ||
    (row.tools.includes("busybox") && (BUSYBOX_APPLETS as readonly string[]).includes(base)) ||
    (!!row.shell && (cmd === row.shell || base === "sh"))
  );
};

const writablePaths = (s: ServiceSpec) => [...s.tmpfs.map((t) => t.path), ...s.volumes.filter((v) => !v.readOnly).map((v) => v.containerPath)].sort();

describe("docs/images.md", () => {
  test("is generated from infra/image-facts.ts and current", () => {
    // On failure: run `npm run docs:images` and commit docs/images.md.
    expect(DOC).toBe(renderImagesDoc());
  });

  const rows = table(DOC);
  for (const stack of ["prod", "dev"]) {
    describe(`${stack} stack`, () => {
      const config = loadStackFileConfig(stack, ROOT);
      const specs = stackSpecs(config, { stack, prefix: resourcePrefix(stack) });
      test.each(specs.map((s) => [s.name, s] as const))("%s matches its image's facts", (_name, spec) => {
        const row = rows.find((r) => r.image === spec.image);
        expect([spec.name, row ? "in the table" : "not in docs/images.md"]).toEqual([spec.name, "in the table"]);
        if (!row) return;
        expect([spec.name, "user", spec.user]).toEqual([spec.name, "user", row.runAs]);
        expect([spec.name, "writable", writablePaths(spec)]).toEqual([spec.name, "writable", [...row.writable].sort()]);
        if (!hasHealthcheck(spec.healthcheck)) {
          // Only an image that can run nothing goes without one.
          expect([spec.name, row.shell, row.tools]).toEqual([spec.name, null, []]);
          return;
        }
        const { shell, commands } = healthExecutables(spec.healthcheck.test);
        if (shell) expect([spec.name, "shell", row.shell]).toEqual([spec.name, "shell", expect.any(String)]);
        for (const cmd of commands) expect([spec.name, cmd, has(row, cmd)]).toEqual([spec.name, cmd, true]);
      });
    });
  }

  test("Grafana gets at least its documented memory in every stack", () => {
    for (const stack of ["prod", "dev"]) expect(loadStackFileConfig(stack, ROOT).limits.grafana.memoryMb).toBeGreaterThanOrEqual(512);
  });

  test("the health-check parser finds every command of a shell check", () => {
    expect(healthExecutables(["CMD-SHELL", 'REDISCLI_AUTH="$(cat /run/secrets/x)" redis-cli -h 127.0.0.1 ping | grep -q PONG'])).toEqual({
      shell: true,
      commands: ["cat", "redis-cli", "grep"],
    });
    expect(healthExecutables(["CMD", "wget", "-q", "http://x"])).toEqual({ shell: false, commands: ["wget"] });
  });
});
