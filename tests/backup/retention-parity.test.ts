/**
 * The retention rule exists twice: in the container's script (what deletes) and in
 * backup/retention.ts (what the backup.retention check expects). Same inputs, same answer.
 */
import { join } from "node:path";
import { planRetention } from "../../backup/retention";
import { busyboxApplets } from "./support";
import { runTool } from "../../local/run";
import { makeTempDir } from "../../local/tempdir";
import { BACKUP_SCRIPT_FILE } from "../../infra/components/backup";

const SCRIPT = BACKUP_SCRIPT_FILE;

/** Small deterministic PRNG so a failure is reproducible from the printed seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("retention parity between mcp-backup.sh and backup/retention.ts", () => {
  const tmp = makeTempDir("mcp-parity-");
  const bin = busyboxApplets(tmp.join("bin"));
  afterAll(() => tmp.remove());

  it("agrees on 60 random backup sets, ties and boundaries included", async () => {
    const NOW = 1_800_000_000;
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed);
      const keepLast = 1 + Math.floor(rand() * 6);
      const maxAgeDays = 1 + Math.floor(rand() * 10);
      const count = Math.floor(rand() * 15);
      const backups = Array.from({ length: count }, (_, i) => {
        // Some exactly on the age boundary, some sharing a timestamp.
        const kind = rand();
        const age = kind < 0.15 ? maxAgeDays * 86400 : kind < 0.3 ? maxAgeDays * 86400 + 1 : Math.floor(rand() * 20 * 86400);
        return { name: `mcp-${String(i).padStart(2, "0")}`, createdAtEpoch: NOW - age };
      });
      if (count > 2) backups[1].createdAtEpoch = backups[0].createdAtEpoch;
      const input = backups.map((b) => `${b.createdAtEpoch} ${b.name}`).join("\n") + (count ? "\n" : "");
      const r = await runTool(join(bin, "sh"), [SCRIPT, "plan-retention", String(NOW), String(keepLast), String(maxAgeDays)], { env: { PATH: bin }, input });
      expect(r.code).toBe(0);
      const fromScript = r.stdout.split("\n").filter(Boolean);
      const fromTs = planRetention(backups, { keepLast, maxAgeDays }, NOW);
      expect({ seed, deleted: fromScript }).toEqual({ seed, deleted: fromTs });
    }
  });
});
