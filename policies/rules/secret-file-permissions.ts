/**
 * PRE-CONFIG-07, SEC-DATA-03 (secret files mode 600 or stricter): Docker secrets and secret
 * uploads are 0400/0600 and owned by the workload's user (a root-owned 0400 file is unreadable
 * to a non-root service); Docker configs and other uploads carry no write bit.
 */
import { resourcePolicy } from "../lib/define";
import { isUnder } from "../lib/workload-files";
import { workloadOf, WORKLOAD_TYPES } from "../lib/workloads";

const modeBits = (m: string) => (/^[0-7]{3,4}$/.test(m) ? parseInt(m, 8) : undefined);
const numeric = (s: string) => /^\d+$/.test(s);

export const secretFilePermissions = resourcePolicy<{ secretDirs: string[]; allowedModes: string[] }>({
  name: "secret-file-permissions",
  description:
    "Secret files (Docker secrets, uploads under /run/secrets) have mode 0400 or 0600 and belong to the workload's user; Docker configs are 0444 or tighter and uploads carry no write bit.",
  checklistIds: ["PRE-CONFIG-07", "SEC-DATA-03"],
  severity: "high",
  group: "secrets",
  remediation:
    'Mount Docker secrets with `fileMode: 0o400` and `fileUid`/`fileGid` of the service user (infra/components/files.ts refsFor does); configs with `fileMode: 0o444`. Container uploads: `permissions: "0400"` and `owner`/`group` of the container user for secrets, no write bit for the rest.',
  resourceTypes: WORKLOAD_TYPES,
  config: {
    secretDirs: { type: "array", items: { type: "string" }, default: ["/run/secrets"], description: "Directories holding secret files." },
    allowedModes: { type: "array", items: { type: "string" }, default: ["0400", "0600"], description: "Accepted modes of secret files." },
  },
  check(r, ctx) {
    const w = workloadOf(r);
    if (!w.files.known) return ctx.undecidable("files");
    const allowed = new Set(ctx.config.allowedModes.map(modeBits));
    const user = w.user.known ? (w.user.value ?? "").trim() : undefined;
    const [uid, gid] = (user ?? "").split(":");
    for (const f of w.files.value) {
      const secret = f.source === "secret" || isUnder(f.path, ctx.config.secretDirs);
      if (f.mode === undefined) {
        ctx.undecidable(`mode of ${f.path}`);
        continue;
      }
      const bits = modeBits(f.mode);
      if (!secret) {
        if (bits === undefined || bits & 0o222)
          ctx.violation(`${w.label}: ${f.source === "config" ? "config" : "uploaded"} file ${f.path} has mode ${f.mode}; it must not be writable`);
        else if (f.source === "config" && bits & ~0o444) ctx.violation(`${w.label}: config file ${f.path} has mode ${f.mode}; expected 0444 or tighter`);
        continue;
      }
      if (bits === undefined || !allowed.has(bits))
        ctx.violation(`${w.label}: secret file ${f.path} has mode ${f.mode}; expected ${ctx.config.allowedModes.join(" or ")}`);
      // Ownership only matters for a workload that names its user (container-non-root-user covers the rest).
      if (user === undefined) ctx.undecidable(`owner of ${f.path} (user)`);
      else if (!user) continue;
      else if (f.uid === undefined || f.gid === undefined) ctx.undecidable(`owner of ${f.path}`);
      else if (!numeric(uid) || !numeric(f.uid)) {
        if (uid !== f.uid) ctx.undecidable(`owner of ${f.path} (user ${uid} and owner ${f.uid} cannot be compared by number)`);
      } else if (Number(f.uid) !== Number(uid) || (gid !== undefined && gid !== "" && Number(f.gid) !== Number(gid)))
        ctx.violation(`${w.label}: secret file ${f.path} is owned by ${f.uid}:${f.gid}, not by the workload's user ${user}, so the service cannot read it`);
    }
  },
});
