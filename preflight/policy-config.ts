/**
 * Policy pack config (`pulumi up --policy-pack-config FILE` format) -> the Configure
 * request. Every policy the pack serves gets an explicit enforcement level: the file's,
 * else the policy's own default. (An entry without a level would turn the policy
 * ADVISORY inside @pulumi/policy's Configure handler.)
 */
import * as fs from "fs";
import type { AnalyzerInfo, EnforcementLevel, PolicyConfigEntry } from "./harness";
import { WAIVERS_KEY, waiversSchema } from "../policies/lib/waivers";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export class PolicyConfigError extends Error {}

export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export function readPolicyConfigFile(file: string): PolicyConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new PolicyConfigError(`cannot read policy config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new PolicyConfigError(`policy config ${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    throw new PolicyConfigError(`policy config ${file} must be a JSON object of policy name -> settings`);
  return doc as PolicyConfigFile;
}

const jsonType = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : Number.isInteger(v) ? "integer" : typeof v);

/** Checks names, levels and property names/types against the schemas the pack reports. */
export function resolvePolicyConfig(info: AnalyzerInfo, file: PolicyConfigFile = {}, source = "policy config"): Record<string, PolicyConfigEntry> {
  const problems: string[] = [];
  const byName = new Map(info.policies.map((p) => [p.name, p]));
  let allLevel: EnforcementLevel | undefined;
  for (const [name, raw] of Object.entries(file)) {
    if (name === "all") {
      const lvl = typeof raw === "string" ? raw : raw?.enforcementLevel;
      if (!lvl || !LEVELS.includes(lvl)) problems.push(`"all": enforcement level must be one of ${LEVELS.join(", ")}`);
      else allLevel = lvl;
      continue;
    }
    const policy = byName.get(name);
    if (!policy) {
      problems.push(`"${name}": no such policy in ${info.name} (policies: ${[...byName.keys()].join(", ")})`);
      continue;
    }
    const entry = typeof raw === "string" ? { enforcementLevel: raw } : raw;
    if (!entry || typeof entry !== "object") {
      problems.push(`"${name}": must be an enforcement level or an object`);
      continue;
    }
    if (entry.enforcementLevel !== undefined && !LEVELS.includes(entry.enforcementLevel))
      problems.push(`"${name}".enforcementLevel: "${entry.enforcementLevel}" is not one of ${LEVELS.join(", ")}`);
    const schema = (policy.configSchema ?? {}) as Record<string, { type?: string | string[]; enum?: unknown[] }>;
    for (const [k, v] of Object.entries(entry)) {
      if (k === "enforcementLevel") continue;
      if (k === WAIVERS_KEY) {
        const parsed = waiversSchema.safeParse(v);
        if (!parsed.success)
          for (const issue of parsed.error.issues)
            problems.push(`"${name}".${k}${issue.path.map((x) => (typeof x === "number" ? `[${x}]` : `.${String(x)}`)).join("")}: ${issue.message}`);
        continue;
      }
      const s = schema[k];
      if (!s) {
        problems.push(`"${name}".${k}: unknown setting (settings: ${Object.keys(schema).join(", ") || "none"})`);
        continue;
      }
      const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
      const t = jsonType(v);
      if (types.length && !types.includes(t) && !(t === "integer" && types.includes("number")))
        problems.push(`"${name}".${k}: expected ${types.join(" or ")}, got ${t}`);
      if (s.enum && !s.enum.includes(v)) problems.push(`"${name}".${k}: must be one of ${s.enum.map((x) => JSON.stringify(x)).join(", ")}`);
    }
  }
  if (problems.length)
    throw new PolicyConfigError(`invalid ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  - ${problems.join("\n  - ")}`);
  const out: Record<string, PolicyConfigEntry> = {};
  for (const p of info.policies) {
    const raw = file[p.name];
    const entry = typeof raw === "string" ? { enforcementLevel: raw } : (raw ?? {});
    const { enforcementLevel, ...properties } = entry as { enforcementLevel?: EnforcementLevel } & Record<string, unknown>;
    out[p.name] = { enforcementLevel: enforcementLevel ?? allLevel ?? p.enforcementLevel, properties };
  }
  return out;
}
