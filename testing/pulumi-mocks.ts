/**
 * Runs the infra program (program/index.ts itself) under Pulumi's mock runtime with a stack's
 * configuration, records every registered resource with plain inputs and resolves the
 * stack outputs, for the program tests. Provider state comes from the preflight's mocks
 * (preflight/mocks.ts), so dependent inputs are known as after a real create.
 */
import * as pulumi from "@pulumi/pulumi";
import { PreflightMocks } from "../preflight/mocks";

export interface RegisteredResource {
  type: string;
  name: string;
  id: string;
  /** Inputs as the program registered them (Outputs resolved, secrets unwrapped). */
  inputs: Record<string, any>;
  /** State the mock returned. */
  state: Record<string, any>;
  custom: boolean;
}

export interface MockRunOptions {
  stack: string;
  project?: string;
  /** Engine-style config ("mcp:domain" -> string), e.g. from readStackFile(). */
  engineConfig: Record<string, string>;
  secretKeys?: string[];
  /** Runs the program; returns its exports (module.exports of program/index.ts). */
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
  const mocks = new PreflightMocks();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const { id, state } = mocks.newResource(args);
        resources.push({ type: args.type, name: args.name, id: id ?? "", inputs: args.inputs, state, custom: args.custom ?? true });
        return { id, state };
      },
      call: (args: pulumi.runtime.MockCallArgs) => mocks.call(args),
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
  service: "docker:index/service:Service",
  secret: "docker:index/secret:Secret",
  config: "docker:index/serviceConfig:ServiceConfig",
  image: "docker:index/remoteImage:RemoteImage",
  network: "docker:index/network:Network",
  volume: "docker:index/volume:Volume",
  password: "random:index/randomPassword:RandomPassword",
} as const;
