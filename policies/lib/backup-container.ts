/** The backup service as the backup policies see it: its container, env and uploaded files. */
import type { ResourceView, RuleContext } from "./define";
import { containersOf, envOf, uploadsOf, Upload } from "./docker";

export interface BackupView {
  container: ResourceView;
  env: Map<string, string>;
  uploads: Upload[];
}

/** Each backup container with known env and uploads; reports unknowns and a missing service. */
export function backupContainers(resources: readonly ResourceView[], service: string, ctx: RuleContext<unknown>): BackupView[] {
  const cs = containersOf(resources, service);
  if (cs.length === 0) {
    ctx.violation(`no ${service} container: nothing backs the database up`);
    return [];
  }
  const out: BackupView[] = [];
  for (const c of cs) {
    const env = envOf(c.props);
    const uploads = uploadsOf(c.props);
    if (!env.known || !uploads.known) {
      ctx.undecidable(`container ${c.name} ${!env.known ? "envs" : "uploads"}`, c.urn);
      continue;
    }
    out.push({ container: c, env: new Map(env.value.filter((e) => e.key && e.value !== undefined).map((e) => [e.key!, e.value!])), uploads: uploads.value });
  }
  return out;
}

export const truthyFlag = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
