/**
 * `npm run bench`: runs every benchmark module (bench/<name>.ts exporting `run()`) in turn
 * and prints its figures. Benchmarks use loopback servers only and bound their own loops.
 *
 *   npm run bench                     # all
 *   npm run bench -- --only preflight # one or more, comma-separated
 *   npm run bench -- --json out.json  # also write the figures as JSON
 */
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";

type Figures = Record<string, number | string>;
interface BenchModule {
  run(): Promise<Figures>;
}

const BENCHES = ["preflight", "verify", "backup", "engine", "secrets"] as const;

async function main(): Promise<void> {
  const program = new Command("bench")
    .option("--only <names>", `comma-separated subset of: ${BENCHES.join(", ")}`)
    .option("--json <file>", "write all figures to this JSON file")
    .parse();
  const opts = program.opts<{ only?: string; json?: string }>();
  const selected = opts.only ? opts.only.split(",").map((s) => s.trim()) : [...BENCHES];
  const unknown = selected.filter((s) => !(BENCHES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.map((u) => `"${u}"`).join(", ")} (known: ${BENCHES.join(", ")})`);

  const all: Record<string, Figures> = {};
  let failed = false;
  for (const name of selected) {
    const file = path.join(__dirname, `${name}.ts`);
    process.stderr.write(`== bench ${name}\n`);
    const started = Date.now();
    try {
      const mod = require(file) as BenchModule;
      all[name] = await mod.run();
    } catch (e) {
      failed = true;
      all[name] = { error: (e as Error).message };
    }
    process.stderr.write(`   done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const [k, v] of Object.entries(all[name])) console.log(`${name}.${k}\t${v}`);
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(all, null, 2) + "\n");
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(2);
});
