/**
 * The pack's rules evaluated in this process, without gRPC: every resource policy on every
 * resource (inputs) and every stack policy on the stack (outputs, where a service's Docker
 * configs and secrets are resolved by name or ID), with the plain property view the pack's
 * validate wrappers hand to the rules. Findings keep their kind: violation, undecidable, or
 * not-applicable (what the pack tells the engine, e.g. a setting the daemon enforces for a
 * service). For tests and the benchmark's "rule evaluation rate"; the preflight itself
 * always goes through the real pack process.
 */
import type { CollectedResource } from "./collect";
import { plain } from "./engine-encoding";
import { Finding, isStackPolicy, McpPolicy, ResourceView } from "../policies/lib/define";
import { ALL_POLICIES } from "../policies/pack";

export interface InProcessFinding extends Finding {
  policy: string;
}

export function toView(r: CollectedResource, useOutputs = false): ResourceView {
  return { type: r.type, name: r.name, urn: r.urn, props: plain(useOutputs ? r.outputs : r.inputs) as Record<string, unknown> };
}

export function evaluateInProcess(
  resources: readonly CollectedResource[],
  config: Record<string, Record<string, unknown>> = {},
  policies: readonly McpPolicy[] = ALL_POLICIES,
): InProcessFinding[] {
  const out: InProcessFinding[] = [];
  const inputs = resources.map((r) => toView(r));
  const outputs = resources.map((r) => toView(r, true));
  for (const p of policies) {
    const cfg = config[p.meta.name];
    if (isStackPolicy(p)) for (const f of p.evaluate(outputs, cfg)) out.push({ ...f, policy: p.meta.name });
    else for (const v of inputs) for (const f of p.evaluate(v, cfg)) out.push({ ...f, urn: f.urn ?? v.urn, policy: p.meta.name });
  }
  return out;
}
