/**
 * What the SARIF format needs besides the report, read from the project: where the program
 * constructed each resource, the stack file's and the policy config's lines, and the base
 * of the rule help URIs (format/help-uri.ts).
 */
import * as fs from "fs";
import * as path from "path";
import type { CollectedResource } from "./collect";
import { helpUriBase } from "./format/help-uri";
import type { SarifContext } from "./format/sarif";
import { policyConfigLines, relativeToProject, resourceRegions, SarifLocations, stackFileName, stackFileRegion } from "./format/sarif-locations";

export interface SarifContextOptions {
  projectDir: string;
  stack: string;
  resources: readonly CollectedResource[];
  /** The policy config file the run used, if any. */
  policyConfigFile?: string;
  /** Policies whose lines in the policy config are looked up. */
  policies: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

export function sarifContext(opts: SarifContextOptions): SarifContext {
  const readText = (file: string) => {
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return "";
    }
  };
  const locations: SarifLocations = {
    resources: resourceRegions(opts.resources, opts.projectDir),
    stackFile: stackFileRegion(opts.stack, readText(path.join(opts.projectDir, stackFileName(opts.stack)))),
  };
  // A policy config outside the project cannot be a code scanning location: its findings fall back to the stack file.
  const configUri = opts.policyConfigFile ? relativeToProject(opts.policyConfigFile, opts.projectDir) : undefined;
  if (opts.policyConfigFile && configUri) locations.policyConfig = { uri: configUri, lines: policyConfigLines(readText(opts.policyConfigFile), opts.policies) };
  return { locations, helpUriBase: helpUriBase(opts.env ?? process.env, opts.projectDir) };
}
