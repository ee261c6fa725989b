/**
 * npm run lint: typescript-eslint's recommended rules, the layer boundaries of lint/layers.js
 * (no upward import, `testing/` only from tests and bench), and Prettier's formatting
 * (`prettier --check`, run beside ESLint by the same npm script).
 */
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const boundaries = require("eslint-plugin-boundaries");
const { LAYERS, allowedImports } = require("./lint/layers");

const folders = LAYERS.flatMap((l) => l.folders);

module.exports = tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "**/*.d.ts", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { boundaries },
    settings: {
      "import/resolver": { node: { extensions: [".ts", ".js", ".json"] } },
      "boundaries/elements": folders.map((f) => ({ type: f, pattern: `${f}/**`, partialMatch: false })),
    },
    rules: {
      // Run-time loads are require() by design: the program of the project being checked (by
      // path), Pulumi SDK internals without typings, fresh module registries in tests.
      "@typescript-eslint/no-require-imports": "off",
      // `_`-prefixed names and rest siblings are the house way to drop a field or an argument.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "boundaries/dependencies": [
        "error",
        {
          default: "disallow",
          policies: folders.map((f) => ({ from: { element: { type: f } }, allow: { to: { element: { types: { anyOf: [f, ...allowedImports(f)] } } } } })),
        },
      ],
    },
  },
  {
    // The harness and the suites walk what the program registered as arbitrary JSON.
    files: ["testing/**/*.ts", "tests/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly", console: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
