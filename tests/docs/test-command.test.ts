/**
 * The newcomer's two commands: the README's quick start holds exactly the main job and the test
 * command, CI runs that same test command, and the test command installs every Debian package
 * the harness asks for by name.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");

/** Debian packages that are Essential (on every Debian system), so no install list names them. */
const ESSENTIAL = new Set(["bash", "dash", "libc-bin", "util-linux"]);

function sources(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (n.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("the quick start is two commands: the main job and the test command", () => {
  const quick = read("README.md").split("## Quick start")[1];
  const block = /```sh\n([\s\S]*?)```/.exec(quick)?.[1] ?? "";
  const commands = block
    .split("\n")
    .map((l) => l.replace(/#.*$/, "").trim())
    .filter(Boolean);
  expect(commands).toEqual(["npm ci && npm run preflight -- --stack prod", "scripts/test.sh"]);
});

test("CI runs the README's test command", () => {
  expect(read(".ci/run")).toMatch(/^exec "\$\(dirname "\$0"\)\/\.\.\/scripts\/test\.sh"$/m);
});

test("the test command installs every Debian package the harness names", () => {
  const list = /PACKAGES=\(([\s\S]*?)\)/.exec(read("scripts/test.sh"))?.[1] ?? "";
  const installed = new Set(list.split(/\s+/).filter(Boolean));
  const named = new Set<string>();
  for (const f of [...sources(join(ROOT, "testing")), ...sources(join(ROOT, "local")), ...sources(join(ROOT, "backup")), ...sources(join(ROOT, "tests"))]) {
    for (const m of readFileSync(f, "utf8").matchAll(/require(?:Executable|HostFile)\((?:[^()]|\([^()]*\))*?,\s*"([a-z0-9.+-]+)"\s*[,)]/g)) named.add(m[1]);
  }
  expect(named.size).toBeGreaterThan(5);
  expect([...named].filter((p) => !installed.has(p) && !ESSENTIAL.has(p)).sort()).toEqual([]);
});
