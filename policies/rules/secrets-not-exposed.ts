/**
 * SEC-DATA-02, SEC-DATA-05: no generated secret (RandomPassword result, TLS private key,
 * content of a secret file) appears in any container's environment, command, labels,
 * health check or a world-readable uploaded file. Needs the whole stack: a stack policy.
 */
import { stackPolicy, ResourceView } from "../lib/define";
import { commandOf, displayName, envOf, labelsOf, T, uploadsOf } from "../lib/docker";
import { looksRandom } from "../lib/secrets";
import { asArray, get, isUnknown } from "../lib/values";

interface Secret {
  value: string;
  origin: string;
}

function generatedSecrets(resources: readonly ResourceView[], secretDirs: string[]): Secret[] {
  const out: Secret[] = [];
  const add = (v: unknown, origin: string) => {
    if (typeof v === "string" && !isUnknown(v) && v.trim().length >= 12) out.push({ value: v.trim(), origin });
  };
  for (const r of resources) {
    if (r.type === T.randomPassword) add(get(r.props, "result"), `RandomPassword ${r.name}`);
    if (r.type === T.tlsPrivateKey) add(get(r.props, "privateKeyPem"), `PrivateKey ${r.name}`);
    if (r.type === T.container) {
      const u = uploadsOf(r.props);
      if (u.known) for (const f of u.value) if (f.content && secretDirs.some((d) => f.file.startsWith(`${d}/`))) for (const t of secretTokens(f.content)) add(t, `secret file ${f.file}`);
    }
  }
  return out;
}

/**
 * The secret values inside a secret file: the whole content, and for structured files
 * (`requirepass "x"`, pgpass `host:port:db:user:x`, JSON maps) the value parts, so a
 * password that leaks without its surrounding syntax is still recognised.
 */
export function secretTokens(content: string): string[] {
  const out = new Set<string>([content.trim()]);
  try {
    const j = JSON.parse(content) as unknown;
    if (j && typeof j === "object") for (const v of Object.values(j)) if (typeof v === "string") out.add(v);
  } catch {
    // not JSON
  }
  for (const line of content.split(/\r?\n/)) {
    // Comments in secret files carry notes and public keys, not secrets.
    if (/^\s*[#;]/.test(line)) continue;
    const words = line.trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ""));
    for (const w of words) {
      out.add(w);
      const last = w.split(":").pop();
      if (last) out.add(last);
    }
  }
  // Short or word-like pieces ("requirepass", "localhost") are syntax, not secrets.
  const whole = content.trim();
  return [...out].filter((t) => t.length >= 12 && (t === whole || looksRandom(t, { minLength: 12, minEntropy: 3, maxMeanClassRun: 2.2 })));
}

/**
 * Finds any of many secrets inside a text in one pass: secrets are indexed by their first
 * 8 characters (every secret is at least 12 long), and each text is scanned once, its
 * verdict cached (stacks repeat the same file contents across replicas).
 */
function secretMatcher(secrets: Secret[]): (text: string) => Secret | undefined {
  const K = 8;
  const byPrefix = new Map<string, Secret[]>();
  for (const s of secrets) byPrefix.set(s.value.slice(0, K), [...(byPrefix.get(s.value.slice(0, K)) ?? []), s]);
  const seen = new Map<string, Secret | undefined>();
  return (text: string) => {
    if (seen.has(text)) return seen.get(text);
    let hit: Secret | undefined;
    for (let i = 0; i + K <= text.length && !hit; i++) {
      const cands = byPrefix.get(text.slice(i, i + K));
      if (cands) hit = cands.find((c) => text.startsWith(c.value, i));
    }
    if (seen.size < 10000) seen.set(text, hit);
    return hit;
  };
}

const WORLD_READABLE = (perm: string | undefined) => perm === undefined || /^0?[0-7][0-7][4-7]$/.test(perm);

export const secretsNotExposed = stackPolicy<{ secretDirs: string[] }>({
  name: "secrets-not-exposed",
  description: "No generated secret (random password, private key, secret-file content) appears in a container's env, command, labels, health check or a world-readable file.",
  checklistIds: ["SEC-DATA-02", "SEC-DATA-05"],
  severity: "critical",
  group: "secrets",
  remediation: "Pass the secret only as a file under /run/secrets (mode 0400) and reference it by path (*_FILE variables, `$(cat /run/secrets/...)` in health checks).",
  config: { secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories whose uploaded files are secrets." } },
  check(resources, ctx) {
    const dirs = ctx.config.secretDirs.map((d) => d.replace(/\/+$/, ""));
    const secrets = generatedSecrets(resources, dirs);
    if (secrets.length === 0) return;
    const leaks = secretMatcher(secrets);
    for (const r of resources.filter((x) => x.type === T.container)) {
      const name = displayName(r);
      const env = envOf(r.props);
      if (!env.known) ctx.undecidable(`container ${name} envs`, r.urn);
      else
        for (const e of env.value) {
          if (e.value === undefined) continue;
          const s = leaks(e.value);
          // Name where the secret leaked and where it came from, never the value.
          if (s) ctx.violation(`container ${name}: env ${e.key} contains the value of ${s.origin}`, r.urn);
        }
      const cmd = commandOf(r.props);
      if (cmd.known) {
        const s = leaks(cmd.value.join("\n"));
        if (s) ctx.violation(`container ${name}: command line contains the value of ${s.origin}`, r.urn);
      }
      const labels = labelsOf(r.props);
      if (labels.known) {
        const s = leaks(Object.values(labels.value).join("\n"));
        if (s) ctx.violation(`container ${name}: a label contains the value of ${s.origin}`, r.urn);
      }
      const tests = asArray(get(r.props, "healthcheck", "tests"));
      if (tests.known) {
        const s = leaks(tests.value.filter((t) => typeof t === "string").join("\n"));
        if (s) ctx.violation(`container ${name}: health check contains the value of ${s.origin}`, r.urn);
      }
      const uploads = uploadsOf(r.props);
      if (uploads.known)
        for (const f of uploads.value) {
          if (!f.content || dirs.some((d) => f.file.startsWith(`${d}/`)) || !WORLD_READABLE(f.permissions)) continue;
          const s = leaks(f.content);
          if (s) ctx.violation(`container ${name}: world-readable file ${f.file} contains the value of ${s.origin}`, r.urn);
        }
    }
  },
});
