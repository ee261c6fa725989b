/**
 * Calls a policy's real CrossGuard function (validateResource / validateStack) the way
 * @pulumi/policy's server does: properties through Struct, deserializeProperties and the
 * unknown-checking proxy; reportViolation collecting diagnostics with their levels.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import type { CollectedResource } from "../../preflight/collect";
import type { McpPolicy } from "../../policies/lib/define";

const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
// @internal in @pulumi/policy's typings; the same functions its server calls.
const { deserializeProperties } = require("@pulumi/policy/deserialize") as {
  deserializeProperties(s: unknown, proxySecrets: boolean): Record<string, unknown>;
};
const { unknownCheckingProxy } = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T };

export interface Reported {
  message: string;
  level: string;
  urn?: string;
}

/** What the engine sends: inputs to Analyze (resource policies), outputs to AnalyzeStack. */
function props(r: CollectedResource, outputs: boolean): Record<string, unknown> {
  return unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(outputs ? r.outputs : r.inputs), false));
}

function reporter(out: Reported[], level: string, description: string): ReportViolation {
  return ((m: string | { message: string; urn?: string; enforcementLevel?: string }, urn?: string) => {
    if (typeof m === "object") out.push({ message: m.message, level: m.enforcementLevel ?? level, urn: m.urn });
    else out.push({ message: m ? `${description}\n${m}` : description, level, urn });
  }) as ReportViolation;
}

class NotApplicable extends Error {}

const opts = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/** Runs the policy on one resource (resource policies) or the whole list (stack policies). */
export async function runPolicy(
  p: McpPolicy,
  resources: CollectedResource[] | CollectedResource,
  config: Record<string, unknown> = {},
  level = p.meta.enforcementLevel,
): Promise<Reported[]> {
  const out: Reported[] = [];
  const list = Array.isArray(resources) ? resources : [resources];
  const getConfig = <T extends object>() => config as T;
  if (p.meta.kind === "stack") {
    const policy = p.policy as StackValidationPolicy;
    const args = {
      resources: list.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: props(r, true),
        opts,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      })),
      getConfig,
      stackTags: new Map(),
      notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
      },
    } as unknown as StackValidationArgs;
    await policy.validateStack!(args, reporter(out, level, p.meta.description));
    return out;
  }
  const policy = p.policy as ResourceValidationPolicy;
  for (const r of list) {
    const args = {
      type: r.type,
      props: props(r, false),
      urn: r.urn,
      name: r.name,
      opts,
      stackTags: new Map(),
      isType: () => false,
      asType: () => undefined,
      getConfig,
      notApplicable: (reason?: string): never => {
        throw new NotApplicable(reason);
      },
    } as unknown as ResourceValidationArgs;
    try {
      await (policy.validateResource as (a: ResourceValidationArgs, rv: ReportViolation) => Promise<void> | void)(
        args,
        reporter(out, level, p.meta.description),
      );
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return out;
}

export const violations = (rs: Reported[]) => rs.filter((r) => !r.message.includes("[undecidable at preview]"));
export const undecidables = (rs: Reported[]) => rs.filter((r) => r.message.includes("[undecidable at preview]"));
