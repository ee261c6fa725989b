/**
 * A ConfigError nobody catches, as `pulumi up` meets one: the engine prints program errors with
 * util.inspect, which shows `err.stack`. That must be the message naming every bad key.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { inspect } from "util";
import { ConfigError } from "../../infra/config/load";

const ROOT = path.resolve(__dirname, "../..");
const problems = [{ key: "mcp:app.replicas", message: "prod needs at least 2 app replicas" }];

test("util.inspect of a ConfigError shows the message and the bad key, not the problems object", () => {
  const shown = inspect(new ConfigError(problems, "prod"));
  expect(shown).toMatch(/^ConfigError: Invalid stack configuration for stack "prod" \(1 problem\):\n {2}- mcp:app\.replicas: prod needs/);
  expect(shown).not.toMatch(/^\[prod\]/);
});

test("the stack name is kept as stackName; Error.stack stays the trace", () => {
  const err = new ConfigError(problems, "prod");
  expect(err.stackName).toBe("prod");
  expect(err.stack).toMatch(/^ConfigError: Invalid stack configuration/);
  expect(err.stack).toMatch(/\n\s+at /);
});

test("thrown uncaught in a node process: stderr has the message naming the key", () => {
  const script = `require(${JSON.stringify(path.join(ROOT, "infra/config/load.ts"))}).parseStackConfig({ nope: 1 }, "prod");`;
  const r = spawnSync(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60000,
    env: { ...process.env, TS_NODE_SWC: "true" },
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/ConfigError: Invalid stack configuration for stack "prod"/);
  expect(r.stderr).toMatch(/- mcp:nope: unknown key/);
  expect(r.stderr).not.toMatch(/^\[prod\]/m);
});
