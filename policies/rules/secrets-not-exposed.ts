/**
 * SEC-DATA-02, SEC-DATA-05: no generated secret (RandomPassword result, TLS private key,
 * content of a secret file) appears in any workload's environment, command, labels, health
 * check or a world-readable file (a Docker config, an upload). Needs the whole stack: a stack
 * policy.
 */
import { stackPolicy, ResourceView } from "../lib/define";
import { T } from "../lib/docker";
import { looksRandom } from "../lib/secrets";
import { get, isUnknown } from "../lib/values";
import { isUnder } from "../lib/workload-files";
import { workloadsOf } from "../lib/workloads";

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
  }
  const seen = new Set<string>();
  for (const w of workloadsOf(resources)) {
    if (!w.files.known) continue;
    for (const f of w.files.value) {
      if (f.content === undefined || !(f.source === "secret" || isUnder(f.path, secretDirs)) || seen.has(f.path)) continue;
      seen.add(f.path);
      for (const t of secretTokens(f.content)) add(t, `secret file ${f.path}`);
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
    const words = line
      .trim()
      .split(/\s+/)
      .map((w) => w.replace(/^["']|["']$/g, ""));
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

/** Readable by every user in the container: the mode has the other-read bit. */
const worldReadable = (mode: string | undefined) => mode === undefined || /^0?[0-7]?[0-7][0-7][4-7]$/.test(mode);

export const secretsNotExposed = stackPolicy<{ secretDirs: string[] }>({
  name: "secrets-not-exposed",
  description:
    "No generated secret (random password, private key, secret-file content) appears in a workload's env, command, labels, health check or a world-readable file (Docker config, upload).",
  checklistIds: ["SEC-DATA-02", "SEC-DATA-05"],
  severity: "critical",
  group: "secrets",
  remediation:
    "Pass the secret only as a Docker secret under /run/secrets (mode 0400) and reference it by path (*_FILE variables, `$(cat /run/secrets/...)` in health checks).",
  config: { secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories whose files are secrets." } },
  check(resources, ctx) {
    const secrets = generatedSecrets(resources, ctx.config.secretDirs);
    if (secrets.length === 0) return;
    const leaks = secretMatcher(secrets);
    for (const w of workloadsOf(resources)) {
      // Name where the secret leaked and where it came from, never the value.
      const at = (where: string, s: Secret | undefined) => s && ctx.violation(`${w.label}: ${where} contains the value of ${s.origin}`, w.urn);
      if (!w.env.known) ctx.undecidable(`${w.label} env`, w.urn);
      else for (const e of w.env.value) if (e.value !== undefined) at(`env ${e.key}`, leaks(e.value));
      if (w.command.known) at("command line", leaks(w.command.value.join("\n")));
      if (w.labels.known) at("a label", leaks(Object.values(w.labels.value).join("\n")));
      if (w.healthcheck.known && w.healthcheck.value) at("health check", leaks(w.healthcheck.value.test.join("\n")));
      if (w.files.known)
        for (const f of w.files.value) {
          if (!f.content || f.source === "secret" || isUnder(f.path, ctx.config.secretDirs) || !worldReadable(f.mode)) continue;
          at(`world-readable ${f.source === "config" ? "config" : "file"} ${f.path}`, leaks(f.content));
        }
    }
  },
});
