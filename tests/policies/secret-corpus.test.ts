/**
 * The secret heuristics on a labelled corpus: no non-secret value (commit ids, UUIDs, digests,
 * base64'd config, URLs, certificates, runtime flags) is reported, and every secret shape
 * still is. `npm run bench -- --only secrets` prints the same figures.
 */
import { readFileSync } from "node:fs";
import { envSecretFinding } from "../../policies/lib/secrets";
import { keyMaterialIn } from "../../policies/lib/key-material";
import { scoreCorpus, secretCorpus, type CorpusEntry } from "../../testing/secret-corpus";
import { makeTestCertificates } from "../../testing/tools/certs";
import { makeTempDir } from "../../local/tempdir";
import { service, setEnv } from "../../preflight/mutations";
import { addEnvs, container, evaluate, fixtureStack, type Kind } from "./fixture-stacks";

let corpus: CorpusEntry[];
let cleanup: () => void;

beforeAll(async () => {
  const dir = makeTempDir("secret-corpus-");
  cleanup = () => dir.remove();
  const certs = await makeTestCertificates(dir.path);
  corpus = secretCorpus({ certificatePem: readFileSync(certs.cert, "utf8") });
});
afterAll(() => cleanup?.());

test("the env rule: no false positive on the non-secret corpus, every secret found", () => {
  const score = scoreCorpus(corpus, (e) => envSecretFinding(e.name, e.value) !== undefined);
  expect(score.misjudged).toEqual([]);
  expect(score.falsePositiveRate).toBe(0);
  expect(score.recall).toBe(1);
});

test("file content that is one value: public identifiers are not key material, secret shapes are", () => {
  // A secret file holds the value alone: shapes told apart by their name (a password, a
  // 64-hex digest) or spread over words (a header) are judged on the env side only.
  const single = corpus.filter((e) => !/under a secret name|DSN|URL with a password|content digest|bearer header/.test(e.shape));
  const score = scoreCorpus(single, (e) => keyMaterialIn(e.value) !== undefined);
  expect(score.misjudged).toEqual([]);
});

test("what each finding says names the shape, never the value", () => {
  const jwt = corpus.find((e) => e.shape === "JWT")!;
  expect(envSecretFinding(jwt.name, jwt.value)).toEqual({ by: "shape", kind: "a JSON web token" });
  const key = corpus.find((e) => e.shape === "random hex key")!;
  expect(envSecretFinding(key.name, key.value)).toEqual({ by: "shape", kind: "a random-looking token" });
  // The same 64 hex digits under a digest's name are the digest.
  expect(envSecretFinding("IMAGE_DIGEST", key.value)).toBeUndefined();
});

describe("container-env-secrets on the fixture stacks, by shape", () => {
  const violationsWith = async (kind: Kind, env: [string, string][]) => {
    const rs = await fixtureStack(kind);
    const r = kind === "service" ? service(rs, "app") : container(rs, "app-0");
    for (const [k, v] of env) {
      if (kind === "service") setEnv(r, k, v);
      else addEnvs(r, `${k}=${v}`);
    }
    return evaluate("container-env-secrets", rs)
      .filter((f) => f.kind === "violation")
      .map((f) => f.message);
  };
  const shaped = (shape: string) => corpus.find((e) => e.shape === shape)!;

  for (const kind of ["service", "container"] as const) {
    test(`${kind}: a commit id, runtime flags, a digest and a certificate pass`, async () => {
      const env = ["git commit id, neutral name", "runtime flags", "image digest", "PEM certificate", "base64 config"].map(
        (s) => [shaped(s).name, shaped(s).value] as [string, string],
      );
      expect(await violationsWith(kind, env)).toEqual([]);
    });
    test(`${kind}: a JWT under a neutral name fires, naming the variable and the shape only`, async () => {
      const jwt = shaped("JWT");
      const messages = await violationsWith(kind, [[jwt.name, jwt.value]]);
      expect(messages).toEqual([expect.stringMatching(/env UPSTREAM_AUTH holds a value that looks like key material \(a JSON web token\)/)]);
      expect(messages.join("\n")).not.toContain(jwt.value.slice(0, 12));
    });
  }
});
