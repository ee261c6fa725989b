/**
 * Where a report came from: the commit and product version that made it and the SHA-256
 * of every file it read, so a reader can tell which code judged which inputs. Every report
 * carries it next to its `stack` and `generatedAt`. Collecting it never fails a command:
 * without git (an exported tree, no git installed) the commit is "unknown".
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";

export const UNKNOWN = "unknown";

export const INPUT_ROLES = ["stack file", "policy config", "outputs", "attestations", "preflight", "verify", "tests", "drill"] as const;
export type InputRole = (typeof INPUT_ROLES)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in hex");

export const inputFileSchema = z.object({
  role: z.enum(INPUT_ROLES),
  /** Relative to the project directory when inside it, else absolute. */
  path: z.string(),
  sha256: sha256Hex,
});
export type InputFile = z.infer<typeof inputFileSchema>;

export const provenanceSchema = z.object({
  git: z.object({
    commit: z.union([z.string().regex(/^[0-9a-f]{40,64}$/, "must be a commit hash"), z.literal(UNKNOWN)]),
    /** Tracked or new files differ from the commit: the code that ran is not exactly `commit`. */
    dirty: z.union([z.boolean(), z.literal(UNKNOWN)]),
  }),
  product: z.object({ name: z.string(), version: z.string() }),
  inputs: z.array(inputFileSchema),
});
export type Provenance = z.infer<typeof provenanceSchema>;

/** The product's own checkout: evidence/ sits at its top. */
const PRODUCT_ROOT = path.resolve(__dirname, "..");

export function sha256OfFile(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

export function gitState(root = PRODUCT_ROOT): Provenance["git"] {
  const commit = git(["rev-parse", "--verify", "HEAD"], root);
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return { commit: UNKNOWN, dirty: UNKNOWN };
  const status = git(["status", "--porcelain"], root);
  return { commit, dirty: status === undefined ? UNKNOWN : status !== "" };
}

export function productInfo(root = PRODUCT_ROOT): Provenance["product"] {
  try {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
    return { name: typeof pkg.name === "string" ? pkg.name : UNKNOWN, version: typeof pkg.version === "string" ? pkg.version : UNKNOWN };
  } catch {
    return { name: UNKNOWN, version: UNKNOWN };
  }
}

export function inputFile(role: InputRole, file: string, projectDir: string): InputFile {
  const abs = path.resolve(projectDir, file);
  const rel = path.relative(projectDir, abs);
  return { role, path: rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : abs, sha256: sha256OfFile(abs) };
}

/**
 * An input that was never a file (e.g. outputs printed by the Pulumi CLI): its `path` is the
 * command that produced it, its digest that of the document read.
 */
export function inputDocument(role: InputRole, command: string, document: string): InputFile {
  return { role, path: command, sha256: createHash("sha256").update(document).digest("hex") };
}

export interface ProvenanceOptions {
  /** Where relative input paths are resolved and reported from. */
  projectDir: string;
  inputs: readonly ({ role: InputRole; file: string } | InputFile)[];
  /** The product checkout (tests point it elsewhere). */
  productRoot?: string;
}

export function collectProvenance(o: ProvenanceOptions): Provenance {
  const root = o.productRoot ?? PRODUCT_ROOT;
  return { git: gitState(root), product: productInfo(root), inputs: o.inputs.map((i) => ("file" in i ? inputFile(i.role, i.file, o.projectDir) : i)) };
}
