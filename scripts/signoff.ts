/**
 * npm run signoff -- --stack prod [--preflight FILE] [--verify FILE]... [--attestations FILE]
 *                    [--outputs FILE] [--tests FILE] [--drill FILE] [--out DIR] [--require-go]
 *
 * Joins the evidence into SIGNOFF.md, signoff.html, signoff.json and junit.xml. Exit 0 when
 * the report is written (1 with --require-go and a NO-GO), 2 on bad input.
 */
import * as path from "path";
import { Command } from "commander";
import { ConfigError } from "../infra/config/load";
import { OutError } from "../local/out-files";
import { AttestationError } from "../signoff/attestations";
import { buildSignoff } from "../signoff/build";
import { InputError } from "../signoff/inputs";
import { renderAll, writeAll } from "../signoff/write";
import { parseCli } from "./cli";

const REPO_ROOT = path.resolve(__dirname, "..");

interface Opts {
  stack: string;
  preflight?: string;
  verify?: string[];
  attestations?: string;
  outputs?: string;
  tests?: string;
  drill?: string;
  out?: string;
  now?: string;
  requireGo?: boolean;
}

export function main(argv: string[]): number {
  const program = new Command()
    .name("signoff")
    .description("Join preflight, verify, test results, stack outputs and attestations into the checklist sign-off report")
    .requiredOption("--stack <name>", "stack whose Pulumi.<stack>.yaml is read (contacts, DR objectives)")
    .option("--preflight <file>", "preflight report JSON (npm run preflight -- --format json)")
    .option(
      "--verify <file>",
      "runtime report JSON (npm run verify / npm run host:check -- --format json); repeat for several",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .option("--attestations <file>", "attestations YAML or JSON (see checklist/attestations.example.yaml)")
    .option("--outputs <file>", "stack outputs JSON (pulumi stack output --json --show-secrets); its secrets are redacted from every report")
    .option("--tests <file>", "jest JSON results (npx jest --json --outputFile=FILE) for the items the program guarantees")
    .option("--drill <file>", "restore drill report JSON (DIR/drill-report.json from npm run drill:restore -- --out DIR)")
    .option("--out <dir>", "output directory (default out/signoff/<stack>)")
    .option("--now <iso>", "evaluate at this time instead of now (reproducible reports: waiver expiry, evidence age)")
    .option("--require-go", "exit 1 when the decision is NO-GO")
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const parsed = parseCli<Opts>(program, argv);
  if ("exitCode" in parsed) return parsed.exitCode;
  const { opts } = parsed;
  const now = opts.now ? new Date(opts.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    process.stderr.write(`signoff: --now "${opts.now}" is not a date\n`);
    return 2;
  }
  const outDir = path.resolve(opts.out ?? path.join("out", "signoff", opts.stack));
  const abs = (f?: string) => (f ? path.resolve(f) : undefined);
  try {
    const given = (["preflight", "verify", "tests", "drill", "attestations", "outputs"] as const).filter((k) => opts[k]);
    process.stderr.write(`signoff: stack ${opts.stack}; inputs: ${given.length ? given.join(", ") : "none (every item stays pending)"}\n`);
    const built = buildSignoff({
      stack: opts.stack,
      repoRoot: REPO_ROOT,
      preflight: abs(opts.preflight),
      verify: opts.verify?.map((f) => path.resolve(f)),
      attestations: abs(opts.attestations),
      outputs: abs(opts.outputs),
      tests: abs(opts.tests),
      drill: abs(opts.drill),
      now,
    });
    const files = writeAll(renderAll(built.report, { outDir, repoRoot: REPO_ROOT, secrets: built.secrets }), outDir);
    const r = built.report;
    for (const w of r.warnings) process.stderr.write(`signoff: warning: ${w}\n`);
    for (const role of r.roles) process.stdout.write(`${role.role.padEnd(16)} ${role.decision.padEnd(6)} ${role.why}\n`);
    process.stdout.write(`wrote ${files.map((f) => path.relative(process.cwd(), f) || f).join(", ")}\n`);
    process.stdout.write(
      `Decision: ${r.decision} — ${r.counts.pass} pass, ${r.counts.fail} fail, ${r.counts.waived} waived, ${r.counts.pending} pending of ${r.counts.total}\n`,
    );
    return opts.requireGo && r.decision !== "GO" ? 1 : 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AttestationError || err instanceof InputError || err instanceof OutError) {
      process.stderr.write(`signoff: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  // Exit 1 means NO-GO (with --require-go): a failure of the command itself is 2, never 1.
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`signoff: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
