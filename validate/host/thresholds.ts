/**
 * Host readiness thresholds (stack config `mcp:host`, overridable on the command line) and
 * the pure comparisons the host checks make. Sizes are decimal gigabytes (10^9 bytes): a
 * machine sold as "4 GB" reports slightly less than 4 GiB of MemTotal because the kernel
 * reserves some, and it should still pass a 4 GB minimum.
 */
import type { StackConfig } from "../../infra/config/load";

export const GB = 1e9;

export interface HostThresholds {
  minMemoryGb: number;
  minDiskGb: number;
  /** "20.10" or "20.10.7". */
  minDockerVersion: string;
  /** Registry base URLs whose /v2/ endpoint must answer. */
  registries: string[];
}

export function thresholdsFromConfig(host: StackConfig["host"], overrides: Partial<HostThresholds> = {}): HostThresholds {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<HostThresholds>;
  return { minMemoryGb: host.minMemoryGb, minDiskGb: host.minDiskGb, minDockerVersion: host.minDockerVersion, registries: [...host.registries], ...defined };
}

/** Leading numeric release of an engine version: "20.10.24+dfsg1" -> [20, 10, 24]; null when there is none. */
export function parseVersion(version: string): number[] | null {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(version.trim());
  return m ? m[1].split(".").map(Number) : null;
}

/** <0, 0, >0 like a sort comparator; missing parts count as 0 (20.10 == 20.10.0). */
export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function formatGb(bytes: number): string {
  return `${(bytes / GB).toFixed(1)} GB`;
}

/** Validation for command-line overrides; messages name the flag and the value. */
export function parseGbFlag(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number of GB, got "${value}"`);
  return n;
}

export function parseVersionFlag(flag: string, value: string): string {
  if (!/^\d+\.\d+(\.\d+)?$/.test(value)) throw new Error(`${flag} must be a version like 20.10 or 20.10.7, got "${value}"`);
  return value;
}

export function parseRegistryFlag(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${flag} must be a registry URL like https://ghcr.io, got "${value}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${flag} must be an http(s) URL, got "${value}"`);
  return value;
}
