/**
 * From a collected resource's engine-encoded inputs to plain values the mapping can read:
 * secrets unwrapped (their values remembered only to keep them out of error messages),
 * unknowns refused. Every error names the resource and the input key, never a value.
 */
import { isSecretValue, type EngineValue } from "../../preflight/engine-encoding";
import type { CollectedResource } from "../../preflight/collect";

/**
 * The engine's unknown sentinels (@pulumi/policy proxy.js, @pulumi/pulumi runtime/rpc.js):
 * a value still unknown at preview. The mock runtime runs with preview=true, so an output no
 * mock produced arrives as one of these.
 */
export const UNKNOWN_SENTINELS: Record<string, string> = {
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9": "string",
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7": "boolean",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421": "number",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2": "array",
  "030794c1-ac77-496b-92df-f27374a8bd58": "asset",
  "e48ece36-62e2-4504-bad9-02848725956a": "archive",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff": "object",
};

/** A failure tied to one resource (and input key when there is one). Never carries a value. */
export class ApplyError extends Error {
  constructor(
    readonly resource: string,
    readonly key: string | undefined,
    message: string,
  ) {
    super(`${resource}${key ? ` (${key})` : ""}: ${message}`);
    this.name = "ApplyError";
  }
}

export type Plain = null | boolean | number | string | Plain[] | { [k: string]: Plain };

export interface ResolvedInputs {
  /** Inputs with secrets unwrapped. Never print these. */
  values: Record<string, Plain>;
  /** Input paths that were secret (for callers that must not echo them). */
  secretPaths: string[];
  /** The secret strings themselves, only so error text can be scrubbed of them. */
  secretStrings: string[];
}

/** "type::name" label used in every message about a resource. */
export function describeResource(r: Pick<CollectedResource, "type" | "name">): string {
  return `${r.type} "${r.name}"`;
}

const joinPath = (base: string, k: string | number) => (typeof k === "number" ? `${base}[${k}]` : base ? `${base}.${k}` : k);

/** Unwraps secrets and refuses unknowns anywhere in the inputs (the error names the first path). */
export function resolveInputs(r: CollectedResource): ResolvedInputs {
  const secretPaths: string[] = [];
  const secretStrings: string[] = [];
  const collectStrings = (v: Plain) => {
    if (typeof v === "string" && v.length >= 4) secretStrings.push(v);
    else if (Array.isArray(v)) v.forEach(collectStrings);
    else if (v && typeof v === "object") Object.values(v).forEach(collectStrings);
  };
  const walk = (v: EngineValue, path: string, inSecret: boolean): Plain => {
    if (isSecretValue(v)) {
      secretPaths.push(path);
      const inner = walk(v.value, path, true);
      collectStrings(inner);
      return inner;
    }
    if (typeof v === "string" && UNKNOWN_SENTINELS[v]) {
      throw new ApplyError(
        describeResource(r),
        path,
        `input is still unknown (an unknown ${UNKNOWN_SENTINELS[v]} at preview): the mock runtime produced no value for it, so it cannot be applied`,
      );
    }
    if (Array.isArray(v)) return v.map((e, i) => walk(e, joinPath(path, i), inSecret));
    if (v && typeof v === "object") {
      const out: Record<string, Plain> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, joinPath(path, k), inSecret);
      return out;
    }
    return v;
  };
  const values = walk(r.inputs as EngineValue, "", false) as Record<string, Plain>;
  return { values, secretPaths, secretStrings };
}

/** Replaces every known secret string in a message (engine errors are echoed to callers). */
export function scrub(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join("[secret]");
  return out;
}

/**
 * Typed access to one resource's plain inputs. A value of the wrong type is an error naming
 * the key; absent keys read as undefined (the caller applies the provider schema's default).
 */
export class InputReader {
  constructor(
    readonly resource: string,
    private readonly root: Record<string, Plain>,
  ) {}

  fail(key: string, message: string): never {
    throw new ApplyError(this.resource, key, message);
  }

  private at(path: string): Plain | undefined {
    let cur: Plain | undefined = this.root;
    for (const part of path.split(".").filter(Boolean)) {
      const m = /^(.+?)\[(\d+)\]$/.exec(part);
      const key = m ? m[1] : part;
      if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, Plain>)[key];
      if (m) {
        if (!Array.isArray(cur)) return undefined;
        cur = cur[Number(m[2])];
      }
    }
    return cur === null ? undefined : cur;
  }

  has(path: string): boolean {
    return this.at(path) !== undefined;
  }

  str(path: string): string | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== "string") this.fail(path, `expected a string, got ${Array.isArray(v) ? "an array" : typeof v}`);
    return v;
  }

  num(path: string): number | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(path, `expected a number, got ${typeof v}`);
    return v;
  }

  int(path: string): number | undefined {
    const v = this.num(path);
    if (v !== undefined && !Number.isInteger(v)) this.fail(path, "expected an integer");
    return v;
  }

  bool(path: string): boolean | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") this.fail(path, `expected a boolean, got ${typeof v}`);
    return v;
  }

  /** An object (a MaxItems=1 block, which the Pulumi SDK flattens to an object). */
  obj(path: string): boolean {
    const v = this.at(path);
    if (v === undefined) return false;
    if (typeof v !== "object" || Array.isArray(v)) this.fail(path, "expected an object");
    return true;
  }

  /** Length of a list (0 when absent). */
  len(path: string): number {
    const v = this.at(path);
    if (v === undefined) return 0;
    if (!Array.isArray(v)) this.fail(path, "expected a list");
    return v.length;
  }

  strings(path: string): string[] | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(path, "expected a list of strings");
    return v.map((e, i) => {
      // stringListToStringSlice maps a nil element to "" (resource_docker_container_structures.go 171-181).
      if (e === null) return "";
      if (typeof e !== "string") this.fail(`${path}[${i}]`, "expected a string");
      return e;
    });
  }

  /** A map of strings (TypeMap of TypeString). */
  stringMap(path: string): Record<string, string> | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== "object" || Array.isArray(v)) this.fail(path, "expected a map of strings");
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v as Record<string, Plain>)) {
      if (typeof x !== "string") this.fail(`${path}.${k}`, "expected a string");
      out[k] = x;
    }
    return out;
  }

  /** [{label, value}] -> map (helpers.go labelSetToMap 15-24). */
  labels(path: string): Record<string, string> | undefined {
    const n = this.len(path);
    if (!this.has(path)) return undefined;
    const out: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      const label = this.str(`${path}[${i}].label`);
      const value = this.str(`${path}[${i}].value`);
      if (label === undefined) this.fail(`${path}[${i}].label`, "is required");
      if (value === undefined) this.fail(`${path}[${i}].value`, "is required");
      out[label] = value;
    }
    return out;
  }
}
