/**
 * The bench's figures in one shape, as `npm run bench -- --json` prints them (one JSON object per
 * line): a value, the baseline measured in the same run, their ratio, and the target the ratio
 * (or, without a baseline, the value) must meet, e.g. "<= 0.35".
 */
import { z } from "zod";

export const figureSchema = z
  .object({
    name: z.string().regex(/^[a-z]+\.[a-z0-9-]+$/),
    value: z.number(),
    unit: z.string().min(1),
    baseline: z.number().nullable(),
    ratio: z.number().nullable(),
    target: z.string().regex(/^(<=|>=) \d+(\.\d+)?$/),
  })
  .strict();
export type Figure = z.infer<typeof figureSchema>;

/** What a benchmark module returns: its text lines, and the figures it measured against a baseline. */
export interface BenchResult {
  lines: Record<string, number | string>;
  figures: Figure[];
}

const round = (n: number, d: number) => Number(n.toFixed(d));

export function figure(name: string, f: { value: number; unit: string; baseline?: number; ratio?: number; target: string; digits?: number }): Figure {
  const digits = f.digits ?? 3;
  const ratio = f.ratio ?? (f.baseline !== undefined && f.baseline !== 0 ? f.value / f.baseline : undefined);
  return figureSchema.parse({
    name,
    value: round(f.value, digits),
    unit: f.unit,
    baseline: f.baseline === undefined ? null : round(f.baseline, digits),
    ratio: ratio === undefined ? null : round(ratio, 3),
    target: f.target,
  });
}

/** Whether a figure meets its target (on the ratio when there is a baseline, else on the value). */
export function meetsTarget(f: Figure): boolean {
  const [op, limit] = f.target.split(" ");
  const x = f.ratio ?? f.value;
  return op === "<=" ? x <= Number(limit) : x >= Number(limit);
}

const num = (lines: Record<string, number | string>, key: string): number | undefined => {
  const v = lines[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

/**
 * bench/verify.ts: the slowest run with one service dead (stopped, or frozen: connects and never
 * answers) against the healthy median of the same run. Target: at most 15 % more.
 */
export function verifyFigures(lines: Record<string, number | string>): Figure[] {
  const healthy = num(lines, "fullVerifyMedianMs");
  const dead = ["stoppedRedisFullRunMs", "frozenRedisFullRunMs", "frozenPostgresFullRunMs"]
    .map((k) => num(lines, k))
    .filter((v): v is number => v !== undefined);
  if (healthy === undefined || dead.length === 0) return [];
  return [figure("verify.dead-service-overhead", { value: Math.max(...dead), unit: "ms", baseline: healthy, target: "<= 1.15", digits: 0 })];
}

/** bench/backup.ts: the backup pipeline against bare `pg_dump -Fc | age` on the same database in the same run. Target: 1.25x. */
export function backupFigures(lines: Record<string, number | string>): Figure[] {
  const pipeline = num(lines, "backupSeconds");
  const bare = num(lines, "bareToolsSeconds");
  if (pipeline === undefined || bare === undefined) return [];
  return [figure("backup.vs-bare-tools", { value: pipeline, unit: "s", baseline: bare, target: "<= 1.25" })];
}
