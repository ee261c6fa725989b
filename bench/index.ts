/**
 * `npm run bench`: runs every benchmark module (bench/<name>.ts exporting `run()`) in turn
 * and prints its figures. Benchmarks use loopback servers only and bound their own loops.
 *
 *   npm run bench                       # all, as text lines
 *   npm run bench -- --only preflight   # one or more, comma-separated
 *   npm run bench -- --json             # one JSON object per figure on stdout (bench/figures.ts); text on stderr
 *   npm run bench -- --json out.jsonl   # the same lines into a file
 *   npm run bench -- --quick            # fewer runs, smaller stacks (where a module has them): the shape, not the precision
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { backupFigures, type BenchResult, type Figure, verifyFigures } from "./figures";

type Lines = Record<string, number | string>;
interface BenchModule {
  run(opts: { quick?: boolean }): Promise<Lines | BenchResult>;
}

const BENCHES = ["preflight", "verify", "backup", "engine", "secrets"] as const;

/** Figures of modules that return text lines only, read from those lines. */
const DERIVED: Partial<Record<(typeof BENCHES)[number], (lines: Lines) => Figure[]>> = { verify: verifyFigures, backup: backupFigures };

function isResult(r: Lines | BenchResult): r is BenchResult {
  return typeof (r as BenchResult).lines === "object" && Array.isArray((r as BenchResult).figures);
}

async function main(): Promise<void> {
  const program = new Command("bench")
    .option("--only <names>", `comma-separated subset of: ${BENCHES.join(", ")}`)
    .option("--json [file]", "print one JSON object per figure (to stdout, or into this file)")
    .option("--quick", "fewer runs and smaller stacks: checks the figures' shape, not their precision")
    .parse();
  const opts = program.opts<{ only?: string; json?: string | boolean; quick?: boolean }>();
  const selected = opts.only ? opts.only.split(",").map((s) => s.trim()) : [...BENCHES];
  const unknown = selected.filter((s) => !(BENCHES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.map((u) => `"${u}"`).join(", ")} (known: ${BENCHES.join(", ")})`);
  // With --json on stdout, stdout carries the JSON lines only.
  const jsonToStdout = opts.json === true;
  const text = (l: string) => (jsonToStdout ? process.stderr : process.stdout).write(`${l}\n`);
  const jsonLines: string[] = [];

  let failed = false;
  for (const name of selected as (typeof BENCHES)[number][]) {
    const file = path.join(__dirname, `${name}.ts`);
    process.stderr.write(`== bench ${name}\n`);
    const started = Date.now();
    let lines: Lines;
    let figures: Figure[] = [];
    try {
      const mod = require(file) as BenchModule;
      const r = await mod.run({ quick: opts.quick });
      lines = isResult(r) ? r.lines : r;
      figures = isResult(r) ? r.figures : (DERIVED[name]?.(r) ?? []);
    } catch (e) {
      failed = true;
      lines = { error: (e as Error).message };
    }
    process.stderr.write(`   done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const [k, v] of Object.entries(lines)) text(`${name}.${k}\t${v}`);
    for (const f of figures) {
      text(`${f.name}\t${f.value} ${f.unit}${f.baseline === null ? "" : ` vs ${f.baseline} ${f.unit}: ${f.ratio}x`} (target ${f.target})`);
      jsonLines.push(JSON.stringify(f));
    }
    if (jsonToStdout) for (const l of jsonLines.splice(0)) process.stdout.write(`${l}\n`);
  }
  if (typeof opts.json === "string") fs.writeFileSync(opts.json, jsonLines.map((l) => `${l}\n`).join(""));
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
});
