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
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { resolve as resolvePath } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { collectProvenance, inputDocument } from "../evidence/provenance";
import { loadStackFileConfig, stackFilePath } from "../infra/config/stack-file";
import { ensureOutDir, writeOutFiles } from "../local/out-files";
import { runChecks, selectChecks, DEFAULT_CONCURRENCY } from "../validate/core/runner";
import { buildVerifyReport, exitCodeFor, renderReport, REPORT_FILE_NAMES, REPORT_FORMATS, summarize, type ReportFormat } from "../validate/core/report";
import { createRedactor } from "../evidence/redact";
import { errorMessage } from "../validate/core/errors";
import { loadStackOutputs, type OutputsSource } from "../validate/outputs";
import { connectToStack } from "../validate/connect";
import { secretValues } from "../evidence/secrets";
import { DRILL_REPORTS_EXTRA, IMAGE_SCAN_EXTRA, VERIFY_CHECKS } from "../validate/registry";
import { readTrivyReport, type TrivyReport } from "../validate/images/trivy-report";
import { readDrillReport } from "../validate/backup/drill-interval";
import type { DrillRunReport } from "../evidence/drill";
import { parseDockerHost } from "../validate/docker/client";
import { VERIFY_PROBES } from "../validate/dependencies";
import { commonCause } from "../validate/core/root-cause";
import { renderCheckList } from "../validate/check-list";

export interface VerifyCliOptions {
  stack: string;
  /** Print the checks (id, checklist items, title) and exit: no stack needed. */
  list?: boolean;
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
  sendTestAlert?: boolean;
  /** Image scanner reports (Trivy JSON), one per image. */
  imageScan: string[];
  /** Restore drill reports (npm run drill:restore -- --out DIR), one per drill. */
  drillReport: string[];
  streamIdle?: boolean;
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
const collect = (v: string, acc: string[] = []) => [...acc, v];
const skipEntry = (v: string, acc: Record<string, string> = {}) => {
  const m = /^([a-z][a-z0-9-]*\.[a-z0-9.-]+)=(.+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--skip takes CHECK-ID=REASON (e.g. host.registries="no registry is reachable from this network"), got "${v}"`);
  return { ...acc, [m[1]]: m[2].trim() };
};
const resolveEntry = (v: string, acc: Record<string, string> = {}) => {
  const m = /^([A-Za-z0-9.-]+):(.+)$/.exec(v);
  if (!m) throw new InvalidArgumentError(`--resolve takes HOST:ADDRESS (like curl --resolve without the port), got "${v}"`);
  // An IP address, not a name: a name here would be looked up again, defeating the override.
  const address = m[2].replace(/^\[(.*)\]$/, "$1");
  if (!isIP(address))
    throw new InvalidArgumentError(`--resolve ${v}: "${m[2]}" is not an IPv4 or IPv6 address (HOST:ADDRESS, e.g. mcp.example.com:203.0.113.7)`);
  return { ...acc, [m[1]]: address };
};

/** The --ca file's PEM, read before anything connects. Empty is refused: it would trust nothing. */
function readCaFile(flag: string, file: string, cwd: string): string {
  let pem: string | undefined;
  let why = "";
  try {
    pem = readFileSync(resolvePath(cwd, file), "utf8");
  } catch (e) {
    why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
  // Thrown outside the catch: the read error's code is the whole story, its object adds noise.
  if (pem === undefined) throw new Error(`${flag} ${file} is not readable: ${why}`);
  if (!pem.trim()) throw new Error(`${flag} ${file} is empty: it must hold the CA certificate (PEM) that signed the edge's certificate`);
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error(`${flag} ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}

/** Checked while parsing, so a bad address is a usage error before any outputs are read. */
const dockerHostFlag = (v: string) => {
  try {
    parseDockerHost(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return v;
};

export function parseVerifyArgs(argv: string[]): VerifyCliOptions {
  const program = new Command("verify")
    .description("Run the post-deploy checks against a running stack")
    .option("--stack <name>", "Pulumi stack (reads Pulumi.<name>.yaml and its outputs); required unless --list")
    .option("--list", "print every check with its id, checklist items and what it proves (text, or --format json), and exit")
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
    .option("--docker-host <address>", "Docker engine (default: DOCKER_HOST or the local socket)", dockerHostFlag)
    .option("--daemon-json <path>", "the engine's daemon.json on this host (default /etc/docker/daemon.json)")
    .option("--direct", "the checks run on the stack's internal network: connect to internal names without tunnels")
    .option("--skip <id=reason>", "a check that cannot apply where this runs: reported as skipped with REASON, not run (repeatable)", skipEntry)
    .option("--restore-drill", "also run the backup restore drills (backup.restore-drill, backup.config-restore)")
    .option("--send-test-alert", "also send a labelled test alert per severity through every receiver (alertmanager.test-alert): it notifies people")
    .option("--image-scan <file>", "image scanner report (trivy image --format json) for images.vulnerability-scan (repeatable: one per image)", collect)
    .option("--drill-report <file>", "restore drill report (npm run drill:restore -- --out DIR) for backup.drill-interval (repeatable: one per drill)", collect)
    .option("--stream-idle", "also hold an MCP event stream open through Nginx for 60 s idle (mcp.stream-idle)")
    .option("--concurrency <n>", "checks running at once", positiveInt("--concurrency"), DEFAULT_CONCURRENCY)
    .option("--timeout <ms>", "timeout for checks that set none", positiveInt("--timeout"))
    .option("--health-samples <n>", "requests for the health latency check", positiveInt("--health-samples"))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.parse(argv, { from: "user" });
  const o = program.opts();
  if (!o.list && !o.stack) program.error("error: required option '--stack <name>' not specified", { exitCode: 2 });
  if (o.list && o.format === "junit") program.error("error: --list prints text or --format json", { exitCode: 2 });
  return {
    list: !!o.list,
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
    sendTestAlert: !!o.sendTestAlert,
    imageScan: o.imageScan ?? [],
    drillReport: o.drillReport ?? [],
    streamIdle: !!o.streamIdle,
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
  if (options.list) {
    io.stdout(renderCheckList(selectChecks(VERIFY_CHECKS, options.only), options.format === "json" ? "json" : "text"));
    return 0;
  }
  let checks;
  let edgeCa: string | undefined;
  let scans: { file: string; report: TrivyReport }[];
  let drills: { file: string; report: DrillRunReport }[];
  try {
    checks = selectChecks(VERIFY_CHECKS, options.only);
    const unknownSkips = Object.keys(options.skip ?? {}).filter((id) => !VERIFY_CHECKS.some((c) => c.id === id));
    if (unknownSkips.length) throw new Error(`--skip names unknown check id(s): ${unknownSkips.join(", ")}`);
    // Before any check runs: an --out that cannot be written fails now, not after the whole run.
    if (options.out) ensureOutDir(resolvePath(options.cwd, options.out));
    if (options.ca) edgeCa = readCaFile("--ca", options.ca, options.cwd);
    // Read before anything connects: a wrong file is a usage error, not a failed check.
    scans = (options.imageScan ?? []).map((f) => ({ file: f, report: readTrivyReport(resolvePath(options.cwd, f)) }));
    drills = (options.drillReport ?? []).map((f) => ({ file: f, report: readDrillReport(resolvePath(options.cwd, f), options.stack) }));
  } catch (e) {
    return fatal(e);
  }
  let connection;
  let outputsSource: OutputsSource | undefined;
  try {
    say(`loading outputs of stack ${options.stack}${options.outputs ? ` from ${options.outputs}` : " from the Pulumi CLI"}`);
    const outputs = await loadStackOutputs({
      stack: options.stack,
      file: options.outputs && resolvePath(options.cwd, options.outputs),
      cwd: options.cwd,
      onSource: (s) => (outputsSource = s),
    });
    secrets = secretValues(outputs);
    const config = loadStackFileConfig(options.stack, options.cwd);
    connection = await connectToStack(outputs, {
      config,
      dockerHost: options.dockerHost,
      daemonJsonPath: options.daemonJson && resolvePath(options.cwd, options.daemonJson),
      relayContainer: options.relayContainer,
      direct: options.direct,
      edgeCa,
      resolve: options.resolve,
      connectTo: options.connectTo,
      healthSamples: options.healthSamples,
      backup: { drill: options.restoreDrill, projectDir: options.cwd },
      log: (line) => say(createRedactor(secrets)(line)),
    });
    say(`internal services via ${connection.via}`);
    if (options.sendTestAlert) connection.target.alertmanager.sendTestAlert = true;
    if (scans.length)
      connection.target.extra[IMAGE_SCAN_EXTRA] = { images: outputs.services.map((s) => ({ service: s.name, image: s.image })), reports: scans };
    if (drills.length) connection.target.extra[DRILL_REPORTS_EXTRA] = { intervalDays: config.dr.drillIntervalDays, reports: drills };
    if (options.streamIdle) connection.target.mcp.checkStreams = true;
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
    const provenance = collectProvenance({
      projectDir: options.cwd,
      inputs: [
        { role: "stack file", file: stackFilePath(options.stack, options.cwd) },
        ...(outputsSource?.kind === "file" ? [{ role: "outputs" as const, file: outputsSource.file }] : []),
        ...(outputsSource?.kind === "pulumi" ? [inputDocument("outputs", outputsSource.command, outputsSource.document)] : []),
      ],
    });
    const report = buildVerifyReport({ stack: options.stack, records, startedAt, durationMs: Date.now() - t0, provenance });
    io.stdout(renderReport(report, options.format));
    if (options.out) {
      const dir = resolvePath(options.cwd, options.out);
      try {
        writeOutFiles(dir, Object.fromEntries(REPORT_FORMATS.map((f) => [REPORT_FILE_NAMES[f], renderReport(report, f)])));
      } catch (e) {
        return fatal(e);
      }
      say(`reports written to ${dir}`);
    }
    const s = summarize(records);
    say(`${s.pass} passed, ${s.fail} failed, ${s.skip} skipped in ${report.durationMs} ms`);
    const cause = commonCause(records);
    if (cause) say(`all ${cause.failures} failures have one cause, ${cause.code}: ${cause.hint}`);
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
