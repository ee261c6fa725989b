/**
 * The edge (Nginx) workload's effective nginx.conf: read from its files (the path named by
 * `-c` on its command line, else /etc/nginx/nginx.conf), includes spliced in, parsed. Plus
 * which of its ports the stack publishes as the configured HTTP and HTTPS host ports.
 */
import type { RuleContext } from "./define";
import { memoByText } from "./memo";
import { Directive, NginxParseError, parseNginx as parseNginxUncached } from "./nginx";
import { stackConfig } from "./stack-config";
import type { Workload } from "./workload";
import { filesMatching, readFile, reportLookup } from "./workload-files";

const parseNginx = memoByText(parseNginxUncached);

export const DEFAULT_NGINX_CONF = "/etc/nginx/nginx.conf";

export interface EdgeConf {
  workload: Workload;
  path: string;
  conf: Directive[];
  /** Container ports published as the configured HTTP / HTTPS host ports. */
  httpPort: number | undefined;
  httpsPort: number | undefined;
}

function splice(w: Workload, ds: Directive[], baseDir: string, depth: number): Directive[] {
  const out: Directive[] = [];
  for (const d of ds) {
    if (d.name === "include" && d.args[0] && depth < 8) {
      // Includes that match no declared file come from the image (mime.types and the like).
      for (const f of filesMatching(w, d.args[0], baseDir) ?? []) if (f.content) out.push(...splice(w, parseNginx(f.content), baseDir, depth + 1));
      continue;
    }
    out.push(d.block ? { ...d, block: splice(w, d.block, baseDir, depth) } : d);
  }
  return out;
}

/** The configured edge ports (mcp:edge), 80 and 443 by default. */
export function edgePorts(): { httpPort: number; httpsPort: number } {
  const edge = (stackConfig().edge ?? {}) as { httpPort?: number; httpsPort?: number };
  return { httpPort: edge.httpPort ?? 80, httpsPort: edge.httpsPort ?? 443 };
}

/** Reads the edge config or reports why it cannot (undecidable / violation) and returns undefined. */
export function loadEdgeConf(w: Workload, ctx: RuleContext<unknown>, configPath: string): EdgeConf | undefined {
  if (!w.command.known) {
    ctx.undecidable(`${w.label} command (nginx -c)`, w.urn);
    return undefined;
  }
  const i = w.command.value.indexOf("-c");
  const path = configPath || (i >= 0 ? w.command.value[i + 1] : undefined) || DEFAULT_NGINX_CONF;
  const file = readFile(w, path);
  if (file.status !== "found") {
    reportLookup(w, ctx, file, "the edge configuration cannot be checked");
    return undefined;
  }
  let conf: Directive[];
  try {
    conf = splice(w, parseNginx(file.content), path.replace(/\/[^/]*$/, ""), 0);
  } catch (e) {
    if (!(e instanceof NginxParseError)) throw e;
    ctx.violation(`${w.label}: ${path} does not parse: ${e.message}`, w.urn);
    return undefined;
  }
  if (!w.ports.known) {
    ctx.undecidable(`${w.label} ports`, w.urn);
    return undefined;
  }
  const ports = w.ports.value;
  const { httpPort, httpsPort } = edgePorts();
  const internalFor = (external: number) => ports.find((p) => p.external === external)?.internal;
  return { workload: w, path, conf, httpPort: internalFor(httpPort), httpsPort: internalFor(httpsPort) };
}
