/**
 * The secret heuristics (policies/lib/secrets.ts) on the labelled corpus of testing/secret-corpus.ts,
 * at 200 values per shape over three seeds: precision, recall and the false-positive rate of the
 * env rule's decision. Target: false-positive rate 0, recall >= 0.99.
 */
import { readFileSync } from "node:fs";
import { envSecretFinding } from "../policies/lib/secrets";
import { scoreCorpus, secretCorpus, type CorpusEntry } from "../testing/secret-corpus";
import { makeTestCertificates } from "../testing/tools/certs";
import { makeTempDir } from "../local/tempdir";

const SEEDS = [1, 2, 3];
const PER_SHAPE = 200;

export async function run(): Promise<Record<string, number | string>> {
  const dir = makeTempDir("bench-secrets-");
  try {
    const certificatePem = readFileSync((await makeTestCertificates(dir.path)).cert, "utf8");
    const corpus: CorpusEntry[] = SEEDS.flatMap((seed) => secretCorpus({ certificatePem, seed, perShape: PER_SHAPE }));
    const t0 = performance.now();
    const score = scoreCorpus(corpus, (e) => envSecretFinding(e.name, e.value) !== undefined);
    const ms = performance.now() - t0;
    return {
      values: corpus.length,
      secrets: corpus.filter((e) => e.secret).length,
      precision: Number(score.precision.toFixed(4)),
      recall: Number(score.recall.toFixed(4)),
      falsePositiveRate: Number(score.falsePositiveRate.toFixed(4)),
      falseNegatives: score.falseNegatives,
      misjudgedShapes: score.misjudged.join("; ") || "none",
      microsPerValue: Number(((ms * 1000) / corpus.length).toFixed(1)),
    };
  } finally {
    dir.remove();
  }
}
