/**
 * The code layers: the diagram in docs/architecture.md matches lint/layers.js, every source folder
 * is in a layer, and the lint rule built from the table refuses an upward, a sideways and a
 * harness import while it lets a downward one through (the real ESLint config, on probe text).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { ESLint } from "eslint";

const ROOT = resolve(__dirname, "../..");
 
const { LAYERS, allowedImports } = require("../../lint/layers") as { LAYERS: { folders: string[] }[]; allowedImports(f: string): string[] };

function diagramLayers(): string[][] {
  const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Code layers"));
  const block = section.slice(section.indexOf("```mermaid"), section.indexOf("```", section.indexOf("```mermaid") + 3));
  const layers: string[][] = [];
  for (const m of block.matchAll(/L(\d+)\["([^"]+)"\]/g)) layers[Number(m[1])] = m[2].split(" · ").map((f) => f.replace(/\/$/, ""));
  return layers;
}

function hasTypeScript(dir: string, depth = 0): boolean {
  if (depth > 6) return false;
  return readdirSync(dir).some((n) => {
    const p = join(dir, n);
    return n.endsWith(".ts") || (statSync(p).isDirectory() && hasTypeScript(p, depth + 1));
  });
}

test("the layer diagram in docs/architecture.md is the table lint enforces", () => {
  expect(diagramLayers()).toEqual(LAYERS.map((l) => l.folders));
});

test("every folder with TypeScript in it is in a layer", () => {
  const folders = readdirSync(ROOT).filter((n) => !n.startsWith(".") && n !== "node_modules" && n !== "dist" && statSync(join(ROOT, n)).isDirectory() && hasTypeScript(join(ROOT, n)));
  const layered = new Set(LAYERS.flatMap((l) => l.folders));
  expect(folders.filter((f) => !layered.has(f))).toEqual([]);
  expect(allowedImports("evidence")).toEqual([]);
  expect(allowedImports("checklist")).toEqual(["evidence"]);
  expect(allowedImports("scripts")).not.toContain("testing");
  expect(allowedImports("bench")).toContain("testing");
});

describe("the boundary rule", () => {
  // The config object itself (jest's VM cannot run ESLint's dynamic import of the config file).
   
  const eslint = new ESLint({ cwd: ROOT, overrideConfigFile: true, overrideConfig: require("../../eslint.config.js") });
  const boundaryErrors = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === "boundaries/dependencies").map((m) => m.message);
  };

  test.each([
    ["checklist/probe.ts", 'import { VERIFY_CHECKS } from "../validate/registry";\nexport const n = VERIFY_CHECKS.length;\n', /"checklist" to elements of type "validate"/],
    ["infra/probe.ts", 'import type { Check } from "../validate/core/types";\nexport type C = Check;\n', /"infra" to elements of type "validate"/],
    ["backup/probe.ts", 'import { POLICY_CATALOG } from "../policies/catalog";\nexport const n = POLICY_CATALOG.length;\n', /"backup" to elements of type "policies"/],
    ["scripts/probe.ts", 'import { makeTempDir } from "../testing/tools";\nexport const m = makeTempDir;\n', /"scripts" to elements of type "testing"/],
  ])("refuses %s importing across the layers", async (file, code, message) => {
    expect(await boundaryErrors(file, code)).toEqual([expect.stringMatching(message)]);
  }, 30_000);

  test.each([
    ["validate/probe.ts", 'import { CHECKLIST_ITEMS } from "../checklist/items";\nexport const n = CHECKLIST_ITEMS.length;\n'],
    ["bench/probe.ts", 'import { makeTempDir } from "../testing/tools";\nexport const m = makeTempDir;\n'],
    ["testing/probe.ts", 'import { startPostgres } from "../backup/scratch-postgres";\nexport const s = startPostgres;\n'],
  ])("lets %s import downward", async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  }, 30_000);
});
