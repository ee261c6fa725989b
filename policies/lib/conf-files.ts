/**
 * Line-oriented config formats the service policies read from a container's uploads:
 * redis.conf, postgresql.conf and pg_hba.conf. Parsed by their documented grammar only.
 */

export interface RedisDirective {
  name: string;
  args: string[];
}

/** redis.conf: `keyword arg...` per line, `#` comments, double/single-quoted args. */
export function parseRedisConf(text: string): RedisDirective[] {
  const out: RedisDirective[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith("#")) continue;
    const words: string[] = [];
    const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) words.push(m[1] ?? m[2] ?? m[3]);
    if (words.length) out.push({ name: words[0].toLowerCase(), args: words.slice(1) });
  }
  return out;
}

/** Redis command-line options (`redis-server /conf --port 6379 --protected-mode no`) as directives. */
export function redisArgsAsDirectives(args: readonly string[]): RedisDirective[] {
  const out: RedisDirective[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) continue;
    const vals: string[] = [];
    while (i + 1 < args.length && !args[i + 1].startsWith("--")) vals.push(args[++i]);
    out.push({ name: a.slice(2).toLowerCase(), args: vals });
  }
  return out;
}

/** postgresql.conf: `name = value` or `name value`, `#` comments, quoted values. Last one wins. */
export function parsePostgresConf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/(^|\s)#.*$/, "").trim();
    if (!line) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_.]*)\s*(?:=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2].trim();
    const q = /^'((?:[^']|'')*)'/.exec(v);
    if (q) v = q[1].replace(/''/g, "'");
    else v = v.split(/\s+/)[0] ?? "";
    out.set(m[1].toLowerCase(), v);
  }
  return out;
}

export const pgBool = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : /^(on|true|yes|1)$/i.test(v.trim()));

export interface HbaRule {
  type: string;
  database: string;
  user: string;
  address?: string;
  method: string;
  line: number;
}

/** pg_hba.conf records. `local` has no address; `host*` has address (or address + mask). */
export function parsePgHba(text: string): HbaRule[] {
  const out: HbaRule[] = [];
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.replace(/#.*$/, "").trim();
    if (!line) return;
    const w: string[] = line.match(/"[^"]*"|\S+/g) ?? [];
    if (w.length < 4) return;
    const type = w[0].toLowerCase();
    if (type === "local") out.push({ type, database: w[1], user: w[2], method: (w[3] ?? "").toLowerCase(), line: i + 1 });
    else {
      // An IP address followed by a separate netmask takes two fields.
      const maskSplit = /^\d+\.\d+\.\d+\.\d+$/.test(w[3]) && /^\d+\.\d+\.\d+\.\d+$/.test(w[4] ?? "");
      const method = (maskSplit ? w[5] : w[4]) ?? "";
      out.push({ type, database: w[1], user: w[2], address: w[3], method: method.toLowerCase(), line: i + 1 });
    }
  });
  return out;
}
