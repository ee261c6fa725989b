/**
 * The real stack files (Pulumi.prod.yaml / Pulumi.dev.yaml) parsed the way the program
 * parses them, so renderer tests cover the configuration that is actually deployed.
 * `secure:` values cannot be decrypted here and become ENCRYPTED_CONFIG_VALUE.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ENCRYPTED_CONFIG_VALUE, parseStackConfig, StackConfig } from "../../infra/config/load";

export function loadStackFile(stack: "prod" | "dev"): StackConfig {
  const doc = parse(readFileSync(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc.config)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== "mcp") continue;
    const isSecure = value !== null && typeof value === "object" && "secure" in (value as object);
    raw[rest.join(":")] = isSecure ? ENCRYPTED_CONFIG_VALUE : value;
  }
  return parseStackConfig(raw, stack);
}

export const STACKS = ["prod", "dev"] as const;
