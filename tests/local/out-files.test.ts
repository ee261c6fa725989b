/**
 * local/out-files.ts, the `--out` writer of every command: directories made one level at a
 * time (never the recursive mkdir that spins under /proc), files renamed into place whole,
 * and one OutError naming the path for whatever cannot be written.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureOutDir, OutError, writeOutFile, writeOutFiles } from "../../local/out-files";

let tmp: string;
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "out-files-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("creates missing parents and writes every file, nothing temporary left", () => {
  const dir = path.join(tmp, "a", "b", "c");
  const written = writeOutFiles(dir, { "r.json": "{}\n", "r.txt": "ok\n" });
  expect(written).toEqual([path.join(dir, "r.json"), path.join(dir, "r.txt")]);
  expect(fs.readFileSync(path.join(dir, "r.txt"), "utf8")).toBe("ok\n");
  expect(fs.readdirSync(dir).sort()).toEqual(["r.json", "r.txt"]);
});

test("an existing directory is used as it is; a file is replaced whole", () => {
  fs.writeFileSync(path.join(tmp, "r.txt"), "old and long\n");
  expect(ensureOutDir(tmp)).toBe(tmp);
  writeOutFile(path.join(tmp, "r.txt"), "new\n");
  expect(fs.readFileSync(path.join(tmp, "r.txt"), "utf8")).toBe("new\n");
  expect(fs.readdirSync(tmp)).toEqual(["r.txt"]);
});

test("a path under a regular file: OutError naming the file", () => {
  const file = path.join(tmp, "plain");
  fs.writeFileSync(file, "x");
  expect(() => ensureOutDir(path.join(file, "reports"))).toThrow(new OutError(`--out ${file}/reports: ${file} exists and is not a directory`));
  expect(() => ensureOutDir(file, "--drill-out")).toThrow(`--drill-out ${file}: ${file} exists and is not a directory`);
});

test("a path under /proc: OutError at once, naming the directory it could not create", () => {
  const t0 = Date.now();
  expect(() => ensureOutDir("/proc/no-such-dir/reports")).toThrow(/^--out \/proc\/no-such-dir\/reports: cannot create directory \/proc\/no-such-dir: /);
  expect(Date.now() - t0).toBeLessThan(1000);
});

test("a file that cannot be written leaves no temporary file behind", () => {
  const target = path.join(tmp, "taken");
  fs.mkdirSync(target);
  expect(() => writeOutFile(target, "x")).toThrow(`--out: cannot write ${target}: `);
  expect(fs.readdirSync(tmp)).toEqual(["taken"]);
});

test("the walk up is bounded", () => {
  const deep = path.join(tmp, ...Array.from({ length: 40 }, (_, i) => `d${i}`));
  expect(() => ensureOutDir(deep)).toThrow(/more than 32 directory levels would have to be created/);
  expect(fs.readdirSync(tmp)).toEqual([]);
});
