/**
 * Under the mock runtime every resource's properties cross a protobuf Struct twice (the request,
 * the mock's response), and each Struct is turned back into JavaScript twice: once by the SDK or
 * its mock monitor, once by the preflight to record what was registered (collect.ts). Decoding a
 * Struct is the costly part (google-protobuf walks its map and value wrappers), so while the program
 * runs the second decode of the same Struct returns the first one's result. Every reader only reads
 * it (the SDK's deserializeProperties and toEngineProperties build new objects), and nothing changes
 * a request or response Struct once it is built.
 */
import * as path from "path";

interface StructProto {
  toJavaScript(this: object): Record<string, unknown>;
}

/** The Struct class the SDK itself builds requests with (its own copy of google-protobuf, if it has one). */
function sdkStructPrototype(): StructProto | undefined {
  try {
    const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] })) as { Struct?: { prototype: StructProto } };
    return typeof Struct?.prototype?.toJavaScript === "function" ? Struct.prototype : undefined;
  } catch {
    return undefined;
  }
}

export async function withStructDecodeShared<T>(fn: () => Promise<T>): Promise<T> {
  const proto = sdkStructPrototype();
  if (!proto || Object.prototype.hasOwnProperty.call(proto.toJavaScript, "shared")) return fn();
  const original = proto.toJavaScript;
  const decoded = new WeakMap<object, Record<string, unknown>>();
  const shared = function (this: object) {
    let v = decoded.get(this);
    if (!v) {
      v = original.call(this);
      decoded.set(this, v);
    }
    return v;
  };
  Object.defineProperty(shared, "shared", { value: true });
  proto.toJavaScript = shared;
  try {
    return await fn();
  } finally {
    proto.toJavaScript = original;
  }
}
