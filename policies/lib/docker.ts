/**
 * Reading Docker provider (@pulumi/docker 5.x) resource inputs: resource types, labels,
 * a container's environment, command and networks. Tolerant of absent fields and of unknowns
 * (each reader says when it could not know). Rules read workloads through
 * policies/lib/workload.ts; these are the pieces its adapters are built from.
 */
import { asArray, get, isUnknown, Known, known, Props, UNKNOWN } from "./values";
import type { ResourceView } from "./define";

/**
 * Per-properties-object memo: several policies read the same container's labels, env and
 * uploads on one Analyze call (the pack shares one deserialized object among them, see
 * shared-deserialize.ts). Results are read-only.
 */
export function memo<R>(fn: (props: Props) => R): (props: Props) => R {
  const cache = new WeakMap<object, R>();
  return (props) => {
    if (!props || typeof props !== "object") return fn(props);
    if (cache.has(props)) return cache.get(props) as R;
    const r = fn(props);
    cache.set(props, r);
    return r;
  };
}

export const T = {
  container: "docker:index/container:Container",
  service: "docker:index/service:Service",
  secret: "docker:index/secret:Secret",
  serviceConfig: "docker:index/serviceConfig:ServiceConfig",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  randomPassword: "random:index/randomPassword:RandomPassword",
  tlsPrivateKey: "tls:index/privateKey:PrivateKey",
} as const;

/** Labels the program puts on every service and container (infra/components/common.ts). */
export const LABEL = { service: "com.mcp.service", instance: "com.mcp.instance", stack: "com.mcp.stack" } as const;

/** Labels as a map; `[{label, value}]` is the provider's shape, a plain map is accepted too. */
export const labelsOf = memo(function labelsOf(props: Props): Known<Record<string, string>> {
  return labelList(get(props, "labels"));
});

export function labelList(raw: unknown): Known<Record<string, string>> {
  if (isUnknown(raw)) return UNKNOWN;
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const l of raw) {
      const k = get(l, "label");
      const v = get(l, "value");
      if (isUnknown(k) || isUnknown(v)) return UNKNOWN;
      if (typeof k === "string") out[k] = v === undefined || v === null ? "" : String(v);
    }
  } else if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw)) out[k] = String(v);
  }
  return known(out);
}

/** The service a container or swarm service runs (label `com.mcp.service`), or undefined when unlabelled/unknown. */
export function serviceOf(r: ResourceView): string | undefined {
  const l = labelsOf(r.props);
  if (l.known && l.value[LABEL.service]) return l.value[LABEL.service];
  const c = labelList(get(r.props, "taskSpec", "containerSpec", "labels"));
  return c.known ? c.value[LABEL.service] : undefined;
}

/** How a resource is named in messages: the Docker name when known, else the Pulumi name. */
export function displayName(r: ResourceView): string {
  const n = get(r.props, "name");
  return typeof n === "string" && !isUnknown(n) ? n : r.name;
}

export interface EnvEntry {
  index: number;
  /** undefined when the whole "K=V" element is unknown at preview. */
  key: string | undefined;
  value: string | undefined;
}

/** `envs: ["K=V", ...]`. The list itself may be unknown, or single elements. */
export const envOf = memo(function envOf(props: Props): Known<EnvEntry[]> {
  const list = asArray(get(props, "envs"));
  if (!list.known) return UNKNOWN;
  const out: EnvEntry[] = [];
  list.value.forEach((e, index) => {
    if (isUnknown(e)) return void out.push({ index, key: undefined, value: undefined });
    if (typeof e !== "string") return;
    const i = e.indexOf("=");
    out.push({ index, key: i < 0 ? e : e.slice(0, i), value: i < 0 ? "" : e.slice(i + 1) });
  });
  return known(out);
});

/** Argument list of the container's command (the image's default when absent). */
export const commandOf = memo(function commandOf(props: Props): Known<string[]> {
  const c = asArray(get(props, "command"));
  const e = asArray(get(props, "entrypoints"));
  if (!c.known || !e.known) return UNKNOWN;
  const all = [...e.value, ...c.value];
  if (all.some(isUnknown)) return UNKNOWN;
  return known(all.map(String));
});

/** Value of `--flag=value` or `--flag value` (also `-c key=value` for postgres style). */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === flag && i + 1 < args.length) return args[i + 1];
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
  }
  return undefined;
}

export interface NetworkAttachment {
  /** Network name or ID as given; undefined when unknown. */
  name: string | undefined;
  aliases: string[];
}

export const networksOf = memo(function networksOf(props: Props): Known<NetworkAttachment[]> {
  const list = asArray(get(props, "networksAdvanced"));
  if (!list.known) return UNKNOWN;
  const out: NetworkAttachment[] = [];
  for (const n of list.value) {
    if (isUnknown(n)) return UNKNOWN;
    const name = get(n, "name");
    const aliases = asArray(get(n, "aliases"));
    out.push({
      name: typeof name === "string" && !isUnknown(name) ? name : undefined,
      aliases: aliases.known ? aliases.value.filter((a): a is string => typeof a === "string" && !isUnknown(a)) : [],
    });
  }
  return known(out);
});
