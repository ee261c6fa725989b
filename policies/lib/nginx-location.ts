/**
 * Which server of an nginx.conf answers a host on a TLS port (by server_name, else the port's
 * default server), which of its `location`s serves a request URI, by nginx's own rules (an exact
 * `=` match wins at once; else the longest prefix, whose nested locations are searched first;
 * a `^~` prefix stops there; else the first regex, `~` or `~*`, in file order; else the longest
 * prefix), and the directives in effect there. A directive set at a level replaces, never
 * extends, what the level above sets: so what applies is the innermost level that has it.
 */
import { children, first, type Directive, type ServerView } from "./nginx";

const namesHost = (name: string, host: string) => name === host || (name.startsWith("*.") && host.endsWith(name.slice(1)));

/**
 * The TLS servers that answer `https://<host>` on `port` (every TLS port when undefined): those
 * whose server_name is the host (exactly, or a leading `*.` wildcard), else the port's
 * default_server, else its first TLS server, the way nginx picks one for a Host header.
 */
export function tlsServersFor(all: readonly ServerView[], host: string | undefined, port: number | undefined): ServerView[] {
  const tls = all.filter((s) => s.listens.some((l) => l.ssl && (port === undefined || l.port === port)));
  const named = host ? tls.filter((s) => (first(s.server.block, "server_name")?.args ?? []).some((n) => namesHost(n, host))) : [];
  if (named.length) return named;
  const byDefault = tls.filter((s) => s.listens.some((l) => l.raw.includes("default_server") || l.raw.includes("default")));
  return byDefault.length ? byDefault : tls.slice(0, 1);
}

type Modifier = "=" | "^~" | "~" | "~*" | "" | "@";

function locationArgs(d: Directive): { modifier: Modifier; pattern: string } {
  const [a = "", b] = d.args;
  if (b !== undefined && ["=", "^~", "~", "~*"].includes(a)) return { modifier: a as Modifier, pattern: b };
  // nginx also reads the modifier glued to the pattern ("=/mcp", "~*\.php$").
  const glued = /^(=|\^~|~\*|~)(.+)$/.exec(a);
  if (glued) return { modifier: glued[1] as Modifier, pattern: glued[2] };
  return { modifier: a.startsWith("@") ? "@" : "", pattern: a };
}

function regexMatches(modifier: Modifier, pattern: string, uri: string): boolean {
  try {
    return new RegExp(pattern, modifier === "~*" ? "i" : "").test(uri);
  } catch {
    // A PCRE construct JavaScript does not read: nginx may match it, this reader cannot tell.
    return false;
  }
}

interface Found {
  /** Outermost first. */
  chain: Directive[];
  /** An exact or regex match: the levels above look no further. */
  final: boolean;
}

function find(block: readonly Directive[] | undefined, uri: string, depth: number): Found {
  const locs = children(block, "location");
  let best: Directive | undefined;
  let bestLength = -1;
  for (const l of locs) {
    const { modifier, pattern } = locationArgs(l);
    if (modifier === "=" && pattern === uri) return { chain: [l], final: true };
    if ((modifier === "" || modifier === "^~") && uri.startsWith(pattern) && pattern.length > bestLength) {
      best = l;
      bestLength = pattern.length;
    }
  }
  let chain: Directive[] = best ? [best] : [];
  if (best && depth < 8) {
    const nested = find(best.block, uri, depth + 1);
    if (nested.final) return { chain: [best, ...nested.chain], final: true };
    chain = [best, ...nested.chain];
  }
  // `^~` on this level's longest prefix skips this level's regexes only (ngx_http_core_find_location).
  if (best && locationArgs(best).modifier === "^~") return { chain, final: false };
  for (const l of locs) {
    const { modifier, pattern } = locationArgs(l);
    if ((modifier === "~" || modifier === "~*") && regexMatches(modifier, pattern, uri)) return { chain: [l], final: true };
  }
  return { chain, final: false };
}

export interface LocationMatch {
  /** The location that serves the URI; undefined: none does (nginx answers from the server's root). */
  location: Directive | undefined;
  /** The levels whose directives apply, innermost first: the location(s), the server, the http block. */
  levels: (readonly Directive[])[];
}

export function locationFor(view: ServerView, uri: string): LocationMatch {
  const innermostFirst = [...find(view.server.block, uri, 0).chain].reverse();
  return { location: innermostFirst[0], levels: [...innermostFirst.map((l) => l.block ?? []), view.server.block ?? [], view.http.block ?? []] };
}

/** The directives `name` in effect at a match: the innermost level's that has any. */
export function effective(match: LocationMatch, name: string): Directive[] {
  for (const level of match.levels) {
    const own = children(level, name);
    if (own.length) return own;
  }
  return [];
}

/** The first argument of the one-value directive `name` in effect, or nginx's default when no level sets it. */
export function effectiveValue(match: LocationMatch, name: string, nginxDefault: string): string {
  return effective(match, name)[0]?.args[0] ?? nginxDefault;
}

/** The location as written (`location = /mcp`), for messages. */
export const locationLabel = (match: LocationMatch): string => (match.location ? `location ${match.location.args.join(" ")}` : "no location");
