/**
 * The edge (Nginx) container's effective nginx.conf: read from its uploads (the file named
 * by `-c` on its command line, else /etc/nginx/nginx.conf), includes spliced in, parsed.
 * Plus which container ports the stack publishes as HTTP and HTTPS.
 */
import type { ResourceView, RuleContext } from "./define";
import { commandOf, containersOf, displayName } from "./docker";
import { FileLookup, readUpload, uploadsMatching } from "./container-files";
import { Directive, NginxParseError, parseNginx as parseNginxUncached } from "./nginx";
import { memoByText } from "./memo";

const parseNginx = memoByText(parseNginxUncached);
import { stackConfig } from "./stack-config";
import { asArray, get, isUnknown } from "./values";

export const DEFAULT_NGINX_CONF = "/etc/nginx/nginx.conf";

export interface EdgeConf {
  container: ResourceView;
  path: string;
  conf: Directive[];
  /** Container ports published as the configured HTTP / HTTPS host ports. */
  httpPort: number | undefined;
  httpsPort: number | undefined;
}

function splice(r: ResourceView, ds: Directive[], baseDir: string, depth: number): Directive[] {
  const out: Directive[] = [];
  for (const d of ds) {
    if (d.name === "include" && d.args[0] && depth < 8) {
      // Includes that match no upload come from the image (mime.types and the like).
      for (const u of uploadsMatching(r, d.args[0], baseDir) ?? []) if (u.content) out.push(...splice(r, parseNginx(u.content), baseDir, depth + 1));
      continue;
    }
    out.push(d.block ? { ...d, block: splice(r, d.block, baseDir, depth) } : d);
  }
  return out;
}

/** Reads the edge config or reports why it cannot (undecidable / violation) and returns undefined. */
export function loadEdgeConf(r: ResourceView, ctx: RuleContext<unknown>, configPath: string): EdgeConf | undefined {
  const cmd = commandOf(r.props);
  if (!cmd.known) {
    ctx.undecidable("command (nginx -c)");
    return undefined;
  }
  const i = cmd.value.indexOf("-c");
  const path = configPath || (i >= 0 ? cmd.value[i + 1] : undefined) || DEFAULT_NGINX_CONF;
  const file: FileLookup = readUpload(r, path);
  if (file.status === "unknown") {
    ctx.undecidable(file.what);
    return undefined;
  }
  if (file.status === "missing") {
    ctx.violation(`container ${displayName(r)}: ${path} is not declared in the stack (uploads), so the edge configuration cannot be checked`);
    return undefined;
  }
  let conf: Directive[];
  try {
    conf = splice(r, parseNginx(file.content), path.replace(/\/[^/]*$/, ""), 0);
  } catch (e) {
    if (!(e instanceof NginxParseError)) throw e;
    ctx.violation(`container ${displayName(r)}: ${path} does not parse: ${e.message}`);
    return undefined;
  }
  const edge = (stackConfig().edge ?? {}) as { httpPort?: number; httpsPort?: number };
  const ports = asArray(get(r.props, "ports"));
  const internalFor = (external: number) => {
    if (!ports.known) return undefined;
    const p = ports.value.find((x) => !isUnknown(x) && Number(get(x, "external") ?? get(x, "internal")) === external);
    return p ? Number(get(p, "internal")) : undefined;
  };
  return { container: r, path, conf, httpPort: internalFor(edge.httpPort ?? 80), httpsPort: internalFor(edge.httpsPort ?? 443) };
}

export function edgeContainers(resources: readonly ResourceView[], service: string): ResourceView[] {
  return containersOf(resources, service);
}
