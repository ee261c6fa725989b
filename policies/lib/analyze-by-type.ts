/**
 * Speed: @pulumi/policy's Analyze handler (server.js makeAnalyzeRpcFun) visits every policy for
 * every resource. A policy of this pack that looks at two types (a container and a service rule,
 * say) cannot use the server's type fast path, so on every other resource it is given a fresh
 * args object and proxy and throws "not applicable", and the throw, its catch and the garbage
 * cost more than the rules. This gives the server's own handler, per resource type, only the
 * policies that can apply to that type, and appends the "not applicable" entries of the rest (the
 * reason each one's own throw would give, unless the config disables it) as bytes encoded once
 * per type: a protobuf message's encodings concatenated are the message with both lists, and the
 * engine reads that list as a set. tests/policies/analyze-by-type.test.ts holds the response to
 * the server's own (same diagnostics in the same order, the same not-applicable entries) on every
 * resource of the prod and dev stacks and the mutation corpus. The policies a type keeps run in
 * analyze-loop.ts's one pass where they are all this pack's own.
 *
 * Installed by index.ts only (the pack process), before the pack is served. If @pulumi/policy's
 * internals change shape, this does nothing and the server runs as it ships.
 */
import type { Policy, PolicyPackArgs } from "@pulumi/policy";
import { notApplicableTo, type Handler, type MakeAnalyze } from "./analyze-handler";
import { ownAnalyze } from "./analyze-loop";

interface NotApplicableProto {
  setPolicyName(n: string): void;
  setReason(r: string): void;
}
interface AnalyzeResponseProto {
  setNotApplicableList(l: NotApplicableProto[]): void;
  serializeBinary(): Uint8Array;
}
interface AnalyzeRequestProto {
  getType(): string;
}
interface ConfigureRequestProto {
  getPolicyconfigMap(): { entries(): Iterable<[string, { getEnforcementlevel(): number; getProperties(): { toJavaScript(): unknown } }]> };
}

/** A response from the server's handler, and encoded not-applicable entries to send after it. */
export class WithTail {
  constructor(
    readonly response: unknown,
    readonly tail: Uint8Array,
  ) {}
}

/** The Analyze response encoder for the service definition: a WithTail is the response's encoding followed by its tail. */
export function tailSerializer(serialize: (v: unknown) => Buffer): (v: unknown) => Buffer {
  return (v) => (v instanceof WithTail ? Buffer.concat([serialize(v.response), v.tail]) : serialize(v));
}

/**
 * The dispatching handler: `makeAnalyze` is the server's own handler factory, `levelOf` the
 * enforcement level the server would use for a policy under the current config,
 * `encodeNotApplicable` the encoding of a response holding only the given not-applicable entries.
 */
export function analyzeByType(opts: {
  makeAnalyze: MakeAnalyze;
  encodeNotApplicable: (entries: readonly { policyName: string; reason: string }[]) => Uint8Array;
  name: string;
  version: string;
  level: string;
  policies: readonly Policy[];
  levelOf: (p: Policy) => string;
  /** Bumped when the config changes, so encoded entries are rebuilt. */
  generation: () => number;
}): Handler {
  interface PerType {
    handler: Handler;
    excluded: { policy: Policy; reason: string }[];
    generation: number;
    tail: Uint8Array;
  }
  const byType = new Map<string, PerType>();
  const tailOf = (t: PerType): Uint8Array => {
    if (t.generation === opts.generation()) return t.tail;
    // The server reports nothing at all, not even "not applicable", for a disabled policy.
    const entries = t.excluded.filter((x) => opts.levelOf(x.policy) !== "disabled").map((x) => ({ policyName: x.policy.name, reason: x.reason }));
    t.tail = opts.encodeNotApplicable(entries);
    t.generation = opts.generation();
    return t.tail;
  };
  const perType = (type: string): PerType => {
    let t = byType.get(type);
    if (t) return t;
    const kept: Policy[] = [];
    const excluded: PerType["excluded"] = [];
    for (const p of opts.policies) {
      const reason = notApplicableTo(p)?.(type);
      if (reason === undefined) kept.push(p);
      else excluded.push({ policy: p, reason });
    }
    t = { handler: opts.makeAnalyze(opts.name, opts.version, opts.level, kept), excluded, generation: -1, tail: new Uint8Array(0) };
    byType.set(type, t);
    return t;
  };
  return (call, callback) => {
    const t = perType((call.request as AnalyzeRequestProto).getType());
    return t.handler(call, (err, resp) => {
      const tail = err || !resp ? undefined : tailOf(t);
      callback(err, tail && tail.length > 0 ? new WithTail(resp, tail) : resp);
    });
  };
}

/**
 * Installs the dispatcher into @pulumi/policy's serve(): true when installed. The server's
 * other handlers (configure, analyzeStack, remediate, ...) stay its own; configure is watched
 * for the enforcement levels the dispatcher needs, and Analyze's response encoder is given
 * the tail.
 */
export function installAnalyzeByType(): boolean {
  type ServiceDef = Record<string, { responseSerialize: (v: unknown) => Buffer }>;
  let server: { serve?: (...a: unknown[]) => unknown; makeAnalyzeRpcFun?: MakeAnalyze };
  let grpc: { Server?: { prototype: { addService: (svc: ServiceDef, impl: Record<string, Handler>) => void } } };
  let analyzerrpc: { AnalyzerService?: ServiceDef };
  let analyzerproto: {
    AnalyzeResponse?: new () => AnalyzeResponseProto;
    PolicyNotApplicable?: new () => NotApplicableProto;
    EnforcementLevel?: Record<string, number>;
  };
  let deserialize: { deserializeProperties?: (s: object, proxySecrets: boolean) => Record<string, unknown> };
  let protoutil: { makeAnalyzeResponse?: (ds: never[], na?: unknown[]) => unknown; convertEnforcementLevel?: (l: number) => string };
  try {
    server = require("@pulumi/policy/server");
    deserialize = require("@pulumi/policy/deserialize");
    protoutil = require("@pulumi/policy/protoutil");
    const policyDir = require("path").dirname(require.resolve("@pulumi/policy/package.json"));
    grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] }));
    analyzerrpc = require(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb", { paths: [policyDir] }));
    analyzerproto = require(require.resolve("@pulumi/pulumi/proto/analyzer_pb", { paths: [policyDir] }));
  } catch {
    return false;
  }
  const { serve, makeAnalyzeRpcFun: makeAnalyze } = server;
  const proto = grpc.Server?.prototype;
  const service = analyzerrpc.AnalyzerService;
  const { AnalyzeResponse, PolicyNotApplicable, EnforcementLevel } = analyzerproto;
  if (
    typeof serve !== "function" ||
    typeof makeAnalyze !== "function" ||
    typeof proto?.addService !== "function" ||
    typeof service?.analyze?.responseSerialize !== "function" ||
    !AnalyzeResponse ||
    !PolicyNotApplicable ||
    !EnforcementLevel ||
    typeof deserialize.deserializeProperties !== "function" ||
    typeof protoutil.makeAnalyzeResponse !== "function" ||
    typeof protoutil.convertEnforcementLevel !== "function" ||
    (serve as { byType?: boolean }).byType
  )
    return false;
  const { makeAnalyzeResponse, convertEnforcementLevel } = protoutil;
  const encodeNotApplicable = (entries: readonly { policyName: string; reason: string }[]) => {
    const resp = new AnalyzeResponse();
    resp.setNotApplicableList(
      entries.map((e) => {
        const na = new PolicyNotApplicable();
        na.setPolicyName(e.policyName);
        na.setReason(e.reason);
        return na;
      }),
    );
    return resp.serializeBinary();
  };

  const wrapped = (name: string, version: string, level: string, args: PolicyPackArgs, initialConfig?: unknown) => {
    // The config the server stored at Configure, read the way it reads it (server.js configure):
    // each policy's level, and its properties without the level. One properties object per policy
    // until the next Configure: define.ts's rules keep their defaulted config while it is the same.
    let levels = new Map<string, string>();
    let properties = new Map<string, Record<string, unknown>>();
    const noProperties = Object.freeze({});
    let generation = 0;
    // The server's rule: the configured level, else the policy's, else the pack's.
    const levelOf = (p: Policy) => levels.get(p.name) || p.enforcementLevel || level;
    const configOf = (policyName: string) => properties.get(policyName) ?? noProperties;
    const loop = ownAnalyze({
      serverMake: makeAnalyze,
      // Looked up per call: shared-deserialize.ts may have replaced it.
      deserialize: (struct, proxySecrets) => deserialize.deserializeProperties!(struct, proxySecrets),
      makeResponse: (ds, na) => makeAnalyzeResponse!(ds as never[], na),
      newNotApplicable: () => new PolicyNotApplicable(),
      levelOf,
      configOf,
    });
    const analyze = analyzeByType({
      makeAnalyze: loop,
      encodeNotApplicable,
      name,
      version,
      level,
      policies: args.policies ?? [],
      levelOf,
      generation: () => generation,
    });
    const addService = proto.addService;
    proto.addService = function (this: unknown, svc: ServiceDef, impl: Record<string, Handler>) {
      if (svc !== service || typeof impl.configure !== "function") return addService.call(this, svc, impl);
      const configure = impl.configure;
      const def = { ...svc, analyze: { ...svc.analyze, responseSerialize: tailSerializer(svc.analyze.responseSerialize) } };
      return addService.call(this, def, {
        ...impl,
        analyze,
        configure: (call, callback) =>
          configure(call, (err, resp) => {
            if (!err) {
              levels = new Map();
              properties = new Map();
              for (const [k, v] of (call.request as ConfigureRequestProto).getPolicyconfigMap().entries()) {
                const { enforcementLevel: _level, ...rest } = v.getProperties().toJavaScript() as Record<string, unknown>;
                levels.set(k, convertEnforcementLevel!(v.getEnforcementlevel()));
                properties.set(k, rest);
              }
              generation++;
            }
            callback(err, resp);
          }),
      });
    };
    try {
      return serve(name, version, level, args, initialConfig);
    } finally {
      proto.addService = addService;
    }
  };
  (wrapped as { byType?: boolean }).byType = true;
  server.serve = wrapped as (...a: unknown[]) => unknown;
  return true;
}
