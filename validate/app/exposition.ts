/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to tell a
 * scrape-able /metrics from a broken one without needing promtool where the checks run.
 * Pure: returns the problems found (line numbers included), never throws.
 */

export interface ExpositionSummary {
  families: number;
  samples: number;
  /** Metric family names in order of first appearance. */
  names: string[];
  problems: string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)$/;
const SUFFIXES: Record<string, string[]> = { histogram: ["_bucket", "_sum", "_count"], summary: ["_sum", "_count"] };

/** Parses `{a="b",c="d"}` starting at `text[0] === "{"`; returns labels and the rest, or an error. */
function parseLabels(text: string): { labels: Record<string, string>; rest: string } | { error: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  for (;;) {
    while (text[i] === " ") i++;
    if (text[i] === "}") return { labels, rest: text.slice(i + 1) };
    const nameMatch = /^[^=\s]+/.exec(text.slice(i));
    if (!nameMatch) return { error: "label name expected" };
    const name = nameMatch[0];
    if (!LABEL_NAME.test(name)) return { error: `invalid label name "${name}"` };
    if (name in labels) return { error: `duplicate label "${name}"` };
    i += name.length;
    if (text[i] !== "=" || text[i + 1] !== '"') return { error: `label "${name}" needs ="value"` };
    i += 2;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) return { error: `unterminated value of label "${name}"` };
      if (c === "\\") {
        const n = text[i + 1];
        if (n === "\\" || n === '"') value += n;
        else if (n === "n") value += "\n";
        else return { error: `invalid escape \\${n ?? ""} in label "${name}"` };
        i += 2;
        continue;
      }
      if (c === '"') break;
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    while (text[i] === " ") i++;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") return { error: `"," or "}" expected after label "${name}"` };
  }
}

function familyOf(name: string, types: Map<string, string>): string {
  for (const [family, type] of types) {
    for (const s of SUFFIXES[type] ?? []) if (name === family + s) return family;
  }
  return name;
}

export function parseExposition(text: string): ExpositionSummary {
  const problems: string[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const names: string[] = [];
  const seenSamples = new Set<string>();
  const sampleNames = new Set<string>();
  let samples = 0;
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lines.forEach((raw, index) => {
    const n = index + 1;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(line);
      if (!m) return; // plain comment
      const [, kind, name, rest = ""] = m;
      if (!METRIC_NAME.test(name)) problems.push(`line ${n}: invalid metric name "${name}" in # ${kind}`);
      if (kind === "TYPE") {
        if (!TYPES.has(rest.trim())) problems.push(`line ${n}: unknown type "${rest.trim()}" for ${name}`);
        if (types.has(name)) problems.push(`line ${n}: second # TYPE for ${name}`);
        if ([...sampleNames].some((s) => familyOf(s, new Map([[name, rest.trim()]])) === name))
          problems.push(`line ${n}: # TYPE for ${name} after its samples`);
        types.set(name, rest.trim());
      } else {
        if (helps.has(name)) problems.push(`line ${n}: second # HELP for ${name}`);
        helps.add(name);
      }
      if (!names.includes(name)) names.push(name);
      return;
    }
    const nameMatch = /^[^{\s]+/.exec(line);
    if (!nameMatch) return void problems.push(`line ${n}: sample without a metric name`);
    const name = nameMatch[0];
    if (!METRIC_NAME.test(name)) return void problems.push(`line ${n}: invalid metric name "${name}"`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) {
      const parsed = parseLabels(rest);
      if ("error" in parsed) return void problems.push(`line ${n}: ${parsed.error}`);
      labels = parsed.labels;
      rest = parsed.rest;
    }
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(" ") || parts.length < 1 || parts.length > 2 || parts[0] === "")
      return void problems.push(`line ${n}: expected "<name>{labels} <value> [timestamp]"`);
    if (!VALUE.test(parts[0])) return void problems.push(`line ${n}: invalid value "${parts[0]}" for ${name}`);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) return void problems.push(`line ${n}: invalid timestamp "${parts[1]}"`);
    const type = types.get(familyOf(name, types));
    if (type === "histogram" && name.endsWith("_bucket") && !("le" in labels)) problems.push(`line ${n}: histogram bucket ${name} without le label`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSamples.has(key)) problems.push(`line ${n}: duplicate sample ${name}${Object.keys(labels).length ? JSON.stringify(labels) : ""}`);
    seenSamples.add(key);
    sampleNames.add(name);
    const family = familyOf(name, types);
    if (!names.includes(family)) names.push(family);
    samples++;
  });
  if (samples === 0 && problems.length === 0) problems.push("no samples");
  return { families: names.length, samples, names, problems };
}
