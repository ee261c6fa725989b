/**
 * A small nginx.conf reader: directives and blocks as a tree, with the lookups the edge
 * policies need (servers, listens, inherited directives, upstreams). It follows nginx's
 * grammar (words, quoted strings, `;`, `{ }`, `#` comments), not any one renderer's layout.
 */

export interface Directive {
  name: string;
  args: string[];
  /** Present for block directives (`server { ... }`). */
  block?: Directive[];
  line: number;
}

export class NginxParseError extends Error {}

function tokenize(text: string): { tok: string; line: number; quoted: boolean }[] {
  const out: { tok: string; line: number; quoted: boolean }[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "{" || c === "}" || c === ";") {
      out.push({ tok: c, line, quoted: false });
      i++;
    } else if (c === '"' || c === "'") {
      const start = line;
      let s = "";
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\" && i + 1 < text.length) {
          s += text[i + 1];
          i += 2;
          continue;
        }
        if (text[i] === "\n") line++;
        s += text[i++];
      }
      if (i >= text.length) throw new NginxParseError(`unterminated quote starting on line ${start}`);
      i++;
      out.push({ tok: s, line: start, quoted: true });
    } else {
      let s = "";
      while (i < text.length && !/[\s;{}]/.test(text[i])) {
        // `${var}` keeps its braces inside a word.
        if (text[i] === "$" && text[i + 1] === "{") {
          const end = text.indexOf("}", i);
          if (end < 0) break;
          s += text.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        s += text[i++];
      }
      out.push({ tok: s, line, quoted: false });
    }
  }
  return out;
}

export function parseNginx(text: string): Directive[] {
  const toks = tokenize(text);
  let pos = 0;
  const parseBlock = (depth: number): Directive[] => {
    const out: Directive[] = [];
    while (pos < toks.length) {
      const t = toks[pos];
      if (t.tok === "}" && !t.quoted) {
        if (depth === 0) throw new NginxParseError(`unexpected "}" on line ${t.line}`);
        pos++;
        return out;
      }
      const words: string[] = [];
      const line = t.line;
      while (pos < toks.length && !(["{", "}", ";"].includes(toks[pos].tok) && !toks[pos].quoted)) words.push(toks[pos++].tok);
      if (pos >= toks.length) throw new NginxParseError(`directive "${words[0] ?? ""}" on line ${line} is not terminated`);
      const end = toks[pos++];
      if (words.length === 0) throw new NginxParseError(`empty directive on line ${end.line}`);
      const d: Directive = { name: words[0], args: words.slice(1), line };
      if (end.tok === "{") d.block = parseBlock(depth + 1);
      else if (end.tok === "}") throw new NginxParseError(`directive "${words[0]}" on line ${line} misses ";"`);
      out.push(d);
    }
    if (depth > 0) throw new NginxParseError("unbalanced braces: a block is not closed");
    return out;
  };
  return parseBlock(0);
}

export const children = (ds: readonly Directive[] | undefined, name: string): Directive[] => (ds ?? []).filter((d) => d.name === name);
export const first = (ds: readonly Directive[] | undefined, name: string): Directive | undefined => (ds ?? []).find((d) => d.name === name);

export interface Listen {
  port: number | undefined;
  address: string | undefined;
  ssl: boolean;
  raw: string[];
}

export function parseListen(d: Directive): Listen {
  const [addr, ...flags] = d.args;
  let port: number | undefined;
  let address: string | undefined;
  if (addr !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(addr);
    if (m) {
      address = m[1] ?? m[2];
      port = Number(m[3]);
    } else if (/^\d+$/.test(addr)) port = Number(addr);
    else address = addr;
  }
  return { port: port ?? (address ? 80 : undefined), address, ssl: flags.includes("ssl") || flags.includes("quic"), raw: d.args };
}

export interface ServerView {
  server: Directive;
  listens: Listen[];
  /** The `http` block the server lives in (for inherited directives). */
  http: Directive;
}

export function servers(conf: readonly Directive[]): ServerView[] {
  const out: ServerView[] = [];
  for (const http of children(conf, "http")) {
    for (const server of children(http.block, "server")) out.push({ server, listens: children(server.block, "listen").map(parseListen), http });
  }
  return out;
}

/** Effective directive value for a server: the server's own, else the http block's. */
export function inherited(view: ServerView, name: string): Directive[] {
  const own = children(view.server.block, name);
  return own.length ? own : children(view.http.block, name);
}

/** Every `location` inside a block, nested ones included. */
export function locations(block: readonly Directive[] | undefined): Directive[] {
  const out: Directive[] = [];
  for (const d of block ?? []) {
    if (d.name === "location") {
      out.push(d);
      out.push(...locations(d.block));
    }
  }
  return out;
}

export interface Upstream {
  name: string;
  servers: { host: string; port: number | undefined; flags: string[] }[];
}

export function upstreams(conf: readonly Directive[]): Upstream[] {
  const out: Upstream[] = [];
  for (const http of children(conf, "http")) {
    for (const u of children(http.block, "upstream")) {
      out.push({
        name: u.args[0] ?? "",
        servers: children(u.block, "server").map((s) => {
          const [addr = "", ...flags] = s.args;
          const m = /^(.*?)(?::(\d+))?$/.exec(addr.replace(/^unix:/, ""));
          return { host: m?.[1] ?? addr, port: m?.[2] ? Number(m[2]) : undefined, flags };
        }),
      });
    }
  }
  return out;
}

/** Headers an nginx block adds (`add_header Name value [always]`), lower-cased names. */
export function addedHeaders(block: readonly Directive[] | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of children(block, "add_header")) if (d.args[0]) out.set(d.args[0].toLowerCase(), d.args[1] ?? "");
  return out;
}
