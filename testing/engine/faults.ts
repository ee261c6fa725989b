/**
 * Faults injected into a deployed engine stack, shared by the e2e suite and the engine bench:
 * an image that starts but never becomes healthy, and a bounded wait for a service's update
 * to reach a state (the swarm rolls back after the apply has already returned).
 */
import { Readable } from "node:stream";
import type Docker from "dockerode";
import { busyboxRootfsTar } from "../docker/rootfs";
import type { EngineStack } from "./stack";

/** Imports a busybox image as `ref` whose command only sleeps: any HTTP health check of it fails. */
export async function importUnhealthyImage(docker: Docker, ref: string): Promise<void> {
  const [repo, tag = "latest"] = ref.split(":");
  const stream = (await docker.importImage(
    Readable.from([busyboxRootfsTar()]) as unknown as string,
    { repo, tag, changes: ['CMD ["sleep", "3600"]'] } as object,
  )) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    stream
      .on("end", () => resolve())
      .on("error", reject)
      .resume();
  });
}

/** Polls (bounded, every 2 s) until the service's UpdateStatus.State is one of `states`; returns the last state seen. */
export async function waitForUpdateState(docker: Docker, service: string, states: readonly string[], withinMs: number): Promise<string | undefined> {
  const started = Date.now();
  let state: string | undefined;
  while (Date.now() - started < withinMs) {
    state = ((await docker.getService(service).inspect()) as { UpdateStatus?: { State?: string } }).UpdateStatus?.State;
    if (state && states.includes(state)) return state;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return state;
}

/**
 * Applies a change meant to fail on `service` and be rolled back by the swarm: the apply fails
 * as the rollback starts, and the rollback itself takes a while longer (waited for, bounded).
 * Returns the apply's error (undefined if it succeeded), the update state reached and the time
 * from the apply to that state.
 */
export async function updateThatRollsBack(
  stack: EngineStack,
  service: string,
  change: Parameters<EngineStack["redeploy"]>[0],
  withinMs = 300_000,
): Promise<{ error: Error | undefined; state: string | undefined; ms: number }> {
  const started = Date.now();
  const error = await stack.redeploy(change).then(
    () => undefined,
    (e: Error) => e,
  );
  const state = await waitForUpdateState(
    stack.engine.docker,
    `${stack.outputs.resourcePrefix}-${service}`,
    ["rollback_completed", "rollback_paused"],
    withinMs,
  );
  return { error, state, ms: Date.now() - started };
}
