/**
 * A client for a running policy pack's Analyzer gRPC service, calling it the way the
 * engine does: Handshake (tolerating packs that predate it), GetAnalyzerInfo, Configure
 * (every policy gets an explicit enforcement level: an unset one silently becomes
 * ADVISORY), ConfigureStack, then Analyze per resource with every field the engine fills
 * (AnalyzerResourceOptions, provider) and AnalyzeStack with the whole stack.
 */
import * as grpc from "@grpc/grpc-js";
import type { CollectedResource } from "./collect";
import type { EngineValue } from "./engine-encoding";

const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

const LEVEL_TO_PROTO: Record<EnforcementLevel, number> = {
  advisory: analyzerproto.EnforcementLevel.ADVISORY,
  mandatory: analyzerproto.EnforcementLevel.MANDATORY,
  remediate: analyzerproto.EnforcementLevel.REMEDIATE,
  disabled: analyzerproto.EnforcementLevel.DISABLED,
};
const PROTO_TO_LEVEL = new Map<number, EnforcementLevel>(Object.entries(LEVEL_TO_PROTO).map(([k, v]) => [v, k as EnforcementLevel]));
const SEVERITY = ["", "low", "medium", "high", "critical"];

export interface PolicyInfo {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  kind: "resource" | "stack" | "unspecified";
  severity?: string;
  remediation?: string;
  tags: string[];
  configSchema?: Record<string, unknown>;
}

export interface AnalyzerInfo {
  name: string;
  version: string;
  policies: PolicyInfo[];
}

export interface Diagnostic {
  policyName: string;
  policyPackName: string;
  policyPackVersion: string;
  description: string;
  message: string;
  enforcementLevel: EnforcementLevel;
  urn?: string;
  severity?: string;
}

/** A policy the pack skipped for a resource (or the stack), with its reason (AnalyzeResponse.not_applicable). */
export interface NotApplicable {
  policyName: string;
  reason: string;
}

export interface AnalyzeResult {
  diagnostics: Diagnostic[];
  notApplicable: NotApplicable[];
}

export interface PolicyConfigEntry {
  enforcementLevel: EnforcementLevel;
  properties: Record<string, unknown>;
}

export interface StackContext {
  stack: string;
  project: string;
  organization: string;
  dryRun: boolean;
  config: Record<string, string>;
  secretKeys: string[];
  tags: Record<string, string>;
}

type Unary<Req, Res> = (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown;

interface AnalyzeResponse {
  getDiagnosticsList(): unknown[];
  getNotApplicableList(): { getPolicyName(): string; getReason(): string }[];
}

/** One remediation the pack made (RemediateResponse.remediations). */
export interface Remediation {
  policyName: string;
  description: string;
  /** The corrected properties; absent when the pack could only say why not (`diagnostic`). */
  properties?: Record<string, EngineValue>;
  diagnostic?: string;
}

export interface RemediateResult {
  remediations: Remediation[];
  notApplicable: NotApplicable[];
}

interface RemediateResponse {
  getRemediationsList(): {
    getPolicyname(): string;
    getDescription(): string;
    getProperties(): { toJavaScript(): unknown } | undefined;
    getDiagnostic(): string;
  }[];
  getNotApplicableList(): { getPolicyName(): string; getReason(): string }[];
}

function analyzeResult(res: AnalyzeResponse): AnalyzeResult {
  return {
    diagnostics: res.getDiagnosticsList().map(diagnostic),
    notApplicable: res.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

export class AnalyzerHarness {
  private readonly client: grpc.Client & Record<string, Unary<unknown, unknown>>;

  constructor(readonly port: number) {
    this.client = new analyzerrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
      // No transparent retries: nothing to retry against a local pack, and the retry buffer copies every request.
      "grpc.enable_retries": 0,
    });
  }

  private call<Res>(method: string, req: unknown): Promise<Res> {
    return new Promise((resolve, reject) => {
      (this.client[method] as Unary<unknown, Res>).call(this.client, req, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }

  /** Newer engines say hello first; a pack without Handshake answers UNIMPLEMENTED, which the engine accepts. */
  async handshake(engineAddress: string, rootDirectory: string, programDirectory: string): Promise<boolean> {
    const req = new analyzerproto.AnalyzerHandshakeRequest();
    req.setEngineAddress(engineAddress);
    req.setRootDirectory(rootDirectory);
    req.setProgramDirectory(programDirectory);
    try {
      await this.call("handshake", req);
      return true;
    } catch (e) {
      if ((e as grpc.ServiceError).code === grpc.status.UNIMPLEMENTED) return false;
      throw e;
    }
  }

  async getAnalyzerInfo(): Promise<AnalyzerInfo> {
    const info = await this.call<{ getName(): string; getVersion(): string; getPoliciesList(): unknown[] }>("getAnalyzerInfo", new Empty());
    const policies = (info.getPoliciesList() as Record<string, () => unknown>[]).map((p) => {
      const schema = p.getConfigschema() as { getProperties(): { toJavaScript(): Record<string, unknown> } | undefined } | undefined;
      const type = p.getPolicyType() as number;
      return {
        name: p.getName() as string,
        description: p.getDescription() as string,
        enforcementLevel: PROTO_TO_LEVEL.get(p.getEnforcementlevel() as number) ?? "advisory",
        kind:
          type === analyzerproto.PolicyType.POLICY_TYPE_RESOURCE ? "resource" : type === analyzerproto.PolicyType.POLICY_TYPE_STACK ? "stack" : "unspecified",
        severity: SEVERITY[p.getSeverity() as number] || undefined,
        remediation: (p.getRemediationSteps() as string) || undefined,
        tags: p.getTagsList() as string[],
        configSchema: schema?.getProperties()?.toJavaScript(),
      } satisfies PolicyInfo;
    });
    return { name: info.getName(), version: info.getVersion(), policies };
  }

  async configure(config: Record<string, PolicyConfigEntry>): Promise<void> {
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(config)) {
      const pc = new analyzerproto.PolicyConfig();
      pc.setEnforcementlevel(LEVEL_TO_PROTO[c.enforcementLevel]);
      pc.setProperties(Struct.fromJavaScript(c.properties));
      map.set(name, pc);
    }
    await this.call("configure", req);
  }

  async configureStack(s: StackContext): Promise<void> {
    const req = new analyzerproto.AnalyzerStackConfigureRequest();
    req.setStack(s.stack);
    req.setProject(s.project);
    req.setOrganization(s.organization);
    req.setDryRun(s.dryRun);
    req.setConfigSecretKeysList(s.secretKeys);
    for (const [k, v] of Object.entries(s.config)) req.getConfigMap().set(k, v);
    for (const [k, v] of Object.entries(s.tags)) req.getTagsMap().set(k, v);
    try {
      await this.call("configureStack", req);
    } catch (e) {
      if ((e as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) throw e;
    }
  }

  async analyze(r: CollectedResource, providers: Map<string, CollectedResource>, props: Record<string, EngineValue> = r.inputs): Promise<Diagnostic[]> {
    return (await this.analyzeResource(r, providers, props)).diagnostics;
  }

  /** Analyze with the policies that said they do not apply, and why. */
  async analyzeResource(
    r: CollectedResource,
    providers: Map<string, CollectedResource>,
    props: Record<string, EngineValue> = r.inputs,
  ): Promise<AnalyzeResult> {
    return analyzeResult(await this.call<AnalyzeResponse>("analyze", resourceRequest(r, providers, props)));
  }

  /**
   * Remediate, as the engine calls it before Analyze for policies at the `remediate` level:
   * each remediation the pack made, in order, with the properties it returned (each one
   * starts from the previous one's).
   */
  async remediate(r: CollectedResource, providers: Map<string, CollectedResource>, props: Record<string, EngineValue> = r.inputs): Promise<RemediateResult> {
    const res = await this.call<RemediateResponse>("remediate", resourceRequest(r, providers, props));
    return {
      remediations: res.getRemediationsList().map((x) => ({
        policyName: x.getPolicyname(),
        description: x.getDescription(),
        properties: x.getProperties()?.toJavaScript() as Record<string, EngineValue> | undefined,
        diagnostic: x.getDiagnostic() || undefined,
      })),
      notApplicable: res.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
    };
  }

  async analyzeStack(resources: readonly CollectedResource[], providers: Map<string, CollectedResource>, useOutputs = true): Promise<Diagnostic[]> {
    return (await this.analyzeStackResult(resources, providers, useOutputs)).diagnostics;
  }

  async analyzeStackResult(resources: readonly CollectedResource[], providers: Map<string, CollectedResource>, useOutputs = true): Promise<AnalyzeResult> {
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(
      resources.map((r) => {
        const a = new analyzerproto.AnalyzerResource();
        a.setType(r.type);
        a.setProperties(Struct.fromJavaScript(useOutputs ? r.outputs : r.inputs));
        a.setUrn(r.urn);
        a.setName(r.name);
        a.setOptions(options(r));
        const p = r.provider ? providers.get(r.provider) : undefined;
        if (p) a.setProvider(providerResource(p));
        if (r.parent) a.setParent(r.parent);
        a.setDependenciesList(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
          const d = new analyzerproto.AnalyzerPropertyDependencies();
          d.setUrnsList(urns);
          a.getPropertydependenciesMap().set(k, d);
        }
        return a;
      }),
    );
    return analyzeResult(await this.call<AnalyzeResponse>("analyzeStack", req));
  }

  close(): void {
    this.client.close();
  }
}

/** The request Analyze and Remediate share: one resource with every field the engine fills. */
export function resourceRequest(r: CollectedResource, providers: Map<string, CollectedResource>, props: Record<string, EngineValue>): unknown {
  const req = new analyzerproto.AnalyzeRequest();
  req.setType(r.type);
  req.setProperties(Struct.fromJavaScript(props));
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setOptions(options(r));
  const p = r.provider ? providers.get(r.provider) : undefined;
  if (p) req.setProvider(providerResource(p));
  return req;
}

function options(r: CollectedResource): unknown {
  const o = new analyzerproto.AnalyzerResourceOptions();
  o.setProtect(r.options.protect);
  o.setIgnorechangesList(r.options.ignoreChanges);
  if (r.options.deleteBeforeReplace !== undefined) {
    o.setDeletebeforereplace(r.options.deleteBeforeReplace);
    o.setDeletebeforereplacedefined(true);
  }
  o.setAdditionalsecretoutputsList(r.options.additionalSecretOutputs);
  o.setAliasesList(r.options.aliases);
  const t = new analyzerproto.AnalyzerResourceOptions.CustomTimeouts();
  t.setCreate(r.options.customTimeouts.create);
  t.setUpdate(r.options.customTimeouts.update);
  t.setDelete(r.options.customTimeouts.delete);
  o.setCustomtimeouts(t);
  if (r.options.parent) o.setParent(r.options.parent);
  return o;
}

function providerResource(p: CollectedResource): unknown {
  const a = new analyzerproto.AnalyzerProviderResource();
  a.setType(p.type);
  a.setProperties(Struct.fromJavaScript(p.inputs));
  a.setUrn(p.urn);
  a.setName(p.name);
  return a;
}

function diagnostic(d: unknown): Diagnostic {
  const x = d as Record<string, () => unknown>;
  return {
    policyName: x.getPolicyname() as string,
    policyPackName: x.getPolicypackname() as string,
    policyPackVersion: x.getPolicypackversion() as string,
    description: x.getDescription() as string,
    message: x.getMessage() as string,
    enforcementLevel: PROTO_TO_LEVEL.get(x.getEnforcementlevel() as number) ?? "advisory",
    urn: (x.getUrn() as string) || undefined,
    severity: SEVERITY[x.getSeverity() as number] || undefined,
  };
}
