/**
 * Alertmanager's routing tree, walked the way Alertmanager walks it (dispatch/route.go, the
 * semantics of `amtool config routes test`): an alert enters at the root, descends into the
 * first child whose matchers all match (and into later ones while a matching child says
 * `continue`), and a route no child takes keeps the alert itself. Pure, so the check and its
 * tests share it; tests/validate/alertmanager-routes.test.ts holds it equal to the real amtool.
 */

export interface Route {
  receiver?: string;
  matchers?: string[];
  /** Legacy equality and regex maps, still accepted by Alertmanager. */
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  continue?: boolean;
  routes?: Route[];
}

export interface Receiver {
  name: string;
  [integration: string]: unknown;
}

interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

/** `severity="critical"`, `team=~"ops|sre"`, `env!=dev`: one matcher of Alertmanager's syntax. */
export function parseMatcher(text: string): Matcher {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) throw new Error(`not an Alertmanager matcher: ${text}`);
  let value = m[3];
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = JSON.parse(value) as string;
  return { label: m[1], op: m[2] as Matcher["op"], value };
}

function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.label] ?? "";
  // Alertmanager anchors regex matchers at both ends.
  if (m.op === "=~" || m.op === "!~") {
    const hit = new RegExp(`^(?:${m.value})$`).test(v);
    return m.op === "=~" ? hit : !hit;
  }
  return m.op === "=" ? v === m.value : v !== m.value;
}

function matchersOf(r: Route): Matcher[] {
  return [
    ...(r.matchers ?? []).map(parseMatcher),
    ...Object.entries(r.match ?? {}).map(([label, value]) => ({ label, op: "=" as const, value })),
    ...Object.entries(r.match_re ?? {}).map(([label, value]) => ({ label, op: "=~" as const, value })),
  ];
}

/** The receivers an alert with these labels is sent to, in Alertmanager's order. */
export function receiversFor(root: Route, labels: Record<string, string>): string[] {
  const walk = (route: Route, inherited: string): string[] => {
    const receiver = route.receiver ?? inherited;
    const out: string[] = [];
    for (const child of route.routes ?? []) {
      if (!matchersOf(child).every((m) => matches(m, labels))) continue;
      out.push(...walk(child, receiver));
      if (!child.continue) break;
    }
    return out.length ? out : [receiver];
  };
  return [...new Set(walk(root, root.receiver ?? ""))];
}

/** A receiver's integrations by type (`webhook_configs: [a, b]` is webhook: 2), as Alertmanager's counters label them. */
export function integrationsByType(r: Receiver): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(r)) if (k.endsWith("_configs") && Array.isArray(v) && v.length) out.set(k.slice(0, -"_configs".length), v.length);
  return out;
}

/** The integrations a receiver notifies through, counted. */
export function integrationsOf(r: Receiver): number {
  return [...integrationsByType(r).values()].reduce((n, x) => n + x, 0);
}
