/**
 * The benchmark table of policies/README.md: every control of CIS Docker v1.6.0 sections 4, 5
 * and 7 and of the Pod Security Standards (baseline, restricted) exactly once, each enforced by
 * a policy of the pack, by a host check, or said not to apply and why.
 */
import * as fs from "fs";
import * as path from "path";
import { policyByName } from "../../policies/catalog";
import { HOST_CHECKS } from "../../validate/host/checks";

const README = fs.readFileSync(path.resolve(__dirname, "../../policies/README.md"), "utf8");

const range = (prefix: string, n: number, pad = 0) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(pad, "0")}`);

/** Control ids as docker-bench-security numbers them (CIS v1.6.0), and the PSS controls in the order the standard lists them. */
const CONTROLS = [...range("CIS 4.", 12), ...range("CIS 5.", 32), ...range("CIS 7.", 9), ...range("PSS-B-", 11, 2), ...range("PSS-R-", 6, 2)];

/** Policies the table names before their rule lands; empty when the table is complete. */
const PENDING = new Set<string>([]);

interface Row {
  id: string;
  title: string;
  by: string;
}

function rows(): Row[] {
  const m = /<!-- benchmark-coverage:start -->\n([\s\S]*?)<!-- benchmark-coverage:end -->/.exec(README);
  if (!m) throw new Error("policies/README.md has no benchmark-coverage section");
  return m[1]
    .split("\n")
    .filter((l) => /^\| (CIS|PSS)/.test(l))
    .map((l) => {
      const [id, title, by] = l.replace(/^\|\s*|\s*\|$/g, "").split(/\s*\|\s*/);
      return { id, title, by };
    });
}

/** The names in backticks of one "policy ..." or "daemon ..." part, before its explanation. */
function cited(by: string, kind: "policy" | "daemon"): string[] {
  return by
    .split(/;\s*/)
    .filter((part) => part.startsWith(`${kind} `))
    .flatMap((part) => [...part.split(":")[0].matchAll(/`([^`]+)`/g)].map((x) => x[1]));
}

test("the table lists every control of CIS Docker v1.6.0 sections 4, 5, 7 and of the Pod Security Standards exactly once", () => {
  const ids = rows().map((r) => r.id);
  expect([...ids].sort()).toEqual([...CONTROLS].sort());
  expect(new Set(ids).size).toBe(ids.length);
});

test("each control is enforced by a policy or a host check, or says why it does not apply", () => {
  for (const r of rows()) {
    const ok = r.by.startsWith("policy ") || r.by.startsWith("daemon ") || r.by.startsWith("not applicable because ");
    expect({ id: r.id, ok, title: r.title.length > 0 }).toEqual({ id: r.id, ok: true, title: true });
    if (r.by.startsWith("not applicable")) continue;
    expect({ id: r.id, cites: cited(r.by, "policy").length + cited(r.by, "daemon").length > 0 }).toEqual({ id: r.id, cites: true });
  }
});

test("every policy the table cites exists in the pack", () => {
  for (const r of rows())
    for (const name of cited(r.by, "policy")) {
      if (PENDING.has(name)) continue;
      expect({ id: r.id, policy: name, exists: !!policyByName(name) }).toEqual({ id: r.id, policy: name, exists: true });
    }
  for (const name of PENDING) expect({ pending: name, exists: !!policyByName(name) }).toEqual({ pending: name, exists: false });
});

test("every host check the table cites exists, and one cited alone claims that CIS control", () => {
  const checks = new Map(HOST_CHECKS.map((c) => [c.id, c]));
  for (const r of rows()) {
    const daemon = cited(r.by, "daemon");
    for (const id of daemon) expect({ id: r.id, check: id, exists: checks.has(id) }).toEqual({ id: r.id, check: id, exists: true });
    if (!r.id.startsWith("CIS ") || cited(r.by, "policy").length > 0 || daemon.length === 0) continue;
    const control = r.id.replace(/^CIS /, "");
    expect({ id: r.id, claimed: daemon.some((d) => checks.get(d)?.cis.includes(control)) }).toEqual({ id: r.id, claimed: true });
  }
});
