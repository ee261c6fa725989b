import * as fs from "fs";
import * as path from "path";
import { SECRET_KEYS } from "../../infra/config/load";
import { DEFAULT_IMAGES, stackConfigSchema } from "../../infra/config/schema";
import { CONFIG_DOC, configKeyRows, descriptionKey, KEY_DESCRIPTIONS, renderConfigReference } from "../../scripts/gen-config-docs";

const ROOT = path.resolve(__dirname, "../..");

describe("configuration reference", () => {
  test("DOC-TECH-02 docs/configuration.md is generated from the current schema", () => {
    const committed = fs.readFileSync(path.join(ROOT, CONFIG_DOC), "utf8");
    // On failure: run `npm run docs:config` and commit docs/configuration.md.
    expect(committed).toBe(renderConfigReference());
  });

  test("every schema key has a description, and every description names a schema key", () => {
    const keys = new Set(configKeyRows().map((r) => descriptionKey(r.path)));
    expect([...keys].filter((k) => !KEY_DESCRIPTIONS[k])).toEqual([]);
    expect(Object.keys(KEY_DESCRIPTIONS).filter((k) => !keys.has(k))).toEqual([]);
  });

  test("the reference names every top-level key, every secret key and every default image", () => {
    const doc = renderConfigReference();
    for (const key of Object.keys(stackConfigSchema.shape)) expect(doc).toContain(`mcp:${key}`);
    for (const key of SECRET_KEYS) expect(doc).toContain(`\`mcp:${key}\` (secret)`);
    for (const image of Object.values(DEFAULT_IMAGES)) expect(doc).toContain(image);
  });

  test("required keys, defaults and limits come from the schema", () => {
    const rows = configKeyRows();
    const row = (p: string) => rows.find((r) => r.path === p);
    expect(row("domain")).toMatchObject({ required: true, default: undefined });
    expect(row("edge.httpsPort")).toMatchObject({ default: 443, allowed: "1–65535" });
    expect(row("redis.maxmemoryPolicy")?.allowed).toContain("`allkeys-lru`");
    expect(row("alerting.receivers[].severities")).toMatchObject({ type: "list of string", allowed: "at least 1; `critical`, `warning`" });
    expect(row("tlsPrivateKey")).toMatchObject({ secret: true });
  });
});
