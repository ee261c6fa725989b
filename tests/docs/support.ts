/**
 * What the documentation tests compare the documents with: this repository's npm scripts,
 * the prod stack's service, volume, network and secret names and ports (built from the
 * program's own pure specs), and a small Markdown reader (links, headings, tables).
 */
import * as fs from "fs";
import * as path from "path";
import { stackSpecs } from "../../infra/components";
import { loadStackFileConfig, type StackConfig } from "../../infra/config";
import { GENERATED_SECRETS } from "../../infra/secrets";
import { HOSTS, PORTS, resourcePrefix } from "../../infra/topology";
import type { ServiceSpec } from "../../infra/spec";

export const ROOT = path.resolve(__dirname, "../..");
export const DOCS_DIR = path.join(ROOT, "docs");

export const readDoc = (rel: string): string => fs.readFileSync(path.join(ROOT, rel), "utf8");

/** Every Markdown file under docs/, repository-relative. */
export function docFiles(dir = DOCS_DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return docFiles(abs);
    return e.name.endsWith(".md") ? [path.relative(ROOT, abs).split(path.sep).join("/")] : [];
  });
}

export function npmScripts(): Set<string> {
  return new Set(Object.keys((JSON.parse(readDoc("package.json")) as { scripts: Record<string, string> }).scripts));
}

/** Stack files committed in the repository: Pulumi.<stack>.yaml. */
export function stackNames(): string[] {
  return fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

export interface StackFacts {
  stack: string;
  config: StackConfig;
  specs: ServiceSpec[];
  prefix: string;
  /** Docker names of services, volumes, networks and generated-secret resources. */
  resourceNames: Set<string>;
  /** DNS name on the Docker networks -> ports it listens on. */
  hostPorts: Map<string, Set<number>>;
}

export function stackFacts(stack: string): StackFacts {
  const config = loadStackFileConfig(stack, ROOT);
  const prefix = resourcePrefix(stack);
  const specs = stackSpecs(config, { stack, prefix });
  const names = new Set<string>();
  for (const s of specs) {
    names.add(`${prefix}-${s.name}`);
    for (const v of s.volumes) names.add(`${prefix}-${v.volume}`);
  }
  for (const n of ["edge", "internal", "egress"]) names.add(`${prefix}-${n}`);
  for (const g of GENERATED_SECRETS) names.add(`${prefix}-${g.name}`);
  const hostPorts = new Map<string, Set<number>>();
  const add = (host: string, ...ports: number[]) => hostPorts.set(host, new Set([...(hostPorts.get(host) ?? []), ...ports]));
  add(HOSTS.postgres, PORTS.postgres);
  add(HOSTS.redis, PORTS.redis);
  add(HOSTS.nginx, PORTS.nginxHttp, PORTS.nginxHttps, PORTS.nginxStatus);
  add(HOSTS.prometheus, PORTS.prometheus);
  add(HOSTS.alertmanager, PORTS.alertmanager);
  add(HOSTS.grafana, PORTS.grafana);
  add(HOSTS.postgresExporter, PORTS.postgresExporter);
  add(HOSTS.redisExporter, PORTS.redisExporter);
  add(HOSTS.nginxExporter, PORTS.nginxExporter);
  add(HOSTS.nodeExporter, PORTS.nodeExporter);
  add(HOSTS.blackboxExporter, PORTS.blackboxExporter);
  add(HOSTS.app, config.app.port);
  return { stack, config, specs, prefix, resourceNames: names, hostPorts };
}

/** `npm run <script>` occurrences. */
export const npmRunScripts = (text: string): string[] => [...text.matchAll(/\bnpm run (?:-s )?([A-Za-z][\w:-]*)/g)].map((m) => m[1]);

/**
 * Docker resource names of the stack (`mcp-prod-…`). A placeholder written as `mcp-prod-<service>`
 * is not a name. The stack has no numbered containers (`mcp-prod-app-0`, `mcp-prod-app-N`): a
 * service's tasks are named by the swarm, so those are reported like any other unknown name.
 */
export const resourceNamesIn = (text: string, prefix: string): string[] =>
  [...text.matchAll(new RegExp(`(?<![\\w/-])${prefix}-[A-Za-z0-9-]*[A-Za-z0-9]`, "g"))].map((m) => m[0]);

/**
 * Container commands (`docker exec|logs|stop|start|restart|kill|rm|inspect|stats|top|cp`) given a
 * swarm service's name as their container: a service's tasks run in containers the swarm names
 * `<service>.<slot>.<task id>`, so such a command finds nothing. Names inside `$(…)` (a lookup by
 * label) or after `=` (a filter) are not the container argument.
 */
export function containerCommandsOnServices(text: string, services: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bdocker (?:container )?(exec|logs|stop|start|restart|kill|rm|inspect|stats|top|cp)\b([^|;&`\n]*)/g)) {
    let args = m[2];
    // Drop command substitutions, innermost first.
    for (let prev = ""; prev !== args; ) [prev, args] = [args, args.replace(/\$\([^()]*\)/g, " ")];
    const named = args
      .split(/\s+/)
      .map((t) => t.replace(/^["']|["']$/g, "").replace(/:.*$/, ""))
      .filter((t) => services.has(t));
    if (named.length) out.push(`docker ${m[1]} ${named.join(" ")}`);
  }
  return out;
}

/** `host:port` pairs whose host is a DNS name of the stack. */
export function hostPortsIn(text: string, hosts: readonly string[]): { host: string; port: number }[] {
  const alt = [...hosts].sort((a, b) => b.length - a.length).map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  // Not part of a longer name or an image reference (prom/prometheus:…), but a URL's host (//postgres:5432) counts.
  return [...text.matchAll(new RegExp(`(?<![\\w.-])(?<![^/]/)(${alt}):(\\d{2,5})(?![\\d.])`, "g"))].map((m) => ({ host: m[1], port: Number(m[2]) }));
}

export interface MdLink {
  text: string;
  target: string;
  line: number;
}

/** Inline links outside code blocks and code spans. */
export function markdownLinks(text: string): MdLink[] {
  const out: MdLink[] = [];
  let fenced = false;
  text.split("\n").forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return;
    const plain = line.replace(/`[^`]*`/g, "");
    for (const m of plain.matchAll(/\[([^\]]*)\]\(([^)\s]+)\)/g)) out.push({ text: m[1], target: m[2], line: i + 1 });
  });
  return out;
}

/** GitHub's heading anchors. */
export function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const h = !fenced && /^#{1,6}\s+(.+?)\s*$/.exec(line);
    if (!h) continue;
    slugs.add(
      h[1]
        .toLowerCase()
        .replace(/<[^>]+>/g, "")
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-"),
    );
  }
  return slugs;
}

/** The body of the `## heading` section (up to the next heading of the same or higher level). */
export function section(text: string, heading: RegExp): string | undefined {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => heading.test(l));
  if (start < 0) return undefined;
  const level = /^(#+)/.exec(lines[start])![1].length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}}\\s`).test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** Rows of the first Markdown table in `text`, as cell arrays (header row first). */
export function tableRows(text: string): string[][] {
  const rows = text
    .split("\n")
    .filter((l) => /^\|.*\|\s*$/.test(l))
    .map((l) =>
      l
        .trim()
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  return rows.filter((r) => !r.every((c) => /^:?-+:?$/.test(c)));
}

/** The first ```mermaid block. */
export function mermaidBlock(text: string): string | undefined {
  return /```mermaid\n([\s\S]*?)```/.exec(text)?.[1];
}

/** Mermaid subgraphs: id, title, and the node ids declared inside. */
export function mermaidSubgraphs(block: string): { id: string; title: string; nodes: string[] }[] {
  const out: { id: string; title: string; nodes: string[] }[] = [];
  let current: { id: string; title: string; nodes: string[] } | undefined;
  for (const raw of block.split("\n")) {
    const line = raw.trim();
    const sg = /^subgraph\s+(\w+)\s*\["([^"]*)"\]/.exec(line);
    if (sg) {
      current = { id: sg[1], title: sg[2], nodes: [] };
      out.push(current);
      continue;
    }
    if (line === "end") {
      current = undefined;
      continue;
    }
    const node = /^(\w+)\s*[[(]/.exec(line);
    if (current && node) current.nodes.push(node[1]);
  }
  return out;
}
