/**
 * Post-deploy verification of a running stack:
 *
 *   npm run verify -- --stack prod [--outputs FILE] [--only ID,...] [--format text|json|junit] [--out DIR]
 *
 * Endpoints and credentials come from the stack outputs (the Pulumi CLI, or a file saved
 * with `pulumi stack output --json --show-secrets`), expectations from Pulumi.<stack>.yaml.
 * Internal services are reached through Docker exec tunnels (see README). Exit 0 when
 * nothing failed, 1 when a check failed, 2 when the run could not start.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve as resolvePath } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { loadStackFileConfig } from "../infra/config/stack-file";
import { runChecks, selectChecks, DEFAULT_CONCURRENCY } from "../validate/core/runner";
import { buildVerifyReport, exitCodeFor, renderReport, REPORT_FILE_NAMES, REPORT_FORMATS, summarize, type ReportFormat } from "../validate/core/report";
import { createRedactor } from "../validate/core/redact";
import { errorMessage } from "../validate/core/errors";
import { loadStackOutputs } from "../validate/outputs";
import { connectToStack } from "../validate/connect";
import { secretValues } from "../validate/target-from-outputs";
import { VERIFY_CHECKS } from "../validate/registry";
import { VERIFY_PROBES } from "../validate/dependencies";

export interface VerifyCliOptions {
  stack: string;
  outputs?: string;
  only?: string[];
  format: ReportFormat;
  out?: string;
  ca?: string;
  resolve: Record<string, string>;
  connectTo: Record<string, string>;
  /** Check id -> why it cannot apply here. */
  skip: Record<string, string>;
  relayContainer?: string;
  dockerHost?: string;
  daemonJson?: string;
  direct?: boolean;
  restoreDrill?: boolean;
  concurrency: number;
  timeout?: number;
  healthSamples?: number;
  cwd: string;
}

const list = (v: string) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${v}"`);
  return n;
};
const connectToEntry = (v: string, acc: Record<string, string> = {}) => {
  const m = /^([A-Za-z0-9.-]+):(\d{1,5}):([A-Za-z0-9.:-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--connect-to takes HOST:PORT:ADDRESS:PORT (like curl --connect-to), got "${v}"`);
  return { ...acc, [`${m[1]}:${m[2]}`]: `${m[3]}:${m[4]}` };
};
const skipEntry = (v: string, acc: Record<string, string> = {}) => {
  const m = /^([a-z][a-z0-9-]*\.[a-z0-9.-]+)=(.+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--skip takes CHECK-ID=REASON (e.g. host.registries="no registry is reachable from this network"), got "${v}"`);
  return { ...acc, [m[1]]: m[2].trim() };
};
const resolveEntry = (v: string, acc: Record<string, string> = {}) => {
  const m = /^([A-Za-z0-9.-]+):(.+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--resolve takes HOST:ADDRESS (like curl --resolve without the port), got "${v}"`);
  return { ...acc, [m[1]]: m[2] };
};

export function parseVerifyArgs(argv: string[]): VerifyCliOptions {
  const program = new Command("verify")
    .description("Run the post-deploy checks against a running stack")
    .requiredOption("--stack <name>", "Pulumi stack (reads Pulumi.<name>.yaml and its outputs)")
    .option("--outputs <file>", "stack outputs JSON (pulumi stack output --json --show-secrets); default: ask the Pulumi CLI")
    .option("--only <ids>", "comma-separated check IDs or prefixes like edge.*", list)
    .addOption(new Option("--format <format>", "report format on stdout").choices([...REPORT_FORMATS]).default("text"))
    .option("--out <dir>", "also write verify-report.{txt,json,xml} into this directory")
    .option("--ca <file>", "extra CA certificate (PEM) trusted for the public edge (self-signed stacks)")
    .option("--resolve <host:address>", "connect to ADDRESS for HOST (repeatable), e.g. before DNS points at the host", resolveEntry)
    .option(
      "--connect-to <host:port:address:port>",
      "connect to ADDRESS:PORT for HOST:PORT (repeatable), e.g. a forwarder in front of the edge",
      connectToEntry,
    )
    .option("--relay-container <name>", "container on the internal network to tunnel through (default: redis, postgres or backup)")
    .option("--docker-host <address>", "Docker engine (default: DOCKER_HOST or the local socket)")
    .option("--daemon-json <path>", "the engine's daemon.json on this host (default /etc/docker/daemon.json)")
    .option("--direct", "the checks run on the stack's internal network: connect to internal names without tunnels")
    .option("--skip <id=reason>", "a check that cannot apply where this runs: reported as skipped with REASON, not run (repeatable)", skipEntry)
    .option("--restore-drill", "also run the backup restore drills (backup.restore-drill, backup.config-restore)")
    .option("--concurrency <n>", "checks running at once", positiveInt("--concurrency"), DEFAULT_CONCURRENCY)
    .option("--timeout <ms>", "timeout for checks that set none", positiveInt("--timeout"))
    .option("--health-samples <n>", "requests for the health latency check", positiveInt("--health-samples"))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.parse(argv, { from: "user" });
  const o = program.opts();
  return {
    stack: o.stack,
    outputs: o.outputs,
    only: o.only,
    format: o.format,
    out: o.out,
    ca: o.ca,
    resolve: o.resolve ?? {},
    connectTo: o.connectTo ?? {},
    skip: o.skip ?? {},
    relayContainer: o.relayContainer,
    dockerHost: o.dockerHost,
    daemonJson: o.daemonJson,
    direct: !!o.direct,
    restoreDrill: !!o.restoreDrill,
    concurrency: o.concurrency,
    timeout: o.timeout,
    healthSamples: o.healthSamples,
    cwd: process.cwd(),
  };
}

/** Runs a verification; returns the process exit code. Output goes to the given streams. */
export async function verify(
  options: VerifyCliOptions,
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) },
): Promise<number> {
  const say = (line: string) => io.stderr(`[verify] ${line}\n`);
  let secrets: string[] = [];
  const fatal = (e: unknown) => {
    io.stderr(`verify: ${createRedactor(secrets)(errorMessage(e))}\n`);
    return 2;
  };
  let checks;
  try {
    checks = selectChecks(VERIFY_CHECKS, options.only);
    const unknownSkips = Object.keys(options.skip ?? {}).filter((id) => !VERIFY_CHECKS.some((c) => c.id === id));
    if (unknownSkips.length) throw new Error(`--skip names unknown check id(s): ${unknownSkips.join(", ")}`);
  } catch (e) {
    return fatal(e);
  }
  let connection;
  try {
    say(`loading outputs of stack ${options.stack}${options.outputs ? ` from ${options.outputs}` : " from the Pulumi CLI"}`);
    const outputs = await loadStackOutputs({ stack: options.stack, file: options.outputs && resolvePath(options.cwd, options.outputs), cwd: options.cwd });
    secrets = secretValues(outputs);
    const config = loadStackFileConfig(options.stack, options.cwd);
    connection = await connectToStack(outputs, {
      config,
      dockerHost: options.dockerHost,
      daemonJsonPath: options.daemonJson && resolvePath(options.cwd, options.daemonJson),
      relayContainer: options.relayContainer,
      direct: options.direct,
      edgeCa: options.ca ? readFileSync(resolvePath(options.cwd, options.ca), "utf8") : undefined,
      resolve: options.resolve,
      connectTo: options.connectTo,
      healthSamples: options.healthSamples,
      backup: { drill: options.restoreDrill, projectDir: options.cwd },
      log: (line) => say(createRedactor(secrets)(line)),
    });
    say(`internal services via ${connection.via}`);
  } catch (e) {
    await connection?.close();
    return fatal(e);
  }
  try {
    const startedAt = new Date();
    const t0 = Date.now();
    const records = await runChecks(checks, connection.target, {
      secrets: connection.target.secrets,
      concurrency: options.concurrency,
      defaultTimeoutMs: options.timeout,
      notApplicable: options.skip,
      probes: VERIFY_PROBES,
      progress: (l) => io.stderr(l + "\n"),
    });
    const report = buildVerifyReport({ stack: options.stack, records, startedAt, durationMs: Date.now() - t0 });
    io.stdout(renderReport(report, options.format));
    if (options.out) {
      const dir = resolvePath(options.cwd, options.out);
      mkdirSync(dir, { recursive: true });
      for (const f of REPORT_FORMATS) writeFileSync(join(dir, REPORT_FILE_NAMES[f]), renderReport(report, f));
      say(`reports written to ${dir}`);
    }
    const s = summarize(records);
    say(`${s.pass} passed, ${s.fail} failed, ${s.skip} skipped in ${report.durationMs} ms`);
    return exitCodeFor(report);
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  let options: VerifyCliOptions;
  try {
    options = parseVerifyArgs(process.argv.slice(2));
  } catch (e) {
    // commander has printed the usage problem already.
    process.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
  }
  verify(options!).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`verify: ${errorMessage(e)}\n`);
      process.exit(2);
    },
  );
}
