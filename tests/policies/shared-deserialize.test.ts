/** The pack's one-conversion-per-request sharing: same object for every validation, frozen, remediation untouched. */
import { shareDeserialization } from "../../policies/lib/shared-deserialize";

const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

test("one deserialized, frozen object per request Struct; a new Struct gets a new one; proxySecrets path unchanged", () => {
  const mod = require("@pulumi/policy/deserialize") as { deserializeProperties(s: unknown, p: boolean): Record<string, unknown> };
  const original = mod.deserializeProperties;
  try {
    expect(shareDeserialization()).toBe(true);
    expect(shareDeserialization()).toBe(false); // installed once
    const s1 = Struct.fromJavaScript({ a: { b: [1, "x"] }, secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "pw" } });
    const p1 = mod.deserializeProperties(s1, false);
    expect(mod.deserializeProperties(s1, false)).toBe(p1);
    expect(p1).toEqual({ a: { b: [1, "x"] }, secret: "pw" });
    expect(Object.isFrozen(p1) && Object.isFrozen(p1.a)).toBe(true);
    expect(() => {
      "use strict";
      (p1.a as Record<string, unknown>).b = 2;
    }).toThrow(TypeError);
    expect(mod.deserializeProperties(Struct.fromJavaScript({ a: 1 }), false)).not.toBe(p1);
    const remediation = mod.deserializeProperties(s1, true);
    expect(remediation).not.toBe(p1);
    expect(Object.isFrozen(remediation)).toBe(false);
  } finally {
    mod.deserializeProperties = original;
  }
});
