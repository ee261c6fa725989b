/**
 * Loaded first into the preflight's own processes: the precompiled policy pack (`node -r`, from
 * preflight/run.ts through pack-process.ts) and the command (scripts/compiled.js). Importing
 * @pulumi/pulumi loads modules these processes never call, about 0.2 s of the pack's 0.45 s start
 * and 0.3 s of the command's:
 *   - @npmcli/arborist and normalize-package-data (runtime/closure/codePaths, which works out the
 *     packages a serialized function needs; a preflight serializes none);
 *   - the TypeScript compiler (runtime/closure/parseFunction, the same; and run-policy-pack's check
 *     that TypeScript is installed, which reads its version);
 *   - ts-node (run-policy-pack registers it for a TypeScript pack; the precompiled pack is JavaScript).
 *
 * Each is entered into require.cache, at the path its requirer resolves, as a stand-in that loads
 * the real module on first use and hands it over: the stand-in answers `__esModule` (so
 * TypeScript's import helpers keep it as it is rather than copying every export, which would load
 * it), the versions read from package.json, and ts-node's `register`, which takes effect when the
 * first .ts file is required. From then on `require` returns the real module. A module already
 * loaded, or not installed, is left alone. The engine's own start of a pack does not load this.
 * PREFLIGHT_LOAD_ALL_MODULES=1 turns it off.
 */
"use strict";

const Module = require("module");
const fs = require("fs");
const path = require("path");

const ROOT = path.resolve(__dirname, "..");
/** Extensions ts-node registers a compiler for (ts-node dist/index.js registerExtensions). */
const TS_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];

function tryResolve(request, fromDir) {
  try {
    return require.resolve(request, { paths: [fromDir] });
  } catch {
    return undefined;
  }
}

function packageVersion(filename, name) {
  // The package's directory is the last node_modules/<name> in its entry's path.
  const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
  const at = filename.lastIndexOf(marker);
  if (at < 0) return undefined;
  try {
    return JSON.parse(fs.readFileSync(filename.slice(0, at + marker.length) + "package.json", "utf8")).version;
  } catch {
    return undefined;
  }
}

/**
 * Puts a stand-in for the module at `filename` into require.cache. `answers(real)` gives the
 * properties the stand-in holds without loading; `real()` loads the module.
 */
function defer(filename, answers) {
  if (require.cache[filename]) return false;
  const standIn = new Module(filename, module);
  let loaded;
  const real = () => {
    if (loaded === undefined) {
      if (require.cache[filename] === standIn) delete require.cache[filename];
      loaded = require(filename);
    }
    return loaded;
  };
  const own = answers(real);
  const proxy = new Proxy(
    {},
    {
      get(_t, key) {
        if (Object.prototype.hasOwnProperty.call(own, key)) return own[key];
        if (key === "__esModule") return true;
        const r = real();
        // As TypeScript's __importDefault would give it for a CommonJS module: the module itself.
        if (key === "default" && !(r && r.__esModule)) return r;
        return Reflect.get(r, key);
      },
      has: (_t, key) => key in own || key === "__esModule" || Reflect.has(real(), key),
      ownKeys: () => Reflect.ownKeys(real()),
      getOwnPropertyDescriptor(_t, key) {
        const d = Reflect.getOwnPropertyDescriptor(real(), key);
        // The target holds none of these: a proxy may report them only as configurable.
        return d && { ...d, configurable: true };
      },
      set: (_t, key, value) => Reflect.set(real(), key, value),
    },
  );
  standIn.filename = filename;
  standIn.paths = Module._nodeModulePaths(path.dirname(filename));
  standIn.exports = proxy;
  standIn.loaded = true;
  require.cache[filename] = standIn;
  return true;
}

/**
 * ts-node's register, deferred: the real one runs (with the same options) when a TypeScript file
 * is first required. It returns no service: its callers here (run-policy-pack, scripts/compiled.js)
 * use none.
 */
function deferredRegister(real) {
  return (opts) => {
    const before = new Map(TS_EXTENSIONS.map((ext) => [ext, require.extensions[ext]]));
    let registered = false;
    const registerNow = () => {
      if (registered) return;
      registered = true;
      for (const [ext, handler] of before) {
        if (handler) require.extensions[ext] = handler;
        else delete require.extensions[ext];
      }
      real().register(opts);
    };
    for (const ext of TS_EXTENSIONS) {
      require.extensions[ext] = function (module, filename) {
        registerNow();
        const handler = require.extensions[ext] || require.extensions[".js"];
        return handler(module, filename);
      };
    }
    return undefined;
  };
}

/** `{ [key]: version }` from the package.json of the package `filename` is in; nothing when it cannot be read. */
function versionAnswer(filename, name, key) {
  const v = packageVersion(filename, name);
  return v === undefined ? {} : { [key]: v };
}

/** What is deferred: the request, the folder of @pulumi/pulumi it is resolved from, and what its stand-in answers. */
const DEFERRED = [
  { request: "@npmcli/arborist", from: "runtime/closure" },
  { request: "normalize-package-data", from: "runtime/closure" },
  { request: "typescript", from: ".", answers: (filename) => versionAnswer(filename, "typescript", "version") },
  {
    request: "ts-node",
    from: ".",
    answers: (filename, real) => ({ ...versionAnswer(filename, "ts-node", "VERSION"), register: deferredRegister(real) }),
  },
];

/** The stand-ins, for every @pulumi/pulumi this project's pack and program can load. Returns the deferred files. */
function deferUnusedModules() {
  if (process.env.PREFLIGHT_LOAD_ALL_MODULES === "1") return [];
  const deferred = [];
  const sdkDirs = new Set();
  for (const from of [ROOT, path.dirname(tryResolve("@pulumi/policy/package.json", ROOT) ?? ROOT)]) {
    const pkg = tryResolve("@pulumi/pulumi/package.json", from);
    if (pkg) sdkDirs.add(path.dirname(pkg));
  }
  for (const sdk of sdkDirs) {
    for (const d of DEFERRED) {
      const filename = tryResolve(d.request, path.join(sdk, d.from));
      if (filename && defer(filename, (real) => d.answers?.(filename, real) ?? {})) deferred.push(filename);
    }
  }
  return deferred;
}

module.exports = { deferUnusedModules, deferred: deferUnusedModules() };
