/**
 * npm run preflight -- --stack prod [--policy-config FILE] [--format text|json|junit|sarif] [--out DIR]
 *
 * `--format` is what stdout shows; `--out DIR` writes every format into DIR
 * (preflight.txt, .json, .junit.xml, .sarif), as the other commands do.
 *
 * Offline policy check: runs the infra program under Pulumi's mock runtime with
 * Pulumi.<stack>.yaml, starts the CrossGuard pack (policies/) as the engine would and
 * reports every checklist item the pack proves. Exit 0: no mandatory violation; 1: at
 * least one (the deploy would be blocked); 2: the check itself could not run.
 */
import * as path from "path";
import { Command, InvalidArgumentError, Option } from "commander";
import { ensureOutDir, OutError, writeOutFiles } from "../local/out-files";
import { FILE_NAMES, Format, FORMATS, formatReport, type SarifContext } from "../preflight/format";
import type * as Mutations from "../preflight/mutations";
import { PolicyConfigError } from "../preflight/policy-config";
import { defaultPolicyConfigFile, runPreflight } from "../preflight/run";
import { parseCli } from "./cli";

interface Opts {
  stack: string;
  policyConfig?: string;
  format: Format;
  out?: string;
  pack: "compiled" | "source";
  failOnUndecidable?: boolean;
  mutate?: string;
  listMutations?: boolean;
  quiet?: boolean;
}

const formatFlag = (v: string): Format => {
  if ((FORMATS as readonly string[]).includes(v)) return v as Format;
  const several = v.includes(",") ? "; one format only: --out DIR writes all of them" : "";
  throw new InvalidArgumentError(`unknown format "${v}" (choose one of ${FORMATS.join(", ")})${several}`);
};

// An empty id must not read as "no mutation": a script passing an unset variable would check
// the unmutated stack and report it as the mutant's result.
const mutateFlag = (v: string): string => {
  if (!v.trim()) throw new InvalidArgumentError(`--mutate needs a mutation id (see --list-mutations), got "${v}"`);
  return v;
};

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("npm run preflight --")
    .description("Offline CrossGuard policy check of a stack against the production checklist")
    .requiredOption("--stack <name>", "stack whose Pulumi.<name>.yaml is checked (prod, dev, ...)")
    .option("--policy-config <file>", "policy pack config (default: policies/policy-config.<stack>.json)")
    .option("--format <format>", `what stdout shows: ${FORMATS.join(", ")}`, formatFlag, "text")
    .option("--out <dir>", `also write every format into this directory (${FORMATS.map((f) => FILE_NAMES[f]).join(", ")})`)
    .addOption(
      new Option("--pack <mode>", "start the pack precompiled (fast) or from TypeScript source exactly as the Pulumi CLI does")
        .choices(["compiled", "source"])
        .default("compiled"),
    )
    .option("--fail-on-undecidable", "also exit 1 when an item is not decidable at preview")
    .option("--mutate <id>", "apply one variant of the mutation corpus before analysis (testing the pack)", mutateFlag)
    .option("--list-mutations", "list the mutation corpus and exit")
    .option("--quiet", "no progress lines on stderr");
  const parsed = parseCli<Opts>(program, argv);
  if ("exitCode" in parsed) return parsed.exitCode;
  const o = parsed.opts;
  // The corpus and the SARIF context load only when used: the pack starts sooner without them.
  const mutations = () => require("../preflight/mutations") as typeof Mutations;
  if (o.listMutations) {
    const { MUTATIONS } = mutations();
    for (const m of MUTATIONS) process.stdout.write(`${m.id.padEnd(34)} ${m.policy.padEnd(32)} ${m.itemId.padEnd(18)} ${m.description}\n`);
    return 0;
  }
  const mutation = o.mutate !== undefined ? mutations().findMutation(o.mutate) : undefined;
  if (o.mutate !== undefined && !mutation) {
    process.stderr.write(`preflight: --mutate ${o.mutate}: no such mutation (see --list-mutations)\n`);
    return 2;
  }
  const progress = o.quiet ? undefined : (line: string) => process.stderr.write(`preflight: ${line}\n`);
  // Made before the run, so an --out that cannot be written fails in a second, not after the check.
  if (o.out) ensureOutDir(o.out);
  const projectDir = process.cwd();
  const policyConfigFile = o.policyConfig ? path.resolve(o.policyConfig) : defaultPolicyConfigFile(projectDir, o.stack);
  const result = await runPreflight({
    stack: o.stack,
    projectDir,
    policyConfigFile,
    packMode: o.pack,
    failOnUndecidable: o.failOnUndecidable,
    configOverrides: mutation?.config,
    mutate: mutation ? (rs) => mutation.apply(rs) : undefined,
    mutation: mutation?.id,
    progress,
  });
  // Read from the project only when a SARIF file is written, once.
  let sarifMemo: SarifContext | undefined;
  const sarif = () =>
    (sarifMemo ??= (require("../preflight/sarif-context") as typeof import("../preflight/sarif-context")).sarifContext({
      projectDir,
      stack: o.stack,
      resources: result.run.resources,
      policyConfigFile,
      policies: result.info.policies.map((p) => p.name),
    }));
  process.stdout.write(formatReport(o.format, result.report, result.info, sarif));
  if (o.out) {
    const files = Object.fromEntries(FORMATS.map((f) => [FILE_NAMES[f], formatReport(f, result.report, result.info, sarif)]));
    for (const file of writeOutFiles(o.out, files)) progress?.(`wrote ${file}`);
  }
  progress?.(`done in ${result.timings.totalMs} ms: exit ${result.exitCode}`);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // Bad input gets its own clear message (ConfigError lists every key); anything else the stack.
    // (ConfigError is matched by name: importing infra/config/load would load the Pulumi SDK up front.)
    const known =
      e instanceof PolicyConfigError ||
      e instanceof OutError ||
      (e instanceof Error && (e.name === "ConfigError" || /^(no stack file|invalid stack name|Pulumi\.)/.test(e.message)));
    if (known) process.stderr.write(`preflight: ${(e as Error).message}\n`);
    else process.stderr.write(`preflight: failed: ${e instanceof Error ? (process.env.PREFLIGHT_DEBUG ? e.stack : e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
