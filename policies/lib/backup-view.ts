/** The backup service as the backup policies see it: its workloads, their env and files. */
import type { RuleContext, ResourceView } from "./define";
import type { Workload, WorkloadFile } from "./workload";
import { workloadsOf } from "./workloads";

export interface BackupView {
  w: Workload;
  env: Map<string, string>;
  files: WorkloadFile[];
}

/** Each backup workload with known env and files; reports unknowns and a missing service. */
export function backupWorkloads(resources: readonly ResourceView[], service: string, ctx: RuleContext<unknown>): BackupView[] {
  const ws = workloadsOf(resources, service);
  if (ws.length === 0) {
    ctx.violation(`no ${service} service or container: nothing backs the database up`);
    return [];
  }
  const out: BackupView[] = [];
  for (const w of ws) {
    if (!w.env.known || !w.files.known) {
      ctx.undecidable(`${w.label} ${!w.env.known ? "env" : "files"}`, w.urn);
      continue;
    }
    out.push({ w, env: new Map(w.env.value.filter((e) => e.key && e.value !== undefined).map((e) => [e.key!, e.value!])), files: w.files.value });
  }
  return out;
}

export const truthyFlag = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
