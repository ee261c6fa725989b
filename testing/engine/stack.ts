/**
 * The prod stack deployed onto this machine's private swarm engine, the way `pulumi up`
 * would deploy it: the program run under the preflight's mock runtime (the same composition
 * root), its Docker resources applied by testing/engine/apply.ts as the Docker provider
 * applies them, on an engine configured as docs/docker-host.md says, with the stand-in images
 * of testing/engine/images. Everything that differs from the prod stack is listed by
 * `differences` (engine, images, configuration) and printed by the suites that use it.
 *
 * The edge is reached through loopback forwarders to the Nginx task (nothing can be published
 * here); internal services through exec tunnels in task containers, as `npm run verify` does
 * in production. `stop()` tears everything down; the engine's reaper covers a killed process.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "../../infra/config/load";
import type { StackOutputs } from "../../infra/outputs-types";
import { rawConfigFromStackFile, readStackFile } from "../../infra/config/stack-file";
import { parseStackConfig } from "../../infra/config/load";
import { runProgram, type ProgramRun } from "../../preflight/collect";
import { parseStackOutputs } from "../../validate/outputs";
import { connectToStack, type ConnectOptions, type StackConnection } from "../../validate/connect";
import { startHardenedEngine, type HardenedEngine } from "../docker/hardened";
import { makeTestCertificates, makeTempDir, type TempDir } from "../tools";
import { startS3StandIn, type S3StandIn } from "../stand-ins/s3";
import { applyStack, destroyStack, describeDifferences, updateStack, type AppliedStack, type EngineDifferences, type UpdateResult } from "./apply";
import { startServiceForwarder, type Forwarder } from "./forward";
import { buildStackImages, importStackImages, IMAGE_DIFFERENCES, type StackImageSet } from "./images";
import { EngineMocks } from "./mocks";
import { testCa } from "./test-ca";

export const ENGINE_STACK = "prod";
const ROOT = join(__dirname, "..", "..");

/** Swarm's address pool on the test engine (testing/docker/swarm.ts): the stack config must name it. */
const TEST_SWARM_POOL = "198.18.0.0/16";

export interface ConfigDifference {
  key: string;
  why: string;
}

export interface EngineStack {
  engine: HardenedEngine;
  config: StackConfig;
  /** The engine config the program ran with ("mcp:key" -> string): the prod stack file plus the differences. */
  engineConfig: Record<string, string>;
  /** The keys of engineConfig that are secrets (`secure:` in a stack file). */
  secretKeys: string[];
  /** The program's last run (resources as registered, outputs). */
  run: ProgramRun;
  applied: AppliedStack;
  outputs: StackOutputs;
  s3: S3StandIn;
  edge: { https: Forwarder; http: Forwarder; connectTo: Record<string, string>; ca: string };
  /** Every way this deployment differs from the prod stack, one line each. */
  differences: string[];
  /** Every secret value of the stack: nothing a test prints may contain one. */
  secrets(): string[];
  /** Time from the first create to every service converged. */
  convergeMs: number;
  /**
   * Runs the program again (provider state kept, as Pulumi keeps it) with `configChanges` and
   * `replace` (resources to generate anew, e.g. a password to rotate), optionally changes the
   * registered resources (`mutate`, like the preflight's mutation corpus), and updates the stack.
   */
  redeploy(change: {
    configChanges?: Record<string, string>;
    replace?: string[];
    mutate?: (run: ProgramRun) => void;
    images?: Record<string, string>;
  }): Promise<UpdateResult>;
  /** The verify target, reached exactly as `npm run verify` reaches a production stack. */
  connect(options?: Partial<ConnectOptions>): Promise<StackConnection>;
  stop(): Promise<void>;
}

export interface EngineStackOptions {
  log?: (line: string) => void;
}

/** A prod stack-file value as the engine config takes it (JSON for objects). */
function set(config: Record<string, string>, key: string, value: unknown): void {
  config[`mcp:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
}

export async function deployEngineStack(options: EngineStackOptions = {}): Promise<EngineStack> {
  const log = options.log ?? (() => undefined);
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stoppers.reverse()) await s().catch((e: Error) => log(`teardown: ${e.message}`));
    stoppers.length = 0;
  };
  try {
    const work: TempDir = await makeTempDir("mcp-engine-stack-");
    stoppers.push(async () => work.remove());
    const imagesP: Promise<StackImageSet> = buildStackImages({ log });
    const engine = await startHardenedEngine({ log });
    stoppers.push(() => engine.stop());
    const images = await imagesP;
    const imageMap = await importStackImages(engine, images, { log });

    // The public CA of a prod certificate: here the test CA every stand-in image trusts.
    const ca = await testCa();
    const sf = readStackFile(ENGINE_STACK);
    const domain = parseStackConfig(rawConfigFromStackFile(sf), ENGINE_STACK).domain;
    const edgeCert = await makeTestCertificates(work.path, { commonName: domain, dnsNames: [domain], ipAddresses: [], ca });
    const gateway = engine.swarm!.gatewaySubnet.replace(/\.0\/24$/, ".1");
    const s3Cert = await makeTestCertificates(work.join("s3"), { commonName: gateway, dnsNames: [], ipAddresses: [gateway], ca });
    const s3 = await startS3StandIn({ host: gateway, cert: readFileSync(s3Cert.cert, "utf8"), key: readFileSync(s3Cert.key, "utf8") });
    stoppers.push(() => s3.stop());

    const engineConfig: Record<string, string> = { ...sf.engineConfig };
    const offsiteKey = randomBytes(30).toString("base64url");
    const backup = JSON.parse(engineConfig["mcp:backup"]) as { offsite: Record<string, unknown> };
    const configDifferences: ConfigDifference[] = [
      {
        key: "tlsCertificate, tlsPrivateKey",
        why: `the stack file holds encrypted stand-ins; here a certificate for ${domain} from the test CA (what every stand-in image trusts as its public CA)`,
      },
      { key: "backupOffsiteSecretKey", why: "the stack file holds an encrypted stand-in; here a key generated for the run" },
      {
        key: "backup.offsite.endpoint",
        why: `the prod S3 endpoint is on the internet; here the S3 stand-in on the engine's gateway bridge (${s3.url}), TLS from the test CA`,
      },
      { key: "swarm.addressPool", why: `the test swarm gives overlays addresses from ${TEST_SWARM_POOL} (never a private range)` },
      {
        key: "app.toolCallTimeoutSeconds, app.ceilingProbe",
        why: "the prod app's tools are the user's; here the stand-in's `slow` tool runs past a 10 s ceiling, so mcp.tool-ceiling runs (in seconds, not a minute)",
      },
    ];
    set(engineConfig, "tlsCertificate", readFileSync(edgeCert.cert, "utf8"));
    set(engineConfig, "tlsPrivateKey", readFileSync(edgeCert.key, "utf8"));
    set(engineConfig, "backupOffsiteSecretKey", offsiteKey);
    set(engineConfig, "backup", { ...backup, offsite: { ...backup.offsite, endpoint: s3.url } });
    set(engineConfig, "swarm", { addressPool: TEST_SWARM_POOL });
    const app = JSON.parse(engineConfig["mcp:app"] ?? "{}") as Record<string, unknown>;
    set(engineConfig, "app", { ...app, toolCallTimeoutSeconds: 10, ceilingProbe: { tool: "slow", arguments: { seconds: 120 } } });

    let mocks = new EngineMocks();
    const runOnce = async (cfg: Record<string, string>, m: EngineMocks) =>
      runProgram({ stack: ENGINE_STACK, config: cfg, secretKeys: sf.secretKeys, projectDir: ROOT, mocks: m });
    let run = await runOnce(engineConfig, mocks);
    stoppers.push(async () => mocks.dispose());
    const differences: EngineDifferences = { images: imageMap, nodeLabels: { "com.mcp.stateful": "true" } };
    const described = [
      ...engine.differences.map((d) => `daemon.json ${d.key}: ${d.why}`),
      ...describeDifferences(differences),
      ...IMAGE_DIFFERENCES.map((d) => `image ${d.service ?? "(every image with a shell)"} [${d.kind}]: ${d.detail}`),
      ...configDifferences.map((d) => `config ${d.key}: ${d.why}`),
    ];
    for (const line of described) log(`difference: ${line}`);

    const started = Date.now();
    let applied = await applyStack(engine.docker, run.resources, { differences, log });
    const convergeMs = Date.now() - started;
    stoppers.push(() => destroyStack(engine.docker, applied, { log }));
    const outputs = parseStackOutputs(run.outputs, "the engine run's outputs");

    const [https, http] = await Promise.all([
      startServiceForwarder(engine.docker, `${outputs.resourcePrefix}-nginx`, 8443),
      startServiceForwarder(engine.docker, `${outputs.resourcePrefix}-nginx`, 8080),
    ]);
    stoppers.push(
      () => https.close(),
      () => http.close(),
    );
    const connectTo = { [`${domain}:443`]: `127.0.0.1:${https.port}`, [`${domain}:80`]: `127.0.0.1:${http.port}` };
    const caPem = readFileSync(ca.caCert, "utf8");

    const config = parseStackConfig(rawConfigFromStackFile({ ...sf, engineConfig }), ENGINE_STACK);
    const stack: EngineStack = {
      engine,
      config,
      engineConfig,
      secretKeys: [...sf.secretKeys],
      run,
      applied,
      outputs,
      s3,
      edge: { https, http, connectTo, ca: caPem },
      differences: described,
      convergeMs,
      secrets: () => [...mocks.generatedSecrets, ...run.generatedSecrets, offsiteKey, readFileSync(edgeCert.key, "utf8").trim()],
      async redeploy(change) {
        const next = { ...engineConfig, ...change.configChanges };
        const m = new EngineMocks({ prior: mocks.states, replace: change.replace });
        const r = await runOnce(next, m);
        change.mutate?.(r);
        const d = { ...differences, images: { ...differences.images, ...change.images } };
        try {
          const result = await updateStack(engine.docker, applied, r.resources, { differences: d, log });
          applied = stack.applied = result.stack;
          mocks = m;
          run = stack.run = r;
          stack.outputs = parseStackOutputs(r.outputs, "the engine run's outputs");
          return result;
        } catch (e) {
          // A failed update still changed the engine: track what is there now.
          const state = (e as { state?: AppliedStack }).state;
          if (state) applied = stack.applied = state;
          // Pulumi keeps what its providers generated even when the update fails.
          mocks = m;
          throw e;
        }
      },
      connect: (o = {}) =>
        connectToStack(stack.outputs, {
          config: stack.config,
          dockerHost: engine.host,
          daemonJsonPath: engine.daemonJsonPath,
          edgeCa: caPem,
          connectTo,
          backup: { drill: true, projectDir: ROOT },
          log,
          ...o,
        }),
      stop: stopAll,
    };
    return stack;
  } catch (e) {
    await stopAll();
    throw e;
  }
}
