/**
 * The code layers, bottom first: a folder may import only folders of a lower layer, never one
 * beside or above it, and `testing/` (the harness) only from `tests/` and `bench/`.
 * eslint.config.js enforces this table (`npm run lint`); tests/docs/layers.test.ts holds the
 * layer diagram in docs/architecture.md to it.
 */
const LAYERS = [
  { folders: ["evidence"], holds: "the evidence contract: report formats and their schemas, provenance, which outputs are secret, redaction" },
  { folders: ["checklist", "local"], holds: "checklist data and the mapping; this machine's processes, temp dirs and ports" },
  { folders: ["infra"], holds: "the stack: config schema, specs, rendering, Pulumi components" },
  { folders: ["policies", "backup"], holds: "the CrossGuard pack; backup manifests, restore drill" },
  { folders: ["validate"], holds: "runtime checks and their runner" },
  { folders: ["program"], holds: "the composition root: the Pulumi program with its deploy hooks" },
  { folders: ["preflight", "signoff"], holds: "offline preview with the pack; the sign-off report" },
  { folders: ["testing"], holds: "the harness: real servers, the test engine, stand-ins" },
  { folders: ["scripts"], holds: "the npm run commands" },
  { folders: ["bench"], holds: "npm run bench" },
  { folders: ["tests"], holds: "jest suites" },
];

/** Folders that may import `testing/`. */
const TESTING_USERS = ["tests", "bench"];

const layerOf = (folder) => LAYERS.findIndex((l) => l.folders.includes(folder));

/** The folders `folder` may import. */
function allowedImports(folder) {
  const at = layerOf(folder);
  if (at < 0) throw new Error(`lint/layers.js: folder ${folder}/ is in no layer`);
  return LAYERS.slice(0, at)
    .flatMap((l) => l.folders)
    .filter((f) => f !== "testing" || TESTING_USERS.includes(folder));
}

module.exports = { LAYERS, TESTING_USERS, allowedImports, layerOf };
