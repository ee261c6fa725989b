/**
 * The retention policy as a pure function, for the runtime check that proves pruning works
 * (validate/backup). The container applies the same rule in mcp-backup.sh (plan_retention);
 * tests/backup/retention-parity.test.ts feeds both the same inputs and requires equal answers.
 *
 * Rule: sort backups newest first; delete a backup when it is NOT among the newest
 * `keepLast` AND it is older than `maxAgeDays` (now - created > maxAgeDays * 86400 s).
 */
export interface RetentionPolicy {
  keepLast: number;
  maxAgeDays: number;
}

export interface DatedBackup {
  name: string;
  createdAtEpoch: number;
}

/** Names the policy deletes at `nowEpoch` (seconds). */
export function planRetention(backups: readonly DatedBackup[], policy: RetentionPolicy, nowEpoch: number): string[] {
  const maxAge = policy.maxAgeDays * 86400;
  return [...backups]
    .sort((a, b) => b.createdAtEpoch - a.createdAtEpoch || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
    .filter((b, i) => i + 1 > policy.keepLast && nowEpoch - b.createdAtEpoch > maxAge)
    .map((b) => b.name);
}
