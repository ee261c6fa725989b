/** The running Pulumi program's `mcp:*` config (real engine or mock runtime), validated. */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, decodeConfigValue, parseStackConfig, StackConfig } from "./load";

export function readPulumiConfig(): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    const [ns, ...rest] = fullKey.split(":");
    if (ns !== CONFIG_NAMESPACE) continue;
    raw[rest.join(":")] = decodeConfigValue(value);
  }
  return raw;
}

export function loadStackConfig(): StackConfig {
  return parseStackConfig(readPulumiConfig(), pulumi.getStack());
}
