/**
 * Runs the infra program under Pulumi's mock runtime with a stack's configuration and
 * records every registered resource. Mocks return realistic provider state (image IDs,
 * network names, generated passwords as secrets, PEMs) so dependent inputs are known, as
 * they would be after a real create. Used by the program tests and the offline preflight.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash, randomBytes } from "crypto";

export interface RegisteredResource {
  type: string;
  name: string;
  urn: string;
  id: string;
  /** Inputs as the program registered them (Outputs resolved, secrets unwrapped). */
  inputs: Record<string, any>;
  /** State the mock returned. */
  state: Record<string, any>;
  provider?: string;
  custom: boolean;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

/** A password of the requested length from letters, digits and the allowed specials. */
function mockPassword(inputs: Record<string, any>): string {
  const specials: string = inputs.special === false ? "" : (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + specials;
  const length: number = inputs.length ?? 16;
  const body = Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join("");
  // Satisfy min* constraints the way the provider guarantees them: one of each class up front.
  return ("Aa1" + specials.slice(0, 2) + body).slice(0, length);
}

function fakePem(kind: "CERTIFICATE" | "PRIVATE KEY" | "CERTIFICATE REQUEST", seed: string): string {
  const body = Buffer.from(hash(kind + seed).repeat(8)).toString("base64").match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`;
}

export function mockState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage":
      return { ...inputs, imageId: `sha256:${hash(inputs.name)}`, repoDigest: `${String(inputs.name).split(":")[0]}@sha256:${hash("digest" + inputs.name)}` };
    case "docker:index/network:Network":
      return { ...inputs, name: inputs.name ?? name, driver: inputs.driver ?? "bridge", scope: "local" };
    case "docker:index/volume:Volume":
      return { ...inputs, name: inputs.name ?? name, mountpoint: `/var/lib/docker/volumes/${inputs.name ?? name}/_data` };
    case "docker:index/container:Container":
      return { ...inputs, name: inputs.name ?? name, exitCode: 0, networkDatas: [] };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: pulumi.secret(mockPassword(inputs)), bcryptHash: pulumi.secret("$2a$10$" + hash(name).slice(0, 53)) };
    case "tls:index/privateKey:PrivateKey":
      return { ...inputs, privateKeyPem: pulumi.secret(fakePem("PRIVATE KEY", name)), publicKeyPem: fakePem("CERTIFICATE", "pub" + name), publicKeyFingerprintSha256: hash(name) };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { ...inputs, certPem: fakePem("CERTIFICATE", name), validityStartTime: new Date().toISOString(), validityEndTime: new Date(Date.now() + 90 * 86400e3).toISOString() };
    case "tls:index/certRequest:CertRequest":
      return { ...inputs, certRequestPem: fakePem("CERTIFICATE REQUEST", name) };
    default:
      return { ...inputs };
  }
}

export interface MockRunOptions {
  stack: string;
  project?: string;
  /** Engine-style config ("mcp:domain" -> string), e.g. from readStackFile(). */
  engineConfig: Record<string, string>;
  secretKeys?: string[];
  /** Runs the program; returns its exports (module.exports of infra/index.ts). */
  program: () => unknown;
  preview?: boolean;
}

/** Error thrown by a failing program, with what it had registered before failing. */
export type ProgramError = Error & { registered: RegisteredResource[] };

export interface MockRunResult {
  resources: RegisteredResource[];
  /** Stack outputs, resolved (secrets unwrapped). */
  outputs: Record<string, any>;
}

/** Resolves an Output-laden value to plain data. */
async function resolve(value: unknown): Promise<any> {
  return new Promise((res) => pulumi.output(value as any).apply((v) => res(v)));
}

export async function runUnderMocks(opts: MockRunOptions): Promise<MockRunResult> {
  const resources: RegisteredResource[] = [];
  pulumi.runtime.setAllConfig(opts.engineConfig, opts.secretKeys ?? []);
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const state = mockState(args.type, args.name, args.inputs);
        const id = `${args.name}-id`;
        resources.push({ type: args.type, name: args.name, urn: `urn:pulumi:${opts.stack}::${opts.project ?? "mcp-production-stack"}::${args.type}::${args.name}`, id, inputs: args.inputs, state, provider: args.provider, custom: args.custom ?? true });
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    opts.project ?? "mcp-production-stack",
    opts.stack,
    opts.preview ?? false,
  );
  let exported: unknown;
  try {
    exported = opts.program();
  } catch (e) {
    // Callers assert that a failing program registered nothing.
    throw Object.assign(e as Error, { registered: resources });
  }
  const outputs = await resolve(exported ?? {});
  // Registrations are asynchronous: drain the runtime's RPC queue before reading them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  return { resources, outputs };
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Inputs with the runtime's secret wrappers removed (a list holding one secret is wholly secret). */
export function plainValue(v: any): any {
  if (Array.isArray(v)) return v.map(plainValue);
  if (v && typeof v === "object") {
    if (SECRET_SIG in v) return plainValue(v.value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValue(x)]));
  }
  return v;
}

/** Plain inputs of every resource of a type, keyed by logical name. */
export function byType(resources: RegisteredResource[], type: string): Record<string, Record<string, any>> {
  return Object.fromEntries(resources.filter((r) => r.type === type).map((r) => [r.name, plainValue(r.inputs)]));
}

export const TYPES = {
  container: "docker:index/container:Container",
  image: "docker:index/remoteImage:RemoteImage",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  password: "random:index/randomPassword:RandomPassword",
} as const;
