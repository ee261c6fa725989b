/**
 * Every file a service reads, as swarm objects: rendered configuration as Docker configs
 * (docker.ServiceConfig), anything holding a secret as Docker secrets (docker.Secret: kept
 * encrypted in the managers' raft log, mounted on a tmpfs, never on a worker's disk). No
 * file reaches a container any other way. Checklist: PRE-CONFIG-03, SEC-DATA-02, SEC-DATA-03.
 *
 * Both kinds are immutable in swarm, so the Docker name carries a hash of path and content:
 * a change makes a new object, the service is updated to it (a normal rolling update, rolled
 * back like any other), and the old object goes once nothing runs on it. One object per path:
 * services that mount the same file (the internal CA) share it.
 *
 * A failed update leaves the swarm running the service on the OLD object (it rolled back), so
 * the old object must not be something Pulumi insists on deleting next time ("config is in
 * use"). Rendered text is known when the program runs: its content hash is part of the
 * resource's logical name, so a change is a new resource and the old one is removed only by a
 * later deploy that no longer uses it. Secrets and certificates are known only after their
 * providers run: their resources keep one name and `retainOnDelete`, so a replacement never
 * fails on an object still in use; docs/runbooks/README.md lists how to remove the ones no
 * service references any more.
 */
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { createHash } from "node:crypto";
import type { ConfigFileSpec, PublicMaterialName, SecretFileSpec, SecretName, ServiceSpec } from "../spec";

export interface FileDeps {
  prefix: string;
  secrets: Record<SecretName, pulumi.Output<string>>;
  materials: Record<PublicMaterialName, pulumi.Output<string>>;
  labels: Record<string, string>;
  opts: pulumi.CustomResourceOptions;
}

export type ConfigRef = docker.types.input.ServiceTaskSpecContainerSpecConfig;
export type SecretRef = docker.types.input.ServiceTaskSpecContainerSpecSecret;

export interface StackFiles {
  configs: Map<string, docker.ServiceConfig>;
  secrets: Map<string, docker.Secret>;
  /** The config and secret references of one service, with its user's uid/gid and each file's mode. */
  refsFor(spec: ServiceSpec): { configs: ConfigRef[]; secrets: SecretRef[] };
}

/** Swarm object names are at most 64 characters. */
const MAX_NAME = 64;
const HASH_LEN = 12;

/** Hash of a file's path and content: what makes its Docker name change when either does. */
export function contentHash(path: string, content: string): string {
  return createHash("sha256").update(path).update("\0").update(content).digest("hex").slice(0, HASH_LEN);
}

/** `<prefix>-<file name>-<hash>`: readable in `docker config ls`, unique per path and content. */
export function swarmObjectName(prefix: string, path: string, content: string): string {
  const base = (path.split("/").pop() ?? "file").replace(/[^A-Za-z0-9_.-]/g, "-");
  const room = MAX_NAME - prefix.length - HASH_LEN - 2;
  return `${prefix}-${base.slice(0, room)}-${contentHash(path, content)}`;
}

/** Logical (Pulumi) name: stable across content changes, so a change is a replacement, not a new resource. */
export function fileResourceName(prefix: string, kind: "config" | "secret", path: string): string {
  return `${prefix}-${kind}${path.replace(/[^A-Za-z0-9_.-]+/g, "-")}`;
}

export function octalMode(mode: string): number {
  // Four digits for tmpfs directories: 1777 is the sticky bit plus rwx for all.
  if (!/^0?[0-7]{3,4}$/.test(mode)) throw new Error(`file mode "${mode}" is not an octal mode like 0444`);
  return parseInt(mode, 8);
}

function uidGid(user: string): { fileUid: string; fileGid: string } {
  const [uid, gid] = user.split(":");
  return { fileUid: uid, fileGid: gid ?? uid };
}

const labelList = (labels: Record<string, string>, path: string) =>
  Object.entries({ ...labels, "com.mcp.file": path }).map(([label, value]) => ({ label, value }));

/** What identifies a file's content before it is rendered: the same path must always mean the same thing. */
function identity(f: ConfigFileSpec | SecretFileSpec): string {
  if ("secrets" in f) return `secret:${f.secrets.join(",")}:${f.render.toString()}`;
  return typeof f.content === "string" ? `text:${createHash("sha256").update(f.content).digest("hex")}` : `material:${f.content.material}`;
}

export function createStackFiles(specs: readonly ServiceSpec[], deps: FileDeps): StackFiles {
  const configs = new Map<string, docker.ServiceConfig>();
  const secrets = new Map<string, docker.Secret>();
  const seen = new Map<string, { identity: string; service: string }>();
  const claim = (f: ConfigFileSpec | SecretFileSpec, spec: ServiceSpec) => {
    const id = identity(f);
    const prev = seen.get(f.path);
    if (prev && prev.identity !== id) throw new Error(`services ${prev.service} and ${spec.name} mount different content at ${f.path}: one path, one file`);
    seen.set(f.path, { identity: id, service: spec.name });
    return !prev;
  };

  for (const spec of specs) {
    for (const f of spec.configFiles) {
      if (!claim(f, spec)) continue;
      const literal = typeof f.content === "string" ? f.content : undefined;
      const content = literal !== undefined ? pulumi.output(literal) : deps.materials[(f.content as { material: PublicMaterialName }).material];
      configs.set(
        f.path,
        new docker.ServiceConfig(
          literal !== undefined
            ? `${fileResourceName(deps.prefix, "config", f.path)}-${contentHash(f.path, literal)}`
            : fileResourceName(deps.prefix, "config", f.path),
          {
            name: content.apply((c) => swarmObjectName(deps.prefix, f.path, c)),
            data: content.apply((c) => Buffer.from(c, "utf8").toString("base64")),
            labels: labelList(deps.labels, f.path),
          },
          literal !== undefined ? deps.opts : { ...deps.opts, retainOnDelete: true },
        ),
      );
    }
    for (const f of spec.secretFiles) {
      if (!claim(f, spec)) continue;
      const content = pulumi
        .all(f.secrets.map((n) => deps.secrets[n]))
        .apply((values) => f.render(Object.fromEntries(f.secrets.map((n, i) => [n, values[i]])) as Record<SecretName, string>));
      secrets.set(
        f.path,
        new docker.Secret(
          fileResourceName(deps.prefix, "secret", f.path),
          {
            // A hash reveals nothing of a 32+ character secret; without it a rotation could not be a rolling update.
            name: pulumi.unsecret(content.apply((c) => swarmObjectName(deps.prefix, f.path, c))),
            data: pulumi.secret(content.apply((c) => Buffer.from(c, "utf8").toString("base64"))),
            labels: labelList(deps.labels, f.path),
          },
          { ...deps.opts, additionalSecretOutputs: ["data"], retainOnDelete: true },
        ),
      );
    }
  }

  return {
    configs,
    secrets,
    refsFor(spec) {
      return {
        configs: spec.configFiles.map((f) => {
          const c = configs.get(f.path) as docker.ServiceConfig;
          return { configId: c.id, configName: c.name, fileName: f.path, ...uidGid(f.owner ?? spec.user), fileMode: octalMode(f.mode) };
        }),
        secrets: spec.secretFiles.map((f) => {
          const s = secrets.get(f.path) as docker.Secret;
          return { secretId: s.id, secretName: s.name, fileName: f.path, ...uidGid(f.owner), fileMode: octalMode(f.mode) };
        }),
      };
    },
  };
}
