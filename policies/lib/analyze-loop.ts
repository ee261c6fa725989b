/**
 * Speed: the server's Analyze handler (server.js makeAnalyzeRpcFun) gives every policy it runs
 * its own args object, unknown-checking proxy, resource options, provider and config closure,
 * and awaits each one. This pack's own policies (lib/define.ts) read plain properties, their
 * config and nothing else of the args, and never await. For a resource type whose policies are
 * all this pack's own, this runs them in one pass over one args object and builds the
 * diagnostics exactly as the server's reportViolation does; for anything else, and on any
 * error, the server's own handler answers, so its errors read as the server's. A policy's
 * "does not apply" is recorded rather than thrown (define.ts returns right after saying it): a
 * throw and its catch on most calls cost more than the rule.
 * tests/policies/analyze-by-type.test.ts holds the answers to the server's.
 */
import type { Policy } from "@pulumi/policy";
import { notApplicableTo, type Handler, type MakeAnalyze } from "./analyze-handler";

interface AnalyzeRequestProto {
  getType(): string;
  getUrn(): string;
  getName(): string;
  getProperties(): object;
  getOptions(): object | undefined;
}
interface NotApplicableProto {
  setPolicyName(n: string): void;
  setReason(r: string): void;
}

/** What the server's reportViolation records (server.js makeReportViolationFun). */
interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  message: string;
  urn?: string;
  description?: string;
  enforcementLevel: string;
  severity?: string;
}

type Validate = (args: object, report: (message: unknown, urn?: string) => void) => unknown;

const isOwn = (p: Policy) => notApplicableTo(p) !== undefined;
/** What the server's loop looks at on Analyze (policy.js isResourcePolicy); it passes over the rest without a word. */
const isResourcePolicy = (p: Policy) => {
  const { validateResource: v, remediateResource: r } = p as { validateResource?: unknown; remediateResource?: unknown };
  return typeof v === "function" || Array.isArray(v) || typeof r === "function";
};

function reporter(p: Policy, packName: string, packVersion: string, level: string, ds: Diagnostic[]) {
  const { name, description } = p;
  const severity = (p as { severity?: string }).severity;
  return (message: unknown, urn?: string) => {
    if (message && typeof message === "object") {
      const info = message as Partial<Diagnostic> & { name?: string };
      ds.push({
        policyName: info.name || name,
        policyPackName: packName,
        policyPackVersion: packVersion,
        message: (info.message || info.description || description) as string,
        urn: info.urn,
        description: info.description || description,
        enforcementLevel: info.enforcementLevel || level,
        severity: info.severity || severity,
      });
    } else {
      ds.push({
        policyName: name,
        policyPackName: packName,
        policyPackVersion: packVersion,
        message: message ? `${description}\n${message}` : description,
        urn,
        description,
        enforcementLevel: level,
        severity,
      });
    }
  };
}

/** A handler factory: this pack's one-pass loop where every policy is its own, else the server's (`serverMake`). */
export function ownAnalyze(deps: {
  serverMake: MakeAnalyze;
  /** The server's conversion of a request's properties (@pulumi/policy/deserialize). */
  deserialize: (struct: object, proxySecrets: boolean) => Record<string, unknown>;
  /** The server's response builder (@pulumi/policy/protoutil makeAnalyzeResponse). */
  makeResponse: (ds: Diagnostic[], notApplicable?: NotApplicableProto[]) => unknown;
  newNotApplicable: () => NotApplicableProto;
  levelOf: (p: Policy) => string;
  /** What the server's getConfig gives the policy: its configured properties without the level. */
  configOf: (policyName: string) => Record<string, unknown>;
}): MakeAnalyze {
  return (name, version, level, policies) => {
    const server = deps.serverMake(name, version, level, policies);
    const resourcePolicies = policies.filter(isResourcePolicy);
    if (!resourcePolicies.every(isOwn)) return server;
    const handler: Handler = (call, callback) => {
      const req = call.request as AnalyzeRequestProto;
      const ds: Diagnostic[] = [];
      let notApplicable: NotApplicableProto[] | undefined;
      // The current policy's "does not apply" and its reason, as its own notApplicable call gives them.
      let skipped: boolean;
      let skipReason: string | undefined;
      try {
        let args: object | undefined;
        let current: Policy = resourcePolicies[0];
        for (const p of resourcePolicies) {
          let enforcementLevel = deps.levelOf(p);
          if (enforcementLevel === "disabled") continue;
          if (enforcementLevel === "remediate") enforcementLevel = "mandatory";
          // The server refuses a request without resource options (an old engine) when it builds a
          // policy's args; the throw hands the request to it, so the refusal is its own.
          if (!args && !req.getOptions()) throw new Error("no resource options");
          args ??= {
            type: req.getType(),
            props: deps.deserialize(req.getProperties(), false),
            urn: req.getUrn(),
            name: req.getName(),
            notApplicable: (reason?: string) => {
              skipped = true;
              skipReason = reason;
            },
            getConfig: () => deps.configOf(current.name),
          };
          current = p;
          skipped = false;
          skipReason = undefined;
          (p as unknown as { validateResource: Validate }).validateResource(args, reporter(p, name, version, enforcementLevel, ds));
          if (skipped) {
            const na = deps.newNotApplicable();
            na.setPolicyName(p.name);
            if (skipReason) na.setReason(skipReason);
            (notApplicable ??= []).push(na);
          }
        }
      } catch {
        return server(call, callback);
      }
      return callback(undefined, deps.makeResponse(ds, notApplicable));
    };
    return handler;
  };
}
