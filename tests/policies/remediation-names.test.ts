/**
 * Every name a policy's remediation or description tells a user to set is one the software
 * it belongs to knows: Grafana variables against Grafana's settings (infra/grafana-settings.ts),
 * nginx directives and variables against the real nginx, PostgreSQL settings against the real
 * `postgres --describe-config`, Prometheus flags against `prometheus --help`, docker CLI flags
 * against `docker <command> --help`, capabilities against the kernel's header, Node.js variables
 * against `node --help`, stack config
 * keys against the schema, and the project's own variables and code names against the stack and
 * the files the text points at. A misspelt name is ignored by the software without a word, so
 * only a test like this catches it. Each validator is also shown rejecting a misspelling.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GRAFANA_ENTRYPOINT_ENV, grafanaSettingOf, isGrafanaVariable } from "../../infra/grafana-settings";
import { makeTempDir, type TempDir } from "../../local/tempdir";
import { requireExecutable } from "../../local/run";
import { requireHostFile } from "../../testing/engine/images/host";
import { ALL_POLICIES } from "../../policies/pack";
import { configKeyRows } from "../../scripts/gen-config-docs";
import { nginxConfigTest, outputOf } from "../../testing/tools/config-check";
import { INPUT, ROOT } from "./fixture-stacks";

const texts = ALL_POLICIES.map((p) => ({ name: p.meta.name, text: `${p.meta.description}\n${p.meta.remediation}` }));
const all = (re: RegExp, text: string) => [...text.matchAll(re)].map((m) => m[1] ?? m[0]);
const backticked = (text: string) => all(/`([^`]+)`/g, text);
/** The file declares the name: a const, function, type, class or a method of an interface. */
const declares = (file: string, name: string) =>
  new RegExp(`\\b(?:const|function|type|interface|class) ${name}\\b|^\\s+${name}\\(`, "m").test(readFileSync(join(ROOT, file), "utf8"));

let dir: TempDir;
beforeAll(() => {
  dir = makeTempDir("remediation-names-");
});
afterAll(() => dir.remove());

describe("Grafana variables", () => {
  const sources = ["policies/rules", "infra/render", "infra/components", "validate/monitoring"].flatMap((d) =>
    readdirSync(join(ROOT, d))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(d, f)),
  );

  test("every GF_ name in the policies, the program and the checks is a Grafana setting or an entrypoint variable", () => {
    const unknown = sources.flatMap((f) =>
      all(/\b(GF_[A-Z0-9_]+)/g, readFileSync(join(ROOT, f), "utf8"))
        .filter((n) => !isGrafanaVariable(n))
        .map((n) => `${f}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });

  test("the settings rule: two underscores before FILE, sections with dots", () => {
    expect(grafanaSettingOf("GF_SECURITY_ADMIN_PASSWORD__FILE")).toEqual({ section: "security", key: "admin_password", fromFile: true });
    expect(grafanaSettingOf("GF_AUTH_ANONYMOUS_ENABLED")).toEqual({ section: "auth.anonymous", key: "enabled", fromFile: false });
    expect(isGrafanaVariable("GF_SECURITY_ADMIN_PASSWORD_FILE")).toBe(false);
    expect(isGrafanaVariable("GF_USER_ALLOW_SIGN_UP")).toBe(false);
    expect(isGrafanaVariable(GRAFANA_ENTRYPOINT_ENV[0])).toBe(true);
  });
});

describe("nginx directives and variables, against the real nginx", () => {
  /** What nginx -t says about one name: directives in a server block, variables through `set`. */
  async function nginxKnows(kind: "directive" | "variable", name: string): Promise<boolean> {
    const conf = dir.join(`probe-${kind}-${name}.conf`);
    const line = kind === "directive" ? `${name} x;` : `set $probe $${name};`;
    writeFileSync(conf, `pid probe.pid;\nevents {}\nhttp {\n  server {\n    listen 127.0.0.1:8;\n    ${line}\n  }\n}\n`);
    const out = outputOf(await nginxConfigTest(conf, { prefix: dir.path }));
    return kind === "directive" ? !out.includes(`unknown directive "${name}"`) : !out.includes(`unknown "${name}" variable`);
  }

  const nginxTexts = texts.filter((t) => t.name.startsWith("nginx-"));
  const variables = [...new Set(nginxTexts.flatMap((t) => all(/\$([a-z_]+)/g, t.text)))];
  const directives = [
    ...new Set(
      nginxTexts.flatMap((t) => {
        const snippets = backticked(t.text).flatMap((s) =>
          s
            .split(";")
            .map((st) => st.trim().split(/\s+/)[0])
            .filter((w) => /^[a-z_]+$/.test(w)),
        );
        const bare = all(/\b([a-z]+(?:_[a-z]+)+)\b/g, t.text.replace(/\$[a-z_]+/g, ""));
        return [...snippets, ...bare];
      }),
    ),
  ];

  test("the texts name directives and variables (the extraction works)", () => {
    expect(directives).toEqual(expect.arrayContaining(["add_header", "limit_req_zone", "limit_req", "ssl_certificate", "ssl_protocols", "return"]));
    expect(variables).toEqual(expect.arrayContaining(["binary_remote_addr", "request_uri", "host"]));
  });

  test("nginx knows every one", async () => {
    const unknown: string[] = [];
    for (const d of directives) if (!(await nginxKnows("directive", d))) unknown.push(`directive ${d}`);
    for (const v of variables) if (!(await nginxKnows("variable", v))) unknown.push(`variable $${v}`);
    expect(unknown).toEqual([]);
  });

  test("and the probe tells a misspelling", async () => {
    expect(await nginxKnows("directive", "limit_reqs")).toBe(false);
    expect(await nginxKnows("variable", "request_url")).toBe(false);
  });
});

describe("PostgreSQL settings, against postgres --describe-config", () => {
  const postgres = () => {
    const lib = "/usr/lib/postgresql";
    const version = existsSync(lib) ? readdirSync(lib).sort().pop() : undefined;
    const bin = version ? join(lib, version, "bin", "postgres") : requireExecutable("postgres", "postgresql");
    return new Set(
      execFileSync(bin, ["--describe-config"], { encoding: "utf8" })
        .split("\n")
        .map((l) => l.split("\t")[0]),
    );
  };
  const settings = texts.filter((t) => t.name.startsWith("postgres-")).flatMap((t) => all(/\b([a-z_]+) = /g, t.text));

  test("every `name = value` a postgres rule names is a server setting", () => {
    const known = postgres();
    expect(settings).toEqual(expect.arrayContaining(["ssl", "ssl_min_protocol_version", "password_encryption"]));
    expect(settings.filter((s) => !known.has(s))).toEqual([]);
    expect(known.has("ssl_min_protocol")).toBe(false);
  });
});

describe("Prometheus and docker CLI flags, against their --help", () => {
  const expand = (flag: string) => {
    // `--a.b.time/size` names --a.b.time and --a.b.size.
    const m = /^(.*\.)([\w-]+(?:\/[\w-]+)+)$/.exec(flag);
    return m ? m[2].split("/").map((last) => m[1] + last) : [flag];
  };

  test("prometheus flags", () => {
    const help = execFileSync(requireExecutable("prometheus", "prometheus"), ["--help"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const flags = texts.flatMap((t) => all(/(--(?:storage|web|query|rules|alertmanager)\.[\w./-]*\w)/g, t.text)).flatMap(expand);
    expect(flags).toEqual(expect.arrayContaining(["--storage.tsdb.retention.time", "--storage.tsdb.retention.size"]));
    const knows = (f: string) => new RegExp(`${f.replace(/\./g, "\\.")}[=\\s]`).test(help);
    expect(flags.filter((f) => !knows(f))).toEqual([]);
    expect(knows("--storage.tsdb.retention.times")).toBe(false);
  });

  test("docker CLI flags in `docker ...` commands", () => {
    const docker = requireExecutable("docker", "docker.io");
    const commands = texts.flatMap((t) => backticked(t.text).filter((s) => s.startsWith("docker ")));
    expect(commands.length).toBeGreaterThan(0);
    const knows = (command: string, flag: string) =>
      execFileSync(docker, [...command.split(/\s+/).slice(1), "--help"], {
        encoding: "utf8",
        env: { ...process.env, DOCKER_HOST: "unix:///nonexistent" },
      }).includes(` ${flag} `);
    const unknown = commands.flatMap((c) => {
      const words = c.split(/\s+/);
      const sub = words
        .slice(
          0,
          words.findIndex((w) => w.startsWith("-")),
        )
        .join(" ");
      return words
        .filter((w) => w.startsWith("--"))
        .filter((f) => !knows(sub, f))
        .map((f) => `${c}: ${f}`);
    });
    expect(unknown).toEqual([]);
    expect(knows("docker node update", "--label-ad")).toBe(false);
  });
});

describe("capabilities, config keys, the stack's variables and code names", () => {
  const capabilities = new Set(all(/#define CAP_([A-Z_]+)\s+\d+/g, readFileSync(requireHostFile("/usr/include/linux/capability.h", "linux-libc-dev"), "utf8")));
  const configKeys = new Set(configKeyRows().map((r) => r.path));

  test("every mcp: key a text names is in the stack schema", () => {
    const keys = texts.flatMap((t) => all(/\bmcp:([A-Za-z][\w.]*\w)/g, t.text));
    expect(keys.length).toBeGreaterThan(0);
    // A key may name a whole object (mcp:limits) or a leaf (mcp:grafana.adminUser).
    const known = (k: string) => [...configKeys].some((c) => c === k || c.startsWith(`${k}.`) || c.startsWith(`${k}[`));
    expect(keys.filter((k) => !known(k))).toEqual([]);
    expect(configKeys.has("grafana.adminUsers")).toBe(false);
  });

  test("every upper-case name is a capability, a variable the stack or Node.js reads, or a name in the file the text points at", async () => {
    // The prod program's registered resources as JSON: an env map key is `"NAME":`, a list entry `"NAME=`.
    const { runProgram } = require("../../preflight/collect") as typeof import("../../preflight/collect");
    const run = await runProgram({ stack: INPUT.stack, config: INPUT.config, secretKeys: INPUT.secretKeys, projectDir: ROOT });
    const registered = JSON.stringify(run.resources);
    // Variables Node.js itself reads, as `node --help` lists them.
    const nodeHelp = execFileSync(process.execPath, ["--help"], { encoding: "utf8" });
    const nodeReads = (n: string) => new RegExp(`^${n}$`, "m").test(nodeHelp);
    expect(nodeReads("NODE_TLS_REJECT_UNAUTHORIZED")).toBe(true);
    const stackSets = (n: string) => registered.includes(`"${n}":`) || registered.includes(`"${n}=`);
    expect(stackSets("DATABASE_PASSWORD_FILE")).toBe(true);
    expect(stackSets("DATABASE_PASSWORD_FILES")).toBe(false);
    const unknown = texts.flatMap((t) => {
      const pointed = all(/\b((?:infra|policies|validate|backup|checklist)\/[\w/.-]+\.ts)\b/g, t.text);
      const missingFiles = pointed.filter((f) => !existsSync(join(ROOT, f))).map((f) => `${t.name}: file ${f}`);
      const names = all(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g, t.text).filter((n) => !n.startsWith("GF_"));
      const inFiles = (n: string) => pointed.some((f) => existsSync(join(ROOT, f)) && declares(f, n));
      return [...missingFiles, ...names.filter((n) => !capabilities.has(n) && !stackSets(n) && !nodeReads(n) && !inFiles(n)).map((n) => `${t.name}: ${n}`)];
    });
    expect(unknown).toEqual([]);
    expect(capabilities.has("NET_BIND_SERVICE")).toBe(true);
    expect(capabilities.has("NET_BIND_SERVICES")).toBe(false);
  });

  test("every `file.ts name` reference names something that file exports", () => {
    // Only code-shaped names (camelCase, UPPER_CASE) after a path are references; "infra/stack.ts does" is prose.
    const refs = texts.flatMap((t) =>
      [...t.text.matchAll(/\b((?:infra|policies|validate)\/[\w/.-]+\.ts) ([a-z]+[A-Z]\w*|[A-Z][A-Z0-9_]+)\b/g)].map((m) => ({
        policy: t.name,
        file: m[1],
        name: m[2],
      })),
    );
    expect(refs.length).toBeGreaterThan(0);
    const missing = refs.filter((r) => !declares(r.file, r.name));
    expect(missing).toEqual([]);
  });
});
