/**
 * Where a SARIF rule's help lives: the policy's own file, `policies/rules/<policy>.ts` (its
 * description, checklist IDs, remediation and check, side by side; tests/preflight/sarif.test.ts
 * holds every policy to having one). SARIF wants an absolute URI, so the file is linked
 * in the repository at the analysed commit when GitHub Actions says which (its default
 * GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA variables), else on this machine.
 * Either way the project directory is taken as the repository root.
 */
import * as path from "path";
import { pathToFileURL } from "url";

export const ruleFile = (policy: string): string => `policies/rules/${policy}.ts`;

/** The absolute URI that rule file paths are appended to, ending in `/`. */
export function helpUriBase(env: Readonly<Record<string, string | undefined>>, projectDir: string): string {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_SHA: sha } = env;
  if (server && repo && sha) return `${server.replace(/\/+$/, "")}/${repo}/blob/${sha}/`;
  return pathToFileURL(path.resolve(projectDir) + path.sep).href;
}

export function ruleHelpUri(base: string, policy: string): string {
  return new URL(ruleFile(policy), base).href;
}
