/**
 * Loads the stack outputs (infra/outputs-types.ts StackOutputs) for the checks: from
 * `pulumi stack output --json --show-secrets` when the Pulumi CLI is installed, or from a
 * file saved with that command. The shape is validated with zod and every problem is
 * named by its key; secret values are never echoed.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { z } from "zod";
import type { StackOutputs } from "../infra/outputs-types";
import { SERVICE_NAMES } from "../infra/config/schema";
import { MCP_PROTOCOL_VERSIONS, MCP_TOOL_CALL_TIMEOUT_DEFAULT_SECONDS } from "../checklist/thresholds";

const str = z.string().min(1);
const path = z.string().regex(/^\//, "must be an absolute path");
const url = z.url({ protocol: /^https?$/ });
const hostPort = z.object({ host: str, port: z.number().int().min(1).max(65535) });
const mountedFile = z.object({
  path,
  uid: z.string().regex(/^\d+$/, "must be a numeric uid"),
  gid: z.string().regex(/^\d+$/, "must be a numeric gid"),
  mode: z.string().regex(/^0?[0-7]{3}$/, "must be an octal mode like 0400"),
});

export const stackOutputsSchema = z.object({
  stack: str,
  environment: z.enum(["prod", "staging", "dev"]),
  domain: str,
  publicUrl: url,
  mcpUrl: url,
  healthUrl: url,
  grafanaUrl: url,
  resourcePrefix: str,
  networks: z.object({ edge: str, internal: str, egress: str }),
  services: z.array(
    z.object({
      service: z.enum(SERVICE_NAMES),
      name: str,
      host: str,
      image: str,
      replicas: z.number().int().min(0),
      stateful: z.boolean(),
      networks: z.array(str),
      publishedPorts: z.array(z.string()),
      user: str,
      readOnlyRootfs: z.boolean(),
      memoryMb: z.number(),
      cpus: z.string(),
      logOpts: z.record(z.string(), z.string()),
      capAdd: z.array(z.string()).optional(),
      healthcheck: z.boolean(),
      secretFiles: z.array(mountedFile),
      configFiles: z.array(mountedFile),
    }),
  ),
  internalEndpoints: z.object({
    postgres: hostPort.extend({ database: str, user: str, backupUser: str }),
    redis: hostPort,
    prometheus: url,
    alertmanager: url,
    grafana: url,
    app: hostPort.extend({ tasksHost: str, replicas: z.number().int().min(1, "needs at least one app replica") }),
  }),
  appContract: z.object({
    healthPath: path,
    authPath: path,
    listServersPath: path,
    createServerPath: path,
    metricsPath: path,
    mcpPath: path,
    staticPath: path,
    probeTool: str,
    probeToolArguments: z.record(z.string(), z.unknown()),
    jwtIssuer: str,
    jwtAudience: str,
    // Outputs of a stack deployed before these keys existed hold the schema's defaults.
    resourceMetadataPath: path.default("/.well-known/oauth-protected-resource/mcp"),
    protocolVersions: z
      .array(str)
      .min(1)
      .default([...MCP_PROTOCOL_VERSIONS]),
    toolCallTimeoutSeconds: z.number().int().min(1).default(MCP_TOOL_CALL_TIMEOUT_DEFAULT_SECONDS),
    ceilingProbe: z.object({ tool: str, arguments: z.record(z.string(), z.unknown()) }).optional(),
    migrationsTable: str,
    minMigrations: z.number().int().min(0),
  }),
  mcpJson: z.object({
    mcpServers: z.record(z.string(), z.object({ type: z.literal("http"), url: str, headers: z.record(z.string(), z.string()).optional() })),
  }),
  claudeMcpAddCommand: z.string(),
  secretFingerprints: z.record(z.string(), z.string()),
  internalCaCert: z.string().regex(/-----BEGIN CERTIFICATE-----/, "must be a PEM certificate"),
  tls: z.object({ mode: z.enum(["self-signed", "provided"]), minDaysValid: z.number().int().min(0) }),
  backup: z.object({ interval: str, keepLast: z.number().int(), maxAgeDays: z.number().int(), offsiteEnabled: z.boolean(), volume: str }),
  dr: z.object({ rtoMinutes: z.number(), rpoMinutes: z.number(), drillIntervalDays: z.number() }),
  rateLimit: z.object({ requestsPerSecond: z.number().int().min(1), burst: z.number().int().min(0) }),
  checklistVersion: z.string(),
  secrets: z.object({
    postgresPassword: str,
    postgresBackupPassword: str,
    redisPassword: str,
    grafanaAdminUser: str,
    grafanaAdminPassword: str,
    jwtSigningKey: str,
    backupEncryptionKey: str,
  }),
});

// Compile-time: the schema's output is a StackOutputs.
const _shapeMatches: (o: z.output<typeof stackOutputsSchema>) => StackOutputs = (o) => o;
void _shapeMatches;

/** What `pulumi stack output` prints in place of a secret without --show-secrets. */
const MASKED = "[secret]";

export class OutputsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutputsError";
  }
}

/** Validates parsed JSON; throws OutputsError listing every bad key (values of secrets are never shown). */
export function parseStackOutputs(raw: unknown, source: string): StackOutputs {
  const masked = raw && typeof raw === "object" && (raw as { secrets?: unknown }).secrets;
  if (masked === MASKED || (masked && typeof masked === "object" && Object.values(masked).includes(MASKED))) {
    throw new OutputsError(`${source}: secrets are masked ("[secret]"): save the outputs with \`pulumi stack output --json --show-secrets\``);
  }
  const r = stackOutputsSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const key = i.path.map(String).join(".") || "(root)";
    // zod messages for strings can quote the received value; secrets must not appear.
    const message = key.startsWith("secrets.") ? i.message.replace(/"[^"]*"/g, "<secret>") : i.message;
    return `  - ${key}: ${message}`;
  });
  throw new OutputsError(`${source} is not a valid stack output (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.join("\n")}`);
}

/** `stack`: the stack the caller was asked for; a file of another stack is refused before its shape is judged. */
export function loadOutputsFile(file: string, stack?: string): StackOutputs {
  if (!existsSync(file)) throw new OutputsError(`outputs file ${file} does not exist (save it with: pulumi stack output --json --show-secrets > ${file})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new OutputsError(`outputs file ${file} is not JSON: ${(e as Error).message}`);
  }
  // Checks of one stack against another's endpoints and secrets would pass or fail for the wrong reasons.
  const found = raw && typeof raw === "object" ? (raw as { stack?: unknown }).stack : undefined;
  if (stack !== undefined && typeof found === "string" && found !== stack)
    throw new OutputsError(
      `outputs file ${file} is for stack "${found}", not --stack ${stack}: pass the outputs of ${stack} (pulumi stack output --stack ${stack} --json --show-secrets)`,
    );
  return parseStackOutputs(raw, file);
}

export function findPulumiCli(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, "pulumi"))) return join(dir, "pulumi");
  }
  return undefined;
}

export async function loadOutputsFromPulumi(stack: string, cwd: string, cli = findPulumiCli()): Promise<StackOutputs> {
  if (!cli) throw new OutputsError("the Pulumi CLI is not installed here: pass --outputs FILE (saved with `pulumi stack output --json --show-secrets`)");
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(cli, ["stack", "output", "--json", "--show-secrets", "--stack", stack], { cwd, timeout: 60_000, maxBuffer: 16 << 20 }, (err, out, errOut) => {
      // stderr can hold the CLI's own messages, never the outputs; stdout is not echoed.
      if (err) reject(new OutputsError(`pulumi stack output --stack ${stack} failed: ${String(errOut).trim() || err.message}`));
      else resolve(out);
    });
  });
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new OutputsError(`pulumi stack output --stack ${stack} did not print JSON`);
  }
  return parseStackOutputs(raw, `outputs of stack ${stack}`);
}

/** `--outputs FILE` when given, else the Pulumi CLI. */
export async function loadStackOutputs(options: { stack: string; file?: string; cwd?: string }): Promise<StackOutputs> {
  if (options.file) return loadOutputsFile(options.file, options.stack);
  return loadOutputsFromPulumi(options.stack, options.cwd ?? process.cwd());
}
