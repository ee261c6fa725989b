/**
 * npm run host:check -- --stack prod [--format text|json|junit] [--out DIR]
 *                       [--docker-host ADDR] [--min-memory-gb N] [--min-disk-gb N]
 *                       [--min-docker-version X.Y] [--registry URL ...] [--no-registries]
 *                       [--bind-address IP] [--http-port N] [--https-port N]
 *                       [--daemon-json PATH]
 *
 * Host readiness before a deploy (the same checks the pre-deploy gate runs): engine
 * reachable and new enough, memory, free disk on the data root, registries, free ports;
 * the daemon's hardening read from its daemon.json and the engine (no-new-privileges,
 * ulimits, seccomp, logging, ...) and the swarm (active manager, odd managers, autolock,
 * listen address, the stateful node label). docs/docker-host.md has the setup.
 * Thresholds come from the stack's `mcp:host`; flags override them. The report has the
 * verify report's shape, so the sign-off reads it like any runtime evidence.
 * Exit 0 when nothing failed, 1 when a check failed, 2 on bad input.
 */
import * as path from "path";
import { Command, Option } from "commander";
import { ConfigError } from "../infra/config/load";
import { collectProvenance } from "../evidence/provenance";
import { loadStackFileConfig, stackFilePath } from "../infra/config/stack-file";
import { ensureOutDir, OutError, writeOutFiles } from "../local/out-files";
import { buildVerifyReport, exitCodeFor, renderReport, REPORT_FORMATS, type ReportFormat } from "../validate/core/report";
import { runChecks } from "../validate/core/runner";
import { connectDocker } from "../validate/docker/client";
import { HOST_CHECKS } from "../validate/host/checks";
import { DEFAULT_DAEMON_JSON, hostTargetFromConfig } from "../validate/host/target";
import { parseGbFlag, parseRegistryFlag, parseVersionFlag, type HostThresholds } from "../validate/host/thresholds";
import { parseCli } from "./cli";

const FILE_NAMES: Record<ReportFormat, string> = { text: "host-check.txt", json: "host-check.json", junit: "host-check.xml" };

interface Opts {
  stack: string;
  format: ReportFormat;
  out?: string;
  dockerHost?: string;
  minMemoryGb?: string;
  minDiskGb?: string;
  minDockerVersion?: string;
  registry?: string[];
  registries: boolean;
  bindAddress?: string;
  httpPort?: string;
  httpsPort?: string;
  daemonJson: string;
  projectDir?: string;
}

class UsageError extends Error {}

function portFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag} must be a port number 1-65535, got "${value}"`);
  return n;
}

function thresholdOverrides(o: Opts): Partial<HostThresholds> {
  const out: Partial<HostThresholds> = {};
  try {
    if (o.minMemoryGb !== undefined) out.minMemoryGb = parseGbFlag("--min-memory-gb", o.minMemoryGb);
    if (o.minDiskGb !== undefined) out.minDiskGb = parseGbFlag("--min-disk-gb", o.minDiskGb);
    if (o.minDockerVersion !== undefined) out.minDockerVersion = parseVersionFlag("--min-docker-version", o.minDockerVersion);
    if (o.registry?.length) out.registries = o.registry.map((r) => parseRegistryFlag("--registry", r));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!o.registries) out.registries = [];
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("host:check")
    .description("Docker host readiness before a deploy: engine, version, memory, disk, registries, free ports, daemon hardening, swarm")
    .requiredOption("--stack <name>", "stack whose Pulumi.<stack>.yaml gives the thresholds (mcp:host) and ports (mcp:edge)")
    .addOption(new Option("--format <format>", "report format on stdout").choices([...REPORT_FORMATS]).default("text"))
    .option("--out <dir>", "also write every format to DIR/host-check.{txt,json,xml}")
    .option("--docker-host <addr>", "engine address (default: DOCKER_HOST, else unix:///var/run/docker.sock)")
    .option("--min-memory-gb <n>", "override mcp:host.minMemoryGb")
    .option("--min-disk-gb <n>", "override mcp:host.minDiskGb")
    .option("--min-docker-version <x.y>", "override mcp:host.minDockerVersion")
    .option("--registry <url>", "registry to probe instead of mcp:host.registries (repeatable)", (v: string, acc: string[] = []) => [...acc, v])
    .option("--no-registries", "skip the registry check (air-gapped host with a local mirror)")
    .option("--bind-address <ip>", "override mcp:edge.bindAddress for the free-port check")
    .option("--http-port <n>", "override mcp:edge.httpPort for the free-port check")
    .option("--https-port <n>", "override mcp:edge.httpsPort for the free-port check")
    .option("--daemon-json <path>", "the engine's daemon.json on this host (its --config-file); not read for a remote engine", DEFAULT_DAEMON_JSON)
    .option("--project-dir <dir>", "directory holding the Pulumi.<stack>.yaml files", undefined)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const parsed = parseCli<Opts>(program, argv);
  if ("exitCode" in parsed) return parsed.exitCode;
  const { opts } = parsed;
  try {
    // First: an --out that cannot be written fails before the engine is asked anything.
    if (opts.out) ensureOutDir(opts.out);
    const projectDir = path.resolve(opts.projectDir ?? process.cwd());
    const config = loadStackFileConfig(opts.stack, projectDir);
    const edge = {
      ...config.edge,
      bindAddress: opts.bindAddress ?? config.edge.bindAddress,
      httpPort: portFlag("--http-port", opts.httpPort) ?? config.edge.httpPort,
      httpsPort: portFlag("--https-port", opts.httpsPort) ?? config.edge.httpsPort,
    };
    let engine;
    try {
      engine = connectDocker(opts.dockerHost ?? process.env.DOCKER_HOST);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const target = hostTargetFromConfig({ edge, host: config.host }, engine, {
      overrides: thresholdOverrides(opts),
      stack: opts.stack,
      daemonJsonPath: path.resolve(opts.daemonJson),
    });
    process.stderr.write(
      `host:check: stack ${opts.stack}, engine ${target.endpoint}; minimum ${target.thresholds.minMemoryGb} GB memory, ${target.thresholds.minDiskGb} GB disk, Docker ${target.thresholds.minDockerVersion}; daemon.json ${target.local ? target.daemonJsonPath : "not read (remote engine)"}\n`,
    );
    const startedAt = new Date();
    const records = await runChecks(HOST_CHECKS, target, { label: "host:check" });
    const provenance = collectProvenance({ projectDir, inputs: [{ role: "stack file", file: stackFilePath(opts.stack, projectDir) }] });
    const report = buildVerifyReport({ stack: opts.stack, records, startedAt, durationMs: Date.now() - startedAt.getTime(), provenance });
    const text = (format: ReportFormat) => {
      const out = renderReport(report, format);
      return format === "text" ? out.replace(/^Post-deploy verification of stack/, "Host readiness of stack") : out;
    };
    process.stdout.write(text(opts.format));
    if (opts.out) {
      const files = writeOutFiles(opts.out, Object.fromEntries(REPORT_FORMATS.map((f) => [FILE_NAMES[f], text(f)])));
      process.stderr.write(`host:check: wrote ${files.join(", ")}\n`);
    }
    return exitCodeFor(report);
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      err instanceof OutError ||
      /^(no stack file|invalid stack name|Pulumi\.)/.test((err as Error).message)
    ) {
      process.stderr.write(`host:check: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`host:check: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 2;
    },
  );
}
