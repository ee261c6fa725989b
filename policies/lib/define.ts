/**
 * How a rule of this pack is declared: its metadata (checklist IDs, severity, remediation,
 * config schema) beside one pure check function, turned into a CrossGuard policy here.
 *
 * Rules never read through @pulumi/policy's unknown-checking proxy: they get the plain
 * properties and report each unknown value they need as "undecidable at preview" (see
 * policies/README.md, "Unknown values"). Only `import type` from @pulumi/policy here, so the
 * catalog can be imported without loading the policy runtime.
 */
import type {
  EnforcementLevel,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { CHECKLIST_VERSION } from "../../checklist/items";
import { plainCopy } from "./remediate";
import { expiredWaiverMessage, waivedMessage, waiverActive, waiverFor, WAIVERS_JSON_SCHEMA, WAIVERS_KEY, parseWaivers } from "./waivers";
import { Props, unwrapProxy } from "./values";
import { NOT_APPLICABLE_TO, type NotApplicableTo } from "./analyze-handler";

export const PACK_NAME = "mcp-production-checklist";

export type Severity = "low" | "medium" | "high" | "critical";

/** Policy families: the README and the end-to-end tests are organised by these. */
export type PolicyGroup =
  "container-security" | "network" | "images" | "secrets" | "logging" | "services" | "edge" | "monitoring" | "backup" | "availability" | "deployability";

/** Diagnostics that mean "this value is not known at preview" start with this text. */
export const UNDECIDABLE_PREFIX = "[undecidable at preview]";

/** Config key every policy takes: what an unknown value the rule needs turns into. */
export const UNKNOWN_VALUES_KEY = "unknownValues";
export type UnknownValuesMode = "report" | "fail";

export interface PolicyMeta {
  name: string;
  description: string;
  /** Checklist item IDs (checklist/items.ts) this policy proves. */
  checklistIds: readonly string[];
  severity: Severity;
  remediation: string;
  enforcementLevel: EnforcementLevel;
  group: PolicyGroup;
  kind: "resource" | "stack";
  /** The policy can fix a violation itself when its enforcement level is `remediate`. */
  remediable: boolean;
  /** Resource types a resource policy looks at. */
  resourceTypes: readonly string[];
  configSchema: { properties: Record<string, PolicyConfigJSONSchema> };
}

export interface ResourceView {
  type: string;
  name: string;
  urn: string;
  props: Props;
}

/** not-applicable: the rule cannot concern this resource (the message says why); nothing is reported. */
export type FindingKind = "violation" | "undecidable" | "not-applicable";

export interface Finding {
  kind: FindingKind;
  message: string;
  /** Resource the finding is about (stack policies name it; resource policies default to their resource). */
  urn?: string;
}

export interface RuleContext<C> {
  config: C;
  /** The rule is broken: `message` names keys and resources, never a (possibly secret) value. */
  violation(message: string, urn?: string): void;
  /** A value the rule needs is unknown at preview: `what` says which. */
  undecidable(what: string, urn?: string): void;
  /**
   * The rule cannot concern this resource (e.g. a setting a swarm service cannot declare):
   * the engine records the reason as "not applicable" and the rule reports nothing else.
   */
  notApplicable(reason: string): void;
}

interface CommonDef<C> {
  name: string;
  description: string;
  checklistIds: readonly string[];
  severity: Severity;
  remediation: string;
  enforcementLevel?: EnforcementLevel;
  group: PolicyGroup;
  /** Knobs: JSON schema per key with a `default`; the defaults are what the rule sees when unset. */
  config?: { [K in keyof C]: PolicyConfigJSONSchema };
}

export interface ResourcePolicyDef<C> extends CommonDef<C> {
  resourceTypes: readonly string[];
  check(resource: ResourceView, ctx: RuleContext<C>): void;
  /**
   * The mechanical fix, for a policy the config runs at `remediate`: the resource's whole
   * corrected properties, or undefined when the fix is not safe to make for this resource
   * (an unknown value, a choice only its owner can make). Called only on a violating resource.
   */
  remediate?(resource: ResourceView, config: C): Props | undefined;
}

export interface StackPolicyDef<C> extends CommonDef<C> {
  check(resources: readonly ResourceView[], ctx: RuleContext<C>): void;
}

export interface McpResourcePolicy {
  meta: PolicyMeta;
  policy: ResourceValidationPolicy;
  /** The pure check, for in-process evaluation (tests, bench). Config keys unset take defaults. */
  evaluate(resource: ResourceView, config?: Record<string, unknown>): Finding[];
  /** The corrected properties when the policy can remediate this violating resource; undefined otherwise. */
  remediate?(resource: ResourceView, config?: Record<string, unknown>): Props | undefined;
}

export interface McpStackPolicy {
  meta: PolicyMeta;
  policy: StackValidationPolicy;
  evaluate(resources: readonly ResourceView[], config?: Record<string, unknown>): Finding[];
}

export type McpPolicy = McpResourcePolicy | McpStackPolicy;

const unknownValuesSchema: PolicyConfigJSONSchema = {
  type: "string",
  enum: ["report", "fail"],
  default: "report",
  description:
    "An input this policy needs is unknown at preview. report: an advisory '[undecidable at preview]' diagnostic (the engine runs the policy again with known values during the update). fail: a violation at this policy's enforcement level.",
};

function schemaOf<C>(def: CommonDef<C>): PolicyMeta["configSchema"] {
  return {
    properties: {
      ...(def.config as Record<string, PolicyConfigJSONSchema> | undefined),
      [UNKNOWN_VALUES_KEY]: unknownValuesSchema,
      [WAIVERS_KEY]: WAIVERS_JSON_SCHEMA,
    },
  };
}

/** Config as the rule sees it: given keys over schema defaults. */
export function configWithDefaults<C>(schema: PolicyMeta["configSchema"], given: Record<string, unknown> = {}): C & { unknownValues: UnknownValuesMode } {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties)) if (s.default !== undefined) out[k] = s.default;
  for (const [k, v] of Object.entries(given)) if (v !== undefined && k !== "enforcementLevel") out[k] = v;
  return out as C & { unknownValues: UnknownValuesMode };
}

/**
 * configWithDefaults for one policy's calls, remembering the last: the server and the pack's own
 * loop hand every resource the same configured object until the config changes, and the rules
 * only read it (frozen, so one that tried to change it would fail loudly).
 */
function lastConfig<C>(schema: PolicyMeta["configSchema"]): (given: Record<string, unknown> | undefined) => C & { unknownValues: UnknownValuesMode } {
  let lastGiven: Record<string, unknown> | undefined;
  let last: (C & { unknownValues: UnknownValuesMode }) | undefined;
  return (given) => {
    if (last && given === lastGiven) return last;
    lastGiven = given;
    return (last = Object.freeze(configWithDefaults<C>(schema, given)));
  };
}

function metaOf<C>(def: CommonDef<C>, kind: PolicyMeta["kind"], resourceTypes: readonly string[], remediable = false): PolicyMeta {
  return {
    name: def.name,
    description: def.description,
    checklistIds: def.checklistIds,
    severity: def.severity,
    remediation: def.remediation,
    enforcementLevel: def.enforcementLevel ?? "mandatory",
    group: def.group,
    kind,
    remediable,
    resourceTypes,
    configSchema: schemaOf(def),
  };
}

function runCheck(fn: (ctx: RuleContext<never>) => void, config: unknown): Finding[] {
  const findings: Finding[] = [];
  const ctx: RuleContext<never> = {
    config: config as never,
    violation: (message, urn) => findings.push({ kind: "violation", message, urn }),
    undecidable: (what, urn) => findings.push({ kind: "undecidable", message: what, urn }),
    notApplicable: (reason) => findings.push({ kind: "not-applicable", message: reason }),
  };
  try {
    fn(ctx);
  } catch (e) {
    // A rule that breaks must not read as a pass.
    findings.push({ kind: "violation", message: `policy error: ${e instanceof Error ? e.message : String(e)}` });
  }
  return findings;
}

/** Findings -> CrossGuard diagnostics. Undecidable ones are advisory unless the policy's config says "fail"; waived violations are advisory. */
function report(findings: Finding[], config: ReportConfig, reportViolation: ReportViolation, subject?: string): void {
  // The object form keeps the message as-is and sets this one diagnostic's level.
  const advisory = (message: string, urn?: string) =>
    (reportViolation as unknown as (v: { message: string; urn?: string; enforcementLevel: EnforcementLevel }) => void)({
      message,
      urn,
      enforcementLevel: "advisory",
    });
  const waivers = parseWaivers(config.waivers);
  // A waiver list the engine let through but that does not parse must not waive (or hide) anything.
  if (!waivers.success)
    reportViolation(`policy config: waivers are invalid (${waivers.error.issues.map((i) => `[${i.path.join(".")}] ${i.message}`).join("; ")})`);
  const now = new Date();
  for (const f of findings) {
    if (f.kind === "not-applicable") continue;
    // Diagnostics keep the urn the rule gave (the engine attributes a resource policy's to its resource);
    // a waiver matches the resource the finding is about.
    const urn = f.urn;
    if (f.kind === "violation") {
      const w = waivers.success ? waiverFor(waivers.data, f.urn ?? subject) : undefined;
      if (!w) reportViolation(f.message, urn);
      else if (waiverActive(w, now)) advisory(waivedMessage(w, f.message), urn);
      else reportViolation(expiredWaiverMessage(w, f.message), urn);
    } else if (config.unknownValues === "fail") {
      reportViolation(`${UNDECIDABLE_PREFIX} ${f.message}`, urn);
    } else {
      advisory(`${UNDECIDABLE_PREFIX} ${f.message}`, urn);
    }
  }
}

interface ReportConfig {
  unknownValues: UnknownValuesMode;
  waivers?: unknown;
}

function policyFields(meta: PolicyMeta) {
  return {
    name: meta.name,
    description: meta.description,
    enforcementLevel: meta.enforcementLevel,
    severity: meta.severity,
    remediationSteps: meta.remediation,
    // The checklist IDs travel with the policy through GetAnalyzerInfo: the preflight reads them there.
    tags: [...meta.checklistIds, `group:${meta.group}`],
    framework: {
      name: PACK_NAME,
      version: CHECKLIST_VERSION,
      reference: "checklist/production-deployment-checklist.md",
      specification: meta.checklistIds.join(","),
    },
    configSchema: meta.configSchema,
  };
}

/**
 * The server's `notApplicable` throws its NotApplicableError, which it catches to record the reason;
 * nobody reads that error's stack. Capturing one per policy that does not concern a resource (most
 * of them, on every Analyze call) cost more than the rules themselves, so it is thrown without frames.
 */
function notApplicable(args: { notApplicable(reason?: string): never | void }, reason: string): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    args.notApplicable(reason);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function resourcePolicy<C>(def: ResourcePolicyDef<C>): McpResourcePolicy {
  const meta = metaOf(def, "resource", def.resourceTypes, def.remediate !== undefined);
  const types = new Set(def.resourceTypes);
  // Why the policy does not apply to another type: the server's own text where its type fast path skips the policy.
  const reason =
    def.resourceTypes.length === 1 ? `Policy only applies to resources of type '${def.resourceTypes[0]}'` : `applies to ${def.resourceTypes.join(", ")}`;
  const check = (resource: ResourceView, config: C): Finding[] =>
    types.has(resource.type) ? runCheck((ctx) => def.check(resource, ctx as unknown as RuleContext<C>), config) : [];
  const evaluate = (resource: ResourceView, config?: Record<string, unknown>): Finding[] => check(resource, configWithDefaults<C>(meta.configSchema, config));
  const configOf = lastConfig<C>(meta.configSchema);
  const validate = (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
    // The server's notApplicable throws, and its throw ends the call; the pack's own loop
    // (analyze-loop.ts) records the reason instead, so each call is the last thing done.
    if (!types.has(args.type)) return notApplicable(args, reason);
    const config = configOf(args.getConfig<Record<string, unknown>>());
    const view: ResourceView = { type: args.type, name: args.name, urn: args.urn, props: unwrapProxy(args.props) as Props };
    const findings = check(view, config);
    report(findings, config, reportViolation, args.urn);
    const na = findings.find((f) => f.kind === "not-applicable");
    if (na && findings.every((f) => f.kind === "not-applicable")) return notApplicable(args, na.message);
  };
  // The server skips a policy without calling it when the type differs (server.js fast path).
  if (def.resourceTypes.length === 1) (validate as unknown as { __pulumiType: string }).__pulumiType = def.resourceTypes[0];
  // The pack's dispatcher (analyze-by-type.ts) skips every policy that way.
  (validate as unknown as Record<symbol, NotApplicableTo>)[NOT_APPLICABLE_TO] = (type) => (types.has(type) ? undefined : reason);
  const fix = def.remediate;
  if (!fix) return { meta, evaluate, policy: { ...policyFields(meta), validateResource: validate } };
  const remediate = (resource: ResourceView, given?: Record<string, unknown>): Props | undefined => {
    if (!types.has(resource.type)) return undefined;
    const config = configWithDefaults<C>(meta.configSchema, given);
    // A plain copy: Remediate's proxies (secrets kept) break array reads, and the rule edits
    // this copy, so the engine's properties and a caller's view stay as they were.
    const plain = { ...resource, props: plainCopy(resource.props) };
    if (!evaluate(plain, config).some((f) => f.kind === "violation")) return undefined;
    return fix(plain, config);
  };
  const remediateResource = (args: ResourceValidationArgs) =>
    remediate({ type: args.type, name: args.name, urn: args.urn, props: unwrapProxy(args.props) as Props }, args.getConfig<Record<string, unknown>>());
  return { meta, evaluate, remediate, policy: { ...policyFields(meta), validateResource: validate, remediateResource } };
}

function stackViews(resources: StackValidationArgs["resources"]): ResourceView[] {
  return resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: unwrapProxy(r.props) as Props }));
}

export function stackPolicy<C>(def: StackPolicyDef<C>): McpStackPolicy {
  const meta = metaOf(def, "stack", []);
  const evaluate = (resources: readonly ResourceView[], config?: Record<string, unknown>): Finding[] =>
    runCheck((ctx) => def.check(resources, ctx as unknown as RuleContext<C>), configWithDefaults<C>(meta.configSchema, config));
  const validateStack = (args: StackValidationArgs, reportViolation: ReportViolation) => {
    const config = configWithDefaults<C>(meta.configSchema, args.getConfig<Record<string, unknown>>());
    const findings = evaluate(stackViews(args.resources), config);
    report(findings, config, reportViolation);
    const na = findings.find((f) => f.kind === "not-applicable");
    if (na && findings.every((f) => f.kind === "not-applicable")) notApplicable(args, na.message);
  };
  return { meta, evaluate, policy: { ...policyFields(meta), validateStack } };
}

export function isStackPolicy(p: McpPolicy): p is McpStackPolicy {
  return p.meta.kind === "stack";
}
