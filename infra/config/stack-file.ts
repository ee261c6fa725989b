/**
 * Reads Pulumi.<stack>.yaml without the Pulumi CLI, the way the engine hands config to a
 * program: a flat map of "namespace:key" -> string (structured values JSON-encoded) plus
 * the list of secret keys. `secure:` values cannot be decrypted offline; they become
 * ENCRYPTED_CONFIG_VALUE (present, content unknown).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { CONFIG_NAMESPACE, decodeConfigValue, ENCRYPTED_CONFIG_VALUE, parseStackConfig, StackConfig } from "./load";

export interface StackFile {
  stack: string;
  file: string;
  /** Engine-style config: "mcp:domain" -> "mcp.example.com", objects as JSON strings. */
  engineConfig: Record<string, string>;
  /** Keys whose value is (or contains) a secure value. */
  secretKeys: string[];
}

function isSecure(v: unknown): v is { secure: string } {
  return !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { secure?: unknown }).secure === "string";
}

/** Replaces nested `secure:` objects with the marker; reports whether any were found. */
function stripSecure(v: unknown): { value: unknown; secret: boolean } {
  if (isSecure(v)) return { value: ENCRYPTED_CONFIG_VALUE, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(stripSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (v && typeof v === "object") {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = stripSecure(x);
      out[k] = r.value;
      secret ||= r.secret;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

export function stackFilePath(stack: string, projectDir = process.cwd()): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

export function readStackFile(stack: string, projectDir = process.cwd()): StackFile {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new Error(`invalid stack name "${stack}"`);
  const file = stackFilePath(stack, projectDir);
  if (!fs.existsSync(file)) {
    const known = fs
      .readdirSync(projectDir)
      .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
      .map((f) => f.slice(7, -5));
    throw new Error(`no stack file ${path.basename(file)} in ${projectDir} (stacks here: ${known.join(", ") || "none"})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${path.basename(file)} is not valid YAML: ${(e as Error).message}`, { cause: e });
  }
  const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const engineConfig: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(config)) {
    const { value, secret } = stripSecure(raw);
    engineConfig[key] = typeof value === "string" ? value : JSON.stringify(value);
    if (secret) secretKeys.push(key);
  }
  return { stack, file, engineConfig, secretKeys };
}

/** The `mcp:*` keys of a stack file as the raw object parseStackConfig takes. */
export function rawConfigFromStackFile(sf: StackFile): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  for (const [k, v] of Object.entries(sf.engineConfig)) if (k.startsWith(prefix)) raw[k.slice(prefix.length)] = decodeConfigValue(v);
  return raw;
}

/** Validated config of a stack file (throws ConfigError listing every bad key). */
export function loadStackFileConfig(stack: string, projectDir = process.cwd()): StackConfig {
  const sf = readStackFile(stack, projectDir);
  return parseStackConfig(rawConfigFromStackFile(sf), stack, { secretKeys: sf.secretKeys });
}
