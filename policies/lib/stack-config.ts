/**
 * The stack's `mcp:*` configuration as the engine gives it to a policy pack process: the
 * PULUMI_CONFIG environment variable (a JSON map of "ns:key" -> string, structured values
 * JSON-encoded). Rules use it only where the checklist rule depends on what the stack
 * asked for (e.g. the edge bind address); policy config knobs take precedence.
 */
import { decodeConfigValue } from "../../infra/config/load";

let cache: { raw: string | undefined; value: Record<string, unknown> } | undefined;

/** `mcp:*` keys without the namespace. Empty when the pack runs without stack config. */
export function stackConfig(): Record<string, unknown> {
  const raw = process.env.PULUMI_CONFIG;
  if (cache && cache.raw === raw) return cache.value;
  const value: Record<string, unknown> = {};
  if (raw) {
    try {
      const all = JSON.parse(raw) as Record<string, unknown>;
      for (const [k, v] of Object.entries(all)) {
        const [ns, ...rest] = k.split(":");
        if (ns === "mcp" && rest.length) value[rest.join(":")] = typeof v === "string" ? decodeConfigValue(v) : v;
      }
    } catch {
      // Unreadable config is treated as absent: rules then fall back to their own defaults.
    }
  }
  cache = { raw, value };
  return value;
}

export function stackEnvironment(): string | undefined {
  const e = stackConfig().environment;
  return typeof e === "string" ? e : undefined;
}

/** mcp:domain: the host clients reach the stack at. */
export function stackDomain(): string | undefined {
  const d = stackConfig().domain;
  return typeof d === "string" ? d : undefined;
}
