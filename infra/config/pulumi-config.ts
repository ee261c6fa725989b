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

/**
 * The keys the engine handed over as secrets (PULUMI_CONFIG_SECRET_KEYS, or what
 * setAllConfig stored under mocks), read through the function pulumi.Config itself uses. It
 * is SDK-internal: if an SDK upgrade drops it, fail here rather than call every secret plain.
 */
export function engineSecretKeys(): string[] {
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  if (typeof isSecret !== "function")
    throw new Error("@pulumi/pulumi no longer has runtime.isConfigSecret: infra/config/pulumi-config.ts needs another way to read the secret keys");
  return Object.keys(pulumi.runtime.allConfig()).filter((k) => isSecret(k));
}

export function loadStackConfig(): StackConfig {
  return parseStackConfig(readPulumiConfig(), pulumi.getStack(), { secretKeys: engineSecretKeys() });
}
