/**
 * The files and lines SARIF results point at. Code scanning drops a result without a
 * physical location, so every finding gets one: the program line that constructs the
 * resource (the SDK's source position), else the stack file `Pulumi.<stack>.yaml` (the
 * stack's own findings, resources the SDK gave no position, a stack-level violation), and
 * for a policy disabled by the policy config, the line of that config that names it.
 * Paths are relative to the project directory, as code scanning wants them.
 */
import * as path from "path";
import { fileURLToPath } from "url";
import type { SourcePosition } from "../collect";

export interface SarifRegion {
  /** Relative to the project directory, `/`-separated. */
  uri: string;
  startLine: number;
  startColumn?: number;
}

export interface SarifLocations {
  /** Where the program constructs each resource, by URN. */
  resources: Readonly<Record<string, SarifRegion>>;
  stackFile: SarifRegion;
  /** The policy config file used, with the line naming each policy it configures. */
  policyConfig?: { uri: string; lines: Readonly<Record<string, number>> };
}

export const stackFileName = (stack: string): string => `Pulumi.${stack}.yaml`;

/** Positions inside the project only: one in node_modules (the SDK's own Stack resource) or elsewhere says nothing about this program. */
export function resourceRegions(resources: readonly { urn: string; source?: SourcePosition }[], projectDir: string): Record<string, SarifRegion> {
  const out: Record<string, SarifRegion> = {};
  for (const r of resources) {
    const rel = r.source ? projectRelative(r.source.uri, projectDir) : undefined;
    if (rel) out[r.urn] = { uri: rel, startLine: r.source!.line, ...(r.source!.column > 0 ? { startColumn: r.source!.column } : {}) };
  }
  return out;
}

function projectRelative(uri: string, projectDir: string): string | undefined {
  let file: string;
  try {
    file = fileURLToPath(uri);
  } catch {
    return undefined;
  }
  const rel = relativeToProject(file, projectDir);
  return rel && !rel.split("/").includes("node_modules") ? rel : undefined;
}

/** `file` relative to the project directory (`/`-separated); undefined when it lies outside. */
export function relativeToProject(file: string, projectDir: string): string | undefined {
  const rel = path.relative(path.resolve(projectDir), path.resolve(file));
  return !rel || rel.split(path.sep)[0] === ".." || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join("/");
}

/** The stack file at its `config:` line, where the stack's settings start (line 1 when it has none). */
export function stackFileRegion(stack: string, text = ""): SarifRegion {
  const at = text.split(/\r?\n/).findIndex((l) => /^config:\s*$/.test(l));
  return { uri: stackFileName(stack), startLine: at < 0 ? 1 : at + 1 };
}

/** Line of each top-level key of a policy config file (JSON: `"name": {`), for the policies it names. */
export function policyConfigLines(text: string, policies: readonly string[]): Record<string, number> {
  const lines = text.split(/\r?\n/);
  const out: Record<string, number> = {};
  for (const p of policies) {
    const at = lines.findIndex((l) => l.includes(`${JSON.stringify(p)}:`) || l.includes(`${JSON.stringify(p)} :`));
    if (at >= 0) out[p] = at + 1;
  }
  return out;
}
