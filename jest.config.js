/**
 * Jest runs TypeScript through SWC (no type check: `npm run typecheck` does that). One worker
 * per core; testing/jest-lanes.js runs the suites that start a Docker engine one at a time in
 * jest's own process and the rest in parallel workers beside them.
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>"],
  testMatch: ["**/?(*.)test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }] },
  testTimeout: 60000,
  maxWorkers: "100%",
  runner: "<rootDir>/testing/jest-lanes.js",
};
