/**
 * Workloads of a resource or a whole stack, through the adapter for its type. Stack
 * policies get services with their config and secret content resolved from the stack's
 * docker.ServiceConfig / docker.Secret resources.
 */
import type { ResourceView } from "./define";
import { T } from "./docker";
import { swarmObjectIndex, type SwarmObjectIndex } from "./swarm-objects";
import type { Workload } from "./workload";
import { containerWorkload } from "./workload-container";
import { serviceWorkload } from "./workload-service";

/** Resource types that run processes: what a workload rule applies to. */
export const WORKLOAD_TYPES: readonly string[] = [T.container, T.service];

export function isWorkload(r: ResourceView): boolean {
  return r.type === T.container || r.type === T.service;
}

/** The workload a resource declares (resource policies: a service's file content is unresolved there). */
export function workloadOf(r: ResourceView, index?: SwarmObjectIndex): Workload {
  if (r.type === T.service) return serviceWorkload(r, index);
  if (r.type === T.container) return containerWorkload(r);
  throw new Error(`${r.type} is not a workload resource`);
}

// Keyed by the resources array: every stack policy of one AnalyzeStack call gets the same one.
const stackCache = new WeakMap<readonly ResourceView[], Workload[]>();

/** Every workload of the stack, optionally only one service's (label com.mcp.service). */
export function workloadsOf(resources: readonly ResourceView[], service?: string): Workload[] {
  let all = stackCache.get(resources);
  if (!all) {
    const index = swarmObjectIndex(resources);
    all = resources.filter(isWorkload).map((r) => workloadOf(r, index));
    stackCache.set(resources, all);
  }
  return service === undefined ? all : all.filter((w) => w.service === service);
}

/** How many copies of a service the stack runs: containers count one each, services their replicas. */
export function replicaCount(ws: readonly Workload[]): { count: number; unknown: Workload[] } {
  let count = 0;
  const unknown: Workload[] = [];
  for (const w of ws) {
    if (!w.replicas.known || w.replicas.value === undefined) unknown.push(w);
    else count += w.replicas.value;
  }
  return { count, unknown };
}
