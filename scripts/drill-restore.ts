/**
 * npm run drill:restore -- --stack prod [--backup FILE|latest] [--backup-dir DIR]
 *                          [--outputs FILE | --key-file FILE] [--docker-root DIR]
 *                          [--pg-host H --pg-port N --pg-user U --pg-password-file F
 *                           [--pg-sslmode disable|require|verify-full] [--pg-ca FILE]]
 *                          [--pg-bin DIR] [--project-dir DIR] [--no-config-restore] [--out DIR]
 *
 * The restore drill (BAK-RECOVERY-01/02/04): verifies the chosen backup's SHA-256 against its
 * manifest, checks the key, decrypts it straight into pg_restore into a scratch database,
 * compares schema and per-table row counts with the manifest, measures RTO (restore time)
 * and RPO (data age), drops the scratch database; then restores the stack configuration
 * and rendered configs into a fresh directory and shows they are identical. Prints one
 * JSON report on stdout (progress on stderr) for the sign-off; `--out DIR` also writes it to
 * DIR/drill-report.json, like the other commands' `--out DIR`.
 *
 * Restore target: a throw-away local PostgreSQL (default; needs the server package and
 * root), or an existing server you name with --pg-host (the user needs CREATEDB).
 * Backups: --backup-dir, else the stack's backup volume under --docker-root.
 * Key: --key-file (the stack's backupEncryptionKey or an AGE-SECRET-KEY identity), else
 * `secrets.backupEncryptionKey` of --outputs FILE (`pulumi stack output --json --show-secrets`).
 * Exit 0 drill passed, 1 drill failed, 2 error (bad input, wrong key, unreadable backup...).
 */
import * as fs from "fs";
import * as path from "path";
import { Command, Option } from "commander";
import { ConfigError } from "../infra/config/load";
import { collectProvenance } from "../evidence/provenance";
import { loadStackFileConfig, stackFilePath } from "../infra/config/stack-file";
import { resourcePrefix } from "../infra/topology";
import type { StackOutputs } from "../infra/outputs-types";
import { runDrill, type DrillRunReport } from "../backup/drill-run";
import type { DrillConnection } from "../backup/drill";
import { BACKUP_VOLUME } from "../infra/components/backup";
import { ensureOutDir, OutError, writeOutFiles } from "../local/out-files";
import { parseCli } from "./cli";

/** The one file `--out DIR` gets (the report has no text form: stdout is the same JSON). */
export const DRILL_REPORT_FILE = "drill-report.json";

interface Opts {
  stack: string;
  backup: string;
  backupDir?: string;
  dockerRoot: string;
  outputs?: string;
  keyFile?: string;
  pgHost?: string;
  pgPort: string;
  pgUser?: string;
  pgPasswordFile?: string;
  pgSslmode: "disable" | "require" | "verify-full";
  pgCa?: string;
  maintenanceDb: string;
  pgBin?: string;
  projectDir?: string;
  configRestore: boolean;
  out?: string;
}

class UsageError extends Error {}

function readSecretFile(flag: string, file: string): string {
  try {
    const v = fs.readFileSync(file, "utf8").trim();
    if (!v) throw new UsageError(`${flag} ${file} is empty`);
    return v;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${flag} ${file} is not readable: ${(e as Error).message}`);
  }
}

function readOutputs(file: string, stack: string): Partial<StackOutputs> {
  let outputs: Partial<StackOutputs>;
  try {
    outputs = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<StackOutputs>;
  } catch (e) {
    throw new UsageError(`--outputs ${file} is not readable stack-output JSON: ${(e as Error).message}`);
  }
  // Another stack's key and volume would drill the wrong backups, or fail for the wrong reason.
  if (typeof outputs.stack === "string" && outputs.stack !== stack)
    throw new UsageError(
      `--outputs ${file} is for stack "${outputs.stack}", not --stack ${stack}: pass the outputs of ${stack} (pulumi stack output --stack ${stack} --json --show-secrets)`,
    );
  return outputs;
}

function connectionFrom(o: Opts): DrillConnection | undefined {
  if (!o.pgHost) {
    for (const [flag, v] of [
      ["--pg-user", o.pgUser],
      ["--pg-password-file", o.pgPasswordFile],
      ["--pg-ca", o.pgCa],
    ] as const) {
      if (v) throw new UsageError(`${flag} needs --pg-host (without it the drill uses a local scratch server)`);
    }
    return undefined;
  }
  const port = Number(o.pgPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--pg-port must be a port number 1-65535, got "${o.pgPort}"`);
  if (!o.pgUser) throw new UsageError("--pg-host needs --pg-user (a role with CREATEDB)");
  if (!o.pgPasswordFile) throw new UsageError("--pg-host needs --pg-password-file");
  if (o.pgSslmode === "verify-full" && !o.pgCa) throw new UsageError("--pg-sslmode verify-full needs --pg-ca FILE");
  return {
    host: o.pgHost,
    port,
    user: o.pgUser,
    password: readSecretFile("--pg-password-file", o.pgPasswordFile),
    sslmode: o.pgSslmode,
    ca: o.pgCa ? fs.readFileSync(o.pgCa, "utf8") : undefined,
    maintenanceDatabase: o.maintenanceDb,
  };
}

export async function main(
  argv: string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) },
): Promise<number> {
  const program = new Command()
    .name("drill:restore")
    .description(
      "Restore drill: verify, decrypt and restore a backup into a scratch database, compare with its manifest, report RTO/RPO; then restore the stack configuration",
    )
    .requiredOption("--stack <name>", "stack whose backups and configuration are drilled (Pulumi.<stack>.yaml)")
    .option("--backup <file|latest>", "backup data file (NAME.dump.age) or latest", "latest")
    .option("--backup-dir <dir>", "directory holding the backups (default: the stack's backup volume under --docker-root)")
    .option("--docker-root <dir>", "Docker data root on this host", "/var/lib/docker")
    .option("--outputs <file>", "stack outputs JSON (pulumi stack output --json --show-secrets) for the backup key")
    .option("--key-file <file>", "file with the stack's backupEncryptionKey (or an age identity)")
    .option("--pg-host <host>", "restore into this PostgreSQL instead of a local scratch server")
    .option("--pg-port <n>", "port of --pg-host", "5432")
    .option("--pg-user <user>", "role on --pg-host allowed to CREATE DATABASE")
    .option("--pg-password-file <file>", "file with the password of --pg-user")
    .addOption(new Option("--pg-sslmode <mode>", "TLS to --pg-host").choices(["disable", "require", "verify-full"]).default("verify-full"))
    .option("--pg-ca <file>", "CA certificate (PEM) for --pg-sslmode verify-full")
    .option("--maintenance-db <name>", "database on --pg-host to connect to for CREATE/DROP DATABASE", "postgres")
    .option("--pg-bin <dir>", "directory with pg_restore (and postgres/initdb for the scratch server)")
    .option("--project-dir <dir>", "project directory with Pulumi.yaml and Pulumi.<stack>.yaml (default: current directory)")
    .option("--no-config-restore", "skip the configuration restore")
    .option("--out <dir>", `also write the JSON report to DIR/${DRILL_REPORT_FILE}`)
    .configureOutput({ writeErr: io.stderr, writeOut: io.stdout });
  const parsed = parseCli<Opts>(program, argv);
  if ("exitCode" in parsed) return parsed.exitCode;
  const { opts } = parsed;
  const controller = new AbortController();
  const onSignal = () => {
    io.stderr("drill:restore: interrupted, cleaning up (scratch database, temp files)\n");
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    // First: an --out that cannot be written fails before a scratch server is started.
    if (opts.out) ensureOutDir(opts.out);
    const projectDir = path.resolve(opts.projectDir ?? process.cwd());
    const config = loadStackFileConfig(opts.stack, projectDir);
    const outputs = opts.outputs ? readOutputs(opts.outputs, opts.stack) : undefined;
    let keyMaterial: string;
    if (opts.keyFile) keyMaterial = readSecretFile("--key-file", opts.keyFile);
    else if (outputs?.secrets?.backupEncryptionKey) keyMaterial = outputs.secrets.backupEncryptionKey;
    else
      throw new UsageError(
        "the backup key is needed: --key-file FILE (the stack's backupEncryptionKey) or --outputs FILE from `pulumi stack output --json --show-secrets`",
      );
    const volume = outputs?.backup?.volume ?? `${resourcePrefix(opts.stack)}-${BACKUP_VOLUME}`;
    const backupDir = path.resolve(opts.backupDir ?? path.join(opts.dockerRoot, "volumes", volume, "_data"));
    const connection = connectionFrom(opts);
    const log = (line: string) => io.stderr(`drill:restore: ${line}\n`);
    log(
      `stack ${opts.stack}: backup ${opts.backup} from ${backupDir}; restore target ${connection ? `${connection.host}:${connection.port}` : "local scratch server"}`,
    );
    const findings = await runDrill({
      stack: opts.stack,
      backupDir,
      backup: opts.backup,
      keyMaterial,
      connection,
      pgBinDir: opts.pgBin,
      targets: { rtoMinutes: config.dr.rtoMinutes, rpoMinutes: config.dr.rpoMinutes },
      projectDir: opts.configRestore ? projectDir : undefined,
      log,
      signal: controller.signal,
    });
    const provenance = collectProvenance({
      projectDir,
      inputs: [
        { role: "stack file", file: stackFilePath(opts.stack, projectDir) },
        ...(opts.outputs ? [{ role: "outputs" as const, file: path.resolve(opts.outputs) }] : []),
      ],
    });
    const report: DrillRunReport = { ...findings, provenance };
    const json = JSON.stringify(report, null, 2) + "\n";
    io.stdout(json);
    if (opts.out) log(`wrote ${writeOutFiles(opts.out, { [DRILL_REPORT_FILE]: json }).join(", ")}`);
    for (const [what, part] of [
      ["database", report.database],
      ["configuration", report.configuration],
    ] as const) {
      if (part && part.status === "error") log(`${what}: ${part.message}`);
    }
    if (report.database.status !== "error") {
      const d = report.database;
      log(`database: ${d.status}; ${d.tables} tables, ${d.rowsRestored}/${d.rowsExpected} rows; RTO ${d.rtoSeconds} s, RPO ${d.rpoSeconds} s`);
    }
    return report.status === "pass" ? 0 : report.status === "fail" ? 1 : 2;
  } catch (err) {
    if (
      err instanceof ConfigError ||
      err instanceof UsageError ||
      err instanceof OutError ||
      /^(no stack file|invalid stack name|Pulumi\.)/.test((err as Error).message)
    ) {
      io.stderr(`drill:restore: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err) => {
      process.stderr.write(`drill:restore: ${(err as Error).stack ?? err}\n`);
      process.exitCode = 2;
    },
  );
}
