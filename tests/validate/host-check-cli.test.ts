/**
 * `npm run host:check` as a user runs it, without an engine (an absent socket: every engine
 * check fails, exit 1): --out DIR gets every format, as verify's does, and what cannot be
 * used (an unwritable --out, a --docker-host without a scheme) is exit 2 naming the value.
 * The checks against real engines are in tests/docker.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

function hostCheck(args: string[]) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), "--swc", "scripts/host-check.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60000,
    env: { ...process.env, DOCKER_HOST: "" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "host-check-cli-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const absent = () => ["--docker-host", `unix://${tmp}/absent.sock`, "--daemon-json", path.join(tmp, "daemon.json")];

test("--out DIR writes host-check.txt, .json and .xml; --format json is what stdout shows", () => {
  const out = path.join(tmp, "evidence");
  const r = hostCheck(["--stack", "prod", ...absent(), "--format", "json", "--out", out]);
  expect(r.code).toBe(1);
  expect(fs.readdirSync(out).sort()).toEqual(["host-check.json", "host-check.txt", "host-check.xml"]);
  expect(JSON.parse(r.stdout)).toEqual(JSON.parse(fs.readFileSync(path.join(out, "host-check.json"), "utf8")));
  expect(fs.readFileSync(path.join(out, "host-check.txt"), "utf8")).toMatch(/^Host readiness of stack "prod"/);
  expect(fs.readFileSync(path.join(out, "host-check.xml"), "utf8")).toMatch(/^<\?xml/);
});

test.each([
  ["under /proc", () => "/proc/no-such-dir/evidence", /^host:check: --out \/proc\/no-such-dir\/evidence: cannot create directory \/proc\/no-such-dir: /],
  [
    "under a regular file",
    () => {
      fs.writeFileSync(path.join(tmp, "plain"), "x");
      return path.join(tmp, "plain", "evidence");
    },
    /^host:check: --out \S+\/plain\/evidence: \S+\/plain exists and is not a directory\n$/,
  ],
])("--out %s: exit 2 at once, one message naming the path, the engine not asked", (_what, out, message) => {
  const r = hostCheck(["--stack", "prod", ...absent(), "--out", out()]);
  expect(r.ms).toBeLessThan(30000);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe("");
});

test("--docker-host without a scheme: exit 2 naming the value and the accepted forms", () => {
  const r = hostCheck(["--stack", "prod", "--docker-host", "garbage"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/^host:check: Docker host "garbage" has no scheme and is not a socket path \(use unix:\/\/\/var\/run\/docker\.sock, /);
  expect(r.stdout).toBe("");
});
